/* core/timer.h: expiry order, ties, cancellation, and the wheel against a
 * naive reference on random schedules. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/timer.h"
#include "tests/check.h"

/* An owner with its list head, as a connection holds it. */
struct owner {
	struct timer *timers;
	int id;
};

static void test_expiry_order(void)
{
	struct timers w;
	timers_init(&w, offsetof(struct owner, timers));
	struct owner o = {0};
	double whens[] = {5.0, 1.0, 3.0, 4.0, 2.0};
	for (int i = 0; i < 5; i++)
		CHECK(timers_add(&w, &o, whens[i], (uint8_t)i, false));
	CHECK(timers_count(&w) == 5);
	struct timer_fired t;
	for (int i = 1; i <= 5; i++) {
		CHECK(timers_pop_any(&w, &t));
		CHECK(t.when == (double)i && t.owner == &o);
	}
	CHECK(!timers_pop_any(&w, &t));
	CHECK(!timers_pop_due(&w, 1e9, &t));
	CHECK(o.timers == NULL);
	timers_free(&w);
}

static void test_ties_in_creation_order(void)
{
	struct timers w;
	timers_init(&w, offsetof(struct owner, timers));
	struct owner o = {0};
	for (int i = 0; i < 20; i++)
		CHECK(timers_add(&w, &o, i % 2 ? 1007.0 : 1003.0, (uint8_t)i, false));
	struct timer_fired t;
	int last = -1;
	for (int i = 0; i < 10; i++) {
		CHECK(timers_pop_any(&w, &t));
		CHECK(t.when == 1003.0);
		CHECK(t.kind % 2 == 0 && (int)t.kind > last);
		last = t.kind;
	}
	last = -1;
	for (int i = 0; i < 10; i++) {
		CHECK(timers_pop_due(&w, 1007.0, &t));
		CHECK(t.when == 1007.0);
		CHECK(t.kind % 2 == 1 && (int)t.kind > last);
		last = t.kind;
	}
	CHECK(timers_add(&w, &o, 1.0, 1, false));
	CHECK(timers_add(&w, &o, 1.0, 2, false));
	CHECK(timers_pop_any(&w, &t) && t.kind == 1 && t.order == 20);
	CHECK(timers_pop_any(&w, &t) && t.kind == 2 && t.order == 21);
	timers_free(&w);
}

static void test_pop_due_vs_any(void)
{
	struct timers w;
	timers_init(&w, offsetof(struct owner, timers));
	struct owner o = {0};
	struct timer_fired t;
	CHECK(!timers_pop_due(&w, 100.0, &t));
	timers_add(&w, &o, 110.0, 1, true);
	timers_add(&w, &o, 120.0, 2, false);
	CHECK(!timers_pop_due(&w, 109.999, &t));
	CHECK(timers_count(&w) == 2);
	CHECK(timers_pop_due(&w, 110.0, &t)); /* due exactly at its time */
	CHECK(t.kind == 1 && t.run_at_shutdown);
	CHECK(!timers_pop_due(&w, 115.0, &t));
	/* Same tick, later in it: not due yet. */
	timers_add(&w, &o, 115.01, 3, false);
	CHECK(!timers_pop_due(&w, 115.0, &t));
	CHECK(timers_pop_due(&w, 115.02, &t) && t.kind == 3);
	CHECK(timers_pop_any(&w, &t)); /* whatever its time */
	CHECK(t.kind == 2 && t.when == 120.0 && !t.run_at_shutdown);
	CHECK(timers_count(&w) == 0);
	/* A timer in the past fires at the next chance. */
	timers_add(&w, &o, 50.0, 4, false);
	CHECK(timers_pop_due(&w, 120.0, &t) && t.kind == 4);
	timers_free(&w);
}

static void test_cancel(void)
{
	struct timers w;
	timers_init(&w, offsetof(struct owner, timers));
	struct owner a = {0}, b = {0};
	/* Far, near, in the past; in the wheel's levels and its heap. */
	double whens[] = {1e6, 1000.0, 1000.0 + 5000, 999.0, 1000.0 + 4e9};
	for (int i = 0; i < 5; i++) {
		CHECK(timers_add(&w, &a, whens[i], (uint8_t)i, false));
		CHECK(timers_add(&w, &b, whens[i], (uint8_t)i, false));
	}
	struct timer_fired t;
	CHECK(timers_pop_due(&w, 999.5, &t) && t.owner == &a && t.kind == 3);
	/* Cancel two kinds of a, then all of b. */
	timers_cancel(&w, &a, (1u << 0) | (1u << 2));
	CHECK(timers_count(&w) == 7);
	timers_cancel(&w, &b, UINT32_MAX);
	CHECK(b.timers == NULL && timers_count(&w) == 2);
	CHECK(timers_pop_any(&w, &t) && t.owner == &a && t.kind == 1);
	CHECK(timers_pop_any(&w, &t) && t.owner == &a && t.kind == 4);
	CHECK(!timers_pop_any(&w, &t));
	CHECK(a.timers == NULL);
	timers_free(&w);
}

/* The reference: an array scanned for the minimum. */
struct ref {
	double when;
	uint64_t order;
	int owner;
	uint8_t kind;
	bool live;
};

static bool ref_earlier(const struct ref *x, const struct ref *y)
{
	return x->when != y->when ? x->when < y->when : x->order < y->order;
}

static long ref_min(struct ref *r, size_t n, double now, bool any)
{
	long best = -1;
	for (size_t i = 0; i < n; i++)
		if (r[i].live && (any || r[i].when <= now) && (best < 0 || ref_earlier(&r[i], &r[best])))
			best = (long)i;
	return best;
}

static double random_when(double now)
{
	static const double delays[] = {0, 5, 6, 60, 300, 3600, 86400, 1e8};
	switch (rand() % 5) {
	case 0:
		return now - (double)(rand() % 100) / 10.0;	/* past */
	case 1:
		return now + (double)(rand() % 64) / 16.0;	/* tick boundaries */
	default:
		return now + delays[rand() % 8] + (double)(rand() % 1000) / 1e6;
	}
}

static void test_against_reference(void)
{
	enum { OWNERS = 64, OPS = 60000 };
	struct timers w;
	timers_init(&w, offsetof(struct owner, timers));
	struct owner owners[OWNERS];
	memset(owners, 0, sizeof owners);
	for (int i = 0; i < OWNERS; i++)
		owners[i].id = i;
	struct ref *r = calloc(OPS, sizeof *r);
	CHECK(r != NULL);
	if (!r)
		return;
	size_t n = 0;
	uint64_t order = 0;
	double now = 1.7e9;
	bool same = true;
	srand(4242);
	for (int op = 0; op < OPS && same; op++) {
		int what = rand() % 10;
		if (what < 5 && n < OPS) {
			int o = rand() % OWNERS;
			uint8_t kind = (uint8_t)(rand() % 4);
			double when = random_when(now);
			same = same && timers_add(&w, &owners[o], when, kind, false);
			r[n++] = (struct ref){when, order++, o, kind, true};
		} else if (what < 6) {
			int o = rand() % OWNERS;
			uint32_t mask = (uint32_t)(rand() % 16);
			timers_cancel(&w, &owners[o], mask);
			for (size_t i = 0; i < n; i++)
				if (r[i].live && r[i].owner == o && (mask & (1u << r[i].kind)))
					r[i].live = false;
		} else {
			/* Time moves: mostly a little, sometimes by hours or days. */
			int jump = rand() % 100;
			now += jump < 90 ? (double)(rand() % 2000) / 1000.0
			       : jump < 98 ? (double)(rand() % 7200) : 86400.0 * (rand() % 30);
			struct timer_fired t;
			for (;;) {
				long m = ref_min(r, n, now, false);
				bool got = timers_pop_due(&w, now, &t);
				if (m < 0 || !got) {
					same = same && m < 0 && !got;
					break;
				}
				struct owner *ow = t.owner;
				same = same && t.when == r[m].when && t.order == r[m].order &&
				       ow->id == r[m].owner && t.kind == r[m].kind;
				r[m].live = false;
			}
		}
		size_t live = 0;
		for (size_t i = 0; i < n; i++)
			live += r[i].live;
		same = same && timers_count(&w) == live;
	}
	CHECK(same);
	/* The end of the trace: everything, in order. */
	struct timer_fired t;
	for (;;) {
		long m = ref_min(r, n, 0, true);
		bool got = timers_pop_any(&w, &t);
		if (m < 0 || !got) {
			CHECK(m < 0 && !got);
			break;
		}
		if (t.when != r[m].when || t.order != r[m].order) {
			CHECK(!"end-of-trace order");
			break;
		}
		r[m].live = false;
	}
	for (int i = 0; i < OWNERS; i++)
		CHECK(owners[i].timers == NULL);
	free(r);
	timers_free(&w);
}

/* Cancelled timers leave nothing: a million add/cancel cycles keep the
 * pool at its first slab. */
static void test_no_residue(void)
{
	struct timers w;
	timers_init(&w, offsetof(struct owner, timers));
	struct owner o = {0};
	for (int i = 0; i < 1000000; i++) {
		timers_add(&w, &o, 1e9 + i * 0.001 + 300.0, 0, false);
		timers_cancel(&w, &o, 1u);
	}
	CHECK(timers_count(&w) == 0);
	CHECK(w.heap_cap == 512);
	timers_free(&w);
}

int main(void)
{
	test_expiry_order();
	test_ties_in_creation_order();
	test_pop_due_vs_any();
	test_cancel();
	test_against_reference();
	test_no_residue();
	return check_summary();
}
