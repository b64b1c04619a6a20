/*
 * Zeek's fixed-point number text, for the writers, for the file handles
 * core builds (files_handle_time) and for extracted files' names:
 * integers, "%.6f", ODesc's double and cat()'s time.
 */
#include "core/numtext.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 128-bit products keep the fixed-point arithmetic exact; GCC and Clang
 * provide the type on every 64-bit target we build for. */
__extension__ typedef unsigned __int128 u128;

static uint64_t bits_of(double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof u);
	return u;
}

size_t numtext_u64(uint64_t v, char *out)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

size_t numtext_i64(int64_t v, char *out)
{
	if (v >= 0)
		return numtext_u64((uint64_t)v, out);
	out[0] = '-';
	/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
	return 1 + numtext_u64(0 - (uint64_t)v, out + 1);
}

static size_t nonfinite(double v, char *out)
{
	bool neg = signbit(v);
	const char *s = isnan(v) ? (neg ? "-nan" : "nan") : (neg ? "-inf" : "inf");
	size_t n = strlen(s);
	memcpy(out, s, n);
	return n;
}

/*
 * Exact round-half-even of |v| * 10^6 for |v| < 1e13, done with integers
 * so that it matches glibc's "%.6f" without the cost of printf. Returns
 * false when v is out of that range.
 */
static bool micros(double a, uint64_t *q_out)
{
	if (!(a < 1e13))
		return false;
	uint64_t u = bits_of(a);
	int biased = (int)((u >> 52) & 0x7ff);
	uint64_t m = u & ((UINT64_C(1) << 52) - 1);
	int e2;
	if (biased) {
		m |= UINT64_C(1) << 52;
		e2 = biased - 1075;
	} else {
		e2 = -1074;
	}
	if (e2 >= 0) {
		*q_out = (m << e2) * 1000000;
		return true;
	}
	unsigned s = (unsigned)-e2;
	if (s >= 128) {
		*q_out = 0;	/* below 2^-74: rounds to 0.000000 */
		return true;
	}
	u128 p = (u128)m * 1000000;
	u128 q = p >> s;
	u128 r = p - (q << s);
	u128 half = (u128)1 << (s - 1);
	if (r > half || (r == half && (q & 1)))
		q++;
	*q_out = (uint64_t)q;
	return true;
}

size_t numtext_fixed6(double v, char *out)
{
	if (!isfinite(v))
		return nonfinite(v, out);
	uint64_t q;
	size_t n = 0;
	if (!micros(fabs(v), &q)) {
		int r = snprintf(out, NUMTEXT_MAX, "%.6f", v);
		return r > 0 ? (size_t)r : 0;
	}
	if (signbit(v))
		out[n++] = '-';
	n += numtext_u64(q / 1000000, out + n);
	out[n++] = '.';
	uint32_t frac = (uint32_t)(q % 1000000);
	for (int i = 5; i >= 0; i--) {
		out[n + (size_t)i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	return n + 6;
}

size_t numtext_double(double v, char *out)
{
	if (isnan(v)) {
		memcpy(out, "nan", 3);
		return 3;
	}
	size_t n = 0;
	/* Zeek tests d < 0, so -0.0 loses its sign but -2e-308 keeps it. */
	if (v < 0)
		out[n++] = '-';
	double a = fabs(v);
	if (isinf(a)) {
		memcpy(out + n, "inf", 3);
		return n + 3;
	}
	n += numtext_fixed6(a, out + n);
	while (out[n - 1] == '0')
		n--;
	if (out[n - 1] == '.')
		n--;
	/* "disambiguate from integer", as ODesc::Add(double) does. */
	if (fabs(v - nearbyint(v)) < 1e-9) {
		memcpy(out + n, ".0", 2);
		n += 2;
	}
	return n;
}


size_t numtext_cat_time(double t, char *out)
{
	if (isnan(t)) {
		memcpy(out, "nan", 3);
		return 3;
	}
	double a = fabs(t);
	if (a > 2147483647.0 || (a < 1e-6 && a != 0.0)) {
		/* std::to_chars shortest (scientific / general): the shortest
		 * %.*e that reads back the same value (inf: at once). */
		for (int p = 0; p <= 17; p++) {
			snprintf(out, NUMTEXT_CAT_MAX, a > 2147483647.0 ? "%.*e" : "%.*g", p, t);
			if (strtod(out, NULL) == t)
				break;
		}
		return strlen(out);
	}
	/* "%.6f" without trailing zeros, ".0" for integers: ODesc's double,
	 * which the TSV writer prints too (-0.0 as 0.0). */
	return numtext_double(t == 0.0 ? 0.0 : t, out);
}
