/* core/bytes.h: the little-endian loads and the span scanner against the
 * obvious byte loops. */
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

int main(void)
{
	test_span_print();
	test_le64();
	test_span();
	return check_summary();
}
