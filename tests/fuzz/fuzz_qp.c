/*
 * Quoted-printable decoding of one line (proto/qp.c), as the MIME parser
 * drives it. Decodes each line twice, into a buffer with room to spare and
 * into one of `room` bytes; the bytes and the issues reported must be the
 * same, and the output is never longer than the line plus CRLF.
 *
 *   input = room-byte line ("\n" separates lines; room 0 = 1)
 */
#include "proto/qp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct decoded {
	uint8_t *out;
	size_t n;
	uint64_t issues[3]; /* by enum qp_issue */
	uint32_t issue_sum; /* of the issue bytes, to compare the order-free way */
};

static void decode(struct decoded *d, const uint8_t *line, size_t n, size_t room)
{
	/* Exact-size copy, so that ASan sees reads past the line. */
	uint8_t *in = malloc(n ? n : 1);
	uint8_t *chunk = malloc(room);
	d->out = malloc(n + 2);
	if (!in || !chunk || !d->out)
		abort();
	memcpy(in, line, n);
	d->n = 0;
	memset(d->issues, 0, sizeof d->issues);
	d->issue_sum = 0;
	struct qp_line q;
	qp_line_begin(&q, in, n);
	size_t k;
	while ((k = qp_line_decode(&q, chunk, room)) > 0) {
		FUZZ_CHECK(k <= room && d->n + k <= n + 2);
		memcpy(d->out + d->n, chunk, k);
		d->n += k;
		FUZZ_CHECK(q.issue <= QP_ISSUE_CONTROL);
		d->issues[q.issue]++;
		if (q.issue != QP_ISSUE_NONE) {
			d->issue_sum += q.issue_byte;
			char text[160];
			qp_issue_format(q.issue, q.issue_byte, text, sizeof text);
			FUZZ_CHECK(strlen(text) > 0);
		}
	}
	FUZZ_CHECK(q.issue == QP_ISSUE_NONE);
	FUZZ_CHECK(qp_line_decode(&q, chunk, room) == 0);
	FUZZ_CHECK(q.bad_escapes == d->issues[QP_ISSUE_BAD_ESCAPE]);
	FUZZ_CHECK(q.control_bytes == d->issues[QP_ISSUE_CONTROL]);
	free(in);
	free(chunk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t room = data[0] ? data[0] : 1;
	const uint8_t *p = data + 1, *end = data + size;
	while (p <= end) {
		const uint8_t *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct decoded whole, small;
		decode(&whole, p, n, n + 2);
		decode(&small, p, n, room);
		FUZZ_CHECK(whole.n == small.n && memcmp(whole.out, small.out, whole.n) == 0);
		FUZZ_CHECK(whole.issues[1] == small.issues[1] &&
			   whole.issues[2] == small.issues[2]);
		FUZZ_CHECK(whole.issue_sum == small.issue_sum);
		free(whole.out);
		free(small.out);
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}
