/*
 * Timers on network time, fired in expiry order (ties: creation order, the
 * best stand-in for Zeek's unstable heap).
 *
 * A hierarchical timing wheel (Varghese & Lauck) buckets timers by a
 * sixteenth of a second; the bucket that time reaches is moved into a
 * small heap that orders its timers exactly. Adding and cancelling cost
 * O(1), a timer moves down the wheel's levels at most three times, and the
 * heap only ever holds the timers of the current tick (plus any scheduled
 * in the past). A timer belongs to an owner (a connection), which keeps
 * the head of its timers' list (a struct timer *, NULL-initialised) at the
 * offset given to timers_init(), so that its timers can be cancelled
 * without a trace: nothing stale stays behind to be skipped later.
 */
#ifndef SMTPLOG_CORE_TIMER_H
#define SMTPLOG_CORE_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One scheduled timer; owned by the struct timers it was added to. */
struct timer;

/* What a fired timer was. */
struct timer_fired {
	double when;
	uint64_t order;		/* creation order, for ties */
	void *owner;
	uint8_t kind;
	bool run_at_shutdown;	/* Zeek's do_expire */
};

#define TIMER_KINDS 32
#define TIMER_LEVELS 4
#define TIMER_SLOTS 256

struct timer_slab;

struct timers {
	struct timer *slot[TIMER_LEVELS][TIMER_SLOTS];	/* unordered lists */
	size_t level_n[TIMER_LEVELS];
	struct timer *overflow;		/* beyond the top level (years away) */
	size_t wheel_n;			/* in the levels and the overflow */
	struct timer **heap;		/* every timer whose tick is below cur */
	size_t heap_n, heap_cap;	/* cap: one entry per pooled node */
	int64_t cur;			/* the first tick not yet reached */
	uint64_t next_order;
	/* Where an owner keeps its list head, by timer kind: owners of
	 * different types (connections, files) keep it at their own offset. */
	size_t owner_list_offset[TIMER_KINDS];
	struct timer *free_list;	/* node pool */
	struct timer_slab *slabs;	/* owned */
};

/* Every kind's owners keep their list head at owner_list_offset. */
void timers_init(struct timers *w, size_t owner_list_offset);
/* The owners of timers of `kind` keep it at `offset` instead. Kinds one
 * timers_cancel() names together must share an offset. */
void timers_owner_offset(struct timers *w, uint8_t kind, size_t offset);
void timers_free(struct timers *w);
/* Live timers. */
size_t timers_count(const struct timers *w);

/* Schedules a timer of `kind` (0..31) for `owner`. False only when memory
 * runs out. */
bool timers_add(struct timers *w, void *owner, double when, uint8_t kind, bool run_at_shutdown);
/* Cancels the owner's timers whose kind is in `kind_mask` (bit 1 << kind). */
void timers_cancel(struct timers *w, void *owner, uint32_t kind_mask);

/* The earliest timer due at `now` (when <= now), removed into *out. */
bool timers_pop_due(struct timers *w, double now, struct timer_fired *out);
/* The earliest timer whatever its time (end of trace). */
bool timers_pop_any(struct timers *w, struct timer_fired *out);

#endif
