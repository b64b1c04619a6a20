/*
 * Streaming base64 decoder, tolerant exactly as Zeek's Base64Converter is
 * when used by its MIME analyzer (spec §3.7):
 *
 *  - alphabet A-Z a-z 0-9 + /; '=' counts as padding and as the value 0;
 *  - every other byte (spaces, CR, LF, '-', 8-bit bytes...) is skipped;
 *  - a complete group of 4 yields 3 - (number of '=' in the group) bytes
 *    (none when that is <= 0);
 *  - once a group containing '=' has been decoded, every later group is
 *    ignored;
 *  - b64_finish() pads an incomplete final group with '=' and decodes it.
 *
 * Nothing is ever rejected. Problems become Zeek's weird
 * `base64_illegal_encoding` (B64_WEIRD_NAME): once for the first skipped
 * byte or ignored group (Zeek's `errored == 1`), and once more from
 * b64_finish() for an incomplete final group. They are queued in the state
 * (at most B64_MAX_WEIRDS over a decoder's life) and read with
 * b64_weird_next(); b64_weird_format() renders Zeek's addl text.
 *
 * Usage: zero the struct (or b64_init()), call b64_feed() with each piece of
 * input, b64_finish() once at the end. Owns no memory.
 */
#ifndef SMTPLOG_PROTO_B64_H
#define SMTPLOG_PROTO_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define B64_WEIRD_NAME "base64_illegal_encoding"
/* First error + incomplete final group: the most one decoder ever raises. */
#define B64_MAX_WEIRDS 2
/* b64_finish() writes at most this many bytes. */
#define B64_FINISH_MAX 3

enum b64_weird_kind {
	B64_WEIRD_BAD_CHAR = 1,   /* "character %d ignored by Base64 decoding" */
	B64_WEIRD_AFTER_PADDING,  /* "extra base64 groups after '=' padding are ignored" */
	B64_WEIRD_INCOMPLETE,     /* "incomplete base64 group, padding with %d bits of 0" */
};

struct b64_weird {
	enum b64_weird_kind kind;
	unsigned arg; /* BAD_CHAR: the byte; INCOMPLETE: bits of padding */
};

struct b64_state {
	uint8_t group[4];
	uint8_t group_next; /* 0..4; 4 = a complete group not yet written */
	uint8_t padding;    /* '=' seen in the current group */
	bool after_padding; /* a padded group was decoded: ignore the rest */
	bool finished;

	/* Statistics (all input so far). */
	uint64_t bad_chars;      /* bytes skipped as not in the alphabet */
	uint64_t ignored_groups; /* groups ignored after padding */
	uint64_t errored;        /* bad_chars + ignored_groups (Zeek's counter) */

	struct b64_weird weirds[B64_MAX_WEIRDS];
	unsigned weird_head, weird_count;
};

void b64_init(struct b64_state *st);

/*
 * Decodes from in[0..n) into out[0..cap). Returns the number of input bytes
 * consumed; fewer than n only when out is full (call again with more room;
 * a complete group may stay pending until the next call, even one with n=0).
 * *out_len receives the number of bytes written.
 */
size_t b64_feed(struct b64_state *st, const uint8_t *in, size_t n, uint8_t *out,
		size_t cap, size_t *out_len);

/*
 * Ends the input: decodes a pending group and pads an incomplete one.
 * out must hold B64_FINISH_MAX bytes. Returns bytes written. Idempotent.
 */
size_t b64_finish(struct b64_state *st, uint8_t *out, size_t cap);

/* Pops the oldest queued weird; false when none. */
bool b64_weird_next(struct b64_state *st, struct b64_weird *w);

/* Zeek's addl text for a weird, NUL-terminated (truncated to cap). */
void b64_weird_format(const struct b64_weird *w, char *dst, size_t cap);

#endif
