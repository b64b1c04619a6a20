#include "core/timer.h"

#include <stdlib.h>
#include <string.h>

/* A tick is 1/16 s: Zeek's timeouts are whole seconds, so a tick's bucket
 * rarely holds more than the timers of a few packets. */
#define TICKS_PER_SECOND 16.0
/* Ticks are kept below 2^53 so that no timestamp overflows them. */
#define TICK_MAX ((int64_t)1 << 53)
#define SLOT_BITS 8
#define SLOT_MASK (TIMER_SLOTS - 1)
#define SLAB_TIMERS 512

/* The low bits of struct timer's `tag`; the creation order is above them,
 * so that comparing tags compares creation order. */
#define TAG_KIND_MASK 0x1fu
#define TAG_AT_SHUTDOWN 0x20u
#define TAG_IN_HEAP 0x40u
#define TAG_ORDER_SHIFT 8

/* 48 bytes: a SYN flood holds three of these per connection. */
struct timer {
	double when;
	uint64_t tag;			/* order << 8 | flags | kind */
	union {
		struct {
			struct timer *next, **pprev;
		} list;			/* in the wheel: a slot or the overflow */
		size_t heap_index;	/* TAG_IN_HEAP */
	} at;
	void *owner;
	struct timer *owner_next;	/* the owner's list; the pool's free list */
};

struct timer_slab {
	struct timer_slab *next;
	struct timer items[SLAB_TIMERS];
};

void timers_init(struct timers *w, size_t owner_list_offset)
{
	memset(w, 0, sizeof *w);
	for (int k = 0; k < TIMER_KINDS; k++)
		w->owner_list_offset[k] = owner_list_offset;
}

void timers_owner_offset(struct timers *w, uint8_t kind, size_t offset)
{
	w->owner_list_offset[kind & TAG_KIND_MASK] = offset;
}

void timers_free(struct timers *w)
{
	struct timer_slab *s = w->slabs;
	while (s) {
		struct timer_slab *next = s->next;
		free(s);
		s = next;
	}
	free(w->heap);
	size_t offsets[TIMER_KINDS];
	memcpy(offsets, w->owner_list_offset, sizeof offsets);
	memset(w, 0, sizeof *w);
	memcpy(w->owner_list_offset, offsets, sizeof offsets);
}

size_t timers_count(const struct timers *w)
{
	return w->wheel_n + w->heap_n;
}

static int64_t tick_of(double when)
{
	double t = when * TICKS_PER_SECOND;
	if (!(t > 0))
		return 0;	/* negative, zero, NaN */
	if (t >= (double)TICK_MAX)
		return TICK_MAX;
	return (int64_t)t;
}

/* ---- the heap of reached timers: exact (when, order) ---- */

static bool earlier(const struct timer *a, const struct timer *b)
{
	if (a->when != b->when)
		return a->when < b->when;
	return a->tag < b->tag;
}

static void heap_set(struct timers *w, size_t i, struct timer *t)
{
	w->heap[i] = t;
	t->at.heap_index = i;
}

static void sift_up(struct timers *w, size_t i)
{
	struct timer *t = w->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!earlier(t, w->heap[parent]))
			break;
		heap_set(w, i, w->heap[parent]);
		i = parent;
	}
	heap_set(w, i, t);
}

static void sift_down(struct timers *w, size_t i)
{
	struct timer *t = w->heap[i];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct timer *best = t;
		if (l < w->heap_n && earlier(w->heap[l], best)) {
			m = l;
			best = w->heap[l];
		}
		if (r < w->heap_n && earlier(w->heap[r], best))
			m = r;
		if (m == i)
			break;
		heap_set(w, i, w->heap[m]);
		i = m;
	}
	heap_set(w, i, t);
}

/* Cannot fail: the heap has room for every node of the pool (node_new). */
static void heap_push(struct timers *w, struct timer *t)
{
	t->tag |= TAG_IN_HEAP;
	heap_set(w, w->heap_n++, t);
	sift_up(w, w->heap_n - 1);
}

static void heap_remove(struct timers *w, struct timer *t)
{
	size_t i = t->at.heap_index;
	struct timer *last = w->heap[--w->heap_n];
	if (i == w->heap_n)
		return;
	heap_set(w, i, last);
	if (i > 0 && earlier(last, w->heap[(i - 1) / 2]))
		sift_up(w, i);
	else
		sift_down(w, i);
}

/* ---- the wheel ---- */

static void list_push(struct timer **head, struct timer *t)
{
	t->at.list.next = *head;
	t->at.list.pprev = head;
	if (*head)
		(*head)->at.list.pprev = &t->at.list.next;
	*head = t;
}

static void list_unlink(struct timer *t)
{
	*t->at.list.pprev = t->at.list.next;
	if (t->at.list.next)
		t->at.list.next->at.list.pprev = t->at.list.pprev;
}

/* The level whose slot holds tick, relative to cur: the timers of level L
 * share every digit above L with cur. TIMER_LEVELS means the overflow. */
static int level_of(int64_t cur, int64_t tick)
{
	uint64_t d = (uint64_t)tick ^ (uint64_t)cur;
	int level = 0;
	while (level < TIMER_LEVELS && d >> (SLOT_BITS * (level + 1)))
		level++;
	return level;
}

static struct timer **slot_of(struct timers *w, int level, int64_t tick)
{
	if (level == TIMER_LEVELS)
		return &w->overflow;
	return &w->slot[level][((uint64_t)tick >> (SLOT_BITS * level)) & SLOT_MASK];
}

/* Files a timer that is not in any structure: the heap once its tick has
 * been reached, the wheel otherwise. */
static void place(struct timers *w, struct timer *t)
{
	int64_t tick = tick_of(t->when);
	if (tick < w->cur) {
		heap_push(w, t);
		return;
	}
	int level = level_of(w->cur, tick);
	t->tag &= ~(uint64_t)TAG_IN_HEAP;
	list_push(slot_of(w, level, tick), t);
	if (level < TIMER_LEVELS)
		w->level_n[level]++;
	w->wheel_n++;
}

/* Takes a whole list out of the wheel and files each timer again. */
static void refile(struct timers *w, struct timer **head, int level)
{
	struct timer *t = *head;
	*head = NULL;
	while (t) {
		struct timer *next = t->at.list.next;
		if (level < TIMER_LEVELS)
			w->level_n[level]--;
		w->wheel_n--;
		place(w, t);
		t = next;
	}
}

/* cur has just become the first tick of a new slot at one or more levels:
 * spread those slots over the levels below, the highest first. */
static void cascade(struct timers *w)
{
	uint64_t c = (uint64_t)w->cur;
	if ((c & ((UINT64_C(1) << (SLOT_BITS * TIMER_LEVELS)) - 1)) == 0)
		refile(w, &w->overflow, TIMER_LEVELS);
	for (int level = TIMER_LEVELS - 1; level >= 1; level--)
		if ((c & ((UINT64_C(1) << (SLOT_BITS * level)) - 1)) == 0)
			refile(w, slot_of(w, level, w->cur), level);
}

/* Moves the timers of every tick up to `target` into the heap. With
 * `until_any`, stops as soon as the heap holds a timer. */
static void advance(struct timers *w, int64_t target, bool until_any)
{
	while (w->cur <= target) {
		if (until_any && w->heap_n)
			return;
		if (w->wheel_n == 0) {
			w->cur = target + 1;
			return;
		}
		int low = 0;
		while (low < TIMER_LEVELS && w->level_n[low] == 0)
			low++;
		if (low == 0) {
			struct timer **s = slot_of(w, 0, w->cur);
			while (*s) {
				struct timer *t = *s;
				/* The list and the owners are cold: fetch the next
				 * node, and the owner's list head that firing will
				 * read, while this one is filed. */
				if (t->at.list.next)
					__builtin_prefetch(t->at.list.next);
				__builtin_prefetch((char *)t->owner +
						   w->owner_list_offset[t->tag & TAG_KIND_MASK]);
				list_unlink(t);
				w->level_n[0]--;
				w->wheel_n--;
				heap_push(w, t);
			}
			w->cur++;
		} else {
			/* Nothing below level `low`: jump to where its digit changes. */
			int64_t span_mask = (int64_t)((UINT64_C(1) << (SLOT_BITS * low)) - 1);
			int64_t next = (w->cur | span_mask) + 1;
			if (next > target + 1) {
				w->cur = target + 1;
				return;
			}
			w->cur = next;
		}
		if ((w->cur & SLOT_MASK) == 0)
			cascade(w);
	}
}

/* ---- the interface ---- */

static struct timer *node_new(struct timers *w)
{
	if (!w->free_list) {
		struct timer_slab *s = malloc(sizeof *s);
		struct timer **h = s ? realloc(w->heap, (w->heap_cap + SLAB_TIMERS) * sizeof *h) : NULL;
		if (!h) {
			free(s);
			return NULL;
		}
		w->heap = h;
		w->heap_cap += SLAB_TIMERS;
		s->next = w->slabs;
		w->slabs = s;
		for (size_t i = 0; i < SLAB_TIMERS; i++) {
			s->items[i].owner_next = w->free_list;
			w->free_list = &s->items[i];
		}
	}
	struct timer *t = w->free_list;
	w->free_list = t->owner_next;
	return t;
}

static void node_free(struct timers *w, struct timer *t)
{
	t->owner_next = w->free_list;
	w->free_list = t;
}

static struct timer **owner_list(const struct timers *w, void *owner, unsigned kind)
{
	return (struct timer **)(void *)((char *)owner + w->owner_list_offset[kind & TAG_KIND_MASK]);
}

/* Owners hold a handful of timers: a walk is cheaper than a back link. */
static void owner_unlink(const struct timers *w, struct timer *t)
{
	struct timer **p = owner_list(w, t->owner, (unsigned)t->tag);
	while (*p != t)
		p = &(*p)->owner_next;
	*p = t->owner_next;
}

bool timers_add(struct timers *w, void *owner, double when, uint8_t kind, bool run_at_shutdown)
{
	struct timer *t = node_new(w);
	if (!t)
		return false;
	t->when = when;
	t->tag = w->next_order++ << TAG_ORDER_SHIFT | (kind & TAG_KIND_MASK) |
		 (run_at_shutdown ? TAG_AT_SHUTDOWN : 0);
	t->owner = owner;
	place(w, t);
	struct timer **head = owner_list(w, owner, kind);
	t->owner_next = *head;
	*head = t;
	return true;
}

/* Out of the wheel or the heap; the owner's list is the caller's. */
static void take_out(struct timers *w, struct timer *t)
{
	if (t->tag & TAG_IN_HEAP) {
		heap_remove(w, t);
	} else {
		list_unlink(t);
		int level = level_of(w->cur, tick_of(t->when));
		if (level < TIMER_LEVELS)
			w->level_n[level]--;
		w->wheel_n--;
	}
}

void timers_cancel(struct timers *w, void *owner, uint32_t kind_mask)
{
	if (!kind_mask)
		return;
	/* The kinds named share their owners' offset: the lowest one's. */
	struct timer **p = owner_list(w, owner, (unsigned)__builtin_ctz(kind_mask));
	while (*p) {
		struct timer *t = *p;
		if (kind_mask & (UINT32_C(1) << (t->tag & TAG_KIND_MASK))) {
			*p = t->owner_next;
			take_out(w, t);
			node_free(w, t);
		} else {
			p = &t->owner_next;
		}
	}
}

static void pop_top(struct timers *w, struct timer_fired *out)
{
	struct timer *t = w->heap[0];
	out->when = t->when;
	out->order = t->tag >> TAG_ORDER_SHIFT;
	out->owner = t->owner;
	out->kind = (uint8_t)(t->tag & TAG_KIND_MASK);
	out->run_at_shutdown = (t->tag & TAG_AT_SHUTDOWN) != 0;
	take_out(w, t);
	owner_unlink(w, t);
	node_free(w, t);
}

bool timers_pop_due(struct timers *w, double now, struct timer_fired *out)
{
	advance(w, tick_of(now), false);
	if (w->heap_n == 0 || w->heap[0]->when > now)
		return false;
	pop_top(w, out);
	return true;
}

bool timers_pop_any(struct timers *w, struct timer_fired *out)
{
	if (w->heap_n == 0 && w->wheel_n > 0)
		advance(w, TICK_MAX, true);
	if (w->heap_n == 0)
		return false;
	pop_top(w, out);
	return true;
}
