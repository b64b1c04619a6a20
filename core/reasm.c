#include "core/reasm.h"

#include <stdlib.h>
#include <string.h>

/*
 * Stored blocks form a skip list, so that finding where a segment goes
 * costs O(log n) whatever order the segments come in: a sorted linked
 * list made a capture of one-byte segments in shuffled order quadratic
 * (Zeek keeps its blocks in a std::map for the same reason). r->blocks is
 * the list's head, a block of full height without data, allocated with
 * the first stored block and freed when the last one goes.
 */
#define REASM_LEVELS 16 /* p = 1/4: enough for 4^16 blocks */

struct reasm_block {
	uint64_t seq, upper; /* the head keeps its height generator in upper */
	uint8_t height;
	struct reasm_block *next[]; /* [0] is the sorted list; data follows */
};

static uint8_t *block_data(struct reasm_block *b)
{
	return (uint8_t *)&b->next[b->height];
}

void reasm_init(struct reasm *r)
{
	memset(r, 0, sizeof *r);
	r->delivered = 1;
	r->trim_seq = 1;
}

static struct reasm_block *first(const struct reasm *r)
{
	return r->blocks ? r->blocks->next[0] : NULL;
}

static void drop_blocks(struct reasm *r)
{
	struct reasm_block *b = first(r);
	while (b) {
		struct reasm_block *next = b->next[0];
		free(b);
		b = next;
	}
	free(r->blocks);
	r->blocks = NULL;
	r->held = 0;
}

void reasm_free(struct reasm *r)
{
	drop_blocks(r);
}

uint64_t reasm_undelivered(const struct reasm *r)
{
	if (!first(r))
		return 0;
	const struct reasm_block *b = r->blocks;
	for (int l = REASM_LEVELS - 1; l >= 0; l--)
		while (b->next[l])
			b = b->next[l];
	return b->upper > r->delivered ? b->upper - r->delivered : 0;
}

/* Takes the first block out of the list (freeing the head when the list
 * becomes empty); the caller frees the block. */
static struct reasm_block *pop_first(struct reasm *r)
{
	struct reasm_block *h = r->blocks, *b = h->next[0];
	for (int l = 0; l < b->height; l++)
		h->next[l] = b->next[l];
	if (!h->next[0]) {
		free(h);
		r->blocks = NULL;
	}
	return b;
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
	struct reasm_block *b;
	while ((b = first(r)) && b->seq <= r->delivered) {
		pop_first(r);
		r->held -= b->upper - b->seq;
		if (b->upper > r->delivered) {
			uint64_t skip = r->delivered - b->seq;
			deliver(r, sink, r->delivered, block_data(b) + skip,
				b->upper - r->delivered);
		}
		free(b);
	}
}

/* A height with probability 4^-(h-1), from the head's generator. */
static uint8_t random_height(struct reasm_block *head)
{
	uint64_t z = (head->upper += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	uint8_t h = 1;
	while (h < REASM_LEVELS && (z & 3) == 0) {
		h++;
		z >>= 2;
	}
	return h;
}

/* update[l]: the last block at level l that ends at or before seq. */
static void find(struct reasm_block *head, uint64_t seq, struct reasm_block **update)
{
	struct reasm_block *x = head;
	for (int l = REASM_LEVELS - 1; l >= 0; l--) {
		while (x->next[l] && x->next[l]->upper <= seq)
			x = x->next[l];
		update[l] = x;
	}
}

static bool store(struct reasm *r, uint64_t seq, const uint8_t *data, uint64_t len)
{
	uint64_t upper = seq + len;
	if (!r->blocks) {
		r->blocks = calloc(1, sizeof *r->blocks + REASM_LEVELS * sizeof r->blocks->next[0]);
		if (!r->blocks)
			return false;
		r->blocks->height = REASM_LEVELS;
		/* Heights need not be reproducible, only unpredictable. */
		r->blocks->upper = (uint64_t)(uintptr_t)r->blocks ^ seq;
	}
	struct reasm_block *update[REASM_LEVELS];
	/* Earlier data wins on overlap (Zeek keeps what it saw first). */
	while (seq < upper) {
		find(r->blocks, seq, update);
		struct reasm_block *at = update[0]->next[0];
		if (at && at->seq <= seq) {
			seq = at->upper;
			continue;
		}
		uint64_t end = upper;
		if (at && at->seq < end)
			end = at->seq;
		uint8_t h = random_height(r->blocks);
		struct reasm_block *b = malloc(sizeof *b + h * sizeof b->next[0] + (end - seq));
		if (!b)
			return false;
		b->seq = seq;
		b->upper = end;
		b->height = h;
		memcpy(block_data(b), data + (seq - (upper - len)), end - seq);
		for (int l = 0; l < h; l++) {
			b->next[l] = update[l]->next[l];
			update[l]->next[l] = b;
		}
		r->held += end - seq;
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
		struct reasm_block *b;
		while ((b = first(r)) && b->seq < seq) {
			uint64_t hole = b->seq - r->delivered;
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
