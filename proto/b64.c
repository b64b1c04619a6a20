#include "proto/b64.h"

#include <stdio.h>
#include <string.h>

/* Value of each byte in the alphabet, -1 outside it; '=' decodes as 0. */
static int b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	if (c == '=')
		return 0;
	return -1;
}

void b64_init(struct b64_state *st)
{
	memset(st, 0, sizeof *st);
}

static void b64_push_weird(struct b64_state *st, enum b64_weird_kind kind,
			   unsigned arg)
{
	if (st->weird_count >= B64_MAX_WEIRDS)
		return; /* cannot happen: see B64_MAX_WEIRDS */
	unsigned slot = (st->weird_head + st->weird_count) % B64_MAX_WEIRDS;
	st->weirds[slot].kind = kind;
	st->weirds[slot].arg = arg;
	st->weird_count++;
}

static void b64_error(struct b64_state *st, enum b64_weird_kind kind,
		      unsigned arg)
{
	/* Zeek reports only the first error of a decoder. */
	if (++st->errored == 1)
		b64_push_weird(st, kind, arg);
}

/* Sextet per byte, 0xff for bytes outside the alphabet ('=' included):
 * the fast path below only takes clean groups. */
static const uint8_t b64_table[256] = {
	['A'] = 0,  ['B'] = 1,	['C'] = 2,  ['D'] = 3,	['E'] = 4,  ['F'] = 5,	['G'] = 6,
	['H'] = 7,  ['I'] = 8,	['J'] = 9,  ['K'] = 10, ['L'] = 11, ['M'] = 12, ['N'] = 13,
	['O'] = 14, ['P'] = 15, ['Q'] = 16, ['R'] = 17, ['S'] = 18, ['T'] = 19, ['U'] = 20,
	['V'] = 21, ['W'] = 22, ['X'] = 23, ['Y'] = 24, ['Z'] = 25, ['a'] = 26, ['b'] = 27,
	['c'] = 28, ['d'] = 29, ['e'] = 30, ['f'] = 31, ['g'] = 32, ['h'] = 33, ['i'] = 34,
	['j'] = 35, ['k'] = 36, ['l'] = 37, ['m'] = 38, ['n'] = 39, ['o'] = 40, ['p'] = 41,
	['q'] = 42, ['r'] = 43, ['s'] = 44, ['t'] = 45, ['u'] = 46, ['v'] = 47, ['w'] = 48,
	['x'] = 49, ['y'] = 50, ['z'] = 51, ['0'] = 52, ['1'] = 53, ['2'] = 54, ['3'] = 55,
	['4'] = 56, ['5'] = 57, ['6'] = 58, ['7'] = 59, ['8'] = 60, ['9'] = 61, ['+'] = 62,
	['/'] = 63,
};

static bool b64_clean(uint8_t c)
{
	return c == 'A' || b64_table[c] != 0;
}

size_t b64_feed(struct b64_state *st, const uint8_t *in, size_t n, uint8_t *out,
		size_t cap, size_t *out_len)
{
	size_t i = 0, o = 0;

	/* Fast path for the common case, whole clean groups at a group
	 * boundary: the same result as the general loop, four bytes at a time. */
	if (st->group_next == 0 && st->padding == 0 && !st->after_padding) {
		while (n - i >= 4 && cap - o >= 3 && b64_clean(in[i]) && b64_clean(in[i + 1]) &&
		       b64_clean(in[i + 2]) && b64_clean(in[i + 3])) {
			uint32_t v = (uint32_t)b64_table[in[i]] << 18 |
				     (uint32_t)b64_table[in[i + 1]] << 12 |
				     (uint32_t)b64_table[in[i + 2]] << 6 | b64_table[in[i + 3]];
			out[o++] = (uint8_t)(v >> 16);
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)v;
			i += 4;
		}
	}

	for (;;) {
		if (st->group_next == 4) {
			if (st->after_padding) {
				st->ignored_groups++;
				b64_error(st, B64_WEIRD_AFTER_PADDING, 0);
				st->group_next = 0;
				continue;
			}
			int octets = 3 - (int)st->padding;
			if (octets > 0 && (size_t)octets > cap - o)
				break; /* out is full; the group stays pending */
			uint32_t v = (uint32_t)st->group[0] << 18 |
				     (uint32_t)st->group[1] << 12 |
				     (uint32_t)st->group[2] << 6 | st->group[3];
			if (octets >= 1)
				out[o++] = (uint8_t)(v >> 16);
			if (octets >= 2)
				out[o++] = (uint8_t)(v >> 8);
			if (octets >= 3)
				out[o++] = (uint8_t)v;
			if (st->padding > 0)
				st->after_padding = true;
			st->group_next = 0;
			st->padding = 0;
		}
		if (i >= n)
			break;
		uint8_t c = in[i++];
		if (c == '=' && st->padding < UINT8_MAX)
			st->padding++;
		int k = b64_value(c);
		if (k >= 0) {
			st->group[st->group_next++] = (uint8_t)k;
		} else {
			st->bad_chars++;
			b64_error(st, B64_WEIRD_BAD_CHAR, c);
		}
	}
	*out_len = o;
	return i;
}

size_t b64_finish(struct b64_state *st, uint8_t *out, size_t cap)
{
	static const uint8_t pad[3] = {'=', '=', '='};
	size_t written = 0;

	if (st->finished)
		return 0;
	st->finished = true;
	if (st->group_next == 0)
		return 0;
	if (st->group_next < 4)
		b64_push_weird(st, B64_WEIRD_INCOMPLETE,
			       (unsigned)(4 - st->group_next) * 6);
	(void)b64_feed(st, pad, (size_t)(4 - st->group_next), out, cap,
		       &written);
	return written;
}

bool b64_weird_next(struct b64_state *st, struct b64_weird *w)
{
	if (st->weird_count == 0)
		return false;
	*w = st->weirds[st->weird_head];
	st->weird_head = (st->weird_head + 1) % B64_MAX_WEIRDS;
	st->weird_count--;
	return true;
}

void b64_weird_format(const struct b64_weird *w, char *dst, size_t cap)
{
	if (cap == 0)
		return;
	switch (w->kind) {
	case B64_WEIRD_BAD_CHAR:
		snprintf(dst, cap, "character %u ignored by Base64 decoding",
			 w->arg);
		break;
	case B64_WEIRD_AFTER_PADDING:
		snprintf(dst, cap,
			 "extra base64 groups after '=' padding are ignored");
		break;
	case B64_WEIRD_INCOMPLETE:
		snprintf(dst, cap,
			 "incomplete base64 group, padding with %u bits of 0",
			 w->arg);
		break;
	default:
		dst[0] = '\0';
		break;
	}
}
