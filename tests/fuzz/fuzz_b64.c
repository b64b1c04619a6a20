/*
 * The streaming base64 decoder (proto/b64.c). Decodes the input twice:
 * once in one call with room to spare, once in pieces and into small
 * output buffers whose sizes come from the input. Streaming must not
 * change the result: same bytes, same weirds, same counters. The output
 * can never exceed 3 bytes per 4 input bytes (+ the final group).
 *
 *   input = piece-byte room-byte text
 * piece: input bytes per b64_feed call (0 = 1); room: output buffer size,
 * at least 3 (a pending group needs room for all its bytes, as mime.c's
 * 128-byte buffer always has).
 */
#include "proto/b64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct decoded {
	uint8_t *out;
	size_t n;
	struct b64_weird w[B64_MAX_WEIRDS + 1];
	unsigned nw;
	struct b64_state st;
};

static void drain(struct decoded *d)
{
	struct b64_weird w;
	while (b64_weird_next(&d->st, &w)) {
		FUZZ_CHECK(d->nw < B64_MAX_WEIRDS);
		d->w[d->nw++] = w;
		char text[128];
		b64_weird_format(&w, text, sizeof text);
		FUZZ_CHECK(strlen(text) > 0);
	}
}

static void decode(struct decoded *d, const uint8_t *in, size_t n, size_t piece, size_t room)
{
	size_t cap = n / 4 * 3 + B64_FINISH_MAX;
	d->out = malloc(cap);
	if (!d->out)
		abort();
	d->n = 0;
	d->nw = 0;
	b64_init(&d->st);
	size_t at = 0;
	while (at < n) {
		size_t k = n - at < piece ? n - at : piece;
		size_t used = 0;
		/* Call until the piece is consumed; each call must make progress
		 * or leave only a pending group for the next call. */
		for (int stalls = 0; used < k;) {
			size_t w = 0, r = room < cap - d->n ? room : cap - d->n;
			size_t u = b64_feed(&d->st, in + at + used, k - used, d->out + d->n, r, &w);
			FUZZ_CHECK(u <= k - used && w <= r);
			used += u;
			d->n += w;
			stalls = u == 0 && w == 0 ? stalls + 1 : 0;
			FUZZ_CHECK(stalls < 2);
		}
		at += k;
		drain(d);
	}
	/* Flush what a full output buffer left pending, then finish. */
	for (;;) {
		size_t w = 0, r = room < cap - d->n ? room : cap - d->n;
		b64_feed(&d->st, NULL, 0, d->out + d->n, r, &w);
		d->n += w;
		if (w == 0)
			break;
	}
	FUZZ_CHECK(cap - d->n >= B64_FINISH_MAX);
	d->n += b64_finish(&d->st, d->out + d->n, B64_FINISH_MAX);
	FUZZ_CHECK(b64_finish(&d->st, d->out + d->n, B64_FINISH_MAX) == 0);
	drain(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t piece = data[0] ? data[0] : 1, room = data[1] > 3 ? data[1] : 3;
	const uint8_t *in = data + 2;
	size_t n = size - 2;
	struct decoded whole, parts;
	decode(&whole, in, n, n ? n : 1, n + B64_FINISH_MAX);
	decode(&parts, in, n, piece, room);
	FUZZ_CHECK(whole.n == parts.n && memcmp(whole.out, parts.out, whole.n) == 0);
	FUZZ_CHECK(whole.nw == parts.nw &&
		   memcmp(whole.w, parts.w, whole.nw * sizeof whole.w[0]) == 0);
	FUZZ_CHECK(whole.st.bad_chars == parts.st.bad_chars);
	FUZZ_CHECK(whole.st.ignored_groups == parts.st.ignored_groups);
	FUZZ_CHECK(whole.st.errored == whole.st.bad_chars + whole.st.ignored_groups);
	free(whole.out);
	free(parts.out);
	return 0;
}
