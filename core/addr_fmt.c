/*
 * Address text as Zeek prints it. Zeek formats IPv6 with its own copy of
 * FreeBSD's inet_ntop (src/3rdparty/zeek_inet_ntop.c), not the C
 * library's, so the embedded-IPv4 corners are reproduced here rather than
 * left to glibc (zeek-core-spec §1.7).
 */
#include "core/value.h"

static size_t addr_fmt_v4(const uint8_t *b, char *out)
{
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];
		if (i)
			out[n++] = '.';
		if (v >= 100)
			out[n++] = (char)('0' + v / 100);
		if (v >= 10)
			out[n++] = (char)('0' + v / 10 % 10);
		out[n++] = (char)('0' + v % 10);
	}
	return n;
}

static size_t addr_fmt_hex16(unsigned w, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	bool started = false;
	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned nib = (w >> shift) & 0xf;
		if (nib || started || shift == 0) {
			out[n++] = hex[nib];
			started = true;
		}
	}
	return n;
}

size_t sl_addr_format(const struct sl_addr *a, char *out)
{
	size_t n;
	if (sl_addr_is_v4(a)) {
		n = addr_fmt_v4(a->b + 12, out);
		out[n] = '\0';
		return n;
	}

	unsigned w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a->b[2 * i] << 8 | a->b[2 * i + 1];

	/* Longest run of zero groups; a later run must be strictly longer. */
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	for (int i = 0; i <= 8; i++) {
		if (i < 8 && w[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;

	n = 0;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				out[n++] = ':';
			continue;
		}
		if (i)
			out[n++] = ':';
		/* The embedded-IPv4 forms FreeBSD's code (with Zeek's
		 * "::ffff:0:a.b.c.d" addition) recognises. */
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 7 && w[7] != 1) ||
		     (best_len == 5 && w[5] == 0xffff) ||
		     (best_len == 4 && w[4] == 0xffff && w[5] == 0))) {
			n += addr_fmt_v4(a->b + 12, out + n);
			out[n] = '\0';
			return n;
		}
		n += addr_fmt_hex16(w[i], out + n);
	}
	if (best >= 0 && best + best_len == 8)
		out[n++] = ':';
	out[n] = '\0';
	return n;
}
