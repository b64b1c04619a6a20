#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "proto/smtp_addr.h"
#include "tests/check.h"
#include "tests/proto/ip_match_ref.h"

static struct bytes B(const char *s)
{
	struct bytes b = {(const uint8_t *)s, strlen(s)};
	return b;
}

/* All matches of a scan, "|"-joined. */
static const char *scan_all(bool mime, const char *s, char *out, size_t cap)
{
	struct smtp_addr_scan sc;
	struct bytes m;
	size_t n = 0;
	out[0] = 0;
	if (mime)
		smtp_addr_scan_mime(&sc, B(s));
	else
		smtp_addr_scan_email(&sc, B(s));
	while (smtp_addr_next(&sc, &m)) {
		if (n + m.n + 2 >= cap)
			break;
		memcpy(out + n, m.p, m.n);
		n += m.n;
		out[n++] = '|';
		out[n] = 0;
	}
	return out;
}

static const char *mailfrom(const char *arg, char *out)
{
	struct bytes v;
	if (!smtp_addr_mailfrom(B(arg), (uint8_t *)out, 1024, &v, NULL))
		return "-";
	out[v.n] = 0;
	return out;
}

/* rcptto values in A order, each cleaned and ORCPT-stripped, "|"-joined. */
static const char *rcpt(const char *arg, char *out)
{
	struct smtp_addr_scan sc;
	struct bytes m;
	uint8_t tmp[1024];
	size_t n = 0;
	out[0] = 0;
	smtp_addr_scan_email(&sc, B(arg));
	while (smtp_addr_next(&sc, &m)) {
		struct bytes c = {tmp, smtp_addr_clean(m, tmp)};
		size_t k = smtp_addr_strip_orcpt(c, tmp);
		memcpy(out + n, tmp, k);
		n += k;
		out[n++] = '|';
		out[n] = 0;
	}
	return out;
}

/* To/Cc pieces, trimmed, "|"-joined. */
static const char *pieces(const char *v, char *out)
{
	struct smtp_addr_scan sc;
	struct bytes m;
	size_t n = 0;
	out[0] = 0;
	smtp_addr_scan_mime(&sc, B(v));
	while (smtp_addr_next(&sc, &m)) {
		struct bytes t = smtp_addr_trim(m);
		memcpy(out + n, t.p, t.n);
		n += t.n;
		out[n++] = '|';
		out[n] = 0;
	}
	return out;
}

static void test_mailfrom(void)
{
	char o[1024];
	CHECK_STR(mailfrom("FROM:<bob@x.org>", o), "bob@x.org");
	CHECK_STR(mailfrom("FROM: <gurpartap@patriots.in>", o), "gurpartap@patriots.in");
	CHECK_STR(mailfrom("From:<a@b> BODY=8BITMIME SIZE=4333", o), "a@b");
	CHECK_STR(mailfrom("FROM:<albert@example.com> SIZE=1234", o), "albert@example.com");
	CHECK_STR(mailfrom("FROM:<linux-kernel-owner@vger.kernel.org> BODY=8BITMIME", o),
		  "linux-kernel-owner@vger.kernel.org");
	CHECK_STR(mailfrom("FROM:<>", o), "-");
	CHECK_STR(mailfrom("FROM:<> SIZE=10", o), "-");
	CHECK_STR(mailfrom("FROM:zeek@localhost", o), "zeek@localhost");
	/* first of several */
	CHECK_STR(mailfrom("FROM:<a@b>,<c@d>", o), "a@b");
	/* ';' and '>' may sit in the local part; deleted afterwards */
	CHECK_STR(mailfrom("FROM: x;y>z@h", o), "xyz@h");
	/* the domain may hold '@', '<' and ':' (':' deleted) */
	CHECK_STR(mailfrom("FROM:<a@b@c:d>", o), "a@b@cd");
	/* no address */
	CHECK_STR(mailfrom("FROM:<@>", o), "-");
	CHECK_STR(mailfrom("FROM:<a@>", o), "-");
	CHECK_STR(mailfrom("FROM:bob", o), "-");
	/* the local part must be preceded by a delimiter or the start */
	CHECK_STR(mailfrom("FROM:\"x y\"@z", o), "y\"@z");
	/* 8-bit bytes pass through */
	CHECK_STR(mailfrom("FROM:<j\xc3\xb6rg@ex.de> SMTPUTF8", o), "j\xc3\xb6rg@ex.de");
}

static void test_rcptto(void)
{
	char o[2048];
	CHECK_STR(rcpt("TO:<felica4uu@hotmail.com>", o), "felica4uu@hotmail.com|");
	CHECK_STR(rcpt("TO:<a@b.c> NOTIFY=NEVER ORCPT=rfc822;a@b.c", o), "a@b.c|a@b.c|");
	CHECK_STR(rcpt("TO:<x@y> ORCPT=rfc822;z@w", o), "x@y|z@w|");
	CHECK_STR(rcpt("TO:<a@b>,<c@d> <e@f>", o), "a@b|c@d|e@f|");
	CHECK_STR(rcpt("TO:<>", o), "");
	/* raw matches as they go into set A */
	CHECK_STR(scan_all(false, "TO:<a@b.c> NOTIFY=NEVER ORCPT=rfc822;a@b.c", o, sizeof o),
		  "<a@b.c>| ORCPT=rfc822;a@b.c|");
	/* the trailer byte is consumed: "<a@b>,c@d" -> two matches */
	CHECK_STR(scan_all(false, "<a@b>,c@d", o, sizeof o), "<a@b>|,c@d|");
	CHECK_STR(scan_all(false, "a@b c@d", o, sizeof o), "a@b |c@d|");
	/* the trailer blank belongs to the first; the next starts bare */
	CHECK_STR(scan_all(false, "x a@b c@d", o, sizeof o), " a@b |c@d|");
	/* gsub of ORCPT is case-sensitive and single-pass */
	uint8_t t[64];
	size_t k = smtp_addr_strip_orcpt(B("orcpt=RFC822a@b"), t);
	CHECK_BYTES(t, k, "orcpt=RFC822a@b");
	k = smtp_addr_strip_orcpt(B("ORCPT=ORCPT=rfc822rfc822a@b"), t);
	CHECK_BYTES(t, k, "ORCPT=rfc822a@b");
	k = smtp_addr_strip_orcpt(B("ORCPT=rfc822;;a@b"), t);
	CHECK_BYTES(t, k, ";a@b");
	k = smtp_addr_clean(B("<a,b:c;d e\tf>"), t);
	CHECK_BYTES(t, k, "abcdef");

	/* 10k-address argument: over max_find_all_string_length -> nothing. */
	size_t cap = 10000 * 12 + 8;
	char *big = malloc(cap);
	size_t n = 0;
	n += (size_t)sprintf(big, "TO:");
	for (int i = 0; i < 10000; i++)
		n += (size_t)sprintf(big + n, "<u%d@h>,", i % 1000);
	struct smtp_addr_scan sc;
	struct bytes m;
	CHECK(!smtp_addr_scan_email(&sc, B(big)));
	CHECK(!smtp_addr_next(&sc, &m));
	/* ... and just under the limit, every address comes out in order. */
	big[SMTP_ADDR_FIND_ALL_MAX] = 0;
	CHECK(smtp_addr_scan_email(&sc, B(big)));
	int count = 0;
	while (smtp_addr_next(&sc, &m))
		count++;
	CHECK(count > 1000);
	free(big);
	bool too_long = false;
	char *arg = malloc(SMTP_ADDR_FIND_ALL_MAX + 32);
	memset(arg, 'x', SMTP_ADDR_FIND_ALL_MAX + 31);
	memcpy(arg, "FROM:<a@b>", 10);
	arg[SMTP_ADDR_FIND_ALL_MAX + 1] = 0;
	struct bytes v;
	uint8_t outb[16];
	CHECK(!smtp_addr_mailfrom(B(arg), outb, sizeof outb, &v, &too_long));
	CHECK(too_long);
	arg[SMTP_ADDR_FIND_ALL_MAX] = 0;
	CHECK(smtp_addr_mailfrom(B(arg), (uint8_t *)arg + 20, SMTP_ADDR_FIND_ALL_MAX, &v,
				 &too_long) == false || v.n > 0);
	free(arg);
	/* A long run without '@' is linear, not quadratic (10000 bytes). */
	char *flat = calloc(1, SMTP_ADDR_FIND_ALL_MAX + 1);
	memset(flat, 'a', SMTP_ADDR_FIND_ALL_MAX);
	CHECK(!smtp_addr_scan_email(&sc, B(flat)) || !smtp_addr_next(&sc, &m));
	memset(flat, '"', SMTP_ADDR_FIND_ALL_MAX);
	flat[SMTP_ADDR_FIND_ALL_MAX - 3] = 'x';
	flat[SMTP_ADDR_FIND_ALL_MAX - 2] = '@';
	flat[SMTP_ADDR_FIND_ALL_MAX - 1] = 'y';
	smtp_addr_scan_mime(&sc, B(flat));
	CHECK(smtp_addr_next(&sc, &m) && m.n == SMTP_ADDR_FIND_ALL_MAX);
	free(flat);
}

static void test_to_cc(void)
{
	char o[4096];
	CHECK_STR(pieces("<raj_deol2002in@yahoo.co.in>", o), "<raj_deol2002in@yahoo.co.in>|");
	CHECK_STR(pieces("\"Doe, John\" <j@x.org>, jane@y.org", o), "\"Doe, John\" <j@x.org>|jane@y.org|");
	CHECK_STR(pieces("undisclosed-recipients:;", o), "");
	CHECK_STR(pieces("ericlim220@yahoo.com, davis_mark1@outlook.com", o),
		  "ericlim220@yahoo.com|davis_mark1@outlook.com|");
	/* baseline bdat-pipeline-8bitmime (folded header, unfolded) */
	CHECK_STR(pieces("Lukasz Luba <lukasz.luba@arm.com>,\n\t\"rafael@kernel.org\" <rafael@kernel.org>, "
			 "open list <linux-kernel@vger.kernel.org>",
			 o),
		  "Lukasz Luba <lukasz.luba@arm.com>|\"rafael@kernel.org\" <rafael@kernel.org>|"
		  "open list <linux-kernel@vger.kernel.org>|");
	CHECK_STR(pieces("\"Darrick J. Wong\" <darrick.wong@oracle.com>, CIFS <linux-cifs@vger.kernel.org>", o),
		  "\"Darrick J. Wong\" <darrick.wong@oracle.com>|CIFS <linux-cifs@vger.kernel.org>|");
	/* group syntax: the group name stays in the piece (Zeek's note) */
	CHECK_STR(pieces("friends: a@b, c@d;", o), "friends: a@b|c@d;|");
	/* '@' must have a byte on each side within the comma run */
	CHECK_STR(pieces("@a, b@, c@d", o), "c@d|");
	/* quoted phrase with comma but no address after it: plain match */
	CHECK_STR(pieces("\"a@b, c\" x", o), "\"a@b|");
	/* unterminated quote */
	CHECK_STR(pieces("\"abc d@e, f@g", o), "\"abc d@e|f@g|");
	/* trimming uses isspace (CR, LF, VT, FF too) */
	CHECK_STR(pieces(" \r\n a@b \x0b\x0c", o), "a@b|");
	/* whitespace-only tail after the last comma */
	CHECK_STR(pieces("a@b, ", o), "a@b|");
	/* several quoted phrases */
	CHECK_STR(pieces("\"x\" \"y, z\" <q@r>", o), "\"y, z\" <q@r>|");
	CHECK(smtp_addr_trim(B("   ")).n == 0);
}

static const char *ipstr(const struct sl_addr *a, char *o)
{
	if (sl_addr_is_v4(a))
		inet_ntop(AF_INET, a->b + 12, o, 64);
	else
		inet_ntop(AF_INET6, a->b, o, 64);
	return o;
}

static const char *recv_ip(const char *v, char *o)
{
	struct sl_addr a;
	if (!smtp_addr_received_ip(B(v), &a))
		return "-";
	return ipstr(&a, o);
}

static const char *xoip(const char *v, char *o)
{
	struct sl_addr a;
	if (!smtp_addr_x_originating_ip(B(v), &a))
		return "-";
	return ipstr(&a, o);
}

static size_t ipm(const char *s)
{
	return smtp_addr_ip_match((const uint8_t *)s, strlen(s));
}

static void test_ip_regex(void)
{
	CHECK(ipm("1.2.3.4") == 7);
	CHECK(ipm("1.2.3.4.5") == 7);
	CHECK(ipm("255.255.255.255") == 15);
	CHECK(ipm("1.2.3.256") == 8); /* "25": 256 is no octet */
	CHECK(ipm("021.03.04.01") == 12);
	CHECK(ipm("1.2.3") == 0);
	CHECK(ipm("x1.2.3.4") == 0);
	CHECK(ipm("::") == 2);
	CHECK(ipm("::1") == 3);
	CHECK(ipm("2001:db8::1") == 11);
	CHECK(ipm("1:2:3:4:5:6:7:8") == 15);
	CHECK(ipm("1:2:3:4:5:6:7:8:9") == 15);
	CHECK(ipm("1:2:3:4:5:6:1.2.3.4") == 19);
	CHECK(ipm("1:2:3:4:5:6:7::") == 15);
	CHECK(ipm("::1.2.3.4") == 9);
	/* compressed + IPv4 has no ':' before the IPv4 part (addrs.zeek) */
	CHECK(ipm("::ffff:1.2.3.4") == 8);   /* "::ffff:1" */
	CHECK(ipm("::ffff:11.2.3.4") == 15); /* "ffff:1" + "1.2.3.4" */
	CHECK(ipm("6:2607:f8b0:4864:20::42f") == 24);
	CHECK(ipm("abcd") == 0);
	CHECK(ipm("fe80::1%eth0") == 7);
	(void)ipm("12345::1"); /* must only terminate safely */
	CHECK(ipm("2345::1") == 7);

	struct sl_addr a;
	char o[64];
	CHECK(smtp_addr_parse_ip(B("021.03.04.01"), &a));
	CHECK_STR(ipstr(&a, o), "21.3.4.1");
	CHECK(smtp_addr_parse_ip(B("2001:db8::1"), &a));
	CHECK_STR(ipstr(&a, o), "2001:db8::1");
	CHECK(!smtp_addr_parse_ip(B("1.2.3"), &a));
	CHECK(!smtp_addr_parse_ip(B("1.2.3.256"), &a));
	CHECK(!smtp_addr_parse_ip(B("1:2"), &a));
}

static void test_received(void)
{
	char o[64];
	CHECK_STR(recv_ip("from mail.iosphere.net (mail.iosphere.net [216.58.97.33]) by "
			  "mail.netscape.com (8.9.3/8.9.3) with ESMTP id KAA02138",
			  o),
		  "216.58.97.33");
	/* [IPv6:...] is never extracted: the match starts at the '6'. */
	CHECK_STR(recv_ip("from mail-io1-xd2f.google.com ([IPv6:2607:f8b0:4864:20::42f]) by x", o), "-");
	/* wrapped by brackets, parens, braces, blanks, or the whole value */
	CHECK_STR(recv_ip("from x ([23.128.96.19]:57008 helo=y)", o), "23.128.96.19");
	CHECK_STR(recv_ip("from x (23.128.96.19) by y", o), "23.128.96.19");
	CHECK_STR(recv_ip("from x {1.2.3.4} by y", o), "1.2.3.4");
	CHECK_STR(recv_ip("from x 1.2.3.4 by y", o), "1.2.3.4");
	CHECK_STR(recv_ip("1.2.3.4", o), "1.2.3.4");
	CHECK_STR(recv_ip("from 1.2.3.4 by y", o), "1.2.3.4");
	CHECK_STR(recv_ip("1.2.3.4 by y", o), "-");   /* p1 empty, p3 not */
	CHECK_STR(recv_ip("from [1.2.3.4)", o), "-"); /* mismatched pair */
	/* second of several wrapped IPs */
	CHECK_STR(recv_ip("from a ([10.0.0.1]) by b ([170.253.51.130]) with c ([9.9.9.9])", o),
		  "170.253.51.130");
	CHECK_STR(recv_ip("from a (b [192.168.1.1]) by c", o), "192.168.1.1");
	CHECK_STR(recv_ip("from x ([021.03.04.01])", o), "21.3.4.1");
	CHECK_STR(recv_ip("by x with ESMTP id 12345; Mon, 5 Oct 2009 11:36:07 +0530", o), "-");
	CHECK_STR(recv_ip("from x (x [2001:db8::1]) by y", o), "2001:db8::1");
	/* two IPs back to back: both neighbours empty counts as wrapped */
	CHECK_STR(recv_ip("::1::2", o), "::2");
	CHECK_STR(recv_ip("", o), "-");
	/* a time stamp is not an IP */
	CHECK_STR(recv_ip("Tue, 23 Feb 2021 10:01:11 +0000", o), "-");

	CHECK_STR(xoip("[192.168.1.23]", o), "192.168.1.23");
	CHECK_STR(xoip("abc 10.1.2.3x", o), "10.1.2.3");
	CHECK_STR(xoip("IPv6:2607:f8b0::1", o), "6:2607:f8b0::1");
	CHECK_STR(xoip("none", o), "-");

	/* 64 KiB header of digits and dots: bounded work, no crash */
	size_t n = 65536;
	char *h = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		h[i] = (i % 4 == 3) ? '.' : '1';
	h[n] = 0;
	struct sl_addr a;
	/* Only termination and memory safety are under test here (the
	 * sanitizer pass runs this binary too), so the answers are not checked. */
	(void)smtp_addr_received_ip(B(h), &a);
	for (size_t i = 0; i < n; i++)
		h[i] = (i % 2) ? ':' : 'f';
	(void)smtp_addr_received_ip(B(h), &a);
	free(h);
}

/* ---- the DFAs against the bit-set reference ----------------------------
 * Every string is compared at every offset (smtp_addr_ip_match) and as a
 * whole (both header extractions). `scale` (the program's argument,
 * default 1) multiplies the number of strings. */

static uint64_t rng = 0x6970646661ull; /* "ipdfa" */

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned rndn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

struct ip_stats {
	long strings, offsets, matches, separators, xoip, received, failures;
};

static struct ip_stats ips;

static void ip_fail(const uint8_t *s, size_t n, const char *what, size_t at, size_t got,
		    size_t want)
{
	if (ips.failures++ >= 5)
		return;
	fprintf(stderr, "ip DFA differs from the reference (%s at %zu: %zu, want %zu) on \"", what,
		at, got, want);
	for (size_t i = 0; i < n && i < 200; i++)
		fputc(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?', stderr);
	fprintf(stderr, "%s\"\n", n > 200 ? "..." : "");
}

static bool same_result(bool x, const struct sl_addr *a, bool y, const struct sl_addr *b)
{
	return x == y && (!x || sl_addr_cmp(a, b) == 0);
}

static uint8_t *ip_lens;

static void ip_compare(const uint8_t *s, size_t n)
{
	ref_ip_lens(s, n, ip_lens);
	ips.strings++;
	for (size_t t = 0; t < n; t++) {
		size_t got = smtp_addr_ip_match(s + t, n - t);
		ips.offsets++;
		ips.matches += ip_lens[t] > 0;
		if (got != ip_lens[t]) {
			ip_fail(s, n, "match", t, got, ip_lens[t]);
			return;
		}
	}
	struct bytes v = {s, n};
	struct smtp_addr_ip_split sp;
	struct ref_split rp = {ip_lens, n, 0};
	size_t st, len, rst, rlen;
	smtp_addr_ip_split_begin(&sp, v);
	for (;;) {
		bool x = ref_split_next(&rp, &rst, &rlen), y = smtp_addr_ip_split_next(&sp, &st, &len);
		if (x != y || (x && (st != rst || len != rlen))) {
			ip_fail(s, n, "split", x ? rst : n, y ? len : 0, x ? rlen : 0);
			return;
		}
		if (!x)
			break;
		ips.separators++;
	}
	struct sl_addr a, b;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	bool x = ref_x_originating_ip(v, ip_lens, &a), y = smtp_addr_x_originating_ip(v, &b);
	ips.xoip += x;
	if (!same_result(x, &a, y, &b))
		ip_fail(s, n, "x-originating-ip", 0, y, x);
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	x = ref_received_ip(v, ip_lens, &a), y = smtp_addr_received_ip(v, &b);
	ips.received += x;
	if (!same_result(x, &a, y, &b))
		ip_fail(s, n, "received", 0, y, x);
}

static const char ip_alphabet[] = "0123456789abcdefABCDEF:.x [](){}";

/* A random string over ip_alphabet, each byte drawn with its own weight:
 * some strings favour digits and dots, some hex and colons. */
static size_t ip_random(uint8_t *s, size_t max)
{
	enum { K = sizeof ip_alphabet - 1 };
	unsigned w[K], sum = 0;
	unsigned mode = rndn(4);
	for (unsigned i = 0; i < K; i++) {
		w[i] = rndn(8);
		w[i] *= w[i];
		if (mode == 1 && i < 10)
			w[i] += 40; /* digits */
		if (mode == 1 && ip_alphabet[i] == '.')
			w[i] += 20;
		if (mode == 2 && i < 22)
			w[i] += 20; /* hex */
		if (mode == 2 && ip_alphabet[i] == ':')
			w[i] += 30;
		sum += w[i];
	}
	if (sum == 0)
		w[0] = sum = 1;
	size_t n = 1 + rndn((unsigned)max);
	for (size_t k = 0; k < n; k++) {
		unsigned r = rndn(sum), i = 0;
		while (r >= w[i])
			r -= w[i++];
		s[k] = (uint8_t)ip_alphabet[i];
	}
	return n;
}

static size_t put(uint8_t *s, size_t k, const char *t)
{
	size_t l = strlen(t);
	memcpy(s + k, t, l);
	return k + l;
}

/* Runs of digits, hex, dots and colons, now and then a separator. */
static size_t ip_runs(uint8_t *s, size_t max)
{
	static const char *digits[] = {"0123456789", "012", "25", "0", "2456"};
	size_t k = 0;
	const char *dig = digits[rndn(5)];
	while (k + 8 < max) {
		unsigned r = rndn(10), len = 1 + rndn(5);
		if (r < 3) {
			for (unsigned i = 0; i < len; i++)
				s[k++] = (uint8_t)dig[rndn((unsigned)strlen(dig))];
		} else if (r < 5) {
			for (unsigned i = 0; i < len; i++)
				s[k++] = (uint8_t)ip_alphabet[rndn(22)];
		} else if (r < 6) {
			s[k++] = '.';
		} else if (r < 8) {
			s[k++] = ':';
		} else if (r < 9) {
			k = put(s, k, "::");
		} else {
			s[k++] = (uint8_t) " []x(){}"[rndn(8)];
		}
		if (rndn(12) == 0)
			break;
	}
	return k;
}

static size_t gen_octet(uint8_t *s, size_t k)
{
	/* the edges of the octet pattern's alternatives, often */
	static const unsigned edge[] = {0,   1,   9,   10,  99,  100, 199, 200, 209, 240,
					249, 250, 255, 256, 259, 260, 299, 300, 999};
	unsigned v = rndn(12) == 0 ? 256 + rndn(744) : rndn(256);
	if (rndn(3) == 0)
		v = edge[rndn(sizeof edge / sizeof edge[0])];
	char t[8];
	switch (rndn(4)) {
	case 0:
		snprintf(t, sizeof t, "%03u", v);
		break;
	case 1:
		snprintf(t, sizeof t, "%u", v % 10);
		break;
	default:
		snprintf(t, sizeof t, "%u", v);
		break;
	}
	return put(s, k, t);
}

static size_t gen_v4(uint8_t *s, size_t k)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			s[k++] = '.';
		k = gen_octet(s, k);
	}
	return k;
}

static size_t gen_hextet(uint8_t *s, size_t k)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	unsigned len = rndn(16) == 0 ? 5 : 1 + rndn(4);
	if (rndn(4) == 0) { /* digits only: an IPv4 octet lookalike */
		for (unsigned i = 0; i < len; i++)
			s[k++] = (uint8_t)('0' + rndn(10));
		return k;
	}
	for (unsigned i = 0; i < len; i++)
		s[k++] = (uint8_t)hex[rndn(22)];
	return k;
}

static size_t gen_hextets(uint8_t *s, size_t k, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		if (i)
			s[k++] = ':';
		k = gen_hextet(s, k);
	}
	return k;
}

/* An address text of one of the regex's forms, now and then one hextet
 * too many or too few, a ':' where the form has none, or an IPv4 part
 * with a bad octet. Needs 64 bytes. */
static size_t gen_address(uint8_t *s)
{
	size_t k = 0;
	unsigned lead, trail, wobble = rndn(6) == 0 ? 1 : 0;
	switch (rndn(6)) {
	case 0:
		return gen_v4(s, 0);
	case 1:
		return gen_hextets(s, 0, 8 - wobble + 2 * wobble * rndn(2));
	case 2:
		k = gen_hextets(s, 0, 6 - wobble + 2 * wobble * rndn(2));
		s[k++] = ':';
		return gen_v4(s, k);
	case 3:
	case 4:
		lead = rndn(8 + wobble);
		trail = rndn(8 - (lead < 8 ? lead : 7) + wobble);
		k = gen_hextets(s, 0, lead);
		k = put(s, k, "::");
		return gen_hextets(s, k, trail);
	default:
		lead = rndn(6 + wobble);
		trail = rndn(6 - (lead < 6 ? lead : 5) + wobble);
		k = gen_hextets(s, 0, lead);
		k = put(s, k, "::");
		k = gen_hextets(s, k, trail);
		if (rndn(3) == 0 || (trail > 0 && rndn(2) == 0))
			s[k++] = ':';
		return gen_v4(s, k);
	}
}

/* An address, every prefix and suffix of it, and the address between
 * random neighbours. */
static void ip_address_family(void)
{
	static const char *around[] = {"",        "[", "]", "(", ")",  " ",  "x",
				       "1",       "f", ":", ".", "::", "1.", "from x [",
				       "]) by y", "{", "}", "a", "0",  "B:"};
	enum { NA = sizeof around / sizeof around[0] };
	uint8_t a[64], s[256];
	size_t n = gen_address(a);
	for (size_t i = 1; i <= n; i++) {
		ip_compare(a, i);         /* prefix */
		ip_compare(a + n - i, i); /* suffix */
	}
	for (int r = 0; r < 4; r++) {
		size_t k = put(s, 0, around[rndn(NA)]);
		memcpy(s + k, a, n);
		k += n;
		k = put(s, k, around[rndn(NA)]);
		if (rndn(2)) {
			k += gen_address(s + k);
			k = put(s, k, around[rndn(NA)]);
		}
		ip_compare(s, k);
	}
}

/* n bytes of `unit` repeated. */
static void fill_pattern(uint8_t *s, size_t n, const char *unit)
{
	size_t l = strlen(unit);
	for (size_t i = 0; i < n; i++)
		s[i] = (uint8_t)unit[i % l];
}

static void test_ip_dfa(long scale)
{
	ip_lens = malloc(65536);
	uint8_t *s = malloc(65536);
	/* About 2.5 s at scale 1 (-O2), nearly all of it in the reference. */
	for (long i = 0; i < 12000 * scale; i++)
		ip_compare(s, ip_random(s, rndn(4) == 0 ? 100 : 24));
	for (long i = 0; i < 12000 * scale; i++)
		ip_compare(s, ip_runs(s, 64));
	for (long i = 0; i < 500 * scale; i++)
		ip_address_family();
	/* Hand-picked: the documented oddities and the forms' edges. */
	static const char *picked[] = {"::ffff:1.2.3.4",
				       "::ffff:11.2.3.4",
				       "1:2:3:4:5:6:1.2.3.4",
				       "1:2:3:4:5::1.2.3.4",
				       "1:2:3:4:5:1.2.3.4",
				       "12345::1",
				       "1::2::3",
				       "::::",
				       "1.2.3.4.5.6.7.8",
				       "255.255.255.2555",
				       "1:2:3:4:5:6:7:8:9",
				       "fe80::1%eth0",
				       "::1.2.3.4",
				       "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
				       "1:2:3:4:5::6:7:8"};
	for (size_t i = 0; i < sizeof picked / sizeof picked[0]; i++)
		ip_compare((const uint8_t *)picked[i], strlen(picked[i]));
	/* The longest matches at every offset around the end of the split's
	 * first chunk of starts. */
	static const char *longest[] = {"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
					"ffff:ffff:ffff:ffff:ffff::ffff:255.255.255.255",
					"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"};
	for (size_t o = SMTP_ADDR_IP_CHUNK - 50; o < SMTP_ADDR_IP_CHUNK + 5; o++) {
		for (size_t i = 0; i < sizeof longest / sizeof longest[0]; i++) {
			memset(s, 'x', o);
			size_t k = put(s, o, longest[i]);
			ip_compare(s, put(s, k, " x"));
		}
	}
	/* 64 KiB lines: hostile patterns (the first two always, the rest at
	 * larger scales), then addresses amid random bytes. */
	static const char *units[] = {"1:1:1:1:1.1.1.",
				      "1111:1111:1111:1111:1111:1111:1111x",
				      "f:",
				      "1.",
				      "25",
				      "1:2:3:4:5:6:7:",
				      "::1.2.3.4",
				      "[1.2.3.4] "};
	const size_t big = 65536;
	for (size_t u = 0; u < sizeof units / sizeof units[0] && (u < 2 || scale > 1); u++) {
		fill_pattern(s, big, units[u]);
		ip_compare(s, big);
	}
	for (long r = 0; r < scale; r++) {
		size_t k = 0;
		while (k + 300 < big) {
			if (rndn(3) == 0)
				k += gen_address(s + k);
			else
				k += ip_random(s + k, 40);
		}
		ip_compare(s, k);
	}
	printf("ip DFA: %ld strings, %ld offsets, %ld matches, %ld separators, %ld "
	       "X-Originating-IP and %ld Received addresses, compared\n",
	       ips.strings, ips.offsets, ips.matches, ips.separators, ips.xoip, ips.received);
	CHECK(ips.failures == 0);
	/* The comparison saw real values: matches and addresses of both kinds. */
	CHECK(ips.matches > ips.offsets / 50 && ips.separators > ips.strings / 2);
	CHECK(ips.xoip > ips.strings / 10 && ips.received > ips.strings / 20);
	free(s);
	free(ip_lens);
}

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	test_mailfrom();
	test_rcptto();
	test_to_cc();
	test_ip_regex();
	test_received();
	test_ip_dfa(scale > 0 ? scale : 1);
	return check_summary();
}
