#include "proto/smtp_addr.h"

#include <arpa/inet.h>
#include <string.h>

/* ---- the email pattern ------------------------------------------------
 * (^|[<,:[:blank:]])[^<,:[:blank:]@]+@[^>,;[:blank:]]+([>,;[:blank:]]|$)
 * find_all() feeds "beginning of line" at every position, so the leading
 * group is "one delimiter or nothing". The local part cannot start with a
 * delimiter, so at most one alternative applies; the domain stops at the
 * first byte of the trailer set, which is then part of the match (or the
 * end of the string satisfies $). */

static bool email_lead(uint8_t c)
{
	return c == '<' || c == ',' || c == ':' || ascii_is_blank(c);
}

static bool email_local_stop(uint8_t c)
{
	return email_lead(c) || c == '@';
}

static bool email_domain_stop(uint8_t c)
{
	return c == '>' || c == ',' || c == ';' || ascii_is_blank(c);
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
		if (c == '<' || c == '>' || c == ',' || c == ':' || c == ';' ||
		    ascii_is_blank(c))
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
	x.n -= bytes_rspan(x.p, x.n, ASCII_SPACE);
	size_t lead = bytes_span(x.p, x.n, ASCII_SPACE);
	if (lead) { /* never an offset on an empty view's NULL */
		x.p += lead;
		x.n -= lead;
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
 * Two DFAs made by tools/gen_ip_dfa.py from the regex: ip_fwd matches
 * from a given offset, ip_rev tells where matches start (see the .inc). */

#include "proto/smtp_addr_ip_dfa.inc"

#define IP_TEXT_MAX 63 /* smtp_addr_parse_ip's limit; matches are shorter */

size_t smtp_addr_ip_match(const uint8_t *s, size_t n)
{
	size_t best = 0;
	unsigned st = 1;
	/* No live prefix is longer than IP_DFA_MAX_MATCH, so this stops by
	 * then at the latest. */
	for (size_t i = 0; i < n; i++) {
		st = ip_fwd[st][ip_dfa_class[s[i]]];
		if (st == 0)
			break;
		if (st >= IP_FWD_FIRST_ACCEPT)
			best = i + 1;
	}
	return best;
}

bool smtp_addr_parse_ip(struct bytes text, struct sl_addr *out)
{
	char tmp[IP_TEXT_MAX + 1];
	if (text.n == 0 || text.n > IP_TEXT_MAX)
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
		while (i < text.n && ascii_is_digit((uint8_t)tmp[i]) && d < 10) {
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

/* ---- split_string_all(v, ip_addr_regex) --------------------------------
 * The next separator is the longest match at the first offset >= pos where
 * a match starts. Where matches start comes from ip_rev, run backwards
 * over a chunk of SMTP_ADDR_IP_CHUNK offsets plus the IP_DFA_MAX_MATCH - 1
 * bytes after it (no match from inside the chunk reaches further), so
 * every byte is read by ip_rev about once and by ip_fwd only from the
 * starts of actual matches: linear, where trying ip_fwd at every offset
 * reads a byte up to 45 times ("1111:1111:1111:1111:1111:1111:1111x" over
 * and over is an address prefix at every offset and an address nowhere). */

void smtp_addr_ip_split_begin(struct smtp_addr_ip_split *sp, struct bytes v)
{
	sp->s = v.p;
	sp->n = v.n;
	sp->pos = sp->from = sp->to = 0;
}

/* starts[] for [from, from + SMTP_ADDR_IP_CHUNK). */
static void ip_split_chunk(struct smtp_addr_ip_split *sp, size_t from)
{
	size_t to = sp->n - from > SMTP_ADDR_IP_CHUNK ? from + SMTP_ADDR_IP_CHUNK : sp->n;
	size_t end = sp->n - to > IP_DFA_MAX_MATCH - 1 ? to + IP_DFA_MAX_MATCH - 1 : sp->n;
	const uint8_t *s = sp->s;
	unsigned st = 0;
	memset(sp->starts, 0, sizeof sp->starts);
	for (size_t i = end; i > to; i--)
		st = ip_rev[st][ip_dfa_class[s[i - 1]]];
	for (size_t i = to; i > from; i--) {
		st = ip_rev[st][ip_dfa_class[s[i - 1]]];
		if (st >= IP_REV_FIRST_ACCEPT)
			sp->starts[(i - 1 - from) / 64] |= (uint64_t)1 << ((i - 1 - from) % 64);
	}
	sp->from = from;
	sp->to = to;
}

bool smtp_addr_ip_split_next(struct smtp_addr_ip_split *sp, size_t *start, size_t *len)
{
	size_t t = sp->pos;
	while (t < sp->n) {
		if (t < sp->from || t >= sp->to)
			ip_split_chunk(sp, t);
		size_t k = t - sp->from;
		uint64_t w = sp->starts[k / 64] >> (k % 64);
		if (w == 0) {
			t = sp->from + (k / 64 + 1) * 64;
			if (t > sp->to)
				t = sp->to;
			continue;
		}
		t += (size_t)__builtin_ctzll(w);
		size_t l = smtp_addr_ip_match(sp->s + t, sp->n - t);
		if (l > 0) {
			*start = t;
			*len = l;
			sp->pos = t + l;
			return true;
		}
		t++; /* not reached: the two DFAs agree on where matches start */
	}
	sp->pos = sp->n;
	return false;
}

bool smtp_addr_x_originating_ip(struct bytes value, struct sl_addr *out)
{
	struct smtp_addr_ip_split sp;
	smtp_addr_ip_split_begin(&sp, value);
	size_t st, len;
	while (smtp_addr_ip_split_next(&sp, &st, &len)) {
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
	struct smtp_addr_ip_split sp;
	smtp_addr_ip_split_begin(&sp, value);
	size_t prev_end = 0, st, len, nst = 0, nlen = 0;
	int kept = 0;
	bool have = smtp_addr_ip_split_next(&sp, &st, &len);
	while (have) {
		bool more = smtp_addr_ip_split_next(&sp, &nst, &nlen);
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
