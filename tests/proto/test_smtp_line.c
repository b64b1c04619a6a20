#include <stdlib.h>
#include <string.h>

#include "proto/smtp_line.h"
#include "tests/check.h"

/* Collects every line of a feed sequence as "line|" joined, weirds ORed. */
struct col {
	char out[4096];
	size_t n;
	unsigned weirds;
	int lines;
};

static void col_add(struct col *c, const uint8_t *p, size_t n, const char *sep)
{
	for (size_t i = 0; i < n && c->n + 8 < sizeof c->out; i++) {
		if (p[i] == 0) {
			memcpy(c->out + c->n, "\\0", 2);
			c->n += 2;
		} else {
			c->out[c->n++] = (char)p[i];
		}
	}
	size_t sl = strlen(sep);
	memcpy(c->out + c->n, sep, sl);
	c->n += sl;
	c->out[c->n] = 0;
}

static void feed(struct smtp_line *lf, struct col *c, const void *data, size_t n)
{
	struct cursor in = cur_make(data, n);
	struct smtp_line_out out;
	int k;
	while ((k = smtp_line_next(lf, &in, &out)) > 0) {
		c->weirds |= out.weirds;
		c->lines++;
		col_add(c, out.data.p, out.data.n, k == SMTP_LINE_TEXT ? "|" : "#");
	}
	CHECK(k == SMTP_LINE_NEED_MORE);
	c->weirds |= out.weirds;
	CHECK(cur_left(&in) == 0);
}

static void feeds(struct col *c, const char *const *parts, size_t np)
{
	struct smtp_line lf;
	smtp_line_init(&lf, 0);
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < np; i++)
		feed(&lf, c, parts[i], strlen(parts[i]));
	smtp_line_free(&lf);
}

static void test_terminators(void)
{
	struct col c;
	const char *a[] = {"EHLO x\r\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\rDATA\r\n"};
	feeds(&c, a, 1);
	CHECK_STR(c.out, "EHLO x|MAIL FROM:<a@b>|RCPT TO:<c@d>|DATA|");
	CHECK(c.weirds == SMTP_LINE_W_SINGLE_CR); /* "\rDATA" */

	/* abc\r\r\n: the line, then an empty line. */
	const char *b[] = {"abc\r\r\nx\r\n"};
	feeds(&c, b, 1);
	CHECK_STR(c.out, "abc||x|");

	/* \n\r is two terminators: empty line after "a". */
	const char *d[] = {"a\n\rb\r\n"};
	feeds(&c, d, 1);
	CHECK_STR(c.out, "a||b|");

	/* A bare CR followed by data: weird line_terminated_with_single_CR. */
	const char *e[] = {"a\rb\r\n"};
	feeds(&c, e, 1);
	CHECK_STR(c.out, "a|b|");
	CHECK(c.weirds == SMTP_LINE_W_SINGLE_CR);

	/* Partial line stays buffered, no output. */
	const char *f[] = {"no newline"};
	feeds(&c, f, 1);
	CHECK(c.lines == 0);
}

/* Every split point of a two-line text: same lines whatever the cut. */
static void test_every_split(void)
{
	const char *texts[] = {"250-PIPELINING\r\n250 OK\r\n", "a\rb\nc\r\n\r\nd\r",
			       "x\r\r\ny\n"};
	const char *want[] = {"250-PIPELINING|250 OK|", "a|b|c||d|", "x||y|"};
	for (size_t t = 0; t < 3; t++) {
		size_t n = strlen(texts[t]);
		for (size_t i = 0; i <= n; i++) {
			for (size_t j = i; j <= n; j++) {
				struct smtp_line lf;
				struct col c;
				memset(&c, 0, sizeof c);
				smtp_line_init(&lf, 0);
				feed(&lf, &c, texts[t], i);
				feed(&lf, &c, texts[t] + i, j - i);
				feed(&lf, &c, texts[t] + j, n - j);
				CHECK_STR(c.out, want[t]);
				smtp_line_free(&lf);
			}
		}
	}
	/* CRLF split one byte per feed. */
	struct col c;
	const char *p[] = {"Q", "U", "I", "T", "\r", "\n", "\r", "\n"};
	feeds(&c, p, 8);
	CHECK_STR(c.out, "QUIT||");
}

static void test_nul(void)
{
	struct col c;
	struct smtp_line lf;
	smtp_line_init(&lf, 0);
	memset(&c, 0, sizeof c);
	feed(&lf, &c, "a\0b\r\nc\0d\0\r\n", 12);
	CHECK_STR(c.out, "ab|c\\0d\\0|");
	CHECK(c.weirds == SMTP_LINE_W_NUL);
	smtp_line_free(&lf);

	/* The first NUL alone on a line. */
	smtp_line_init(&lf, 0);
	memset(&c, 0, sizeof c);
	feed(&lf, &c, "\0\r\n\0\r\n", 6);
	CHECK_STR(c.out, "|\\0|");
	smtp_line_free(&lf);
}

static void test_size_limit(void)
{
	/* Small cap (128 is ContentLine's minimum buffer). */
	struct smtp_line lf;
	struct col c;
	char big[300];
	memset(big, 'x', sizeof big);
	smtp_line_init(&lf, 10); /* below the minimum: behaves as 128 */
	CHECK(lf.cap == 128);
	memset(&c, 0, sizeof c);
	/* 128 bytes fill the buffer; the 129th overflows: 127 emitted, bytes
	 * 128 and 129 lost, the rest is the next line. */
	memcpy(big + 128, "AB", 2);
	memcpy(big + 130, "tail\r\n", 6);
	feed(&lf, &c, big, 136);
	CHECK(c.weirds == SMTP_LINE_W_SIZE_EXCEEDED);
	CHECK(c.lines == 2);
	CHECK(strlen(c.out) == 127 + 1 + 5 + 1);
	CHECK_STR(c.out + 128, "Btail|");
	smtp_line_free(&lf);

	/* Exactly cap bytes then CRLF: the '\r' overflows, '\n' swallowed. */
	smtp_line_init(&lf, 128);
	memset(&c, 0, sizeof c);
	memset(big, 'y', 128);
	memcpy(big + 128, "\r\nz\r\n", 5);
	feed(&lf, &c, big, 133);
	CHECK(c.lines == 2);
	CHECK_STR(c.out + 128, "z|");
	smtp_line_free(&lf);

	/* cap-1 bytes then CRLF: a normal line. */
	smtp_line_init(&lf, 128);
	memset(&c, 0, sizeof c);
	memcpy(big + 127, "\r\n", 2);
	feed(&lf, &c, big, 129);
	CHECK(c.lines == 1 && c.weirds == 0 && strlen(c.out) == 128);
	smtp_line_free(&lf);
}

static void test_huge_line(void)
{
	/* 20 MB without a newline, fed in 64 KiB pieces: cut at the default
	 * cap, memory bounded by it. */
	struct smtp_line lf;
	smtp_line_init(&lf, 0);
	size_t chunk = 65536, total = 20u * 1000 * 1000, lines = 0, sizes[4] = {0};
	unsigned w = 0;
	uint8_t *p = malloc(chunk);
	memset(p, 'a', chunk);
	for (size_t done = 0; done < total; done += chunk) {
		size_t n = total - done < chunk ? total - done : chunk;
		struct cursor in = cur_make(p, n);
		struct smtp_line_out out;
		int k;
		while ((k = smtp_line_next(&lf, &in, &out)) > 0) {
			w |= out.weirds;
			if (lines < 4)
				sizes[lines] = out.data.n;
			lines++;
		}
		w |= out.weirds;
		CHECK(lf.line.cap <= SMTP_LINE_MAX);
	}
	CHECK(lines == 1);
	CHECK(sizes[0] == SMTP_LINE_MAX - 1);
	CHECK(w == SMTP_LINE_W_SIZE_EXCEEDED);
	CHECK(smtp_line_has_partial(&lf));
	struct smtp_line_out out;
	CHECK(smtp_line_eof(&lf, &out) == SMTP_LINE_TEXT);
	CHECK(out.data.n == total - (SMTP_LINE_MAX + 1));
	CHECK(smtp_line_eof(&lf, &out) == SMTP_LINE_NEED_MORE);
	free(p);
	smtp_line_free(&lf);
}

static void test_eof(void)
{
	struct smtp_line lf;
	struct smtp_line_out out;
	struct col c;
	smtp_line_init(&lf, 0);
	memset(&c, 0, sizeof c);
	feed(&lf, &c, "QUIT", 4);
	CHECK(smtp_line_eof(&lf, &out) == SMTP_LINE_TEXT);
	CHECK_BYTES(out.data.p, out.data.n, "QUIT");
	CHECK(smtp_line_eof(&lf, &out) == SMTP_LINE_NEED_MORE);
	smtp_line_free(&lf);
}

/* Raw mode: the analyzer switches after the BDAT line. */
static void test_raw(void)
{
	const char *text = "BDAT 5\r\nhelloQUIT\r\n";
	size_t n = strlen(text);
	for (size_t cut = 0; cut <= n; cut++) {
		struct smtp_line lf;
		struct col c;
		memset(&c, 0, sizeof c);
		smtp_line_init(&lf, 0);
		const char *parts[2] = {text, text + cut};
		size_t lens[2] = {cut, n - cut};
		for (int i = 0; i < 2; i++) {
			struct cursor in = cur_make((const uint8_t *)parts[i], lens[i]);
			struct smtp_line_out out;
			int k;
			while ((k = smtp_line_next(&lf, &in, &out)) > 0) {
				col_add(&c, out.data.p, out.data.n, k == SMTP_LINE_TEXT ? "|" : "#");
				if (k == SMTP_LINE_TEXT && out.data.n >= 4 &&
				    memcmp(out.data.p, "BDAT", 4) == 0)
					smtp_line_set_raw(&lf, 5);
			}
		}
		/* The raw piece may arrive in two parts. */
		if (cut > 8 && cut < 13) {
			char want[64];
			snprintf(want, sizeof want, "BDAT 5|%.*s#%.*s#QUIT|", (int)(cut - 8),
				 "hello", (int)(13 - cut), "hello" + (cut - 8));
			CHECK_STR(c.out, want);
		} else {
			CHECK_STR(c.out, "BDAT 5|hello#QUIT|");
		}
		CHECK(smtp_line_raw_left(&lf) == 0);
		smtp_line_free(&lf);
	}

	/* BDAT line ended by a bare CR: the following LF is swallowed before
	 * raw delivery, even in the next feed. */
	struct smtp_line lf;
	struct col c;
	memset(&c, 0, sizeof c);
	smtp_line_init(&lf, 0);
	struct cursor in = cur_make((const uint8_t *)"BDAT 2\r", 7);
	struct smtp_line_out out;
	CHECK(smtp_line_next(&lf, &in, &out) == SMTP_LINE_TEXT);
	smtp_line_set_raw(&lf, 2);
	CHECK(smtp_line_next(&lf, &in, &out) == SMTP_LINE_NEED_MORE);
	in = cur_make((const uint8_t *)"\nab\r\n", 5);
	CHECK(smtp_line_next(&lf, &in, &out) == SMTP_LINE_RAW);
	CHECK_BYTES(out.data.p, out.data.n, "ab");
	CHECK(smtp_line_next(&lf, &in, &out) == SMTP_LINE_TEXT);
	CHECK(out.data.n == 0);
	smtp_line_free(&lf);
}

/* ---- BDAT splitter ---------------------------------------------------- */

struct bcol {
	char out[16384];
	size_t n;
	int weird[8];
	size_t addl;
};

static void bsink(void *ctx, const struct smtp_bdat_line *l)
{
	struct bcol *c = ctx;
	if (c->n + l->data.n + 4 < sizeof c->out) {
		memcpy(c->out + c->n, l->data.p, l->data.n);
		c->n += l->data.n;
		c->out[c->n++] = l->crlf ? '|' : '~';
		c->out[c->n] = 0;
	}
	c->weird[l->weird]++;
	if (l->weird == SMTP_BDAT_W_TOO_LONG)
		c->addl = l->addl;
}

static void bdat_run(struct bcol *c, size_t max, bool last, const char *const *parts, size_t np)
{
	struct smtp_bdat b;
	memset(c, 0, sizeof *c);
	smtp_bdat_init(&b, max);
	uint64_t total = 0;
	for (size_t i = 0; i < np; i++)
		total += strlen(parts[i]);
	smtp_bdat_chunk(&b, total, last);
	for (size_t i = 0; i < np; i++)
		CHECK(smtp_bdat_feed(&b, (const uint8_t *)parts[i], strlen(parts[i]), bsink, c) ==
		      strlen(parts[i]));
	CHECK(smtp_bdat_remaining(&b) == 0);
	smtp_bdat_done(&b, bsink, c);
	smtp_bdat_free(&b);
}

static void test_bdat(void)
{
	struct bcol c;
	/* Zeek's own BDAT.cc cases. */
	const char *a[] = {"MIME-", "Version: 1.0\r\n", "Subject: Zeek", " Logo\r\n"};
	bdat_run(&c, 128, true, a, 4);
	CHECK_STR(c.out, "MIME-Version: 1.0|Subject: Zeek Logo|");
	const char *b[] = {"MIME-", "Version: 1.0\r", "\nSubject: Zeek", " Logo\r", "\n"};
	bdat_run(&c, 128, true, b, 5);
	CHECK_STR(c.out, "MIME-Version: 1.0|Subject: Zeek Logo|");
	const char *d[] = {"MIME-Version: 1.0\r", "Subject: Zeek", " Logo\r\n"};
	bdat_run(&c, 128, true, d, 3);
	CHECK_STR(c.out, "MIME-Version: 1.0\r~Subject: Zeek Logo|");
	CHECK(c.weird[SMTP_BDAT_W_CR_ONLY] == 1);
	const char *e[] = {"MIME-Version: 1.0\n", "Subject: Zeek", " Logo\n",
			   "From: Zeek <zeek@localhost>\r\n"};
	bdat_run(&c, 128, true, e, 4);
	CHECK_STR(c.out, "MIME-Version: 1.0\n~Subject: Zeek Logo\n~From: Zeek <zeek@localhost>|");
	CHECK(c.weird[SMTP_BDAT_W_LF_ONLY] == 2);
	const char *f[] = {"1234567890123: 45\r\n", "X-Test: Y\r\n"};
	bdat_run(&c, 10, true, f, 2);
	CHECK_STR(c.out, "1234567890~123: 45|X-Test: Y|");
	CHECK(c.weird[SMTP_BDAT_W_TOO_LONG] == 1);
	CHECK(c.addl == 19); /* Zeek's buffer size at that moment */

	/* A '\r' inside one delivery is data. */
	const char *g[] = {"a\rb\r\n"};
	bdat_run(&c, 0, true, g, 1);
	CHECK_STR(c.out, "a\rb|");

	/* Remainder flushed at the end of the LAST chunk, no weird. */
	const char *h[] = {"x\r\nno end"};
	bdat_run(&c, 0, true, h, 1);
	CHECK_STR(c.out, "x|no end~");
	CHECK(c.weird[SMTP_BDAT_W_NONE] == 2);
	/* ... and a trailing lone CR kept. */
	const char *h2[] = {"x\r"};
	bdat_run(&c, 0, true, h2, 1);
	CHECK_STR(c.out, "x\r~");
	/* Not LAST: kept until done(), which reports it. */
	bdat_run(&c, 0, false, h, 1);
	CHECK_STR(c.out, "x|no end~");
	CHECK(c.weird[SMTP_BDAT_W_UNDELIVERED] == 1);

	/* Exactly max bytes then CRLF in one delivery: one line. */
	const char *k[] = {"0123456789\r\n"};
	bdat_run(&c, 10, true, k, 1);
	CHECK_STR(c.out, "0123456789|");
	/* ... but the '\r' closing a delivery at max: cut, then an empty line. */
	const char *k2[] = {"0123456789\r", "\n"};
	bdat_run(&c, 10, true, k2, 2);
	CHECK_STR(c.out, "0123456789~|");
	/* max bytes then LF: delivered with the LF (max + 1 bytes). */
	const char *k3[] = {"0123456789\n"};
	bdat_run(&c, 10, true, k3, 1);
	CHECK_STR(c.out, "0123456789\n~");

	/* LF-only: the "empty" line is "\n". */
	const char *m[] = {"Subject: a\n\nbody\n"};
	bdat_run(&c, 0, true, m, 1);
	CHECK_STR(c.out, "Subject: a\n~\n~body\n~");

	/* Chunks: CRLF across two chunks, then the LAST chunk. */
	struct smtp_bdat bd;
	memset(&c, 0, sizeof c);
	smtp_bdat_init(&bd, 0);
	smtp_bdat_chunk(&bd, 4, false);
	CHECK(smtp_bdat_feed(&bd, (const uint8_t *)"ab\r\nXX", 6, bsink, &c) == 4);
	smtp_bdat_chunk(&bd, 3, false);
	CHECK(smtp_bdat_feed(&bd, (const uint8_t *)"cd\r", 3, bsink, &c) == 3);
	smtp_bdat_chunk(&bd, 3, true);
	CHECK(smtp_bdat_feed(&bd, (const uint8_t *)"\nef", 3, bsink, &c) == 3);
	CHECK(smtp_bdat_is_last(&bd) && smtp_bdat_remaining(&bd) == 0);
	CHECK_STR(c.out, "ab|cd|ef~");
	/* BDAT 0 LAST after a non-terminated chunk: done() flushes. */
	smtp_bdat_done(&bd, bsink, &c);
	memset(&c, 0, sizeof c);
	smtp_bdat_chunk(&bd, 2, false);
	smtp_bdat_feed(&bd, (const uint8_t *)"zz", 2, bsink, &c);
	smtp_bdat_chunk(&bd, 0, true);
	CHECK(smtp_bdat_feed(&bd, (const uint8_t *)"", 0, bsink, &c) == 0);
	CHECK(c.n == 0);
	smtp_bdat_done(&bd, bsink, &c);
	CHECK_STR(c.out, "zz~");
	CHECK(c.weird[SMTP_BDAT_W_UNDELIVERED] == 1);
	smtp_bdat_free(&bd);

	/* Long line of 10000 bytes without terminator, max 4096: bounded. */
	static char lng[10000];
	memset(lng, 'q', sizeof lng);
	memset(&c, 0, sizeof c);
	smtp_bdat_init(&bd, 0);
	smtp_bdat_chunk(&bd, sizeof lng, true);
	for (size_t i = 0; i < sizeof lng; i += 1000)
		smtp_bdat_feed(&bd, (const uint8_t *)lng + i, 1000, bsink, &c);
	CHECK(c.weird[SMTP_BDAT_W_TOO_LONG] == 2);
	CHECK(c.n == 10000 + 3);
	CHECK(bd.pend.cap <= SMTP_BDAT_MAX_LINE + 1);
	smtp_bdat_free(&bd);
}

int main(void)
{
	test_terminators();
	test_every_split();
	test_nul();
	test_size_limit();
	test_huge_line();
	test_eof();
	test_raw();
	test_bdat();
	return check_summary();
}
