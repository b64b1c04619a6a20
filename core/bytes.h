/* A borrowed view of bytes: the currency passed between layers. Never owns. */
#ifndef SMTPLOG_CORE_BYTES_H
#define SMTPLOG_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bytes {
	const uint8_t *p;
	size_t n;
};

/* Little-endian 64-bit load and store, whatever the host's order (the keyed
 * hashes are defined on little-endian words). */
static inline uint64_t le64_read(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v); /* one load; p need not be aligned */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void le64_write(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Bit 7 of each byte of v that is zero (and possibly of bytes above the
 * lowest such byte: only the lowest set bit is exact). */
static inline uint64_t bytes_zero_bits(uint64_t v)
{
	return (v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull;
}

/*
 * The length of the run at the start of p[0..n) that holds none of the
 * bytes a, b and c (pass a byte twice for two): a line scanner's inner
 * loop, eight bytes a step. Linear, reads nothing past p + n.
 */
static inline size_t bytes_span_not3(const uint8_t *p, size_t n, uint8_t a, uint8_t b, uint8_t c)
{
	size_t i = 0;
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t ka = ones * a, kb = ones * b, kc = ones * c;
	for (; i + 8 <= n; i += 8) {
		uint64_t w = le64_read(p + i);
		uint64_t hit = bytes_zero_bits(w ^ ka) | bytes_zero_bits(w ^ kb) | bytes_zero_bits(w ^ kc);
		if (hit)
			return i + (size_t)(__builtin_ctzll(hit) >> 3);
	}
	for (; i < n; i++)
		if (p[i] == a || p[i] == b || p[i] == c)
			break;
	return i;
}

/*
 * The length of the run at the start of p[0..n) of printable ASCII bytes
 * (0x20..0x7e) other than a and b: the log writers' test for a value that
 * needs no escaping, eight bytes a step.
 */
static inline size_t bytes_span_print_not2(const uint8_t *p, size_t n, uint8_t a, uint8_t b)
{
	size_t i = 0;
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	const uint64_t ka = ones * a, kb = ones * b;
	for (; i + 8 <= n; i += 8) {
		uint64_t w = le64_read(p + i);
		/* below 0x20 | from 0x7f (a carry out of an 0xff byte lands only
		 * above a byte already flagged) | a | b */
		uint64_t hit = ((w - ones * 0x20) & ~w & high) | (((w + ones) | w) & high);
		hit |= bytes_zero_bits(w ^ ka) | bytes_zero_bits(w ^ kb);
		if (hit)
			return i + (size_t)(__builtin_ctzll(hit) >> 3);
	}
	for (; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e || p[i] == a || p[i] == b)
			break;
	return i;
}

#endif
