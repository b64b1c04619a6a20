/*
 * SMTP line framing for one direction of a connection (spec §2.1), plus
 * the raw delivery of BDAT chunks and the BDAT line splitter (§2.4.5).
 *
 * struct smtp_line reproduces Zeek's ContentLine analyzer as the SMTP
 * analyzer configures it: "\r\n", a bare "\n" and a bare "\r" each end a
 * line; a "\r\n" split across deliveries is still one terminator; the
 * first NUL of the direction is dropped (weird NUL_in_line), later NULs
 * are data; a line that reaches the maximum is cut (weird
 * contentline_size_exceeded): cap-1 bytes are emitted, and both the byte
 * at the end of the buffer and the byte that overflowed it are lost.
 * A gap does not reset the partial line (Zeek keeps it, too).
 *
 * Iterator use (the caller owns the loop, so it can switch to raw mode
 * right after the line that carried a valid BDAT command):
 *
 *	struct cursor in = cur_make(data, len);   // one TCP delivery
 *	struct smtp_line_out out;
 *	int k;
 *	while ((k = smtp_line_next(&lf, &in, &out)) != SMTP_LINE_NEED_MORE) {
 *		if (k < 0) fail();                    // allocation failure
 *		report_weirds(out.weirds);            // they precede the line
 *		if (k == SMTP_LINE_TEXT) {
 *			process_line(out.data);       // valid until the next call
 *			if (bdat_ok) smtp_line_set_raw(&lf, size);
 *		} else {                              // SMTP_LINE_RAW
 *			smtp_bdat_feed(&bd, out.data.p, out.data.n, sink, ctx);
 *		}
 *	}
 *	report_weirds(out.weirds);                    // also set on NEED_MORE
 *
 * At the end of a direction (Zeek's EndpointEOF) call smtp_line_eof(),
 * which emits a partial line as if a "\n" had arrived.
 *
 * Weird reporting: Zeek raises NUL_in_line and line_terminated_with_single_CR
 * through Connection::FlagEvent, i.e. at most once per connection (shared by
 * both directions). This module reports every occurrence; the analyzer
 * dedupes. contentline_size_exceeded is raised every time.
 *
 * Owner: whoever embeds the struct; smtp_line_free() releases the buffer.
 * The buffer grows on demand up to the cap fixed at init.
 */
#ifndef SMTPLOG_PROTO_SMTP_LINE_H
#define SMTPLOG_PROTO_SMTP_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "core/cursor.h"

/* ContentLine's DEFAULT_MAX_LINE_LENGTH (16 MiB - 100). */
#define SMTP_LINE_MAX ((size_t)16 * 1024 * 1024 - 100)
/* ContentLine never allocates less than this, so no cap is smaller. */
#define SMTP_LINE_MIN_CAP 128

enum smtp_line_result {
	SMTP_LINE_ENOMEM = -1,   /* could not grow the line buffer */
	SMTP_LINE_NEED_MORE = 0, /* input exhausted, nothing to deliver */
	SMTP_LINE_TEXT = 1,      /* out.data is one line, no terminator */
	SMTP_LINE_RAW = 2,       /* out.data is raw (BDAT) bytes of the input */
};

/* Bits of smtp_line_out.weirds; names are Zeek's weird names. */
enum smtp_line_weird {
	SMTP_LINE_W_NUL = 1u << 0,           /* NUL_in_line */
	SMTP_LINE_W_SIZE_EXCEEDED = 1u << 1, /* contentline_size_exceeded */
	SMTP_LINE_W_SINGLE_CR = 1u << 2,     /* line_terminated_with_single_CR */
};

struct smtp_line_out {
	struct bytes data;
	unsigned weirds; /* seen during this call, before data */
};

struct smtp_line {
	struct buf line;   /* the line being assembled */
	size_t cap;        /* ContentLine's final buffer size */
	uint64_t raw_left; /* bytes still to pass through raw */
	uint8_t last;      /* ContentLine's last_char */
	bool nul_armed;    /* the first NUL has not been seen yet */
	bool emitted;      /* line holds a delivered line: reset first */
};

/* max_line 0 means SMTP_LINE_MAX. */
void smtp_line_init(struct smtp_line *s, size_t max_line);
/* NULs are plain data, as in a ContentLine that is not NUL-sensitive
 * (POP3's): none is dropped, none raises NUL_in_line. */
void smtp_line_keep_nuls(struct smtp_line *s);
void smtp_line_free(struct smtp_line *s);

int smtp_line_next(struct smtp_line *s, struct cursor *in,
		   struct smtp_line_out *out);

/* Flushes a partial line at the end of the stream: SMTP_LINE_TEXT with the
 * line, or SMTP_LINE_NEED_MORE when nothing was pending. */
int smtp_line_eof(struct smtp_line *s, struct smtp_line_out *out);

/* ContentLine's SetPlainDelivery: the next n bytes are delivered raw
 * (a "\n" right after a bare-"\r" line is still swallowed first). 0
 * cancels raw delivery. */
void smtp_line_set_raw(struct smtp_line *s, uint64_t n);
uint64_t smtp_line_raw_left(const struct smtp_line *s);
/* True while part of a line is buffered. */
bool smtp_line_has_partial(const struct smtp_line *s);

/*
 * The BDAT line splitter (Zeek's SMTP_BDAT_Analyzer). It sees the chunk
 * bytes exactly as delivered (one call per raw piece) and its output
 * depends on those boundaries, as Zeek's does:
 *  - "\r\n" inside one delivery, or a "\r" ending one delivery followed by
 *    "\n" starting the next: line without terminator, crlf = true;
 *  - bare "\n": line delivered including the "\n", crlf = false
 *    (weird smtp_bdat_line_lf_only);
 *  - "\r" ending a delivery not followed by "\n": the pending line is
 *    delivered with the "\r", crlf = false (weird smtp_bdat_line_cr_only);
 *    a "\r" inside a delivery is just data;
 *  - a line reaching max_line bytes is cut, the piece delivered with
 *    crlf = false (weird smtp_bdat_line_too_long, addl = Zeek's buffer size
 *    in line.addl);
 *  - when the LAST chunk is complete the remainder is delivered, crlf =
 *    false, no weird; smtp_bdat_done() delivers any other remainder
 *    (weird smtp_bdat_undelivered_at_done).
 * No dot-unstuffing. The sink's view is valid during the call only.
 *
 *	smtp_bdat_init(&bd, 0);
 *	smtp_bdat_chunk(&bd, size, is_last);        // per valid BDAT command
 *	used = smtp_bdat_feed(&bd, raw.p, raw.n, deliver_to_mime, mime);
 *	if (smtp_bdat_is_last(&bd) && smtp_bdat_remaining(&bd) == 0) end_data();
 *	smtp_bdat_done(&bd, deliver_to_mime, mime); // at EndData
 */
#define SMTP_BDAT_MAX_LINE 4096 /* SMTP::bdat_max_line_length */

enum smtp_bdat_weird {
	SMTP_BDAT_W_NONE = 0,
	SMTP_BDAT_W_LF_ONLY,      /* smtp_bdat_line_lf_only */
	SMTP_BDAT_W_CR_ONLY,      /* smtp_bdat_line_cr_only */
	SMTP_BDAT_W_TOO_LONG,     /* smtp_bdat_line_too_long */
	SMTP_BDAT_W_UNDELIVERED,  /* smtp_bdat_undelivered_at_done */
};

struct smtp_bdat_line {
	struct bytes data;
	bool crlf;                  /* Zeek's trailing_CRLF for MIME */
	enum smtp_bdat_weird weird; /* raised just before this line */
	size_t addl;                /* SMTP_BDAT_W_TOO_LONG: Zeek's addl */
};

typedef void (*smtp_bdat_sink)(void *ctx, const struct smtp_bdat_line *line);

struct smtp_bdat {
	struct buf pend; /* the unterminated line carried between feeds */
	size_t max_line;
	uint64_t remaining; /* of the current chunk */
	bool last;          /* the current chunk is the LAST one */
	bool err;           /* allocation failure (sticky) */
};

/* max_line 0 means SMTP_BDAT_MAX_LINE. */
void smtp_bdat_init(struct smtp_bdat *b, size_t max_line);
void smtp_bdat_free(struct smtp_bdat *b);
/* Starts the next chunk (Zeek's NextChunk); the previous must be complete. */
void smtp_bdat_chunk(struct smtp_bdat *b, uint64_t size, bool last);
/* Splits up to remaining bytes; returns how many were used (Zeek clamps
 * an overflow with weird smtp_bdat_chunk_overflow; the analyzer never
 * passes one). */
size_t smtp_bdat_feed(struct smtp_bdat *b, const uint8_t *p, size_t n,
		      smtp_bdat_sink sink, void *ctx);
/* Delivers what is still buffered and forgets the chunk state. */
void smtp_bdat_done(struct smtp_bdat *b, smtp_bdat_sink sink, void *ctx);
uint64_t smtp_bdat_remaining(const struct smtp_bdat *b);
bool smtp_bdat_is_last(const struct smtp_bdat *b);

#endif
