/* Unit tests for proto/qp.c: Zeek's per-line quoted-printable (spec §3.7). */
#include "proto/qp.h"

#include <string.h>

#include "tests/check.h"

struct result {
	uint8_t out[512];
	size_t n;
	unsigned issues;
	enum qp_issue first;
	uint8_t first_byte;
};

static void run_cap(struct result *r, const char *s, size_t cap)
{
	struct qp_line q;
	size_t k;
	memset(r, 0, sizeof *r);
	qp_line_begin(&q, (const uint8_t *)s, strlen(s));
	while ((k = qp_line_decode(&q, r->out + r->n, cap)) > 0) {
		r->n += k;
		if (q.issue != QP_ISSUE_NONE && r->issues++ == 0) {
			r->first = q.issue;
			r->first_byte = q.issue_byte;
		}
	}
	CHECK(qp_line_decode(&q, r->out, cap) == 0);
}

static void run(struct result *r, const char *s)
{
	run_cap(r, s, 64);
}

static void test_basic(void)
{
	struct result r;
	run(&r, "Hello, world");
	CHECK_BYTES(r.out, r.n, "Hello, world\r\n");
	CHECK(r.issues == 0);

	run(&r, "caf=C3=A9 =3d =3D");
	CHECK_BYTES(r.out, r.n, "caf\xc3\xa9 = =\r\n");

	run(&r, "");
	CHECK_BYTES(r.out, r.n, "\r\n");

	/* Trailing blanks are dropped. */
	run(&r, "a b \t \t");
	CHECK_BYTES(r.out, r.n, "a b\r\n");
}

static void test_soft_breaks(void)
{
	struct result r;
	run(&r, "soft=");
	CHECK_BYTES(r.out, r.n, "soft");
	run(&r, "soft= \t ");
	CHECK_BYTES(r.out, r.n, "soft");
	run(&r, "=");
	CHECK_BYTES(r.out, r.n, "");
	run(&r, "x==");
	CHECK_BYTES(r.out, r.n, "x=");
	CHECK(r.issues == 1);
}

static void test_bad_escapes(void)
{
	struct result r;
	char text[96];

	run(&r, "a=ZZb");
	CHECK_BYTES(r.out, r.n, "a=ZZb\r\n");
	CHECK(r.issues == 1 && r.first == QP_ISSUE_BAD_ESCAPE);
	qp_issue_format(r.first, 0, text, sizeof text);
	CHECK_STR(text, "= is not followed by two hexadecimal digits in "
			"quoted-printable encoding");

	/* One hex digit, then end of line. */
	run(&r, "a=4");
	CHECK_BYTES(r.out, r.n, "a=4\r\n");
	CHECK(r.issues == 1);

	/* "=4 " : the digit pair would reach a trailing blank. */
	run(&r, "a=4 ");
	CHECK_BYTES(r.out, r.n, "a=4\r\n");

	/* "= x": '=' then a blank inside the line. */
	run(&r, "= x");
	CHECK_BYTES(r.out, r.n, "= x\r\n");

	/* Controls and 8-bit bytes are copied, each noted. */
	run(&r, "a\x01" "b\xe9");
	CHECK_BYTES(r.out, r.n, "a\x01" "b\xe9\r\n");
	CHECK(r.issues == 2 && r.first == QP_ISSUE_CONTROL &&
	      r.first_byte == 1);
	qp_issue_format(QP_ISSUE_CONTROL, 0xe9, text, sizeof text);
	CHECK_STR(text, "control characters in quoted-printable encoding: -23");

	/* A lone CR (BDAT) is data too. */
	run(&r, "x\r");
	CHECK_BYTES(r.out, r.n, "x\r\r\n");
}

static void test_tiny_output(void)
{
	struct result r;
	run_cap(&r, "ab=41=\tc", 1);
	CHECK_BYTES(r.out, r.n, "abA=\tc\r\n");
	run_cap(&r, "ab=", 1);
	CHECK_BYTES(r.out, r.n, "ab");
}

int main(void)
{
	test_basic();
	test_soft_breaks();
	test_bad_escapes();
	test_tiny_output();
	return check_summary();
}
