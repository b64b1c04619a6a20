/* Unit tests for proto/b64.c: Zeek's tolerant MIME base64 (spec §3.7). */
#include "proto/b64.h"

#include <string.h>

#include "tests/check.h"

struct result {
	uint8_t out[4096];
	size_t n;
	struct b64_weird w[4];
	unsigned nw;
	struct b64_state st;
};

static void drain(struct result *r)
{
	while (r->nw < 4 && b64_weird_next(&r->st, &r->w[r->nw]))
		r->nw++;
}

/* Feeds s in pieces of `step` bytes (0 = all at once), then finishes. */
static void run(struct result *r, const char *s, size_t step)
{
	size_t len = strlen(s), at = 0;
	memset(r, 0, sizeof *r);
	b64_init(&r->st);
	while (at < len) {
		size_t k = step && len - at > step ? step : len - at;
		size_t w = 0;
		size_t used = b64_feed(&r->st, (const uint8_t *)s + at, k,
				       r->out + r->n, sizeof r->out - r->n, &w);
		CHECK(used == k);
		r->n += w;
		at += k;
		drain(r);
	}
	r->n += b64_finish(&r->st, r->out + r->n, sizeof r->out - r->n);
	drain(r);
}

static void test_rfc4648(void)
{
	static const char *const vec[][2] = {
		{"", ""},
		{"Zg==", "f"},
		{"Zm8=", "fo"},
		{"Zm9v", "foo"},
		{"Zm9vYg==", "foob"},
		{"Zm9vYmE=", "fooba"},
		{"Zm9vYmFy", "foobar"},
	};
	struct result r;
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		run(&r, vec[i][0], 0);
		CHECK_BYTES(r.out, r.n, vec[i][1]);
		CHECK(r.nw == 0);
		CHECK(r.st.errored == 0);
	}
}

static void test_bad_chars(void)
{
	struct result r;
	char text[80];

	/* Spaces, CR/LF and '-' are skipped; only the first raises a weird. */
	run(&r, "Zm9v YmFy\r\n-", 0);
	CHECK_BYTES(r.out, r.n, "foobar");
	CHECK(r.st.bad_chars == 4);
	CHECK(r.nw == 1);
	CHECK(r.w[0].kind == B64_WEIRD_BAD_CHAR && r.w[0].arg == ' ');
	b64_weird_format(&r.w[0], text, sizeof text);
	CHECK_STR(text, "character 32 ignored by Base64 decoding");

	/* 8-bit bytes are reported as unsigned values. */
	run(&r, "\xffZm9v", 0);
	CHECK_BYTES(r.out, r.n, "foo");
	b64_weird_format(&r.w[0], text, sizeof text);
	CHECK_STR(text, "character 255 ignored by Base64 decoding");

	/* Only garbage: nothing out, one weird. */
	run(&r, "!!!!", 0);
	CHECK(r.n == 0 && r.nw == 1 && r.st.bad_chars == 4);
}

static void test_missing_padding(void)
{
	struct result r;
	char text[80];

	/* 2 leftover chars -> 1 byte, 3 -> 2 bytes, 1 -> nothing. */
	run(&r, "Zg", 0);
	CHECK_BYTES(r.out, r.n, "f");
	CHECK(r.nw == 1 && r.w[0].kind == B64_WEIRD_INCOMPLETE);
	b64_weird_format(&r.w[0], text, sizeof text);
	CHECK_STR(text, "incomplete base64 group, padding with 12 bits of 0");

	run(&r, "Zm8", 0);
	CHECK_BYTES(r.out, r.n, "fo");
	CHECK(r.nw == 1 && r.w[0].arg == 6);

	run(&r, "Zm9vY", 0);
	CHECK_BYTES(r.out, r.n, "foo");
	CHECK(r.nw == 1 && r.w[0].arg == 18);

	/* After a bad char, the incomplete group still gets its weird. */
	run(&r, "Zm 8", 0);
	CHECK_BYTES(r.out, r.n, "fo");
	CHECK(r.nw == 2);
	CHECK(r.w[0].kind == B64_WEIRD_BAD_CHAR);
	CHECK(r.w[1].kind == B64_WEIRD_INCOMPLETE);
}

static void test_after_padding(void)
{
	struct result r;
	char text[80];

	/* Groups after a padded group are ignored (weird once). */
	run(&r, "Zg==Zm9vZm9v", 0);
	CHECK_BYTES(r.out, r.n, "f");
	CHECK(r.st.ignored_groups == 2);
	CHECK(r.nw == 1 && r.w[0].kind == B64_WEIRD_AFTER_PADDING);
	b64_weird_format(&r.w[0], text, sizeof text);
	CHECK_STR(text, "extra base64 groups after '=' padding are ignored");

	/* Trailing partial group after padding: incomplete weird, then the
	 * padded group is ignored -- the first error, so a second weird. */
	run(&r, "Zg==Zm", 0);
	CHECK_BYTES(r.out, r.n, "f");
	CHECK(r.nw == 2);
	CHECK(r.w[0].kind == B64_WEIRD_INCOMPLETE);
	CHECK(r.w[1].kind == B64_WEIRD_AFTER_PADDING);

	/* '=' inside a group counts as 0 and as padding. */
	run(&r, "Z=9v", 0);
	CHECK(r.n == 2 && r.out[0] == 0x64 && r.out[1] == 0x0f);
	CHECK(r.nw == 0);

	/* Four '=': no bytes, later groups ignored. */
	run(&r, "====Zm9v", 0);
	CHECK(r.n == 0 && r.nw == 1);

	/* Zero-pad a single char: nothing decoded. */
	run(&r, "Z", 0);
	CHECK(r.n == 0 && r.nw == 1 && r.w[0].arg == 18);
}

static void test_split_every_offset(void)
{
	static const char *const inputs[] = {
		"SGVsbG8sIHdvcmxkIQ==",
		"SGVs bG8s\r\nIHdv cmxk IQ",
		"Zg==Zm9v!",
		"VGhlIHF1aWNrIGJyb3duIGZveA",
	};
	for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
		struct result whole, part;
		run(&whole, inputs[k], 0);
		size_t len = strlen(inputs[k]);
		for (size_t step = 1; step <= len; step++) {
			run(&part, inputs[k], step);
			CHECK(part.n == whole.n &&
			      memcmp(part.out, whole.out, whole.n) == 0);
			CHECK(part.nw == whole.nw);
		}
		/* Also: two pieces split at every offset. */
		for (size_t cut = 0; cut <= len; cut++) {
			struct b64_state st;
			uint8_t out[64];
			size_t n = 0, w;
			b64_init(&st);
			b64_feed(&st, (const uint8_t *)inputs[k], cut, out,
				 sizeof out, &w);
			n += w;
			b64_feed(&st, (const uint8_t *)inputs[k] + cut,
				 len - cut, out + n, sizeof out - n, &w);
			n += w;
			n += b64_finish(&st, out + n, sizeof out - n);
			CHECK(n == whole.n && memcmp(out, whole.out, n) == 0);
		}
	}
	struct result r;
	run(&r, "SGVsbG8sIHdvcmxkIQ==", 3);
	CHECK_BYTES(r.out, r.n, "Hello, world!");
}

static void test_small_output(void)
{
	/* A full output buffer stops decoding; the group waits (even for a
	 * call with no input), as with Zeek's 128-byte MIME buffer. */
	struct b64_state st;
	uint8_t out[8];
	size_t w;
	const char *s = "Zm9vYmFy";
	b64_init(&st);
	size_t used = b64_feed(&st, (const uint8_t *)s, 8, out, 4, &w);
	CHECK(used == 8);
	CHECK(w == 3 && memcmp(out, "foo", 3) == 0);
	CHECK(st.group_next == 4);
	used = b64_feed(&st, NULL, 0, out, sizeof out, &w);
	CHECK(used == 0 && w == 3 && memcmp(out, "bar", 3) == 0);

	/* 43 groups into 128 bytes: 42 fit, the last one waits. */
	char in[173];
	for (int i = 0; i < 43; i++)
		memcpy(in + 4 * i, "QUJD", 4);
	in[172] = 0;
	uint8_t big[128];
	b64_init(&st);
	used = b64_feed(&st, (const uint8_t *)in, 172, big, sizeof big, &w);
	CHECK(used == 172 && w == 126);
	CHECK(b64_finish(&st, out, sizeof out) == 3);
	CHECK(b64_finish(&st, out, sizeof out) == 0); /* idempotent */
	CHECK(!b64_weird_next(&st, &(struct b64_weird){0}));
}

int main(void)
{
	test_rfc4648();
	test_bad_chars();
	test_missing_padding();
	test_after_padding();
	test_split_every_offset();
	test_small_output();
	return check_summary();
}
