/*
 * One direction of a TCP byte stream, numbered in relative sequence space
 * (1 = the first byte after the SYN). In-order data is handed to the sink
 * straight from the packet; only out-of-order data is copied, and only up
 * to Zeek's limits. Holes become gaps when the peer acknowledges past
 * them, as in Zeek's TCP_Reassembler.
 */
#ifndef SMTPLOG_CORE_REASM_H
#define SMTPLOG_CORE_REASM_H

#include <stdbool.h>
#include <stdint.h>

struct reasm_block;

struct reasm {
	uint64_t delivered;		/* Zeek's last_reassem_seq */
	uint64_t trim_seq;		/* everything below is acknowledged */
	struct reasm_block *blocks;	/* undelivered, sorted, non-overlapping:
					 * the head of a skip list (reasm.c),
					 * NULL when none; owned */
	uint64_t held;			/* bytes in blocks */
	bool skip;			/* Zeek's skip_deliveries */
	bool had_gap;
};

/* Where the stream goes. Any member may be NULL. */
struct reasm_sink {
	void (*deliver)(void *ctx, uint64_t seq, const uint8_t *data, uint64_t len);
	void (*gap)(void *ctx, uint64_t seq, uint64_t len);
	void *ctx;
};

/* Zeek's tcp_max_above_hole_without_any_acks. */
#define REASM_MAX_ABOVE_HOLE_NO_ACKS 16384u
/* Zeek's tcp_excessive_data_without_further_acks. */
#define REASM_MAX_UNACKED (10u * 1024 * 1024)

void reasm_init(struct reasm *r);
void reasm_free(struct reasm *r);

/*
 * New data at relative seq. `acked` is the peer's acknowledgement in the
 * same space (data below it is old). `no_data_acked` is Zeek's
 * NoDataAcked() for the sending endpoint. Returns false when this made the
 * stream give up (a Zeek weird: above_hole_data_without_any_acks or
 * excessive_data_without_further_acks); *weird names it.
 */
bool reasm_data(struct reasm *r, uint64_t seq, const uint8_t *data, uint64_t len,
		uint64_t acked, bool no_data_acked, const struct reasm_sink *sink,
		const char **weird);

/*
 * The peer acknowledged everything below `seq`: holes below it are gaps.
 * `partial`: Zeek ignores a hole of at most 2 bytes at the start of a
 * partial connection.
 */
void reasm_ack(struct reasm *r, uint64_t seq, bool partial,
	       const struct reasm_sink *sink);

/* Bytes above the delivered point (Zeek's NumUndeliveredBytes). */
uint64_t reasm_undelivered(const struct reasm *r);

#endif
