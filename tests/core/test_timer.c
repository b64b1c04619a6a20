/* core/timer.h: the timer heap's order. */
#include <stdlib.h>

#include "core/timer.h"
#include "tests/check.h"

static struct timer at(double when, uint8_t kind)
{
	struct timer t = {.when = when, .kind = kind};
	return t;
}

static void test_expiry_order(void)
{
	struct timer_heap h;
	timer_heap_init(&h);
	double whens[] = {5.0, 1.0, 3.0, 4.0, 2.0};
	for (int i = 0; i < 5; i++)
		CHECK(timer_add(&h, &(struct timer){.when = whens[i], .kind = (uint8_t)i}));
	struct timer t;
	for (int i = 1; i <= 5; i++) {
		CHECK(timer_pop_any(&h, &t));
		CHECK(t.when == (double)i);
	}
	CHECK(!timer_pop_any(&h, &t));
	CHECK(!timer_pop_due(&h, 1e9, &t));
	timer_heap_free(&h);
}

static void test_ties_in_creation_order(void)
{
	struct timer_heap h;
	timer_heap_init(&h);
	/* Interleave two times so the heap has to reorder. */
	for (int i = 0; i < 20; i++)
		CHECK(timer_add(&h, &(struct timer){.when = i % 2 ? 7.0 : 3.0, .kind = (uint8_t)i}));
	struct timer t;
	int last = -1;
	for (int i = 0; i < 10; i++) {
		CHECK(timer_pop_any(&h, &t));
		CHECK(t.when == 3.0);
		CHECK(t.kind % 2 == 0 && (int)t.kind > last);
		last = t.kind;
	}
	last = -1;
	for (int i = 0; i < 10; i++) {
		CHECK(timer_pop_any(&h, &t));
		CHECK(t.when == 7.0);
		CHECK(t.kind % 2 == 1 && (int)t.kind > last);
		last = t.kind;
	}
	/* The order counter is assigned by the heap, not taken from the caller. */
	struct timer in = at(1.0, 1);
	in.order = 999999;
	CHECK(timer_add(&h, &in));
	CHECK(timer_add(&h, &(struct timer){.when = 1.0, .kind = 2}));
	CHECK(timer_pop_any(&h, &t) && t.kind == 1 && t.order == 20);
	CHECK(timer_pop_any(&h, &t) && t.kind == 2 && t.order == 21);
	timer_heap_free(&h);
}

static void test_pop_due_vs_any(void)
{
	struct timer_heap h;
	timer_heap_init(&h);
	struct timer t;
	CHECK(!timer_pop_due(&h, 100.0, &t));
	timer_add(&h, &(struct timer){.when = 10.0, .kind = 1});
	timer_add(&h, &(struct timer){.when = 20.0, .kind = 2});
	CHECK(!timer_pop_due(&h, 9.999, &t));
	CHECK(h.n == 2);
	CHECK(timer_pop_due(&h, 10.0, &t));	/* due exactly at its time */
	CHECK(t.kind == 1);
	CHECK(!timer_pop_due(&h, 15.0, &t));
	CHECK(timer_pop_any(&h, &t));		/* whatever its time */
	CHECK(t.kind == 2 && t.when == 20.0);
	CHECK(h.n == 0);
	timer_heap_free(&h);
	CHECK(h.items == NULL && h.n == 0 && h.cap == 0);
}

static void test_random_sorted(void)
{
	struct timer_heap h;
	timer_heap_init(&h);
	srand(12345);
	enum { N = 100000 };
	bool ok = true;
	for (int i = 0; i < N; i++) {
		/* Few distinct values so that ties are frequent. */
		struct timer t = {.when = (double)(rand() % 5000) / 10.0};
		ok = ok && timer_add(&h, &t);
	}
	CHECK(ok);
	CHECK(h.n == N);
	struct timer prev = {0}, t;
	size_t n = 0;
	bool sorted = true;
	/* Half through pop_due with a rising clock, the rest through pop_any. */
	for (double now = 0; now < 250.0; now += 0.5)
		while (timer_pop_due(&h, now, &t)) {
			if (t.when > now)
				sorted = false;
			if (n && (t.when < prev.when || (t.when == prev.when && t.order <= prev.order)))
				sorted = false;
			prev = t;
			n++;
		}
	CHECK(n > 0 && n < N);
	while (timer_pop_any(&h, &t)) {
		if (t.when < prev.when || (t.when == prev.when && t.order <= prev.order))
			sorted = false;
		prev = t;
		n++;
	}
	CHECK(sorted);
	CHECK(n == N);
	/* Interleaved adds and pops stay ordered too. */
	bool ok2 = true;
	double floor = 0;
	for (int i = 0; i < 20000; i++) {
		timer_add(&h, &(struct timer){.when = floor + (double)(rand() % 1000)});
		if (i % 3 == 2) {
			timer_pop_any(&h, &t);
			if (t.when < floor)
				ok2 = false;
			floor = t.when;
		}
	}
	while (timer_pop_any(&h, &t)) {
		if (t.when < floor)
			ok2 = false;
		floor = t.when;
	}
	CHECK(ok2);
	timer_heap_free(&h);
}

int main(void)
{
	test_expiry_order();
	test_ties_in_creation_order();
	test_pop_due_vs_any();
	test_random_sorted();
	return check_summary();
}
