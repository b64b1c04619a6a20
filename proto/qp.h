/*
 * Quoted-printable decoding of one body line, as Zeek's MIME analyzer does
 * it (MIME_Entity::DecodeQuotedPrintable, spec §3.7). Zeek keeps no state
 * between lines, so neither do we; a line is decoded in pieces into a
 * bounded caller buffer, and the decoder stops at each encoding problem so
 * the caller can report it in order.
 *
 *  - trailing spaces and tabs are ignored;
 *  - '=' as the last remaining byte is a soft line break (no CRLF);
 *  - '=' + two hex digits (either case) is that byte;
 *  - any other '=' is kept literally (QP_ISSUE_BAD_ESCAPE);
 *  - bytes 33-126, space and tab are literal; any other byte (controls,
 *    8-bit) is copied too (QP_ISSUE_CONTROL);
 *  - CRLF is appended after the line unless it ended in a soft break —
 *    whatever line ending the input had.
 *
 * Usage:
 *	struct qp_line q;
 *	qp_line_begin(&q, line, len);
 *	while ((n = qp_line_decode(&q, out, sizeof out)) > 0) {
 *		use(out, n);
 *		if (q.issue)
 *			report(q.issue, q.issue_byte);
 *	}
 * Owns no memory; `in` is borrowed until the line is done.
 */
#ifndef SMTPLOG_PROTO_QP_H
#define SMTPLOG_PROTO_QP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum qp_issue {
	QP_ISSUE_NONE = 0,
	QP_ISSUE_BAD_ESCAPE, /* Zeek: "= is not followed by two hexadecimal digits..." */
	QP_ISSUE_CONTROL,    /* Zeek: "control characters in quoted-printable encoding: %d" */
};

struct qp_line {
	const uint8_t *in; /* borrowed: the line */
	size_t n;          /* line length */
	size_t end;        /* one past the last byte that is not space/tab */
	size_t pos;        /* next byte to decode */
	bool soft_break;
	uint8_t crlf_left; /* bytes of the final CR LF still to be written */
	bool done;

	enum qp_issue issue; /* set by the last qp_line_decode() call, or NONE */
	uint8_t issue_byte;  /* for QP_ISSUE_CONTROL */

	uint64_t bad_escapes, control_bytes; /* counts for this line */
};

void qp_line_begin(struct qp_line *q, const uint8_t *in, size_t n);

/*
 * Writes the next decoded bytes to out[0..cap) (any cap >= 1 makes
 * progress) and returns how many. Returns early, with q->issue set, right
 * after the byte that caused an encoding problem. Returns 0 (issue NONE)
 * only once the line and its CRLF have been written.
 */
size_t qp_line_decode(struct qp_line *q, uint8_t *out, size_t cap);

/* Zeek's mime_event detail text for an issue, NUL-terminated. */
void qp_issue_format(enum qp_issue issue, uint8_t byte, char *dst, size_t cap);

#endif
