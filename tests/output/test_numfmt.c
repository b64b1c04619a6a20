/* Unit tests for output/numfmt.c: every vector of zeek-core-spec §1.5,
 * §1.6, §2.3 and §2.4, plus a randomized cross-check against printf. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/numfmt.h"
#include "tests/check.h"

#define CHECK_FMT(fn, v, want)                                               \
	do {                                                                 \
		char out_[NUMFMT_MAX];                                       \
		size_t n_ = fn((v), out_);                                   \
		CHECK_BYTES(out_, n_, (want));                               \
	} while (0)

static void test_integers(void)
{
	CHECK_FMT(numtext_u64, 0, "0");
	CHECK_FMT(numtext_u64, 21, "21");
	CHECK_FMT(numtext_u64, UINT64_MAX, "18446744073709551615");
	CHECK_FMT(numtext_i64, -42, "-42");
	CHECK_FMT(numtext_i64, 0, "0");
	CHECK_FMT(numtext_i64, INT64_MIN, "-9223372036854775808");
	CHECK_FMT(numtext_i64, INT64_MAX, "9223372036854775807");
}

static void test_fixed6(void)
{
	CHECK_FMT(numtext_fixed6, 1254722767.529046, "1254722767.529046");
	CHECK_FMT(numtext_fixed6, 0.0, "0.000000");
	CHECK_FMT(numtext_fixed6, -0.000001, "-0.000001");
	CHECK_FMT(numtext_fixed6, 100.0, "100.000000");
	CHECK_FMT(numtext_fixed6, 1234567890.0000001, "1234567890.000000");
	CHECK_FMT(numtext_fixed6, 1362692527.080828 - 1362692526.869344,
		  "0.211484");
	CHECK_FMT(numtext_fixed6, 600.931043, "600.931043");
	/* 1/128 is an exact tie at the 7th decimal: half-to-even. */
	CHECK_FMT(numtext_fixed6, 0.0078125, "0.007812");
	CHECK_FMT(numtext_fixed6, 0.0234375, "0.023438");
	CHECK_FMT(numtext_fixed6, -0.0, "-0.000000");
	CHECK_FMT(numtext_fixed6, 1e20, "100000000000000000000.000000");
	CHECK_FMT(numtext_fixed6, 5e-324, "0.000000");
	CHECK_FMT(numtext_fixed6, NAN, "nan");
	CHECK_FMT(numtext_fixed6, INFINITY, "inf");
	CHECK_FMT(numtext_fixed6, -INFINITY, "-inf");

	/* The integer fast path must agree with glibc byte for byte. */
	unsigned seed = 12345;
	int bad = 0;
	for (int i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		uint64_t bits = ((uint64_t)rand_r(&seed) << 33) ^
				((uint64_t)rand_r(&seed) << 11) ^ (uint64_t)rand_r(&seed);
		double v;
		switch (i % 4) {
		case 0: /* timestamps with microseconds */
			v = (double)(bits % 2000000000) + (double)(bits % 1000000) / 1e6;
			break;
		case 1: /* small durations */
			v = (double)(bits % 100000000) / 1e6 - 50.0;
			break;
		case 2: /* arbitrary bit patterns below 1e13 */
			memcpy(&v, &bits, sizeof v);
			if (!isfinite(v) || fabs(v) >= 1e13)
				v = fmod(v, 1e13);
			if (!isfinite(v))
				v = 1.5;
			break;
		default: /* ties and near-ties */
			v = (double)(bits % 100000000) / 128.0;
			break;
		}
		char want[NUMFMT_MAX], got[NUMFMT_MAX];
		snprintf(want, sizeof want, "%.6f", v);
		size_t n = numtext_fixed6(v, got);
		if (n != strlen(want) || memcmp(got, want, n) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "fixed6 %.17g: got %.*s want %s\n",
					v, (int)n, got, want);
		}
	}
	CHECK(bad == 0);
}

static void test_double(void)
{
	/* §1.6 table (ascii-double) */
	CHECK_FMT(numtext_double, 1.123456789, "1.123457");
	CHECK_FMT(numtext_double, 5e4, "50000.0");
	CHECK_FMT(numtext_double, 2.23e-308, "0.0");
	CHECK_FMT(numtext_double, -2.23e-308, "-0.0");
	CHECK_FMT(numtext_double, INFINITY, "inf");
	CHECK_FMT(numtext_double, -INFINITY, "-inf");
	CHECK_FMT(numtext_double, NAN, "nan");
	CHECK_FMT(numtext_double, -0.0, "0.0");
	CHECK_FMT(numtext_double, 0.0, "0.0");
	CHECK_FMT(numtext_double, 3.14, "3.14");
	CHECK_FMT(numtext_double, -42.5, "-42.5");
	CHECK_FMT(numtext_double, 100.0, "100.0");
	/* Rounds to an integer text but is not within 1e-9: no ".0". */
	CHECK_FMT(numtext_double, 2.0000001, "2");
	CHECK_FMT(numtext_double, 2.0000000001, "2.0");
	/* no_exp: 1.79e308 is written out in full. */
	char out[NUMFMT_MAX];
	size_t n = numtext_double(1.79e308, out);
	CHECK(n == 311);	/* 309 digits and ".0" */
	CHECK(memcmp(out, "178999999999999996", 18) == 0);
	char want[NUMFMT_MAX];
	snprintf(want, sizeof want, "%.0f.0", 1.79e308);
	CHECK_BYTES(out, n, want);
}

static void test_json_double(void)
{
	/* §2.3 table ([R], RapidJSON) and §10 */
	CHECK_FMT(numfmt_format_json_double, 1537507511.0 + 110165 / 1e6,
		  "1537507511.1101651");
	CHECK_FMT(numfmt_format_json_double, 1537507511.110165, "1537507511.1101651");
	CHECK_FMT(numfmt_format_json_double, 0.767318, "0.7673179999999999");
	CHECK_FMT(numfmt_format_json_double, 1186.5747680664062, "1186.5747680664063");
	CHECK_FMT(numfmt_format_json_double, 1254722767.0 + 529046 / 1e6,
		  "1254722767.529046");
	CHECK_FMT(numfmt_format_json_double, 1254722767.0 + 529040 / 1e6,
		  "1254722767.52904");
	CHECK_FMT(numfmt_format_json_double, 1254722767.0, "1254722767.0");
	CHECK_FMT(numfmt_format_json_double, 1362692527.080828 - 1362692526.869344,
		  "0.21148395538330078");
	CHECK_FMT(numfmt_format_json_double, 1254722767.529107 - 1254722767.529046,
		  "0.00006103515625");
	CHECK_FMT(numfmt_format_json_double, 0.00006103515625, "0.00006103515625");
	CHECK_FMT(numfmt_format_json_double, 100.0, "100.0");
	CHECK_FMT(numfmt_format_json_double, -0.0, "-0.0");
	CHECK_FMT(numfmt_format_json_double, 0.0, "0.0");
	CHECK_FMT(numfmt_format_json_double, 1e-7, "1e-7");
	CHECK_FMT(numfmt_format_json_double, 1.5e-7, "1.5e-7");
	CHECK_FMT(numfmt_format_json_double, 1e21, "1e21");
	CHECK_FMT(numfmt_format_json_double, 3.14e15, "3140000000000000.0");
	CHECK_FMT(numfmt_format_json_double, 3140000000000000.0, "3140000000000000.0");
	CHECK_FMT(numfmt_format_json_double, 1.79e308, "1.79e308");
	/* ascii-json */
	CHECK_FMT(numfmt_format_json_double, 3.14, "3.14");
	CHECK_FMT(numfmt_format_json_double, 1362692526.869344, "1362692526.869344");
	/* Layout corners of Prettify */
	CHECK_FMT(numfmt_format_json_double, 1e20, "100000000000000000000.0");
	CHECK_FMT(numfmt_format_json_double, 1.5, "1.5");
	CHECK_FMT(numfmt_format_json_double, -42.0, "-42.0");
	CHECK_FMT(numfmt_format_json_double, 0.001234, "0.001234");
	CHECK_FMT(numfmt_format_json_double, 1e-6, "0.000001");
	CHECK_FMT(numfmt_format_json_double, 1.234e-7, "1.234e-7");
	CHECK_FMT(numfmt_format_json_double, 5e-324, "5e-324");
	CHECK_FMT(numfmt_format_json_double, 1.7976931348623157e308,
		  "1.7976931348623157e308");
	CHECK_FMT(numfmt_format_json_double, 2.2250738585072014e-308,
		  "2.2250738585072014e-308");
	CHECK_FMT(numfmt_format_json_double, NAN, "null");
	CHECK_FMT(numfmt_format_json_double, INFINITY, "null");
	CHECK_FMT(numfmt_format_json_double, -INFINITY, "null");

	/* Grisu2 always round-trips. */
	unsigned seed = 777;
	int bad = 0;
	for (int i = 0; i < 200000; i++) {
		uint64_t bits = ((uint64_t)rand_r(&seed) << 33) ^
				((uint64_t)rand_r(&seed) << 11) ^ (uint64_t)rand_r(&seed);
		double v;
		if (i % 2) {
			memcpy(&v, &bits, sizeof v);
			if (!isfinite(v))
				continue;
		} else {
			v = (double)(bits % 2000000000) + (double)(bits % 1000000) / 1e6;
		}
		char out[NUMFMT_MAX + 1];
		size_t n = numfmt_format_json_double(v, out);
		out[n] = '\0';
		if (strtod(out, NULL) != v && bad++ < 5)
			fprintf(stderr, "json double %.17g -> %s\n", v, out);
	}
	CHECK(bad == 0);
}

static void test_iso8601(void)
{
	double base = 1215620010.0;	/* 2008-07-09T16:13:30Z */
	CHECK_FMT(numfmt_format_iso8601, base + 0.0054321,
		  "2008-07-09T16:13:30.005432Z");
	CHECK_FMT(numfmt_format_iso8601, -0.4, "1969-12-31T23:59:59.600000Z");
	CHECK_FMT(numfmt_format_iso8601, -1.6, "1969-12-31T23:59:58.400000Z");
	CHECK_FMT(numfmt_format_iso8601, 0.0, "1970-01-01T00:00:00.000000Z");
	CHECK_FMT(numfmt_format_iso8601, 1362692526.869344,
		  "2013-03-07T21:42:06.869344Z");
	CHECK_FMT(numfmt_format_iso8601, 951782400.0, "2000-02-29T00:00:00.000000Z");
	CHECK_FMT(numfmt_format_iso8601, 4102444799.5, "2099-12-31T23:59:59.500000Z");
	/* The 7-digit quirk when the fraction rounds up (UNVERIFIED in Zeek). */
	CHECK_FMT(numfmt_format_iso8601, 59.9999996, "1970-01-01T00:00:59.1000000Z");
	CHECK_FMT(numfmt_format_iso8601, NAN, "2000-01-01T00:00:00.000000");
}

static void test_millis(void)
{
	CHECK(numfmt_millis(-315619200.0) == -315619200000LL);
	CHECK((uint64_t)numfmt_millis(-315619200.0) == 18446743758090351616ULL);
	CHECK(numfmt_millis(1362692526.869344) == 1362692526869LL);
	CHECK(numfmt_millis(-0.0015) == -1);
	CHECK(numfmt_millis(NAN) == INT64_MIN);
	CHECK(numfmt_millis(1e300) == INT64_MIN);
}

/* The extraction sink's former printf version of cat()'s time, kept as
 * the reference that numtext_cat_time must agree with. */
static void ref_cat_time(double t, char *out, size_t cap)
{
	if (!isfinite(t)) {
		snprintf(out, cap, "%s", isnan(t) ? "nan" : t < 0 ? "-inf" : "inf");
		return;
	}
	double a = fabs(t);
	if (a > 2147483647.0 || (a < 1e-6 && a != 0.0)) {
		for (int p = 0; p <= 17; p++) {
			snprintf(out, cap, a > 2147483647.0 ? "%.*e" : "%.*g", p, t);
			if (strtod(out, NULL) == t)
				break;
		}
		return;
	}
	if (t == 0.0)
		t = 0.0;
	int n = snprintf(out, cap, "%.6f", t);
	char *last = out + n - 1;
	while (*last == '0')
		last--;
	if (*last != '.')
		last++;
	*last = '\0';
	size_t len = (size_t)(last - out);
	if (fabs(t - nearbyint(t)) < 1e-9 && len + 3 <= cap)
		memcpy(out + len, ".0", 3);
}

static void test_cat_time(void)
{
	CHECK_FMT(numtext_cat_time, 1400168396.806010, "1400168396.80601");
	CHECK_FMT(numtext_cat_time, 1400000000.0, "1400000000.0");
	CHECK_FMT(numtext_cat_time, 2385642157.0, "2.385642157e+09");
	CHECK_FMT(numtext_cat_time, -0.0, "0.0");
	CHECK_FMT(numtext_cat_time, 5e-7, "5e-07");
	CHECK_FMT(numtext_cat_time, NAN, "nan");
	CHECK_FMT(numtext_cat_time, -INFINITY, "-inf");
	double special[] = {0.5, 12.9999999, 100.0000001, -3.25, 1e-6, 2147483647.0,
			    2147483647.5, -2147483648.0, 1.7976931348623157e308, -4.9e-324};
	int bad = 0;
	char want[64], got[NUMTEXT_CAT_MAX];
	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
		ref_cat_time(special[i], want, sizeof want);
		size_t n = numtext_cat_time(special[i], got);
		bad += n != strlen(want) || memcmp(got, want, n) != 0;
	}
	srand(11);
	for (int k = 0; k < 200000; k++) {
		double t = (double)rand() / RAND_MAX * 2e9;
		if (k % 3 == 0)
			t = floor(t * 1e6) / 1e6;
		if (k % 7 == 0)
			t = -t / 1e3;
		ref_cat_time(t, want, sizeof want);
		size_t n = numtext_cat_time(t, got);
		bad += n != strlen(want) || memcmp(got, want, n) != 0;
	}
	CHECK(bad == 0);
}

int main(void)
{
	test_cat_time();
	test_integers();
	test_fixed6();
	test_double();
	test_json_double();
	test_iso8601();
	test_millis();
	return check_summary();
}
