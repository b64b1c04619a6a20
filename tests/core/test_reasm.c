/* core/reasm.h: one direction of a TCP stream, in relative sequence space. */
#include <stdlib.h>

#include "core/reasm.h"
#include "tests/check.h"

/* Records what the reassembler hands out: the stream with gaps as '#'. */
struct rec {
	char stream[4096];
	size_t n;
	uint64_t next_seq;	/* where the next delivery or gap must start */
	bool contiguous;	/* every callback started where the last ended */
	int gaps;
	uint64_t gap_seq[8], gap_len[8];
	uint64_t delivered_bytes;
};

static void on_deliver(void *ctx, uint64_t seq, const uint8_t *data, uint64_t len)
{
	struct rec *r = ctx;
	if (seq != r->next_seq)
		r->contiguous = false;
	r->next_seq = seq + len;
	r->delivered_bytes += len;
	for (uint64_t i = 0; i < len && r->n < sizeof r->stream - 1; i++)
		r->stream[r->n++] = (char)data[i];
	r->stream[r->n] = 0;
}

static void on_gap(void *ctx, uint64_t seq, uint64_t len)
{
	struct rec *r = ctx;
	if (seq != r->next_seq)
		r->contiguous = false;
	r->next_seq = seq + len;
	if (r->gaps < 8) {
		r->gap_seq[r->gaps] = seq;
		r->gap_len[r->gaps] = len;
	}
	r->gaps++;
	for (uint64_t i = 0; i < len && r->n < sizeof r->stream - 1; i++)
		r->stream[r->n++] = '#';
	r->stream[r->n] = 0;
}

static struct reasm_sink sink_for(struct rec *r)
{
	memset(r, 0, sizeof *r);
	r->next_seq = 1;
	r->contiguous = true;
	struct reasm_sink s = {on_deliver, on_gap, r};
	return s;
}

/* Data with nothing acknowledged yet. */
static bool put(struct reasm *r, const struct reasm_sink *s, uint64_t seq, const char *text)
{
	const char *weird = NULL;
	return reasm_data(r, seq, (const uint8_t *)text, strlen(text), 1, false, s, &weird);
}

static void test_in_order(void)
{
	struct reasm r;
	struct rec rec;
	struct reasm_sink s = sink_for(&rec);
	reasm_init(&r);
	CHECK(r.delivered == 1);
	CHECK(put(&r, &s, 1, "hello "));
	CHECK_STR(rec.stream, "hello ");
	CHECK(put(&r, &s, 7, "world"));
	CHECK_STR(rec.stream, "hello world");
	CHECK(r.delivered == 12);
	CHECK(r.blocks == NULL && r.held == 0);	/* in-order data is never copied */
	CHECK(reasm_undelivered(&r) == 0);
	/* A retransmission of delivered data changes nothing. */
	CHECK(put(&r, &s, 1, "HELLO "));
	CHECK(put(&r, &s, 10, "LDxy"));	/* partly old: only "xy" is new */
	CHECK_STR(rec.stream, "hello worldxy");
	CHECK(rec.contiguous);
	/* Empty segments are ignored. */
	const char *weird = NULL;
	CHECK(reasm_data(&r, 14, (const uint8_t *)"", 0, 1, false, &s, &weird));
	CHECK(r.delivered == 14);
	reasm_free(&r);
}

static void test_out_of_order(void)
{
	struct reasm r;
	struct rec rec;
	struct reasm_sink s = sink_for(&rec);
	reasm_init(&r);
	CHECK(put(&r, &s, 11, "KLMNO"));
	CHECK(put(&r, &s, 6, "FGHIJ"));
	CHECK(rec.n == 0);
	CHECK(r.held == 10);
	CHECK(reasm_undelivered(&r) == 15);	/* 1..16 above the delivered point */
	CHECK(put(&r, &s, 1, "ABCDE"));
	CHECK_STR(rec.stream, "ABCDEFGHIJKLMNO");
	CHECK(rec.contiguous);
	CHECK(r.delivered == 16 && r.held == 0 && r.blocks == NULL);
	CHECK(reasm_undelivered(&r) == 0);
	CHECK(rec.gaps == 0);
	reasm_free(&r);
}

static void test_overlaps_first_wins(void)
{
	struct reasm r;
	struct rec rec;
	struct reasm_sink s = sink_for(&rec);
	reasm_init(&r);
	CHECK(put(&r, &s, 5, "xxxx"));		/* 5..9 */
	CHECK(put(&r, &s, 3, "yyyyyyyyyy"));	/* 3..13 covers it */
	CHECK(put(&r, &s, 15, "zz"));		/* 15..17 */
	CHECK(put(&r, &s, 12, "wwwwwwww"));	/* 12..20 over 12..13 and 15..17 */
	CHECK(r.held == 17);			/* 3..20, each byte once */
	CHECK(put(&r, &s, 1, "AB"));
	CHECK_STR(rec.stream, "AByyxxxxyyyywwzzwww");
	CHECK(rec.contiguous);
	/* Overlap with delivered data: the delivered bytes stay. */
	CHECK(put(&r, &s, 18, "QQQQ"));
	CHECK_STR(rec.stream, "AByyxxxxyyyywwzzwwwQQ");
	reasm_free(&r);

	/* A block wholly inside stored data adds nothing. */
	reasm_init(&r);
	s = sink_for(&rec);
	CHECK(put(&r, &s, 10, "abcdef"));
	CHECK(put(&r, &s, 12, "ZZ"));
	CHECK(r.held == 6);
	reasm_free(&r);
	CHECK(r.blocks == NULL && r.held == 0);
}

static void test_below_ack_ignored(void)
{
	struct reasm r;
	struct rec rec;
	struct reasm_sink s = sink_for(&rec);
	const char *weird = NULL;
	reasm_init(&r);
	/* Data entirely below the peer's ack is old. */
	CHECK(reasm_data(&r, 1, (const uint8_t *)"old", 3, 10, false, &s, &weird));
	CHECK(rec.n == 0 && r.held == 0);
	/* Straddling the ack: only the part at or above it counts; here it
	 * is above the delivered point, so it waits. */
	CHECK(reasm_data(&r, 8, (const uint8_t *)"abcdef", 6, 10, false, &s, &weird));
	CHECK(rec.n == 0);
	CHECK(r.held == 4);
	reasm_ack(&r, 10, false, &s);	/* 1..10 never seen: a gap */
	CHECK(rec.gaps == 1 && rec.gap_seq[0] == 1 && rec.gap_len[0] == 9);
	/* As in Zeek (TCP_Reassembler::Undelivered stops at blocks at or
	 * above the ack), a block starting exactly at the ack stays stored
	 * until a later ack passes it: then a zero-length Gap() comes first. */
	CHECK_STR(rec.stream, "#########");
	CHECK(r.held == 4 && r.delivered == 10);
	reasm_ack(&r, 16, false, &s);
	CHECK(rec.gaps == 3);
	CHECK(rec.gap_seq[1] == 10 && rec.gap_len[1] == 0);
	CHECK(rec.gap_seq[2] == 14 && rec.gap_len[2] == 2);
	CHECK_STR(rec.stream, "#########cdef##");
	/* Data below the trim point (the last ack) is ignored too. */
	CHECK(reasm_data(&r, 12, (const uint8_t *)"XYZW", 4, 1, false, &s, &weird));
	CHECK(reasm_data(&r, 14, (const uint8_t *)"abcd", 4, 1, false, &s, &weird));
	CHECK_STR(rec.stream, "#########cdef##cd");
	CHECK(rec.contiguous);
	reasm_free(&r);
}

static void test_gaps_on_ack(void)
{
	struct reasm r;
	struct rec rec;
	struct reasm_sink s = sink_for(&rec);
	reasm_init(&r);
	CHECK(put(&r, &s, 1, "abc"));		/* 1..4 delivered */
	CHECK(put(&r, &s, 10, "jkl"));		/* 10..13 */
	CHECK(put(&r, &s, 20, "tu"));		/* 20..22 */
	/* An ack inside the first hole: no gap yet (Zeek trims, and the
	 * hole below the ack is reported only up to the ack). */
	reasm_ack(&r, 4, false, &s);
	CHECK(rec.gaps == 0);
	/* An ack past both holes and past the end. */
	reasm_ack(&r, 25, false, &s);
	CHECK(rec.gaps == 3);
	CHECK(rec.gap_seq[0] == 4 && rec.gap_len[0] == 6);
	CHECK(rec.gap_seq[1] == 13 && rec.gap_len[1] == 7);
	CHECK(rec.gap_seq[2] == 22 && rec.gap_len[2] == 3);
	CHECK_STR(rec.stream, "abc######jkl#######tu###");
	CHECK(rec.contiguous);
	CHECK(r.delivered == 25 && r.trim_seq == 25 && r.had_gap);
	CHECK(r.blocks == NULL);
	/* An ack that does not move forward does nothing. */
	reasm_ack(&r, 20, false, &s);
	reasm_ack(&r, 25, false, &s);
	CHECK(rec.gaps == 3);
	/* Stream continues at the ack. */
	CHECK(put(&r, &s, 25, "z"));
	CHECK_STR(rec.stream, "abc######jkl#######tu###z");
	reasm_free(&r);

	/* An ack that ends in the middle of a stored block. */
	reasm_init(&r);
	s = sink_for(&rec);
	CHECK(put(&r, &s, 5, "efgh"));
	reasm_ack(&r, 7, false, &s);
	CHECK(rec.gaps == 1 && rec.gap_seq[0] == 1 && rec.gap_len[0] == 4);
	CHECK_STR(rec.stream, "####efgh");
	CHECK(r.delivered == 9);
	reasm_free(&r);
}

static void test_partial_two_byte_rule(void)
{
	struct reasm r;
	struct rec rec;
	struct reasm_sink s = sink_for(&rec);
	/* A partial connection: acks at 2 or below report nothing. */
	reasm_init(&r);
	reasm_ack(&r, 2, true, &s);
	CHECK(rec.gaps == 0 && !r.had_gap);
	reasm_free(&r);
	reasm_init(&r);
	reasm_ack(&r, 3, true, &s);	/* 3 is past the rule */
	CHECK(rec.gaps == 1 && rec.gap_seq[0] == 1 && rec.gap_len[0] == 2);
	reasm_free(&r);
	/* Not partial: the same 1-byte hole is a gap. */
	reasm_init(&r);
	s = sink_for(&rec);
	reasm_ack(&r, 2, false, &s);
	CHECK(rec.gaps == 1 && rec.gap_seq[0] == 1 && rec.gap_len[0] == 1);
	reasm_free(&r);
	/* As in Zeek (TCP_Reassembler::Undelivered returns without moving
	 * last_reassem_seq), the ignored hole is reported once a later ack
	 * passes it. */
	reasm_init(&r);
	s = sink_for(&rec);
	reasm_ack(&r, 2, true, &s);
	CHECK(put(&r, &s, 2, "bcd"));
	CHECK(rec.n == 0);
	reasm_ack(&r, 5, true, &s);
	CHECK(rec.gaps == 1 && rec.gap_seq[0] == 1 && rec.gap_len[0] == 1);
	CHECK_STR(rec.stream, "#bcd");
	reasm_free(&r);
}

static void test_limits(void)
{
	static uint8_t chunk[65536];
	memset(chunk, 'x', sizeof chunk);
	struct reasm r;
	struct rec rec;
	struct reasm_sink s = sink_for(&rec);
	const char *weird = NULL;

	/* Above a hole, with nothing acked: at most 16384 bytes. */
	reasm_init(&r);
	CHECK(reasm_data(&r, 2, chunk, REASM_MAX_ABOVE_HOLE_NO_ACKS - 1, 1, true, &s, &weird));
	CHECK(!r.skip && weird == NULL);	/* undelivered = 1 + 16383 = 16384 */
	CHECK(!reasm_data(&r, 2 + REASM_MAX_ABOVE_HOLE_NO_ACKS - 1, chunk, 1, 1, true, &s, &weird));
	CHECK(r.skip);
	CHECK(weird && strcmp(weird, "above_hole_data_without_any_acks") == 0);
	CHECK(r.blocks == NULL && r.held == 0);
	/* Skipping: nothing more is delivered, even in order. */
	weird = NULL;
	CHECK(reasm_data(&r, 1, chunk, 1, 1, true, &s, &weird));
	CHECK(rec.n == 0 && weird == NULL);
	reasm_free(&r);

	/* The same amount with data acked is fine. */
	reasm_init(&r);
	s = sink_for(&rec);
	weird = NULL;
	CHECK(reasm_data(&r, 2, chunk, 20000, 1, false, &s, &weird));
	CHECK(!r.skip && weird == NULL && r.held == 20000);
	reasm_free(&r);

	/* Unacknowledged data, even in order: at most 10 MiB. */
	reasm_init(&r);
	s = sink_for(&rec);
	weird = NULL;
	uint64_t seq = 1;
	bool ok = true;
	while (seq - 1 + sizeof chunk <= REASM_MAX_UNACKED) {
		ok = ok && reasm_data(&r, seq, chunk, sizeof chunk, 1, false, &s, &weird);
		seq += sizeof chunk;
	}
	CHECK(ok && !r.skip && seq - 1 == REASM_MAX_UNACKED);
	CHECK(rec.delivered_bytes == REASM_MAX_UNACKED);
	CHECK(!reasm_data(&r, seq, chunk, 1, 1, false, &s, &weird));
	CHECK(r.skip);
	CHECK(weird && strcmp(weird, "excessive_data_without_further_acks") == 0);
	reasm_free(&r);

	/* An ack in between resets the count. */
	reasm_init(&r);
	s = sink_for(&rec);
	weird = NULL;
	seq = 1;
	ok = true;
	for (int i = 0; i < 200; i++) {
		ok = ok && reasm_data(&r, seq, chunk, sizeof chunk, 1, false, &s, &weird);
		seq += sizeof chunk;
		if (i % 100 == 99)
			reasm_ack(&r, seq, false, &s);
	}
	CHECK(ok && !r.skip && weird == NULL && rec.gaps == 0);
	reasm_free(&r);

	/* Skip mode: an ack past the delivered point just moves it on. */
	reasm_init(&r);
	s = sink_for(&rec);
	r.skip = true;
	reasm_ack(&r, 100, false, &s);
	CHECK(rec.gaps == 0 && r.delivered == 100);
	reasm_free(&r);
}

/* Segments of random length at random places, in random order: the
 * stream comes out whole, each byte as first seen, whatever the order
 * (the stored blocks are a skip list; order must not matter). */
static void test_shuffled(void)
{
	enum { LEN = 3000 };
	static uint8_t first[LEN + 1], seen[LEN + 1];
	static char stream[LEN + 1];
	uint64_t rng = 12345;
	struct reasm r;
	struct rec rec;
	struct reasm_sink s = sink_for(&rec);
	reasm_init(&r);
	memset(seen, 0, sizeof seen);
	bool ok = true;
	for (int i = 0; i < 4000; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t seq = 2 + (rng >> 33) % (LEN - 1);	/* byte 1 comes last */
		uint64_t len = 1 + (rng >> 20) % 40;
		if (seq + len > LEN + 1)
			len = LEN + 1 - seq;
		char data[64];
		for (uint64_t k = 0; k < len; k++) {
			data[k] = (char)('a' + (i + (int)k) % 26);
			if (!seen[seq + k]) {
				seen[seq + k] = 1;
				first[seq + k] = (uint8_t)data[k];
			}
		}
		const char *weird = NULL;
		ok = ok && reasm_data(&r, seq, (const uint8_t *)data, len, 1, false, &s, &weird);
	}
	CHECK(ok && rec.n == 0);
	uint64_t held = 0;
	for (int k = 2; k <= LEN; k++)
		held += seen[k];
	CHECK(r.held == held);
	/* Fill every hole (each byte '#'), byte 1 last. */
	for (int k = LEN; k >= 1; k--) {
		if (!seen[k]) {
			first[k] = '#';
			const char *weird = NULL;
			ok = ok && reasm_data(&r, (uint64_t)k, (const uint8_t *)"#", 1, 1, false, &s,
					      &weird);
		}
	}
	for (int k = 1; k <= LEN; k++)
		stream[k - 1] = (char)first[k];
	stream[LEN] = 0;
	CHECK(ok && rec.n == LEN && memcmp(rec.stream, stream, LEN) == 0);
	CHECK(rec.contiguous && r.blocks == NULL && r.held == 0 && r.delivered == LEN + 1);
	reasm_free(&r);
}

int main(void)
{
	test_in_order();
	test_out_of_order();
	test_overlaps_first_wins();
	test_below_ack_ignored();
	test_gaps_on_ack();
	test_partial_two_byte_rule();
	test_limits();
	test_shuffled();
	return check_summary();
}
