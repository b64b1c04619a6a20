#include "core/timer.h"

#include <stdlib.h>

void timer_heap_init(struct timer_heap *h)
{
	h->items = NULL;
	h->n = h->cap = 0;
	h->next_order = 0;
}

void timer_heap_free(struct timer_heap *h)
{
	free(h->items);
	timer_heap_init(h);
}

static bool earlier(const struct timer *a, const struct timer *b)
{
	if (a->when != b->when)
		return a->when < b->when;
	return a->order < b->order;
}

bool timer_add(struct timer_heap *h, const struct timer *t)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		struct timer *p = realloc(h->items, cap * sizeof *p);
		if (!p)
			return false;
		h->items = p;
		h->cap = cap;
	}
	size_t i = h->n++;
	struct timer item = *t;
	item.order = h->next_order++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!earlier(&item, &h->items[parent]))
			break;
		h->items[i] = h->items[parent];
		i = parent;
	}
	h->items[i] = item;
	return true;
}

static void pop_top(struct timer_heap *h, struct timer *out)
{
	*out = h->items[0];
	struct timer last = h->items[--h->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct timer *best = &last;
		if (l < h->n && earlier(&h->items[l], best)) {
			m = l;
			best = &h->items[l];
		}
		if (r < h->n && earlier(&h->items[r], best))
			m = r;
		if (m == i)
			break;
		h->items[i] = h->items[m];
		i = m;
	}
	if (h->n > 0)
		h->items[i] = last;
}

bool timer_pop_due(struct timer_heap *h, double now, struct timer *out)
{
	if (h->n == 0 || h->items[0].when > now)
		return false;
	pop_top(h, out);
	return true;
}

bool timer_pop_any(struct timer_heap *h, struct timer *out)
{
	if (h->n == 0)
		return false;
	pop_top(h, out);
	return true;
}
