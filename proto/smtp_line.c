#include "proto/smtp_line.h"

#include <string.h>

void smtp_line_init(struct smtp_line *s, size_t max_line)
{
	if (max_line == 0)
		max_line = SMTP_LINE_MAX;
	s->cap = max_line < SMTP_LINE_MIN_CAP ? SMTP_LINE_MIN_CAP : max_line;
	buf_init(&s->line, s->cap);
	s->raw_left = 0;
	s->last = 0;
	s->nul_armed = true;
	s->emitted = false;
}

void smtp_line_keep_nuls(struct smtp_line *s)
{
	s->nul_armed = false;
}

void smtp_line_free(struct smtp_line *s)
{
	buf_free(&s->line);
}

void smtp_line_set_raw(struct smtp_line *s, uint64_t n)
{
	s->raw_left = n;
}

uint64_t smtp_line_raw_left(const struct smtp_line *s)
{
	return s->raw_left;
}

bool smtp_line_has_partial(const struct smtp_line *s)
{
	return !s->emitted && s->line.len > 0;
}

static int emit_buffer(struct smtp_line *s, size_t len, struct smtp_line_out *out)
{
	/* An empty first line has no storage yet: hand out a real (empty)
	 * view, since callers offset into it and NULL + 0 is undefined. */
	static const uint8_t empty[1];
	out->data.p = s->line.data ? s->line.data : empty;
	out->data.n = len;
	s->emitted = true;
	return SMTP_LINE_TEXT;
}

/* Consumes the terminator at in->p; a "\r\n" inside this input is one. */
static void take_terminator(struct smtp_line *s, struct cursor *in)
{
	uint8_t c = cur_u8(in), next;
	if (c == '\r' && cur_peek_u8(in, 0, &next) && next == '\n') {
		cur_skip(in, 1);
		c = '\n';
	}
	s->last = c;
}

/* Length of the run of ordinary line bytes at the start of p[0..n). */
static size_t plain_run(const uint8_t *p, size_t n, bool nul_armed)
{
	return bytes_span_not3(p, n, '\r', '\n', nul_armed ? 0 : '\r');
}

int smtp_line_next(struct smtp_line *s, struct cursor *in, struct smtp_line_out *out)
{
	out->data.p = NULL;
	out->data.n = 0;
	out->weirds = 0;

	if (s->emitted) {
		buf_reset(&s->line);
		s->emitted = false;
	}

	/* Zeek checks this before plain delivery: a "\r" ended the last line
	 * and this "\n" completes its terminator. */
	uint8_t c;
	if (s->last == '\r' && cur_peek_u8(in, 0, &c) && c == '\n') {
		cur_skip(in, 1);
		s->last = '\n';
	}

	if (s->raw_left > 0 && cur_left(in) > 0) {
		size_t n = cur_left(in);
		if ((uint64_t)n > s->raw_left)
			n = (size_t)s->raw_left;
		s->raw_left -= n;
		s->last = 0;
		out->data = cur_take(in, n);
		return SMTP_LINE_RAW;
	}

	while (cur_left(in) > 0) {
		size_t len = s->line.len;
		if (len >= s->cap) {
			/* ContentLine cannot grow: it emits all but the last
			 * buffered byte, and the overflowing byte is consumed. */
			s->last = cur_u8(in);
			out->weirds |= SMTP_LINE_W_SIZE_EXCEEDED;
			return emit_buffer(s, s->cap - 1, out);
		}

		size_t left = cur_left(in), room = s->cap - len;
		size_t run = plain_run(in->p, left < room ? left : room, s->nul_armed);
		if (run > 0) {
			if (s->last == '\r')
				out->weirds |= SMTP_LINE_W_SINGLE_CR;
			s->last = in->p[run - 1];
			if (len == 0 && run < room && run < left &&
			    (in->p[run] == '\r' || in->p[run] == '\n')) {
				/* Whole line inside the input: no copy. */
				out->data = cur_take(in, run);
				take_terminator(s, in);
				return SMTP_LINE_TEXT;
			}
			struct bytes piece = cur_take(in, run);
			if (!buf_append(&s->line, piece.p, piece.n))
				return SMTP_LINE_ENOMEM;
			continue;
		}

		c = *in->p;
		if (c == '\r' || c == '\n') {
			take_terminator(s, in);
			return emit_buffer(s, s->line.len, out);
		}
		/* The first NUL of the direction: dropped. */
		cur_skip(in, 1);
		s->nul_armed = false;
		out->weirds |= SMTP_LINE_W_NUL;
		if (s->last == '\r')
			out->weirds |= SMTP_LINE_W_SINGLE_CR;
		s->last = 0;
	}
	return SMTP_LINE_NEED_MORE;
}

int smtp_line_eof(struct smtp_line *s, struct smtp_line_out *out)
{
	static const uint8_t lf = '\n';
	if (!smtp_line_has_partial(s)) {
		out->data.p = NULL;
		out->data.n = 0;
		out->weirds = 0;
		return SMTP_LINE_NEED_MORE;
	}
	/* Zeek's EndpointEOF delivers a "\n" through the normal path. */
	struct cursor in = cur_make(&lf, 1);
	return smtp_line_next(s, &in, out);
}

/* ---- BDAT line splitter ------------------------------------------------ */

void smtp_bdat_init(struct smtp_bdat *b, size_t max_line)
{
	b->max_line = max_line ? max_line : SMTP_BDAT_MAX_LINE;
	/* The pending line never exceeds max_line; +1 for a closing "\n". */
	buf_init(&b->pend, b->max_line + 1);
	b->remaining = 0;
	b->last = false;
	b->err = false;
}

void smtp_bdat_free(struct smtp_bdat *b)
{
	buf_free(&b->pend);
}

void smtp_bdat_chunk(struct smtp_bdat *b, uint64_t size, bool last)
{
	b->remaining = size;
	b->last = last;
}

uint64_t smtp_bdat_remaining(const struct smtp_bdat *b)
{
	return b->remaining;
}

bool smtp_bdat_is_last(const struct smtp_bdat *b)
{
	return b->last;
}

static void bdat_emit(smtp_bdat_sink sink, void *ctx, const uint8_t *p, size_t n,
		      bool crlf, enum smtp_bdat_weird w, size_t addl)
{
	struct smtp_bdat_line l = {{p, n}, crlf, w, addl};
	sink(ctx, &l);
}

/* Delivers the pending bytes followed by p[0..n) as one line. */
static void bdat_emit_joined(struct smtp_bdat *b, smtp_bdat_sink sink, void *ctx,
			     const uint8_t *p, size_t n, bool crlf,
			     enum smtp_bdat_weird w, size_t addl)
{
	if (b->pend.len == 0) {
		bdat_emit(sink, ctx, p, n, crlf, w, addl);
		return;
	}
	if (!buf_append(&b->pend, p, n))
		b->err = true;
	bdat_emit(sink, ctx, b->pend.data, b->pend.len, crlf, w, addl);
	buf_reset(&b->pend);
}

size_t smtp_bdat_feed(struct smtp_bdat *b, const uint8_t *p, size_t n,
		      smtp_bdat_sink sink, void *ctx)
{
	if ((uint64_t)n > b->remaining)
		n = (size_t)b->remaining;
	if (n == 0)
		return 0;

	size_t i = 0;
	if (b->pend.len > 0 && b->pend.data[b->pend.len - 1] == '\r') {
		if (p[0] == '\n') {
			/* The "\r\n" straddles two deliveries. */
			bdat_emit(sink, ctx, b->pend.data, b->pend.len - 1, true,
				  SMTP_BDAT_W_NONE, 0);
			buf_reset(&b->pend);
			i = 1;
		} else {
			bdat_emit(sink, ctx, b->pend.data, b->pend.len, false,
				  SMTP_BDAT_W_CR_ONLY, 0);
			buf_reset(&b->pend);
		}
	}
	/* Zeek reports the size of its whole buffer: carried bytes + input. */
	size_t addl = b->pend.len + n;

	size_t start = i; /* first byte of the current line within p */
	while (i < n) {
		/* Bytes up to `limit` can only end the line by a terminator; at
		 * `limit` the line has its maximum length. */
		size_t have = b->pend.len + (i - start);
		size_t limit = have >= b->max_line ? i : i + (b->max_line - have);
		if (limit > n)
			limit = n;
		i += bytes_span_not3(p + i, limit - i, '\r', '\n', '\n');
		if (i == n)
			break;
		uint8_t c = p[i];
		if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {
			bdat_emit_joined(b, sink, ctx, p + start, i - start, true,
					 SMTP_BDAT_W_NONE, 0);
			i += 2;
			start = i;
		} else if (c == '\n') {
			bdat_emit_joined(b, sink, ctx, p + start, i - start + 1, false,
					 SMTP_BDAT_W_LF_ONLY, 0);
			start = ++i;
		} else if (b->pend.len + (i - start) >= b->max_line) {
			bdat_emit_joined(b, sink, ctx, p + start, i - start, false,
					 SMTP_BDAT_W_TOO_LONG, addl);
			start = i++;
		} else {
			i++; /* a lone CR is an ordinary byte */
		}
	}
	if (!buf_append(&b->pend, p + start, n - start))
		b->err = true;
	b->remaining -= n;

	if (b->last && b->remaining == 0 && b->pend.len > 0) {
		bdat_emit(sink, ctx, b->pend.data, b->pend.len, false, SMTP_BDAT_W_NONE, 0);
		buf_reset(&b->pend);
	}
	return n;
}

void smtp_bdat_done(struct smtp_bdat *b, smtp_bdat_sink sink, void *ctx)
{
	if (b->pend.len > 0) {
		bdat_emit(sink, ctx, b->pend.data, b->pend.len, false,
			  SMTP_BDAT_W_UNDELIVERED, 0);
		buf_reset(&b->pend);
	}
	b->remaining = 0;
	b->last = false;
}
