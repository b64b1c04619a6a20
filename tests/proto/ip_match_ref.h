/*
 * The IP-address matcher smtplog used before proto/smtp_addr_ip_dfa.inc:
 * a bit-set simulation of addrs.zeek's ip_addr_regex, written from the
 * regex by hand, kept verbatim as the reference the DFAs are tested
 * against (it costs thousands of operations per start offset, which is
 * why it was replaced). Also the old split_string_all loop, over a table
 * of its per-offset results, for smtp_addr_x_originating_ip and
 * smtp_addr_received_ip.
 */
#ifndef SMTPLOG_TESTS_PROTO_IP_MATCH_REF_H
#define SMTPLOG_TESTS_PROTO_IP_MATCH_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/smtp_addr.h"

static bool ref_is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool ref_is_hex(uint8_t c)
{
	return ref_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ---- ip_addr_regex -----------------------------------------------------
 * Every sub-pattern maps the set of offsets where it may start to the set
 * where it may end; offsets fit a 64-bit mask because no match of the
 * regex is longer than 45 bytes. The longest match is the highest end. */

#define IP_WINDOW 63

struct ipm {
	const uint8_t *s;
	size_t w; /* bytes available, at most IP_WINDOW */
};

static uint64_t bit(size_t o)
{
	return (uint64_t)1 << o;
}

static uint64_t m_char(const struct ipm *m, uint64_t S, uint8_t c)
{
	uint64_t R = 0;
	for (size_t o = 0; o < m->w; o++)
		if ((S & bit(o)) && m->s[o] == c)
			R |= bit(o + 1);
	return R;
}

/* [0-9A-Fa-f]{1,4} */
static uint64_t m_hextet(const struct ipm *m, uint64_t S)
{
	uint64_t R = 0;
	for (size_t o = 0; o < m->w; o++) {
		if (!(S & bit(o)))
			continue;
		for (size_t k = 0; k < 4 && o + k < m->w && ref_is_hex(m->s[o + k]); k++)
			R |= bit(o + k + 1);
	}
	return R;
}

/* [0-9]{1}|[0-9]{2}|0[0-9]{2}|1[0-9]{2}|2[0-4][0-9]|25[0-5] */
static uint64_t m_octet(const struct ipm *m, uint64_t S)
{
	uint64_t R = 0;
	for (size_t o = 0; o < m->w; o++) {
		if (!(S & bit(o)))
			continue;
		const uint8_t *p = m->s + o;
		size_t left = m->w - o;
		if (!ref_is_digit(p[0]))
			continue;
		R |= bit(o + 1);
		if (left < 2 || !ref_is_digit(p[1]))
			continue;
		R |= bit(o + 2);
		if (left < 3 || !ref_is_digit(p[2]))
			continue;
		if (p[0] == '0' || p[0] == '1' || (p[0] == '2' && p[1] <= '4') ||
		    (p[0] == '2' && p[1] == '5' && p[2] <= '5'))
			R |= bit(o + 3);
	}
	return R;
}

static uint64_t m_v4(const struct ipm *m, uint64_t S)
{
	S = m_octet(m, S);
	for (int i = 0; i < 3; i++)
		S = m_octet(m, m_char(m, S, '.'));
	return S;
}

static uint64_t m_dcolon(const struct ipm *m, uint64_t S)
{
	return m_char(m, m_char(m, S, ':'), ':');
}

/* (:hextet){lo,hi} */
static uint64_t m_more(const struct ipm *m, uint64_t S, int lo, int hi)
{
	uint64_t R = lo == 0 ? S : 0;
	for (int i = 1; i <= hi && S; i++) {
		S = m_hextet(m, m_char(m, S, ':'));
		if (i >= lo)
			R |= S;
	}
	return R;
}

/* hextet(:hextet){k-1}, i.e. exactly k hextets */
static uint64_t m_hextets(const struct ipm *m, uint64_t S, int k)
{
	return m_more(m, m_hextet(m, S), k - 1, k - 1);
}

/* "::" then, optionally, 1 to max hextets */
static uint64_t m_tail(const struct ipm *m, uint64_t S, int max)
{
	uint64_t d = m_dcolon(m, S);
	return max < 1 ? d : d | m_more(m, m_hextet(m, d), 0, max - 1);
}

static uint64_t m_ip(const struct ipm *m)
{
	const uint64_t S = 1;
	uint64_t R = m_v4(m, S);

	R |= m_hextets(m, S, 8);                         /* ipv6_8hex */
	uint64_t h = S;                                  /* ipv6_hex4dec */
	for (int i = 0; i < 6; i++)
		h = m_char(m, m_hextet(m, h), ':');
	R |= m_v4(m, h);

	R |= m_tail(m, S, 7); /* compressed, 0 leading hextets */
	for (int k = 1; k <= 7; k++)
		R |= m_tail(m, m_hextets(m, S, k), 7 - k);

	/* compressed + IPv4: the optional hextets are followed by the IPv4
	 * address directly, without a ':' (sic, addrs.zeek). */
	R |= m_v4(m, m_tail(m, S, 5));
	for (int k = 1; k <= 5; k++)
		R |= m_v4(m, m_tail(m, m_hextets(m, S, k), 5 - k));
	return R;
}

static size_t ref_ip_match(const uint8_t *s, size_t n)
{
	if (n == 0 || !(ref_is_hex(s[0]) || s[0] == ':'))
		return 0;
	struct ipm m = {s, n < IP_WINDOW ? n : IP_WINDOW};
	uint64_t R = m_ip(&m) & ~(uint64_t)1;
	size_t best = 0;
	for (size_t o = 1; o <= m.w; o++)
		if (R & bit(o))
			best = o;
	return best;
}

/* lens[t] = ref_ip_match(s + t, n - t) for every t < n. */
static void ref_ip_lens(const uint8_t *s, size_t n, uint8_t *lens)
{
	for (size_t t = 0; t < n; t++)
		lens[t] = (uint8_t)ref_ip_match(s + t, n - t);
}

/* The old ip_split_next, reading lens[] instead of matching. */
struct ref_split {
	const uint8_t *lens;
	size_t n, pos;
};

static bool ref_split_next(struct ref_split *sp, size_t *start, size_t *len)
{
	for (size_t t = sp->pos; t < sp->n; t++) {
		size_t l = sp->lens[t];
		if (l > 0) {
			*start = t;
			*len = l;
			sp->pos = t + l;
			return true;
		}
	}
	sp->pos = sp->n;
	return false;
}

static bool ref_x_originating_ip(struct bytes value, const uint8_t *lens, struct sl_addr *out)
{
	struct ref_split sp = {lens, value.n, 0};
	size_t st, len;
	while (ref_split_next(&sp, &st, &len)) {
		struct bytes t = {value.p + st, len};
		if (smtp_addr_parse_ip(t, out))
			return true;
	}
	return false;
}

static bool ref_wrapped(const uint8_t *s, size_t prev_from, size_t st, size_t end, size_t next_to)
{
	/* p1 = s[prev_from, st), p3 = s[end, next_to) */
	bool p1_empty = prev_from == st, p3_empty = end == next_to;
	if (p1_empty && p3_empty)
		return true;
	if (p1_empty || p3_empty)
		return false;
	uint8_t a = s[st - 1], b = s[end];
	return (a == '[' && b == ']') || (a == '(' && b == ')') ||
	       (a == '{' && b == '}') || (a == ' ' && b == ' ');
}

static bool ref_received_ip(struct bytes value, const uint8_t *lens, struct sl_addr *out)
{
	struct ref_split sp = {lens, value.n, 0};
	size_t prev_end = 0, st, len, nst = 0, nlen = 0;
	int kept = 0;
	bool have = ref_split_next(&sp, &st, &len);
	while (have) {
		bool more = ref_split_next(&sp, &nst, &nlen);
		size_t end = st + len, next_to = more ? nst : value.n;
		struct bytes t = {value.p + st, len};
		struct sl_addr a;
		if (smtp_addr_parse_ip(t, &a) && ref_wrapped(value.p, prev_end, st, end, next_to)) {
			*out = a; /* the first, then the second */
			if (++kept == 2)
				return true;
		}
		prev_end = end;
		st = nst;
		len = nlen;
		have = more;
	}
	return kept > 0;
}

#endif
