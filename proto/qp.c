#include "proto/qp.h"

#include <stdio.h>
#include <string.h>

#include "core/bytes.h"

void qp_line_begin(struct qp_line *q, const uint8_t *in, size_t n)
{
	memset(q, 0, sizeof *q);
	q->in = in;
	q->n = n;
	size_t end = n - bytes_rspan(in, n, ASCII_BLANK);
	q->end = end;
	q->soft_break = end > 0 && in[end - 1] == '=';
	q->crlf_left = q->soft_break ? 0 : 2;
}

size_t qp_line_decode(struct qp_line *q, uint8_t *out, size_t cap)
{
	size_t o = 0;

	q->issue = QP_ISSUE_NONE;
	if (q->done)
		return 0;

	while (q->pos < q->end && o < cap) {
		/* A run of printable bytes other than '=' is copied as it is. */
		size_t room = cap - o, left = q->end - q->pos;
		size_t run = bytes_span_print_not2(q->in + q->pos, left < room ? left : room, '=', '=');
		memcpy(out + o, q->in + q->pos, run);
		o += run;
		q->pos += run;
		if (q->pos == q->end || o == cap)
			break;
		size_t i = q->pos;
		uint8_t c = q->in[i];

		if (c == '=') {
			if (i + 1 == q->end) { /* the soft line break */
				q->pos = q->end;
				break;
			}
			/* Zeek looks at the two bytes after '=' even when they
			 * are trailing blanks (which are never hex digits). */
			if (i + 2 < q->n) {
				int hi = ascii_hexval(q->in[i + 1]);
				int lo = ascii_hexval(q->in[i + 2]);
				if (hi >= 0 && lo >= 0) {
					out[o++] = (uint8_t)(hi << 4 | lo);
					q->pos = i + 3;
					continue;
				}
			}
			out[o++] = '=';
			q->pos = i + 1;
			q->bad_escapes++;
			q->issue = QP_ISSUE_BAD_ESCAPE;
			return o;
		}

		out[o++] = c;
		q->pos = i + 1;
		if (!ascii_is(c, ASCII_PRINT | ASCII_BLANK)) {
			q->control_bytes++;
			q->issue = QP_ISSUE_CONTROL;
			q->issue_byte = c;
			return o;
		}
	}

	if (q->pos >= q->end) {
		while (q->crlf_left > 0 && o < cap) {
			out[o++] = q->crlf_left == 2 ? '\r' : '\n';
			q->crlf_left--;
		}
		if (q->crlf_left == 0)
			q->done = true;
	}
	return o;
}

void qp_issue_format(enum qp_issue issue, uint8_t byte, char *dst, size_t cap)
{
	if (cap == 0)
		return;
	switch (issue) {
	case QP_ISSUE_BAD_ESCAPE:
		snprintf(dst, cap,
			 "= is not followed by two hexadecimal digits in "
			 "quoted-printable encoding");
		break;
	case QP_ISSUE_CONTROL:
		/* Zeek prints the byte as a signed char. */
		snprintf(dst, cap,
			 "control characters in quoted-printable encoding: %d",
			 byte > 127 ? (int)byte - 256 : (int)byte);
		break;
	default:
		dst[0] = '\0';
		break;
	}
}
