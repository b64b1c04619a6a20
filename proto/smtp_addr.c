#include "proto/smtp_addr.h"

#include <arpa/inet.h>
#include <string.h>

static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(uint8_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(uint8_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ---- the email pattern ------------------------------------------------
 * (^|[<,:[:blank:]])[^<,:[:blank:]@]+@[^>,;[:blank:]]+([>,;[:blank:]]|$)
 * find_all() feeds "beginning of line" at every position, so the leading
 * group is "one delimiter or nothing". The local part cannot start with a
 * delimiter, so at most one alternative applies; the domain stops at the
 * first byte of the trailer set, which is then part of the match (or the
 * end of the string satisfies $). */

static bool email_lead(uint8_t c)
{
	return c == '<' || c == ',' || c == ':' || is_blank(c);
}

static bool email_local_stop(uint8_t c)
{
	return email_lead(c) || c == '@';
}

static bool email_domain_stop(uint8_t c)
{
	return c == '>' || c == ',' || c == ';' || is_blank(c);
}

/* Match length at t, or 0 with *skip_to = the next position worth trying. */
static size_t email_match_at(const uint8_t *s, size_t n, size_t t, size_t *skip_to)
{
	size_t u = email_lead(s[t]) ? t + 1 : t;
	size_t a = u;
	while (a < n && !email_local_stop(s[a]))
		a++;
	/* Every start inside [u, a) ends its local part at a as well. */
	*skip_to = a > t + 1 ? a : t + 1;
	if (a == u || a >= n || s[a] != '@')
		return 0;
	size_t e = a + 1;
	while (e < n && !email_domain_stop(s[e]))
		e++;
	if (e == a + 1)
		return 0;
	if (e < n)
		e++; /* the trailer byte */
	return e - t;
}

/* ---- the MIME pattern ("[^"]*")?[^,]+@[^,]+ ----------------------------
 * [^,]+@[^,]+ from u matches, longest, the whole comma-free run from u,
 * provided an '@' sits in [u+1, end-2]. Queries come in increasing order
 * per kind (0: plain start, 1: after a quoted phrase), so each kind keeps
 * the facts of its current run. */

static bool mime_tail_len(struct smtp_addr_scan *sc, int k, size_t u, size_t *len)
{
	const uint8_t *s = sc->s;
	if (u >= sc->n || s[u] == ',')
		return false;
	if (!sc->run_ok[k] || u < sc->run_from[k] || u >= sc->run_end[k]) {
		size_t end = u;
		while (end < sc->n && s[end] != ',')
			end++;
		/* the last '@' in [u+1, end-2] */
		size_t at = SIZE_MAX;
		for (size_t i = end; i >= u + 3; i--) {
			if (s[i - 2] == '@') {
				at = i - 2;
				break;
			}
		}
		sc->run_from[k] = u;
		sc->run_end[k] = end;
		sc->run_at[k] = at;
		sc->run_ok[k] = true;
	}
	if (sc->run_at[k] == SIZE_MAX || sc->run_at[k] < u + 1)
		return false;
	*len = sc->run_end[k] - u;
	return true;
}

static size_t mime_match_at(struct smtp_addr_scan *sc, size_t t)
{
	size_t best = 0, len;
	if (mime_tail_len(sc, 0, t, &len))
		best = len;
	if (sc->s[t] == '"' && t + 1 < sc->n) {
		const uint8_t *q = memchr(sc->s + t + 1, '"', sc->n - t - 1);
		if (q) {
			size_t u = (size_t)(q - sc->s) + 1;
			if (mime_tail_len(sc, 1, u, &len) && u - t + len > best)
				best = u - t + len;
		}
	}
	return best;
}

static bool scan_begin(struct smtp_addr_scan *sc, struct bytes s, enum smtp_addr_pattern pat)
{
	memset(sc, 0, sizeof *sc);
	sc->s = s.p;
	sc->n = s.n;
	sc->pat = pat;
	if (s.n > SMTP_ADDR_FIND_ALL_MAX) {
		sc->pos = sc->n = 0;
		return false;
	}
	return true;
}

bool smtp_addr_scan_email(struct smtp_addr_scan *sc, struct bytes s)
{
	return scan_begin(sc, s, SMTP_ADDR_EMAIL);
}

bool smtp_addr_scan_mime(struct smtp_addr_scan *sc, struct bytes s)
{
	return scan_begin(sc, s, SMTP_ADDR_MIME);
}

bool smtp_addr_next(struct smtp_addr_scan *sc, struct bytes *match)
{
	while (sc->pos < sc->n) {
		size_t t = sc->pos, len, next = t + 1;
		if (sc->pat == SMTP_ADDR_EMAIL)
			len = email_match_at(sc->s, sc->n, t, &next);
		else
			len = mime_match_at(sc, t);
		if (len > 0) {
			match->p = sc->s + t;
			match->n = len;
			sc->pos = t + len;
			return true;
		}
		sc->pos = next;
	}
	return false;
}

size_t smtp_addr_clean(struct bytes x, uint8_t *out)
{
	size_t k = 0;
	for (size_t i = 0; i < x.n; i++) {
		uint8_t c = x.p[i];
		if (c == '<' || c == '>' || c == ',' || c == ':' || c == ';' || is_blank(c))
			continue;
		out[k++] = c;
	}
	return k;
}

size_t smtp_addr_strip_orcpt(struct bytes x, uint8_t *out)
{
	static const char orcpt[] = "ORCPT=rfc822";
	const size_t on = sizeof orcpt - 1;
	size_t k = 0;
	for (size_t i = 0; i < x.n;) {
		if (x.n - i >= on && memcmp(x.p + i, orcpt, on) == 0) {
			i += on;
			if (i < x.n && x.p[i] == ';')
				i++;
			continue;
		}
		out[k++] = x.p[i++];
	}
	return k;
}

struct bytes smtp_addr_trim(struct bytes x)
{
	while (x.n > 0 && is_space(x.p[x.n - 1]))
		x.n--;
	while (x.n > 0 && is_space(x.p[0])) {
		x.p++;
		x.n--;
	}
	return x;
}

bool smtp_addr_mailfrom(struct bytes arg, uint8_t *out, size_t cap,
			struct bytes *value, bool *too_long)
{
	struct smtp_addr_scan sc;
	struct bytes m;
	bool ok = smtp_addr_scan_email(&sc, arg);
	if (too_long)
		*too_long = !ok;
	if (!smtp_addr_next(&sc, &m) || m.n > cap)
		return false;
	value->p = out;
	value->n = smtp_addr_clean(m, out);
	return true;
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
		for (size_t k = 0; k < 4 && o + k < m->w && is_hex(m->s[o + k]); k++)
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
		if (!is_digit(p[0]))
			continue;
		R |= bit(o + 1);
		if (left < 2 || !is_digit(p[1]))
			continue;
		R |= bit(o + 2);
		if (left < 3 || !is_digit(p[2]))
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

size_t smtp_addr_ip_match(const uint8_t *s, size_t n)
{
	if (n == 0 || !(is_hex(s[0]) || s[0] == ':'))
		return 0;
	struct ipm m = {s, n < IP_WINDOW ? n : IP_WINDOW};
	uint64_t R = m_ip(&m) & ~(uint64_t)1;
	size_t best = 0;
	for (size_t o = 1; o <= m.w; o++)
		if (R & bit(o))
			best = o;
	return best;
}

bool smtp_addr_parse_ip(struct bytes text, struct sl_addr *out)
{
	char tmp[IP_WINDOW + 1];
	if (text.n == 0 || text.n > IP_WINDOW)
		return false;
	memcpy(tmp, text.p, text.n);
	tmp[text.n] = 0;
	if (memchr(tmp, 0, text.n))
		return false;
	if (memchr(tmp, ':', text.n)) {
		uint8_t b[16];
		if (inet_pton(AF_INET6, tmp, b) != 1)
			return false;
		*out = sl_addr_from_v6(b);
		return true;
	}
	/* IPAddr::ConvertString: sscanf("%d.%d.%d.%d"), each 0..255. The
	 * regex only hands us digits and dots, so a plain parse is the same. */
	uint8_t v4[4];
	size_t i = 0;
	for (int k = 0; k < 4; k++) {
		if (k > 0) {
			if (i >= text.n || tmp[i] != '.')
				return false;
			i++;
		}
		unsigned v = 0;
		size_t d = 0;
		while (i < text.n && is_digit((uint8_t)tmp[i]) && d < 10) {
			v = v * 10 + (unsigned)(tmp[i] - '0');
			i++;
			d++;
		}
		if (d == 0 || v > 255)
			return false;
		v4[k] = (uint8_t)v;
	}
	if (i != text.n)
		return false;
	*out = sl_addr_from_v4(v4);
	return true;
}

/* split_string_all(v, ip_addr_regex) one separator at a time. */
struct ip_split {
	const uint8_t *s;
	size_t n, pos;
};

static bool ip_split_next(struct ip_split *sp, size_t *start, size_t *len)
{
	for (size_t t = sp->pos; t < sp->n; t++) {
		size_t l = smtp_addr_ip_match(sp->s + t, sp->n - t);
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

bool smtp_addr_x_originating_ip(struct bytes value, struct sl_addr *out)
{
	struct ip_split sp = {value.p, value.n, 0};
	size_t st, len;
	while (ip_split_next(&sp, &st, &len)) {
		struct bytes t = {value.p + st, len};
		if (smtp_addr_parse_ip(t, out))
			return true;
	}
	return false;
}

static bool wrapped(const uint8_t *s, size_t prev_from, size_t st, size_t end, size_t next_to)
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

bool smtp_addr_received_ip(struct bytes value, struct sl_addr *out)
{
	struct ip_split sp = {value.p, value.n, 0};
	size_t prev_end = 0, st, len, nst = 0, nlen = 0;
	int kept = 0;
	bool have = ip_split_next(&sp, &st, &len);
	while (have) {
		bool more = ip_split_next(&sp, &nst, &nlen);
		size_t end = st + len, next_to = more ? nst : value.n;
		struct bytes t = {value.p + st, len};
		struct sl_addr a;
		if (smtp_addr_parse_ip(t, &a) && wrapped(value.p, prev_end, st, end, next_to)) {
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
