/* A borrowed view of bytes: the currency passed between layers. Never owns. */
#ifndef SMTPLOG_CORE_BYTES_H
#define SMTPLOG_CORE_BYTES_H

#include <stdbool.h>
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

/* The view b from offset off on (empty when off is past its end). */
static inline struct bytes bytes_from(struct bytes b, size_t off)
{
	struct bytes r = {b.p + (off < b.n ? off : b.n), off < b.n ? b.n - off : 0};
	return r;
}

/*
 * ASCII byte classes, the same whatever the locale: exactly the C locale's
 * <ctype.h> classes (isspace, isblank, isdigit, ...), with every byte from
 * 0x80 in none of them. Parsers test bytes with these instead of <ctype.h>
 * (whose answer depends on setlocale) or private copies.
 */
enum {
	ASCII_SPACE = 0x01,  /* ' ' \t \n \v \f \r: isspace() */
	ASCII_BLANK = 0x02,  /* ' ' \t: isblank(), [:blank:] */
	ASCII_DIGIT = 0x04,  /* 0-9 */
	ASCII_UPPER = 0x08,  /* A-Z */
	ASCII_LOWER = 0x10,  /* a-z */
	ASCII_XDIGIT = 0x20, /* 0-9 A-F a-f */
	ASCII_PRINT = 0x40,  /* 0x20..0x7e: isprint() */
	ASCII_GRAPH = 0x80,  /* 0x21..0x7e: isgraph(), [:alnum:][:punct:] */
	ASCII_ALPHA = ASCII_UPPER | ASCII_LOWER,
	ASCII_ALNUM = ASCII_ALPHA | ASCII_DIGIT,
};

extern const uint8_t ascii_class[256]; /* core/bytes.c */

/* Whether c is in any of the classes of mask. */
static inline bool ascii_is(uint8_t c, unsigned mask)
{
	return (ascii_class[c] & mask) != 0;
}

static inline bool ascii_is_space(uint8_t c)
{
	return ascii_is(c, ASCII_SPACE);
}

static inline bool ascii_is_blank(uint8_t c)
{
	return ascii_is(c, ASCII_BLANK);
}

static inline bool ascii_is_digit(uint8_t c)
{
	return ascii_is(c, ASCII_DIGIT);
}

static inline bool ascii_is_upper(uint8_t c)
{
	return ascii_is(c, ASCII_UPPER);
}

static inline bool ascii_is_lower(uint8_t c)
{
	return ascii_is(c, ASCII_LOWER);
}

static inline bool ascii_is_alpha(uint8_t c)
{
	return ascii_is(c, ASCII_ALPHA);
}

static inline bool ascii_is_alnum(uint8_t c)
{
	return ascii_is(c, ASCII_ALNUM);
}

static inline bool ascii_is_xdigit(uint8_t c)
{
	return ascii_is(c, ASCII_XDIGIT);
}

static inline bool ascii_is_print(uint8_t c)
{
	return ascii_is(c, ASCII_PRINT);
}

static inline bool ascii_is_graph(uint8_t c)
{
	return ascii_is(c, ASCII_GRAPH);
}

static inline uint8_t ascii_lower(uint8_t c)
{
	return ascii_is_upper(c) ? (uint8_t)(c + ('a' - 'A')) : c;
}

static inline uint8_t ascii_upper(uint8_t c)
{
	return ascii_is_lower(c) ? (uint8_t)(c - ('a' - 'A')) : c;
}

/* The value of a hex digit (either case), or -1. */
static inline int ascii_hexval(uint8_t c)
{
	if (ascii_is_digit(c))
		return c - '0';
	if (ascii_is_xdigit(c))
		return (ascii_lower(c) - 'a') + 10;
	return -1;
}

/* Whether p[0..n) is the NUL-terminated lit, ignoring ASCII case (Zeek's
 * istrequal; strncasecmp in the C locale, but a NUL in p never ends it). */
static inline bool bytes_ieq(const uint8_t *p, size_t n, const char *lit)
{
	size_t i = 0;
	for (; i < n; i++)
		if (lit[i] == '\0' || ascii_lower(p[i]) != ascii_lower((uint8_t)lit[i]))
			return false;
	return lit[i] == '\0';
}

/* The length of the run at the start of p[0..n) of bytes in a class of
 * mask; bytes_span_not: of bytes in none. Linear, nothing read past p + n. */
static inline size_t bytes_span(const uint8_t *p, size_t n, unsigned mask)
{
	size_t i = 0;
	while (i < n && ascii_is(p[i], mask))
		i++;
	return i;
}

static inline size_t bytes_span_not(const uint8_t *p, size_t n, unsigned mask)
{
	size_t i = 0;
	while (i < n && !ascii_is(p[i], mask))
		i++;
	return i;
}

/* The length of the run at the end of p[0..n) of bytes in a class of mask
 * (for trimming). */
static inline size_t bytes_rspan(const uint8_t *p, size_t n, unsigned mask)
{
	size_t i = n;
	while (i > 0 && ascii_is(p[i - 1], mask))
		i--;
	return n - i;
}

/*
 * The "(|.*[\r\n])[[:space:]]*" prefix of Zeek's line-oriented DPD
 * signatures: true when `match` accepts the rest of p[0..n) from the first
 * non-space byte after some line start (offset 0, or just after a CR or
 * LF). A line start inside the whitespace skipped from an earlier one
 * reaches the same byte, which has failed already, so each is tried once
 * and the scan stays linear (DPD runs it again over the whole buffer at
 * every delivery; "\r\n" * 500 made every start rescan the rest).
 */
bool bytes_any_line_start(const uint8_t *p, size_t n, bool (*match)(const uint8_t *p, size_t n));

/* p[0..n) as a new NUL-terminated string, or NULL when out of memory;
 * the caller owns it (free). */
char *bytes_strdup(const void *p, size_t n);

#endif
