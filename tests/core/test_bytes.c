/* core/bytes.h: the little-endian loads and the span scanners against the
 * obvious byte loops; the ASCII classes against <ctype.h> in the C locale. */
#include <ctype.h>
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "tests/check.h"

static size_t naive_span(const uint8_t *p, size_t n, uint8_t a, uint8_t b, uint8_t c)
{
	size_t i = 0;
	while (i < n && p[i] != a && p[i] != b && p[i] != c)
		i++;
	return i;
}

static void test_le64(void)
{
	const uint8_t b[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	CHECK(le64_read(b) == 0x0807060504030201ull);
	CHECK(le64_read(b + 1) == 0x0908070605040302ull); /* unaligned */
	uint8_t o[8];
	le64_write(o, 0x1122334455667788ull);
	CHECK(o[0] == 0x88 && o[7] == 0x11);
}

static void test_span(void)
{
	uint8_t buf[80];
	bool same = true;
	srand(3);
	for (int t = 0; t < 200000 && same; t++) {
		size_t n = (size_t)(rand() % (int)sizeof buf);
		/* Few distinct bytes, so that targets and near misses (a byte
		 * 0x80 apart, borrows across lanes) are common. */
		static const uint8_t pool[] = {'\r', '\n', 0, 1, 0x80, 0x8d, 0x8a, 'a', 0xff, 0x0c, 0x0e};
		for (size_t i = 0; i < n; i++)
			buf[i] = pool[rand() % (int)sizeof pool];
		size_t off = (size_t)(rand() % 8);
		if (off > n)
			off = n;
		uint8_t a = '\r', b = '\n', c = rand() % 2 ? 0 : '\r';
		same = bytes_span_not3(buf + off, n - off, a, b, c) ==
		       naive_span(buf + off, n - off, a, b, c);
	}
	CHECK(same);
	CHECK(bytes_span_not3((const uint8_t *)"abc", 0, 'a', 'a', 'a') == 0);
	CHECK(bytes_span_not3((const uint8_t *)"0123456789abcdef\n", 17, '\r', '\n', '\n') == 16);
}

static size_t naive_print(const uint8_t *p, size_t n, uint8_t a, uint8_t b)
{
	size_t i = 0;
	while (i < n && p[i] >= 0x20 && p[i] <= 0x7e && p[i] != a && p[i] != b)
		i++;
	return i;
}

static void test_span_print(void)
{
	uint8_t buf[80];
	bool same = true;
	srand(5);
	static const uint8_t pool[] = {0x1f, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xff, 0x9f, 0xa0,
				       '\\', ',', 'a', 0, 0x5c ^ 0x80, 0x2c ^ 0x80};
	for (int t = 0; t < 200000 && same; t++) {
		size_t n = (size_t)(rand() % (int)sizeof buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = rand() % 3 ? 'a' + rand() % 26 : pool[rand() % (int)sizeof pool];
		uint8_t b = rand() % 2 ? ',' : '\\';
		same = bytes_span_print_not2(buf, n, '\\', b) == naive_print(buf, n, '\\', b);
	}
	CHECK(same);
}

/* Every byte, every class: the C locale's <ctype.h>, which the table
 * replaces (and nothing from 0x80). */
static void test_ascii_classes(void)
{
	setlocale(LC_ALL, "C");
	int bad = 0;
	for (int c = 0; c < 256; c++) {
		uint8_t b = (uint8_t)c;
		bad += ascii_is_space(b) != !!isspace(c);
		bad += ascii_is_blank(b) != !!isblank(c);
		bad += ascii_is_digit(b) != !!isdigit(c);
		bad += ascii_is_upper(b) != !!isupper(c);
		bad += ascii_is_lower(b) != !!islower(c);
		bad += ascii_is_alpha(b) != !!isalpha(c);
		bad += ascii_is_alnum(b) != !!isalnum(c);
		bad += ascii_is_xdigit(b) != !!isxdigit(c);
		bad += ascii_is_print(b) != !!isprint(c);
		bad += ascii_is_graph(b) != !!isgraph(c);
		bad += ascii_lower(b) != (uint8_t)tolower(c);
		bad += ascii_upper(b) != (uint8_t)toupper(c);
		bad += c >= 0x80 && ascii_class[c] != 0;
		int h = isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
		bad += ascii_hexval(b) != h;
	}
	CHECK(bad == 0);
}

static void test_ieq_and_spans(void)
{
	const uint8_t w[] = "HeLo\0x";
	CHECK(bytes_ieq(w, 4, "helo"));
	CHECK(bytes_ieq(w, 4, "HELO"));
	CHECK(!bytes_ieq(w, 3, "helo"));
	CHECK(!bytes_ieq(w, 5, "helo"));  /* a NUL in p is a byte like any other */
	CHECK(!bytes_ieq(w, 6, "helo"));
	CHECK(bytes_ieq(w, 0, ""));
	CHECK(!bytes_ieq((const uint8_t *)"[", 1, "{")); /* case is letters only */
	const uint8_t *s = (const uint8_t *)" \t\v12ab \r";
	CHECK(bytes_span(s, 9, ASCII_SPACE) == 3);
	CHECK(bytes_span(s, 9, ASCII_BLANK) == 2);
	CHECK(bytes_span(s, 2, ASCII_SPACE) == 2);
	CHECK(bytes_span_not(s + 3, 6, ASCII_SPACE) == 4);
	CHECK(bytes_span_not(s + 3, 3, ASCII_SPACE) == 3);
	CHECK(bytes_span(s + 3, 6, ASCII_ALNUM) == 4);
	CHECK(bytes_rspan(s, 9, ASCII_SPACE) == 2);
	CHECK(bytes_rspan(s, 3, ASCII_SPACE) == 3);
	CHECK(bytes_rspan(s, 0, ASCII_SPACE) == 0);
}

static int calls;
static bool starts_with_hi(const uint8_t *p, size_t n)
{
	calls++;
	return n >= 2 && p[0] == 'h' && p[1] == 'i';
}

static void test_any_line_start(void)
{
	const char *yes[] = {"hi", "  hi", "x\nhi", "x\r \thi", "a\rb\n\nhi there"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		CHECK(bytes_any_line_start((const uint8_t *)yes[i], strlen(yes[i]), starts_with_hi));
	const char *no[] = {"", "xhi", "x hi", "h\ni"};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		CHECK(!bytes_any_line_start((const uint8_t *)no[i], strlen(no[i]), starts_with_hi));
	/* Line starts inside one run of whitespace are tried once. */
	static uint8_t crlf[1000];
	for (size_t i = 0; i < sizeof crlf; i += 2)
		crlf[i] = '\r', crlf[i + 1] = '\n';
	calls = 0;
	CHECK(!bytes_any_line_start(crlf, sizeof crlf, starts_with_hi));
	CHECK(calls == 1);
	/* One call a line otherwise. */
	calls = 0;
	CHECK(!bytes_any_line_start((const uint8_t *)"a\nb\nc", 5, starts_with_hi));
	CHECK(calls == 3);
}

int main(void)
{
	test_any_line_start();
	test_ascii_classes();
	test_ieq_and_spans();
	test_span_print();
	test_le64();
	test_span();
	return check_summary();
}
