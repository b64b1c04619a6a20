/*
 * Timers on network time, in expiry order (ties: creation order, the best
 * stand-in for Zeek's unstable heap). A timer names a connection and a
 * kind; the connection decides, when it fires, whether it still matters,
 * so cancelling is just bumping a counter the entry remembers.
 */
#ifndef SMTPLOG_CORE_TIMER_H
#define SMTPLOG_CORE_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;

struct timer {
	double when;
	uint64_t order;		/* creation order, for ties */
	struct conn *conn;
	uint32_t conn_gen;	/* conn->gen when scheduled: stale if it differs */
	uint32_t epoch;		/* conn timer epoch (cancellation) */
	uint8_t kind;
	bool run_at_shutdown;	/* Zeek's do_expire */
};

struct timer_heap {
	struct timer *items;
	size_t n, cap;
	uint64_t next_order;
};

void timer_heap_init(struct timer_heap *h);
void timer_heap_free(struct timer_heap *h);
/* False only when memory runs out. */
bool timer_add(struct timer_heap *h, const struct timer *t);
/* The earliest timer due at `now`, removed from the heap into *out. */
bool timer_pop_due(struct timer_heap *h, double now, struct timer *out);
/* The earliest timer whatever its time (end of trace). */
bool timer_pop_any(struct timer_heap *h, struct timer *out);

#endif
