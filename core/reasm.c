#include "core/reasm.h"

#include <stdlib.h>
#include <string.h>

struct reasm_block {
	struct reasm_block *next;
	uint64_t seq, upper;
	uint8_t data[];
};

void reasm_init(struct reasm *r)
{
	memset(r, 0, sizeof *r);
	r->delivered = 1;
	r->trim_seq = 1;
}

static void drop_blocks(struct reasm *r)
{
	struct reasm_block *b = r->blocks;
	while (b) {
		struct reasm_block *next = b->next;
		free(b);
		b = next;
	}
	r->blocks = NULL;
	r->held = 0;
}

void reasm_free(struct reasm *r)
{
	drop_blocks(r);
}

uint64_t reasm_undelivered(const struct reasm *r)
{
	const struct reasm_block *b = r->blocks;
	if (!b)
		return 0;
	while (b->next)
		b = b->next;
	return b->upper > r->delivered ? b->upper - r->delivered : 0;
}

static void deliver(struct reasm *r, const struct reasm_sink *sink, uint64_t seq,
		    const uint8_t *data, uint64_t len)
{
	r->delivered = seq + len;
	if (sink && sink->deliver && !r->skip)
		sink->deliver(sink->ctx, seq, data, len);
}

/* Hands over every stored block that now starts at the delivered point. */
static void deliver_stored(struct reasm *r, const struct reasm_sink *sink)
{
	while (r->blocks && r->blocks->seq <= r->delivered) {
		struct reasm_block *b = r->blocks;
		r->blocks = b->next;
		r->held -= b->upper - b->seq;
		if (b->upper > r->delivered) {
			uint64_t skip = r->delivered - b->seq;
			deliver(r, sink, r->delivered, b->data + skip, b->upper - r->delivered);
		}
		free(b);
	}
}

static bool store(struct reasm *r, uint64_t seq, const uint8_t *data, uint64_t len)
{
	uint64_t upper = seq + len;
	struct reasm_block **link = &r->blocks;
	/* Earlier data wins on overlap (Zeek keeps what it saw first). */
	while (seq < upper) {
		while (*link && (*link)->upper <= seq)
			link = &(*link)->next;
		uint64_t end = upper;
		if (*link && (*link)->seq <= seq) {
			seq = (*link)->upper;
			continue;
		}
		if (*link && (*link)->seq < end)
			end = (*link)->seq;
		struct reasm_block *b = malloc(sizeof *b + (end - seq));
		if (!b)
			return false;
		b->seq = seq;
		b->upper = end;
		memcpy(b->data, data + (seq - (upper - len)), end - seq);
		b->next = *link;
		*link = b;
		r->held += end - seq;
		link = &b->next;
		seq = end;
	}
	return true;
}

bool reasm_data(struct reasm *r, uint64_t seq, const uint8_t *data, uint64_t len,
		uint64_t acked, bool no_data_acked, const struct reasm_sink *sink,
		const char **weird)
{
	if (r->skip)
		return true;
	uint64_t upper = seq + len;
	if (seq < acked) {
		if (upper <= acked)
			return true;
		data += acked - seq;
		seq = acked;
	}
	uint64_t floor = r->trim_seq > r->delivered ? r->trim_seq : r->delivered;
	if (upper <= floor || len == 0)
		return true;
	if (seq < floor) {
		data += floor - seq;
		seq = floor;
	}
	if (seq == r->delivered) {
		deliver(r, sink, seq, data, upper - seq);
		deliver_stored(r, sink);
	} else if (!store(r, seq, data, upper - seq)) {
		r->skip = true;
		drop_blocks(r);
		*weird = "reassembly_out_of_memory";
		return false;
	}
	if (no_data_acked && reasm_undelivered(r) > REASM_MAX_ABOVE_HOLE_NO_ACKS) {
		*weird = "above_hole_data_without_any_acks";
		r->skip = true;
		drop_blocks(r);
		return false;
	}
	if (r->held + (r->delivered - r->trim_seq) > REASM_MAX_UNACKED) {
		*weird = "excessive_data_without_further_acks";
		r->skip = true;
		drop_blocks(r);
		return false;
	}
	return true;
}

static void gap(struct reasm *r, const struct reasm_sink *sink, uint64_t seq, uint64_t len)
{
	r->had_gap = true;
	if (sink && sink->gap)
		sink->gap(sink->ctx, seq, len);
}

void reasm_ack(struct reasm *r, uint64_t seq, bool partial,
	       const struct reasm_sink *sink)
{
	if (seq <= r->trim_seq)
		return;
	if (seq > r->delivered && !r->skip && !(seq <= 2 && partial)) {
		while (r->blocks && r->blocks->seq < seq) {
			uint64_t hole = r->blocks->seq - r->delivered;
			gap(r, sink, r->delivered, hole);
			r->delivered += hole;
			deliver_stored(r, sink);
		}
		if (seq > r->delivered) {
			gap(r, sink, r->delivered, seq - r->delivered);
			r->delivered = seq;
		}
	} else if (seq > r->delivered && r->skip) {
		r->delivered = seq;
	}
	r->trim_seq = seq;
}
