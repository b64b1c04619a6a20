/*
 * Zeek-compatible MIME detection (zeek-core-spec §5.5); see core/magic.h.
 *
 * How Zeek decides, restated from its signature engine:
 *  - every file-magic rule is a regular expression anchored at offset 0; it
 *    matches when some prefix of the (at most 4096-byte) buffer fits it;
 *  - `.` matches any byte (newline included); `$` never matches because
 *    the end of data is not signalled; a `^` that is not the first item of
 *    a rule can never match either, so rules built that way are dead;
 *  - [:space:], [:print:] and friends are the C-locale ctype classes;
 *  - a rule written without a strength has strength 0;
 *  - best = highest strength, ties broken by the smallest type string.
 *
 * Most rules are "these bytes at these offsets", kept below as a list of
 * pieces that must all hold. Rules with repetitions, optional prefixes or
 * searches get a small hand-written function each.
 */
#include "core/magic.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

/* ---- bounded byte tests ------------------------------------------------ */

/* s (length sl) at offset at. */
static bool eq_at(const uint8_t *d, size_t n, size_t at, const char *s,
		  size_t sl)
{
	return at <= n && sl <= n - at && memcmp(d + at, s, sl) == 0;
}

#define LIT_AT(d, n, at, str) eq_at((d), (n), (at), (str), sizeof(str) - 1)

/* ASCII letters compared without case; s is lower case. */
static bool eq_nocase_at(const uint8_t *d, size_t n, size_t at, const char *s,
			 size_t sl)
{
	if (at > n || sl > n - at)
		return false;
	for (size_t i = 0; i < sl; i++)
		if (ascii_lower(d[at + i]) != (uint8_t)s[i])
			return false;
	return true;
}

#define NOCASE_AT(d, n, at, str)                                             \
	eq_nocase_at((d), (n), (at), (str), sizeof(str) - 1)

/* Like LIT_AT, but a '.' in str stands for any byte (it is an unescaped
 * regex dot in the rule, e.g. inside URLs). */
static bool eq_dots_at(const uint8_t *d, size_t n, size_t at, const char *s)
{
	size_t sl = strlen(s);
	if (at > n || sl > n - at)
		return false;
	for (size_t i = 0; i < sl; i++)
		if (s[i] != '.' && d[at + i] != (uint8_t)s[i])
			return false;
	return true;
}

static bool byte_at(const uint8_t *d, size_t n, size_t at, int c)
{
	return at < n && d[at] == c;
}

/* Whether s (sl >= 1 bytes) is at d + i (i + sl <= n checked before). */
static bool starts_at(const uint8_t *d, size_t i, const char *s, size_t sl)
{
	return d[i] == (uint8_t)s[0] && (sl < 2 || d[i + 1] == (uint8_t)s[1]) &&
	       (sl < 3 || memcmp(d + i + 2, s + 2, sl - 2) == 0);
}

/*
 * The first offset >= from where s (sl >= 1 bytes) starts, or SIZE_MAX:
 * the searches below. A few offsets are tried by hand, then memchr jumps
 * to the next first byte, so that both a rare first byte (memchr's
 * stride) and a frequent one (no call per candidate) stay cheap.
 */
static size_t find_at(const uint8_t *d, size_t n, size_t from, const char *s,
		      size_t sl)
{
	if (from > n || sl > n - from)
		return SIZE_MAX;
	size_t last = n - sl, i = from;
	while (i <= last) {
		size_t stop = last - i >= 16 ? i + 16 : last + 1;
		for (; i < stop; i++)
			if (starts_at(d, i, s, sl))
				return i;
		if (i > last)
			break;
		const uint8_t *p = memchr(d + i, (uint8_t)s[0], last - i + 1);
		if (!p)
			break;
		i = (size_t)(p - d);
		if (starts_at(d, i, s, sl))
			return i;
		i++;
	}
	return SIZE_MAX;
}

/* [\x0d\x0a[:blank:]] in the rules: CR, LF, space, tab (not \v or \f,
 * which [:space:] has). */
static bool is_ws(uint8_t c)
{
	return ascii_is_blank(c) || c == '\r' || c == '\n';
}

static size_t skip_ws(const uint8_t *d, size_t n, size_t at)
{
	while (at < n && is_ws(d[at]))
		at++;
	return at;
}

/* Optional byte-order marks some rules allow before their pattern: UTF-8,
 * UTF-16 LE, UTF-16 BE. Returns where the body may start (0 if none). */
static size_t short_bom(const uint8_t *d, size_t n)
{
	if (LIT_AT(d, n, 0, "\xef\xbb\xbf"))
		return 3;
	if (LIT_AT(d, n, 0, "\xff\xfe") || LIT_AT(d, n, 0, "\xfe\xff"))
		return 2;
	return 0;
}

/* ---- text ---------------------------------------------------------------- */

/* text/plain: an optional BOM (UTF-8, UTF-16 either order, UTF-32 either
 * order), then 10 bytes that are each whitespace or printable ASCII. */
static bool ten_texty(const uint8_t *d, size_t n, size_t at)
{
	if (at > n || n - at < 10)
		return false;
	for (size_t i = 0; i < 10; i++)
		if (!ascii_is(d[at + i], ASCII_SPACE | ASCII_PRINT))
			return false;
	return true;
}

static bool m_text(const uint8_t *d, size_t n)
{
	if (ten_texty(d, n, 0))
		return true;
	if (LIT_AT(d, n, 0, "\xef\xbb\xbf") && ten_texty(d, n, 3))
		return true;
	if (LIT_AT(d, n, 0, "\xfe\xff") && ten_texty(d, n, 2))
		return true;
	if (LIT_AT(d, n, 0, "\x00\x00\xfe\xff") && ten_texty(d, n, 4))
		return true;
	if (LIT_AT(d, n, 0, "\xff\xfe") && ten_texty(d, n, 2))
		return true;
	return LIT_AT(d, n, 0, "\xff\xfe\x00\x00") && ten_texty(d, n, 4);
}

/* JSON object start: { key : value-start, key quoted or a bare word. */
static bool m_json_object(const uint8_t *d, size_t n)
{
	size_t i = skip_ws(d, n, short_bom(d, n));
	if (!byte_at(d, n, i, '{'))
		return false;
	i = skip_ws(d, n, i + 1);
	if (byte_at(d, n, i, '"')) {
		size_t j = i + 1;
		while (j < n && d[j] != '"')
			j++;
		if (j >= n || j == i + 1)
			return false;
		i = j + 1;
	} else if (i < n && ascii_is_alpha(d[i])) {
		i++;
		while (i < n && (ascii_is_alnum(d[i]) || d[i] == '\\' || d[i] == '_'))
			i++;
	} else {
		return false;
	}
	i = skip_ws(d, n, i);
	if (!byte_at(d, n, i, ':'))
		return false;
	i = skip_ws(d, n, i + 1);
	if (i >= n)
		return false;
	return d[i] == '"' || d[i] == '[' || d[i] == '{' || ascii_is_digit(d[i]) ||
	       LIT_AT(d, n, i, "true") || LIT_AT(d, n, i, "false");
}

/* JSON array start: [ then an object, an array, or a scalar and a comma. */
static bool m_json_array(const uint8_t *d, size_t n)
{
	size_t i = skip_ws(d, n, short_bom(d, n));
	if (!byte_at(d, n, i, '['))
		return false;
	i = skip_ws(d, n, i + 1);
	if (i >= n)
		return false;
	if (d[i] == '{' || d[i] == '[')
		return true;
	if (d[i] == '"') {
		size_t j = i + 1;
		while (j < n && d[j] != '"')
			j++;
		if (j >= n || j == i + 1)
			return false;
		i = j + 1;
	} else if (ascii_is_digit(d[i])) {
		while (i < n && ascii_is_digit(d[i]))
			i++;
		if (byte_at(d, n, i, '.') && i + 1 < n && ascii_is_digit(d[i + 1])) {
			i++;
			while (i < n && ascii_is_digit(d[i]))
				i++;
		}
	} else if (LIT_AT(d, n, i, "true")) {
		i += 4;
	} else if (LIT_AT(d, n, i, "false")) {
		i += 5;
	} else {
		return false;
	}
	i = skip_ws(d, n, i);
	return byte_at(d, n, i, ',');
}

/* ---- markup (XML, HTML and relatives) ------------------------------------ */

/*
 * The markup rules allow a prologue before the tag they look for: an
 * optional BOM, then any mix of whitespace and <!-- ... --> comments, and
 * (for most of them) one <?xml ... ?> declaration. A comment's or the
 * declaration's body may contain anything, "-->" and "?>" included, so the
 * prologue can end after any later closer. This computes every offset at
 * which the prologue can end, in one forward pass.
 */
#define MARKUP_REACH_BYTES ((MAGIC_BOF_SIZE + 1 + 7) / 8)

static void reach_set(uint8_t *r, size_t i)
{
	r[i / 8] |= (uint8_t)(1u << (i % 8));
}

static bool reach_get(const uint8_t *r, size_t i)
{
	return (r[i / 8] >> (i % 8)) & 1u;
}

typedef bool (*markup_tag_fn)(const uint8_t *d, size_t n, size_t at);

static bool markup_match(const uint8_t *d, size_t n, bool bom, bool xmldecl,
			 markup_tag_fn tag)
{
	uint8_t reach[MARKUP_REACH_BYTES];
	size_t comment = SIZE_MAX, decl = SIZE_MAX;
	size_t furthest = 0;	/* the last position marked reachable */

	if (n > MAGIC_BOF_SIZE)
		n = MAGIC_BOF_SIZE;
	memset(reach, 0, sizeof(reach));
	reach_set(reach, 0);
	if (bom) {
		size_t b = short_bom(d, n);
		if (b) {
			reach_set(reach, b);
			furthest = b;
		}
	}
	/* The byte tests before each literal test and tag call only skip
	 * what cannot match there (every tag starts with '<', or with a NUL
	 * for tag_xml): a buffer of blanks, all of it reachable, would
	 * otherwise call every tag at every offset. */
	for (size_t i = 0; i <= n; i++) {
		uint8_t c = i < n ? d[i] : 0;
		if (c == '-' && comment != SIZE_MAX && i >= comment + 4 &&
		    LIT_AT(d, n, i, "-->")) {
			reach_set(reach, i + 3);
			furthest = i + 3 > furthest ? i + 3 : furthest;
		}
		if (c == '?' && decl != SIZE_MAX && i >= decl + 6 &&
		    LIT_AT(d, n, i, "?>")) {
			reach_set(reach, i + 2);
			furthest = i + 2 > furthest ? i + 2 : furthest;
		}
		if (!reach_get(reach, i)) {
			if (i <= furthest)
				continue;
			/* Nothing ahead is reachable: only a closer of the
			 * open comment or declaration can make it so, and
			 * none open means the rule cannot match. */
			size_t next = SIZE_MAX;
			if (comment != SIZE_MAX)
				next = find_at(d, n, i + 1, "-->", 3);
			if (decl != SIZE_MAX) {
				size_t q = find_at(d, n, i + 1, "?>", 2);
				next = q < next ? q : next;
			}
			if (next == SIZE_MAX)
				break;
			i = next - 1;
			continue;
		}
		if (i < n && (c == '<' || c == 0) && tag(d, n, i))
			return true;
		if (i < n && is_ws(c)) {
			/* The rest of the run is reachable and holds nothing
			 * to test: on to the byte after it. */
			size_t j = i + 1;
			while (j < n && is_ws(d[j]))
				j++;
			reach_set(reach, j);
			furthest = j > furthest ? j : furthest;
			i = j - 1;
			continue;
		}
		if (c == '<' && comment == SIZE_MAX && LIT_AT(d, n, i, "<!--"))
			comment = i;
		if (c == '<' && xmldecl && decl == SIZE_MAX &&
		    LIT_AT(d, n, i, "<?xml "))
			decl = i;
	}
	return false;
}

/* "<?xml " where each character may be preceded by a NUL (UTF-16-ish). */
static bool tag_xml(const uint8_t *d, size_t n, size_t at)
{
	static const char want[] = "<?xml ";
	for (size_t k = 0; want[k]; k++) {
		if (byte_at(d, n, at, 0))
			at++;
		if (!byte_at(d, n, at, want[k]))
			return false;
		at++;
	}
	return true;
}

/* "<!DOCTYPE" (any case), one or more spaces, then word (any case). */
static bool doctype_is(const uint8_t *d, size_t n, size_t at, const char *word,
		       size_t wl)
{
	if (!NOCASE_AT(d, n, at, "<!doctype"))
		return false;
	at += 9;
	if (!byte_at(d, n, at, ' '))
		return false;
	while (byte_at(d, n, at, ' '))
		at++;
	return eq_nocase_at(d, n, at, word, wl);
}

/* "<meta" (any case), spaces, "http-equiv" (any case). */
static bool meta_http_equiv(const uint8_t *d, size_t n, size_t at)
{
	if (!NOCASE_AT(d, n, at, "<meta"))
		return false;
	at += 5;
	if (!byte_at(d, n, at, ' '))
		return false;
	while (byte_at(d, n, at, ' '))
		at++;
	return NOCASE_AT(d, n, at, "http-equiv");
}

static bool tag_html_strong(const uint8_t *d, size_t n, size_t at)
{
	return doctype_is(d, n, at, "html", 4) ||
	       NOCASE_AT(d, n, at, "<html") || meta_http_equiv(d, n, at);
}

static bool tag_html_doctype(const uint8_t *d, size_t n, size_t at)
{
	return doctype_is(d, n, at, "html", 4);
}

static bool tag_html_weak(const uint8_t *d, size_t n, size_t at)
{
	return NOCASE_AT(d, n, at, "<head") || NOCASE_AT(d, n, at, "<html") ||
	       NOCASE_AT(d, n, at, "<title") || NOCASE_AT(d, n, at, "<body");
}

static bool tag_rss(const uint8_t *d, size_t n, size_t at)
{
	return NOCASE_AT(d, n, at, "<rss");
}

/* <rss ... xmlns:atom  or  <feed ... xmlns="http://www.w3.org/2005/Atom",
 * with no '>' in between. The dots of the URL are unescaped in the rule. */
static bool tag_atom(const uint8_t *d, size_t n, size_t at)
{
	bool rss = NOCASE_AT(d, n, at, "<rss");
	bool feed = NOCASE_AT(d, n, at, "<feed");
	if (!rss && !feed)
		return false;
	for (size_t i = at + (rss ? 4 : 5); i < n && d[i] != '>'; i++) {
		if (rss && LIT_AT(d, n, i, "xmlns:atom"))
			return true;
		if (feed && LIT_AT(d, n, i, "xmlns=")) {
			size_t u = i + 6;
			if (eq_dots_at(d, n, u, "http://www.w3.org/2005/Atom"))
				return true;
			if ((byte_at(d, n, u, '"') || byte_at(d, n, u, '\'')) &&
			    eq_dots_at(d, n, u + 1, "http://www.w3.org/2005/Atom"))
				return true;
		}
	}
	return false;
}

static bool tag_soap(const uint8_t *d, size_t n, size_t at)
{
	if (!NOCASE_AT(d, n, at, "<soap"))
		return false;
	at += 5;
	if (NOCASE_AT(d, n, at, "-env"))
		at += 4;
	return NOCASE_AT(d, n, at, ":envelope");
}

static bool tag_xmlrpc(const uint8_t *d, size_t n, size_t at)
{
	return NOCASE_AT(d, n, at, "<methodresponse>");
}

static bool tag_f4m(const uint8_t *d, size_t n, size_t at)
{
	if (!NOCASE_AT(d, n, at, "<manifest"))
		return false;
	at += 9;
	if (at >= n || !is_ws(d[at]))
		return false;
	at = skip_ws(d, n, at);
	return LIT_AT(d, n, at, "xmlns=\"http://ns.adobe.com/f4m/");
}

static bool tag_crossdomain_doctype(const uint8_t *d, size_t n, size_t at)
{
	return doctype_is(d, n, at, "cross-domain-policy", 19);
}

static bool tag_crossdomain(const uint8_t *d, size_t n, size_t at)
{
	return NOCASE_AT(d, n, at, "<cross-domain-policy");
}

static bool tag_coldfusion(const uint8_t *d, size_t n, size_t at)
{
	return LIT_AT(d, n, at, "<CFPARAM") || LIT_AT(d, n, at, "<CFSET") ||
	       LIT_AT(d, n, at, "<CFIF");
}

static bool m_xml(const uint8_t *d, size_t n)
{
	return markup_match(d, n, true, false, tag_xml);
}

static bool m_html_strong(const uint8_t *d, size_t n)
{
	return markup_match(d, n, true, true, tag_html_strong);
}

static bool m_html_doctype(const uint8_t *d, size_t n)
{
	return markup_match(d, n, true, true, tag_html_doctype);
}

static bool m_html_weak(const uint8_t *d, size_t n)
{
	return markup_match(d, n, true, true, tag_html_weak);
}

static bool m_rss(const uint8_t *d, size_t n)
{
	return markup_match(d, n, true, true, tag_rss);
}

static bool m_atom(const uint8_t *d, size_t n)
{
	return markup_match(d, n, true, true, tag_atom);
}

static bool m_soap(const uint8_t *d, size_t n)
{
	return markup_match(d, n, true, true, tag_soap);
}

static bool m_xmlrpc(const uint8_t *d, size_t n)
{
	return markup_match(d, n, true, true, tag_xmlrpc);
}

static bool m_f4m(const uint8_t *d, size_t n)
{
	return markup_match(d, n, true, true, tag_f4m);
}

/* The cross-domain-policy rules allow no BOM; ColdFusion allows neither a
 * BOM nor an XML declaration. */
static bool m_crossdomain_doctype(const uint8_t *d, size_t n)
{
	return markup_match(d, n, false, true, tag_crossdomain_doctype);
}

static bool m_crossdomain(const uint8_t *d, size_t n)
{
	return markup_match(d, n, false, true, tag_crossdomain);
}

static bool m_coldfusion(const uint8_t *d, size_t n)
{
	return markup_match(d, n, false, false, tag_coldfusion);
}

/* "<?xml version=\"" at 0, then tag somewhere at or after from. */
static bool xml_then_tag(const uint8_t *d, size_t n, bool nonnul15,
			 size_t from, const char *tag)
{
	if (!LIT_AT(d, n, 0, "<?xml version=\""))
		return false;
	if (nonnul15 && (n < 16 || d[15] == 0))
		return false;
	return find_at(d, n, from, tag, strlen(tag)) != SIZE_MAX;
}

static bool m_x3d(const uint8_t *d, size_t n)
{
	return xml_then_tag(d, n, false, 20, "<!DOCTYPE X3D") ||
	       xml_then_tag(d, n, false, 20, "<!DOCTYPEX3D");
}

static bool m_sitemap(const uint8_t *d, size_t n)
{
	return xml_then_tag(d, n, true, 19, "<urlset");
}

static bool m_svg(const uint8_t *d, size_t n)
{
	return xml_then_tag(d, n, true, 19, "<svg");
}

static bool m_gnucash(const uint8_t *d, size_t n)
{
	return xml_then_tag(d, n, true, 19, "<gnc-v2");
}

/* "<?xml", 15 bytes, anything, then  xmlns=  a quote and the KML URL. */
static bool kml(const uint8_t *d, size_t n, const char *url)
{
	if (!LIT_AT(d, n, 0, "<?xml"))
		return false;
	size_t i = 20;
	while ((i = find_at(d, n, i, " xmlns=", 7)) != SIZE_MAX && i + 8 <= n) {
		if ((d[i + 7] == '"' || d[i + 7] == '\'') &&
		    eq_dots_at(d, n, i + 8, url))
			return true;
		i++;
	}
	return false;
}

static bool m_kml_google(const uint8_t *d, size_t n)
{
	return kml(d, n, "http://earth.google.com/kml");
}

static bool m_kml_opengis(const uint8_t *d, size_t n)
{
	return kml(d, n, "http://www.opengis.net/kml");
}

/* ---- other hand-written rules ------------------------------------------- */

/* .ini: [section] alone on its line, after optional BOM and blank bytes. */
static bool m_ini(const uint8_t *d, size_t n)
{
	size_t i = short_bom(d, n);
	while (i < n && (is_ws(d[i]) || d[i] == 0))
		i++;
	if (!byte_at(d, n, i, '['))
		return false;
	for (size_t k = i + 1; k < n && d[k] != '\r' && d[k] != '\n'; k++) {
		if (k < i + 2 || d[k] != ']')
			continue;
		size_t j = k + 1;
		while (j < n && (d[j] == ' ' || d[j] == '\t' || d[j] == 0))
			j++;
		if (j < n && (d[j] == '\r' || d[j] == '\n'))
			return true;
	}
	return false;
}

/* DER OCSP messages: an algorithm OID 11 to 19 bytes in. */
static bool oid_within(const uint8_t *d, size_t n, const char *oid, size_t ol)
{
	for (size_t at = 11; at <= 19; at++)
		if (eq_at(d, n, at, oid, ol))
			return true;
	return false;
}

static bool m_ocsp_request(const uint8_t *d, size_t n)
{
	static const char sha1[] = "\x06\x05\x2b\x0e\x03\x02\x1a";
	return oid_within(d, n, sha1, sizeof(sha1) - 1);
}

static bool m_ocsp_response(const uint8_t *d, size_t n)
{
	static const char basic[] = "\x06\x09\x2b\x06\x01\x05\x05\x07\x30\x01\x01";
	return oid_within(d, n, basic, sizeof(basic) - 1);
}

static bool find_from(const uint8_t *d, size_t n, size_t from, const char *s)
{
	return find_at(d, n, from, s, strlen(s)) != SIZE_MAX;
}

static bool m_pkcs7(const uint8_t *d, size_t n)
{
	return LIT_AT(d, n, 0, "MIME-Version:") &&
	       find_from(d, n, 13, "protocol=\"application/pkcs7-signature\"");
}

static bool m_php_anywhere(const uint8_t *d, size_t n)
{
	return find_from(d, n, 0, "<?php");
}

/* POSIX/GNU tar header: name, then octal fields padded with spaces. */
static bool tar_field(const uint8_t *d, size_t at, size_t digits, bool nul_ok)
{
	for (size_t i = 0; i < digits; i++) {
		uint8_t c = d[at + i];
		if (!ascii_is_digit(c) && c != ' ' && !(nul_ok && c == 0))
			return false;
	}
	return true;
}

static bool m_tar(const uint8_t *d, size_t n)
{
	if (n < 157)
		return false;
	for (size_t i = 0; i < 100; i++)
		if (!ascii_is_print(d[i]) && d[i] != 0)
			return false;
	for (size_t f = 0; f < 3; f++)
		if (!tar_field(d, 100 + 8 * f, 7, false) || d[107 + 8 * f] != 0)
			return false;
	for (size_t f = 0; f < 2; f++)
		if (!tar_field(d, 124 + 12 * f, 11, false) ||
		    d[135 + 12 * f] != 0)
			return false;
	if (!tar_field(d, 148, 7, true) || (d[155] != ' ' && d[155] != 0))
		return false;
	return (d[156] >= '0' && d[156] <= '7') || d[156] == 0;
}

/* OOXML: the first zip entry is [Content_Types].xml, _rels/.rels or in the
 * part folder, and a later local header (anywhere in the buffer) names a
 * file in the part folder. Entry names start 30 bytes into a header. */
static bool ooxml(const uint8_t *d, size_t n, const char *dir)
{
	size_t dl = strlen(dir), e;
	if (!LIT_AT(d, n, 0, "PK\x03\x04"))
		return false;
	if (LIT_AT(d, n, 30, "[Content_Types].xml"))
		e = 30 + 19;
	else if (LIT_AT(d, n, 30, "_rels/.rels"))
		e = 30 + 11;
	else if (eq_at(d, n, 30, dir, dl))
		e = 30 + dl;
	else
		return false;
	size_t k = e;
	while ((k = find_at(d, n, k, "PK\x03\x04", 4)) != SIZE_MAX &&
	       k + 30 + dl <= n) {
		if (eq_at(d, n, k + 30, dir, dl))
			return true;
		k++;
	}
	return false;
}

static bool m_docx(const uint8_t *d, size_t n)
{
	return ooxml(d, n, "word/");
}

static bool m_xlsx(const uint8_t *d, size_t n)
{
	return ooxml(d, n, "xl/");
}

static bool m_pptx(const uint8_t *d, size_t n)
{
	return ooxml(d, n, "ppt/");
}

/* JAR: a zip whose header shows META-INF/MANIFEST.MF within 200 bytes. */
static bool m_jar(const uint8_t *d, size_t n)
{
	if (!LIT_AT(d, n, 0, "PK\x03\x04"))
		return false;
	for (size_t k = 5; k <= 204; k++)
		if (LIT_AT(d, n, k, "\x14\x00") &&
		    LIT_AT(d, n, k + 4, "META-INF/MANIFEST.MF"))
			return true;
	return false;
}

/* EBML (Matroska/WebM): the DocType element 0x4282, one size byte, name. */
static bool ebml(const uint8_t *d, size_t n, const char *doctype)
{
	size_t dl = strlen(doctype);
	if (!LIT_AT(d, n, 0, "\x1a\x45\xdf\xa3"))
		return false;
	size_t k = 4;
	while ((k = find_at(d, n, k, "B\x82", 2)) != SIZE_MAX &&
	       k + 3 + dl <= n) {
		if (eq_at(d, n, k + 3, doctype, dl))
			return true;
		k++;
	}
	return false;
}

static bool m_webm(const uint8_t *d, size_t n)
{
	return ebml(d, n, "webm");
}

static bool m_matroska(const uint8_t *d, size_t n)
{
	return ebml(d, n, "matroska");
}

/*
 * "#!" + 1..15 bytes other than LF + "bin/" + optional "env" and
 * whitespace + one of the interpreter names (a prefix is enough, so
 * "python3" counts as "python").
 */
static bool shebang(const uint8_t *d, size_t n, const char *const *names)
{
	if (!LIT_AT(d, n, 0, "#!"))
		return false;
	for (size_t k = 3; k <= 17 && k <= n; k++) {
		if (d[k - 1] == '\n')
			break;
		if (!LIT_AT(d, n, k, "bin/"))
			continue;
		size_t at[2] = {k + 4, SIZE_MAX};
		if (LIT_AT(d, n, k + 4, "env") && k + 7 < n &&
		    ascii_is_space(d[k + 7])) {
			size_t j = k + 7;
			while (j < n && ascii_is_space(d[j]))
				j++;
			at[1] = j;
		}
		for (int a = 0; a < 2; a++)
			for (size_t i = 0; at[a] != SIZE_MAX && names[i]; i++)
				if (eq_at(d, n, at[a], names[i],
					  strlen(names[i])))
					return true;
	}
	return false;
}

#define SHEBANG_RULE(fn, ...)                                                \
	static bool fn(const uint8_t *d, size_t n)                          \
	{                                                                    \
		static const char *const names[] = {__VA_ARGS__, NULL};      \
		return shebang(d, n, names);                                 \
	}

SHEBANG_RULE(m_sh, "sh", "bash", "tcsh", "csh", "zsh", "fash", "aesh", "ksh")
SHEBANG_RULE(m_perl, "perl")
SHEBANG_RULE(m_ruby, "ruby")
SHEBANG_RULE(m_python, "python")
SHEBANG_RULE(m_awk, "awk", "gawk", "nawk")
SHEBANG_RULE(m_tcl, "wish", "tcl")
SHEBANG_RULE(m_lua, "lua")
SHEBANG_RULE(m_node, "node")
SHEBANG_RULE(m_php, "php")

/* <script type=javascript> / <script language="text/javascript"> ... */
static bool m_js_script_attr(const uint8_t *d, size_t n)
{
	size_t i = skip_ws(d, n, 0);
	if (!NOCASE_AT(d, n, i, "<script"))
		return false;
	i += 7;
	if (i >= n || (d[i] != ' ' && d[i] != '\t'))
		return false;
	while (i < n && (d[i] == ' ' || d[i] == '\t'))
		i++;
	if (NOCASE_AT(d, n, i, "type="))
		i += 5;
	else if (NOCASE_AT(d, n, i, "language="))
		i += 9;
	else
		return false;
	if (byte_at(d, n, i, '\'') || byte_at(d, n, i, '"'))
		i++;
	if (NOCASE_AT(d, n, i, "text/"))
		i += 5;
	return NOCASE_AT(d, n, i, "javascript");
}

static bool m_js_for_loop(const uint8_t *d, size_t n)
{
	return LIT_AT(d, n, skip_ws(d, n, 0), "for (;;);");
}

/* document.write( / document.writeln( . Between the name and "(" the rule
 * allows one byte of the set ":blank" (a POSIX class name written outside
 * brackets, which the regex engine reads as a plain set). */
static bool m_js_document_write(const uint8_t *d, size_t n)
{
	size_t i = skip_ws(d, n, 0);
	if (!LIT_AT(d, n, i, "document.write"))
		return false;
	i += 14;
	size_t at[2] = {i, LIT_AT(d, n, i, "ln") ? i + 2 : SIZE_MAX};
	for (int a = 0; a < 2; a++) {
		size_t j = at[a];
		if (j >= n)
			continue;
		if (d[j] == '(')
			return true;
		if (memchr(":blank", d[j], 6) && byte_at(d, n, j + 1, '('))
			return true;
	}
	return false;
}

static bool m_js_iife(const uint8_t *d, size_t n)
{
	if (!LIT_AT(d, n, 0, "(function()"))
		return false;
	size_t i = 11;
	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n'))
		i++;
	return byte_at(d, n, i, '{');
}

static bool m_js_script_var(const uint8_t *d, size_t n)
{
	size_t i = skip_ws(d, n, 0);
	if (!LIT_AT(d, n, i, "<script>"))
		return false;
	i = skip_ws(d, n, i + 8);
	return LIT_AT(d, n, i, "var ") || LIT_AT(d, n, i, "function ");
}

/* @echo off, with any spaces after the @ and at least one before "off". */
static bool m_batch_echo_off(const uint8_t *d, size_t n)
{
	size_t i = 1;
	if (!byte_at(d, n, 0, '@'))
		return false;
	while (byte_at(d, n, i, ' '))
		i++;
	if (!NOCASE_AT(d, n, i, "echo"))
		return false;
	i += 4;
	if (!byte_at(d, n, i, ' '))
		return false;
	while (byte_at(d, n, i, ' '))
		i++;
	return NOCASE_AT(d, n, i, "off");
}

/* Unified diff: "--- " ... LF ... "+++ " ... LF ... "@@", in that order. */
static bool m_diff(const uint8_t *d, size_t n)
{
	static const char *const steps[] = {"--- ", "\n", "+++ ", "\n", "@@"};
	size_t at = 0;
	for (size_t s = 0; s < 5; s++) {
		size_t sl = strlen(steps[s]);
		at = find_at(d, n, at, steps[s], sl);
		if (at == SIZE_MAX)
			return false;
		at += sl;
	}
	return true;
}

/* systemd journal: signature, a small flag byte, six non-zero 8-byte runs
 * of NULs excluded. */
static bool m_journal(const uint8_t *d, size_t n)
{
	if (n < 72 || !LIT_AT(d, n, 0, "LPKSHHRH") || d[16] > 3)
		return false;
	for (size_t i = 24; i < 72; i++)
		if (d[i] == 0)
			return false;
	return true;
}

/* Netpbm "width  height": 1..50 digits, a space, a space, a digit. */
static bool pnm_dims(const uint8_t *d, size_t n, size_t at)
{
	size_t i = at;
	while (i < n && ascii_is_digit(d[i]) && i - at < 51)
		i++;
	if (i == at || i - at > 50)
		return false;
	return LIT_AT(d, n, i, "  ") && i + 2 < n && ascii_is_digit(d[i + 2]);
}

/* Binary netpbm: magic, one byte, then the dimensions. */
static bool pnm_raw(const uint8_t *d, size_t n, char kind)
{
	return byte_at(d, n, 0, 'P') && byte_at(d, n, 1, kind) && n > 2 &&
	       pnm_dims(d, n, 3);
}

/* Plain netpbm: the magic anywhere, directly followed by the dimensions. */
static bool pnm_plain(const uint8_t *d, size_t n, char kind)
{
	const char magic[2] = {'P', kind};
	for (size_t k = 0; (k = find_at(d, n, k, magic, 2)) != SIZE_MAX; k++)
		if (pnm_dims(d, n, k + 2))
			return true;
	return false;
}

static bool m_pbm_raw(const uint8_t *d, size_t n)
{
	return pnm_raw(d, n, '4');
}

static bool m_pgm_raw(const uint8_t *d, size_t n)
{
	return pnm_raw(d, n, '5');
}

static bool m_ppm_raw(const uint8_t *d, size_t n)
{
	return pnm_raw(d, n, '6');
}

static bool m_pbm_plain(const uint8_t *d, size_t n)
{
	return pnm_plain(d, n, '1');
}

static bool m_pgm_plain(const uint8_t *d, size_t n)
{
	return pnm_plain(d, n, '2');
}

static bool m_ppm_plain(const uint8_t *d, size_t n)
{
	return pnm_plain(d, n, '3');
}

/*
 * Windows setup (.inf) rules as translated from libmagic: a backquote,
 * then CRLF, ';', '[' or a UTF-16 BOM, then (anywhere later) '[' and a
 * section name. Returns where the search for '[' starts, or 0.
 */
static size_t inf_start(const uint8_t *d, size_t n)
{
	if (!byte_at(d, n, 0, '`'))
		return 0;
	if (LIT_AT(d, n, 1, "\r\n") || LIT_AT(d, n, 1, "\xff\xfe"))
		return 3;
	if (byte_at(d, n, 1, ';') || byte_at(d, n, 1, '['))
		return 2;
	return 0;
}

/* UTF-16BE section names "VERSION]" and "STRINGS]" (any case; the 'I' of
 * STRINGS is the odd byte set the rule spells). */
static bool u16_section(const uint8_t *d, size_t n, size_t at, bool strings)
{
	static const char version[] = "version]";
	if (at > n || n - at < 16 - (strings ? 2 : 0))
		return false;
	if (!strings) {
		for (size_t i = 0; i < 8; i++)
			if (d[at + 2 * i] != 0 ||
			    ascii_lower(d[at + 2 * i + 1]) != version[i])
				return false;
		return true;
	}
	/* \0 S \0 T \0 R \0 {I i ( ) \0 [ N n} \0 G \0 S \0 ] */
	static const char str1[] = "str";
	for (size_t i = 0; i < 3; i++)
		if (d[at + 2 * i] != 0 || ascii_lower(d[at + 2 * i + 1]) != str1[i])
			return false;
	if (d[at + 6] != 0 || !memchr("\x49\x69()\x00[\x4e\x6e", d[at + 7], 8))
		return false;
	return d[at + 8] == 0 && ascii_lower(d[at + 9]) == 'g' &&
	       d[at + 10] == 0 && ascii_lower(d[at + 11]) == 's' &&
	       d[at + 12] == 0 && d[at + 13] == ']';
}

static bool inf_rule(const uint8_t *d, size_t n, bool two_brackets,
		     bool utf16, bool strings)
{
	size_t s = inf_start(d, n);
	if (s == 0)
		return false;
	size_t first = SIZE_MAX;
	for (size_t k = s; k < n; k++) {
		if (d[k] != '[')
			continue;
		if (two_brackets && first == SIZE_MAX) {
			first = k;
			continue;
		}
		if (utf16 ? u16_section(d, n, k + 1, strings)
			  : NOCASE_AT(d, n, k + 1, "version"))
			return true;
	}
	return false;
}

static bool m_inf_u16_version(const uint8_t *d, size_t n)
{
	/* Also covers the variant that wants a second '[' first. */
	return inf_rule(d, n, false, true, false);
}

static bool m_inf_u16_strings(const uint8_t *d, size_t n)
{
	return inf_rule(d, n, false, true, true);
}

static bool m_inf_version(const uint8_t *d, size_t n)
{
	return inf_rule(d, n, true, false, false);
}

/* ---- the rule table ------------------------------------------------------ */

enum piece_kind {
	PC_END = 0,
	PC_LIT,	   /* len bytes of s at off */
	PC_NOCASE, /* same, ASCII letters in any case; s is lower case */
	PC_ONEOF,  /* the byte at off is one of the len bytes of s */
	PC_RANGE,  /* len bytes from off, each in [s[0], s[1]] */
	PC_NOT,	   /* the byte at off exists and is not s[0] */
};

struct magic_piece {
	uint8_t kind;
	uint8_t len;
	uint16_t off;
	const char *s;
};

#define MAGIC_PIECES 6

/* A rule matches when all its pieces hold, or when fn says so. */
struct magic_rule {
	const char *mime;
	int strength;
	bool (*fn)(const uint8_t *d, size_t n);
	struct magic_piece p[MAGIC_PIECES];
};

#define LIT(o, str) {PC_LIT, sizeof(str) - 1, (o), (str)}
#define NOCASE(o, str) {PC_NOCASE, sizeof(str) - 1, (o), (str)}
#define ONEOF(o, set) {PC_ONEOF, sizeof(set) - 1, (o), (set)}
#define RANGE(o, count, lohi) {PC_RANGE, (count), (o), (lohi)}
#define ANY(o) RANGE(o, 1, "\x00\xff")
#define NOT(o, ch) {PC_NOT, 1, (o), (ch)}
#define R(mime, strength, ...) {(mime), (strength), NULL, {__VA_ARGS__}}
#define F(mime, strength, fn)                                                \
	{(mime), (strength), (fn), {{PC_END, 0, 0, NULL}}}

/* Type strings used by several rules. */
#define T_RFC822 "message/rfc822"
#define T_ZIP "application/zip"
#define T_HTML "text/html"
#define T_JS "application/javascript"
#define T_PYC "application/x-python-bytecode"
#define T_ODF "application/vnd.oasis.opendocument."
#define T_SETUP "application/x-setupscript"

/* An OpenDocument zip: "mimetype" stored first, its content at 50. */
#define ODF_HEAD LIT(0, "PK\x03\x04"), LIT(26, "\x08\x00\x00\x00mimetypeapplication/")
#define ODF(sub, strength, tail)                                             \
	R(T_ODF sub, strength, ODF_HEAD,                                    \
	  LIT(50, "vnd.oasis.opendocument." sub), tail)
/* 73 is where the subtype starts; the base types forbid a '-' after it. */
#define ODF_BASE(sub, strength)                                              \
	ODF(sub, strength, NOT(73 + sizeof(sub) - 1, "-"))

/* JPEG 2000 family signature box, the brand at 20. */
#define JP2_BOX LIT(0, "\x00\x00\x00\x0cjP  \x0d\x0a\x87\x0a")

static const struct magic_rule magic_rules[] = {
	/* Text and markup. */
	F("text/plain", -20, m_text),
	F("text/json", 1, m_json_object),
	F("text/json", 1, m_json_array),
	F("application/xml", 10, m_xml),
	F(T_HTML, 100, m_html_strong),
	F(T_HTML, 49, m_html_doctype),
	F(T_HTML, 20, m_html_weak),
	F("text/rss", 90, m_rss),
	F("text/atom", 100, m_atom),
	F("application/soap+xml", 49, m_soap),
	F("text/x-cross-domain-policy", 49, m_crossdomain_doctype),
	F("text/x-cross-domain-policy", 49, m_crossdomain),
	F("application/xml-rpc", 49, m_xmlrpc),
	F("magnus-internal/cold-fusion", 20, m_coldfusion),
	F("application/f4m", 49, m_f4m),
	F("text/ini", 20, m_ini),
	F("model/x3d", 43, m_x3d),
	F("application/xml-sitemap", 37, m_sitemap),
	F("image/svg+xml", 38, m_svg),
	F("application/x-gnucash", 37, m_gnucash),
	F("application/vnd.google-earth.kml+xml", 61, m_kml_google),
	F("application/vnd.google-earth.kml+xml", 60, m_kml_opengis),
	F("text/x-diff", 55, m_diff),
	R("text/rtf", 80, LIT(0, "{\\rtf")),
	R("application/pdf", 80, LIT(0, "%PDF-")),
	R("application/vnd.fdf", 80, LIT(0, "%FDF-")),
	R("application/postscript", 50, LIT(0, "%!")),
	R("application/postscript", 60, LIT(0, "\x04%!")),
	R("text/calendar", 180, LIT(0, "BEGIN:VCALENDAR")),
	R("text/x-vcard", 140, LIT(0, "BEGIN:VCARD")),
	R("text/x-po", 37, LIT(0, "msgid ")),
	R("text/x-m4", 40, LIT(0, "dnl ")),
	R("text/x-xmcd", 90, LIT(0, "# xmcd")),
	R("application/sla", 10, LIT(0, "solid ")),

	/* Mail and news headers. */
	R(T_RFC822, 80, LIT(0, "From:")),
	R(T_RFC822, 150, NOCASE(0, "return-path:")),
	R(T_RFC822, 160, NOCASE(0, "delivered-to:")),
	R(T_RFC822, 170, LIT(0, "Relay-Version:")),
	R(T_RFC822, 130, LIT(0, "Forward to")),
	R(T_RFC822, 100, LIT(0, "Pipe to")),
	R(T_RFC822, 120, LIT(0, "N#! rnews")),
	R(T_RFC822, 110, LIT(0, "#! rnews")),
	R("message/news", 100, LIT(0, "Article")),
	R("message/news", 80, LIT(0, "Path:")),
	R("message/news", 80, LIT(0, "Xref:")),
	F("application/pkcs7-signature", 100, m_pkcs7),
	R("application/vnd.ms-tnef", 100, LIT(0, "\x78\x9f\x3e\x22")),

	/* Keys, certificates, PGP. */
	R("application/x-pem", 0, LIT(0, "-----BEGIN CERTIFICATE-----")),
	F("application/ocsp-request", 71, m_ocsp_request),
	F("application/ocsp-response", 71, m_ocsp_response),
	R("application/pgp-keys", 330, LIT(2, "---BEGIN PGP PUBLIC KEY BLOCK-")),
	R("application/pgp-signature", 280, LIT(0, "-----BEGIN PGP SIGNATURE-")),
	R("application/pgp", 260, LIT(0, "-----BEGIN PGP MESSAGE-")),
	R("application/x-pgp-keyring", 50, LIT(0, "\x99\x00")),
	R("application/x-pgp-keyring", 50, LIT(0, "\x95\x01")),
	R("application/x-pgp-keyring", 50, LIT(0, "\x95\x00")),
	R("application/x-gnupg-keyring", 50, LIT(0, "\x99\x01")),
	R("text/PGP", 50, LIT(0, "\xa6\x00")),
	R("text/PGP", 50, LIT(0, "\x85\x02")),
	R("application/x-java-keystore", 70, LIT(0, "\xfe\xed\xfe\xed")),
	R("application/x-java-jce-keystore", 70, LIT(0, "\xce\xce\xce\xce")),

	/* Office documents. */
	R("application/msword", 50, LIT(0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
	R("application/vnd.openxmlformats-officedocument", 50,
	  LIT(0, "PK\x03\x04\x14\x00\x06\x00")),
	F("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	  80, m_docx),
	F("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	  80, m_xlsx),
	F("application/vnd.openxmlformats-officedocument.presentationml.presentation",
	  80, m_pptx),
	R("application/x-msaccess", 180, LIT(4, "Standard Jet DB\x00")),
	R("application/x-msaccess", 180, LIT(4, "Standard ACE DB\x00")),
	ODF_BASE("text", 110),
	ODF("text-template", 120, ANY(0)),
	ODF("text-web", 70, ANY(0)),
	ODF("text-master", 100, ANY(0)),
	ODF_BASE("graphics", 110),
	ODF("graphics-template", 120, ANY(0)),
	ODF_BASE("presentation", 110),
	ODF("presentation-template", 120, ANY(0)),
	ODF_BASE("spreadsheet", 110),
	ODF("spreadsheet-template", 120, ANY(0)),
	ODF_BASE("chart", 110),
	ODF("chart-template", 120, ANY(0)),
	ODF_BASE("formula", 110),
	ODF("formula-template", 120, ANY(0)),
	ODF("database", 110, ANY(0)),
	ODF_BASE("image", 110),
	ODF("image-template", 120, ANY(0)),
	R("application/epub+zip", 110, ODF_HEAD, LIT(50, "epub+zip")),
	R("application/vnd.google-earth.kmz", 100, LIT(0, "PK\x03\x04\x14"),
	  LIT(30, "doc.kml")),
	R("application/vnd.lotus-wordpro", 120, LIT(0, "WordPro\x0d\xfb")),
	R("application/vnd.lotus-wordpro", 110, LIT(0, "WordPro\x00")),
	R("application/x-mif", 190, LIT(0, "<MakerScreenFont")),
	R("application/x-mif", 130, LIT(0, "<MakerFile")),
	R("application/x-mif", 120, LIT(0, "<BookFile")),
	R("application/x-mif", 110, LIT(0, "<MIFFile")),
	R("application/x-mif", 90, LIT(0, "<Maker")),
	R("application/x-mif", 70, LIT(0, "<MML")),
	R("application/x-scribus", 260, LIT(0, "<SCRIBUSUTF8NEW Version")),
	R("application/x-freeplane", 260, LIT(0, "<map version=\"freeplane")),
	R("application/x-freeplane", 260, LIT(0, "<mapversion=\"freeplane")),
	R("application/x-freemind", 150, LIT(0, "<map version")),
	R("application/x-freemind", 150, LIT(0, "<mapversion")),
	R("application/x-gnumeric", 160, LIT(39, "<gmr:Workbook")),
	R("application/x-sc", 140, LIT(38, "Spreadsheet")),
	R("application/x-quark-xpress-3", 90, LIT(2, "MMXPR3")),
	R("application/x-ichitaro4", 40, LIT(0, "DOC"), LIT(43, "\x14")),
	R("application/x-ichitaro5", 40, LIT(0, "DOC"), LIT(43, "\x15")),
	R("application/x-ichitaro6", 40, LIT(0, "DOC"), LIT(43, "\x16")),
	R("application/x-ms-reader", 1, LIT(0, "ITOLITLS"), ANY(11)),
	R("application/mshelp", 100, LIT(0, "ITSF")),
	R("application/vnd.ms-outlook", 49, LIT(0, "!BDN"),
	  ONEOF(10, "\x0e\x0f\x15\x17"), RANGE(11, 1, "\x00\x02")),
	R("application/x-ms-shortcut", 49,
	  LIT(0, "\x4c\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00"
		 "\x00\x00\x00\x00\x00\x46")),
	F(T_SETUP, 110, m_inf_u16_version),
	F(T_SETUP, 110, m_inf_u16_strings),
	F(T_SETUP, 100, m_inf_version),

	/* Archives and compression. */
	F("application/x-tar", 100, m_tar),
	R(T_ZIP, 10, LIT(0, "PK\x03\x04"), ANY(5)),
	R(T_ZIP, 10, LIT(0, "PK\x07\x08PK\x03\x04")),
	R(T_ZIP, 340, LIT(0, "MZ"), LIT(30, "Copyright 1989-1990 PKWARE Inc.")),
	R(T_ZIP, 340, LIT(0, "MZ"), LIT(30, "PKLITE Copr.")),
	F("application/java-archive", 100, m_jar),
	R("application/x-rar", 70, LIT(0, "Rar!")),
	R("application/x-gzip", 100, LIT(0, "\x1f\x8b")),
	R("application/vnd.ms-cab-compressed", 110, LIT(0, "MSCF\x00\x00\x00\x00")),
	R("application/x-dmg", 100, LIT(0, "\x78\x01\x73\x0d\x62\x62\x60")),
	R("application/x-dmg", 100, LIT(0, "\x78\xda\x63\x60\x18\x05")),
	R("application/x-dmg", 100, LIT(0, "\x78\x01\x63\x60\x18\x05")),
	R("application/x-dmg", 100, LIT(0, "\x78\xda\x73\x0d")),
	R("application/x-dmg", 100, LIT(0, "\x78"), ONEOF(1, "\x01\xda"),
	  LIT(2, "\xed"), RANGE(3, 1, "\xd0\xd9")),
	R("application/x-xar", 100, LIT(0, "xar!")),
	R("application/x-rpm", 70, LIT(0, "drpm")),
	R("application/x-rpm", 70, LIT(0, "\xed\xab\xee\xdb")),
	R("application/x-debian-package", 171, LIT(0, "!<arch>\ndebian")),
	R("application/x-stuffit", 70, LIT(0, "SIT!")),
	R("application/x-stuffit", 70, LIT(0, "StuffIt")),
	R("application/x-archive", 70, LIT(0, "!<ar>")),
	R("application/x-archive", 70, LIT(0, "!<arch>")),
	R("application/x-archive", 70, LIT(0, "<ar>")),
	R("application/x-archive", 70, LIT(0, "<arch>")),
	R("application/x-arc", 70, RANGE(0, 2, "\x00\x7f"),
	  ONEOF(2, "\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x14\x48"),
	  LIT(3, "\x1a")),
	R("application/x-eet", 70, LIT(0, "\x1e\xe7\xff\x00")),
	R("application/x-zoo", 70, LIT(20, "\xdc\xa7\xc4\xfd")),
	R("application/x-lz4", 70, LIT(0, "\x02\x21\x4c\x18")),
	R("application/x-lz4", 70, LIT(0, "\x04\x22\x4d\x18")),
	R("application/x-lrzip", 1, LIT(0, "LRZI")),
	R("application/x-lzip", 70, LIT(0, "LZIP")),
	R("application/x-lzh", 80, LIT(2, "-lh"),
	  ONEOF(5, " abcdex0123456789"), LIT(6, "-")),
	R("application/x-lzh", 80, LIT(2, "-lz"), ONEOF(5, "s2345678"),
	  LIT(6, "-")),
	R("application/x-lzh", 80, LIT(2, "-pm"), ONEOF(5, "s012"), LIT(6, "-")),
	R("application/x-lzh", 80, LIT(2, "-pc1-")),
	R("application/warc", 50, LIT(0, "WARC/")),
	R("application/x-7z-compressed", 50, LIT(0, "7z\xbc\xaf\x27\x1c")),
	R("application/x-xz", 90, LIT(0, "\xfd" "7zXZ\x00")),
	R("application/x-lha", 120, LIT(0, "MZ"), LIT(36, "LH"), ONEOF(38, "aA"),
	  LIT(39, "'s SFX")),
	R("application/x-arj", 50, LIT(0, "\x60\xea")),
	R("application/x-cpio", 50, LIT(0, "\x71\xc7")),
	R("application/x-cpio", 50, LIT(0, "\xc7\x71")),
	R("application/x-compress", 50, LIT(0, "\x1f\x9d")),
	R("application/x-lzma", 71, LIT(0, "\x5d\x00\x00")),
	R("application/x-ace", 100, LIT(7, "**ACE**")),
	R("application/x-bzip2", 60, LIT(0, "BZh")),
	R("application/x-shar", 280, LIT(10, "# This is a shell archive")),
	R("application/x-svr4-package", 230, LIT(0, "# PaCkAgE DaTaStReAm")),
	R("application/mac-binhex40", 320, LIT(11, "must be converted with BinHex")),
	R("application/x-ia-arc", 140, LIT(0, "filedesc://")),
	R("application/x-bittorrent", 140, LIT(0, "d8:announce")),

	/* Executables and code. */
	R("application/x-dosexec", 51, LIT(0, "MZ")),
	R("application/x-dosexec", 190, LIT(369, "MICROSOFT PIFEX\x00")),
	/* ELF: class byte, then e_type (2 bytes at 16) in the file's order. */
	R("application/x-object", 50, LIT(0, "\x7f" "ELF"), ONEOF(4, "\x01\x02"),
	  LIT(5, "\x01"), LIT(16, "\x01\x00")),
	R("application/x-object", 50, LIT(0, "\x7f" "ELF"), ONEOF(4, "\x01\x02"),
	  LIT(5, "\x02"), LIT(16, "\x00\x01")),
	R("application/x-executable", 50, LIT(0, "\x7f" "ELF"),
	  ONEOF(4, "\x01\x02"), LIT(5, "\x01"), LIT(16, "\x02\x00")),
	R("application/x-executable", 50, LIT(0, "\x7f" "ELF"),
	  ONEOF(4, "\x01\x02"), LIT(5, "\x02"), LIT(16, "\x00\x02")),
	R("application/x-sharedlib", 50, LIT(0, "\x7f" "ELF"),
	  ONEOF(4, "\x01\x02"), LIT(5, "\x01"), LIT(16, "\x03\x00")),
	R("application/x-sharedlib", 50, LIT(0, "\x7f" "ELF"),
	  ONEOF(4, "\x01\x02"), LIT(5, "\x02"), LIT(16, "\x00\x03")),
	R("application/x-coredump", 50, LIT(0, "\x7f" "ELF"),
	  ONEOF(4, "\x01\x02"), LIT(5, "\x01"), LIT(16, "\x04\x00")),
	R("application/x-coredump", 50, LIT(0, "\x7f" "ELF"),
	  ONEOF(4, "\x01\x02"), LIT(5, "\x02"), LIT(16, "\x00\x04")),
	R("application/x-mach-o-executable", 100, ONEOF(0, "\xce\xcf"),
	  LIT(1, "\xfa\xed\xfe")),
	R("application/x-mach-o-executable", 100, LIT(0, "\xca\xfe\xba\xbe"),
	  LIT(6, "\x00"), RANGE(7, 1, "\x01\x14")),
	R("application/x-java-applet", 71, LIT(0, "\xca\xfe\xba\xbe"),
	  RANGE(7, 1, "\x2d\x34")),
	R("application/x-java-pack200", 1, LIT(0, "\xca\xfe\xd0\x0d"), ANY(4)),
	R("application/x-java-jnlp-file", 100, LIT(0, "<jnlp ")),
	R("application/x-elc", 10, LIT(0, ";ELC"), RANGE(4, 1, "\x00\x1f")),
	R("application/x-elc", 10, LIT(0, ";ELC"), RANGE(4, 1, "\x80\xff")),
	F("text/x-shellscript", 250, m_sh),
	F("text/x-perl", 60, m_perl),
	F("text/x-ruby", 60, m_ruby),
	F("text/x-python", 60, m_python),
	F("text/x-awk", 60, m_awk),
	F("text/x-tcl", 60, m_tcl),
	F("text/x-lua", 49, m_lua),
	F(T_JS, 60, m_node),
	F(T_JS, 60, m_js_script_attr),
	F(T_JS, 60, m_js_for_loop),
	F(T_JS, 60, m_js_document_write),
	F(T_JS, 60, m_js_iife),
	F(T_JS, 60, m_js_script_var),
	F("text/x-php", 60, m_php),
	F("text/x-php", 40, m_php_anywhere),
	R("text/x-php", 37, LIT(0, "<?php /* Smarty version"),
	  ONEOF(24, "0123456789.")),
	F("text/x-msdos-batch", 110, m_batch_echo_off),
	R("text/x-msdos-batch", 60, NOCASE(0, "@rem")),
	R("text/x-msdos-batch", 70, NOCASE(0, "@set ")),
	/* Python bytecode: a 2-byte version magic, then CR LF. */
	R(T_PYC, 80, LIT(0, "\xfc\xc4\r\n")),
	R(T_PYC, 80, LIT(0, "\x99\x4e\r\n")),
	R(T_PYC, 80, LIT(0, "\x87\xc6\r\n")),
	R(T_PYC, 80, ONEOF(0, "\x2a\x2d"), LIT(1, "\xed\r\n")),
	R(T_PYC, 80,
	  ONEOF(0, "\x3b\x45\x59\x63\x6d\x77\x81\x8b\x8c\x95\x9f\xa9\xb3\xc7"
		   "\xd1\xdb\xe5\xef\xf9"),
	  LIT(1, "\xf2\r\n")),
	R(T_PYC, 80, LIT(0, "\x03\xf3\r\n")),
	R(T_PYC, 80, ONEOF(0, "\xb8\xc2\xcc\xd6\xe0\xea\xf4\xf5\xff"),
	  LIT(1, "\x0b\r\n")),
	R(T_PYC, 80,
	  ONEOF(0, "\x09\x13\x1d\x1f\x27\x3b\x45\x4f\x58\x62\x6c\x76\x80\x94"
		   "\x9e\xb2\xcc\xc6\xd0\xda\xe4\xee"),
	  LIT(1, "\x0c\r\n")),
	R(T_PYC, 80, LIT(0, "\xf8\x0c\r\n")),
	R(T_PYC, 80, ONEOF(0, "\x02\x0c\x16\x17\x20\x21\x48\x49"),
	  LIT(1, "\x0d\r\n")),
	R(T_PYC, 80, RANGE(0, 1, "\x2a\x2d"), LIT(1, "\x0d\r\n")),
	R(T_PYC, 80, RANGE(0, 1, "\x2f\x33"), LIT(1, "\x0d\r\n")),
	R(T_PYC, 80, RANGE(0, 1, "\x3e\x42"), LIT(1, "\x0d\r\n")),
	R(T_PYC, 80, RANGE(0, 1, "\x52\x55"), LIT(1, "\x0d\r\n")),
	R(T_PYC, 80, RANGE(0, 1, "\x5c\x61"), LIT(1, "\x0d\r\n")),
	R(T_PYC, 80, RANGE(0, 1, "\x66\x6f"), LIT(1, "\x0d\r\n")),
	R(T_PYC, 80, RANGE(0, 1, "\x7a\xa7"), LIT(1, "\x0d\r\n")),
	R(T_PYC, 80, RANGE(0, 1, "\xac\xcb"), LIT(1, "\x0d\r\n")),
	R(T_PYC, 80, RANGE(0, 1, "\xde\xf3"), LIT(1, "\x0d\r\n")),
	R(T_PYC, 80, RANGE(0, 1, "\x10\x19"), LIT(1, "\x0e\r\n")),
	R("application/x-kdelnk", 220, LIT(0, "[KDE Desktop Entry]")),
	R("application/x-kdelnk", 200, LIT(0, "# KDE Config File")),
	R("application/vnd.symbian.install", 70, LIT(8, "\x19\x04\x00\x10")),
	R("x-epoc/x-sisx-app", 70, LIT(0, "\x7a\x1a\x20\x10")),
	R("application/x-epoc-agenda", 70,
	  LIT(0, "\x50\x00\x00\x10\x6d\x00\x00\x10\x84\x00\x00\x10")),
	R("application/x-epoc-data", 70,
	  LIT(0, "\x50\x00\x00\x10\x6d\x00\x00\x10\x86\x00\x00\x10")),
	R("application/x-epoc-jotter", 70,
	  LIT(0, "\x50\x00\x00\x10\x6d\x00\x00\x10\xea\x0c\x00\x10")),
	R("image/x-epoc-mbm", 70, LIT(0, "\x37\x00\x00\x10\x42\x00\x00\x10")),
	R("image/x-epoc-sketch", 70,
	  LIT(0, "\x37\x00\x00\x10\x6d\x00\x00\x10\x7d\x00\x00\x10")),
	R("application/x-epoc-word", 70,
	  LIT(0, "\x37\x00\x00\x10\x6d\x00\x00\x10\x7f\x00\x00\x10")),
	R("application/x-epoc-opl", 70,
	  LIT(0, "\x37\x00\x00\x10\x6d\x00\x00\x10\x85\x00\x00\x10")),
	R("application/x-epoc-sheet", 70,
	  LIT(0, "\x37\x00\x00\x10\x6d\x00\x00\x10\x88\x00\x00\x10")),
	R("application/x-epoc-opo", 70, LIT(0, "\x37\x00\x00\x10\x73\x00\x00\x10")),
	R("application/x-epoc-app", 70, LIT(0, "\x37\x00\x00\x10\x74\x00\x00\x10")),

	/* Images. */
	R("image/png", 110, LIT(0, "\x89PNG")),
	R("image/jpeg", 52, LIT(0, "\xff\xd8")),
	R("image/gif", 70, LIT(0, "GIF8")),
	R("image/x-ms-bmp", 50, LIT(0, "BM"),
	  ONEOF(14, "\x0c\x28\x40\x6c\x7c\x80"), LIT(15, "\x00")),
	R("image/tiff", 70, LIT(0, "MM\x00"), ONEOF(3, "\x2a\x2b")),
	R("image/tiff", 70, LIT(0, "II"), ONEOF(2, "\x2a\x2b"), LIT(3, "\x00")),
	R("image/x-icon", 70, LIT(0, "\x00\x00\x01\x00")),
	R("image/x-cursor", 70, LIT(0, "\x00\x00\x02\x00")),
	R("image/webp", 70, LIT(0, "RIFF"), LIT(8, "WEBP")),
	R("image/vnd.adobe.photoshop", 70, LIT(0, "8BPS")),
	R("image/jp2", 60, LIT(4, "ftypjp2")),
	R("image/jp2", 70, JP2_BOX, LIT(20, "jp2 ")),
	R("image/jpx", 70, JP2_BOX, LIT(20, "jpx ")),
	R("image/jpm", 70, JP2_BOX, LIT(20, "jpm ")),
	R("image/jp2", 50, LIT(4, "jP")),
	R("image/x-xcursor", 70, LIT(0, "Xcur")),
	R("image/x-niff", 70, LIT(0, "IIN1")),
	R("image/x-exr", 70, LIT(0, "\x76\x2f\x31\x01")),
	R("image/x-dpx", 70, LIT(0, "SDPX")),
	R("image/x-cpi", 70, LIT(0, "CPC\xb2")),
	R("image/x-olympus-orf", 70, LIT(0, "IIR"), ONEOF(3, "OS")),
	R("image/x-olympus-orf", 70, LIT(0, "MMOR")),
	R("image/x-x3f", 70, LIT(0, "FOVb")),
	R("image/x-paintnet", 70, LIT(0, "PDN3")),
	R("image/x-coreldraw", 70, LIT(0, "RIFF"), LIT(8, "CDR"),
	  ONEOF(11, "A6")),
	R("image/x-portable-pixmap", 50, LIT(0, "P7")),
	R("image/vnd.djvu", 70, LIT(0, "AT&TFORM"), LIT(12, "DJV"),
	  ONEOF(15, "MUI")),
	R("image/vnd.djvu", 70, LIT(0, "AT&TFORM"), LIT(12, "THUM")),
	R("image/vnd.dwg", 90, LIT(0, "AC1.")),
	R("image/vnd.dwg", 90, LIT(0, "AC2.")),
	R("image/vnd.dwg", 90, LIT(0, "AC10")),
	R("image/x-xcf", 110, LIT(0, "gimp xcf")),
	R("image/x-polar-monitor-bitmap", 160, LIT(0, "[BitmapInfo2]")),
	R("image/x-award-bmp", 20, LIT(0, "AWBM")),
	R("image/x-award-bioslogo", 50, LIT(0, "\x11"), ONEOF(1, "\x06\x09")),
	R("image/x-canon-crw", 170, LIT(0, "II\x1a\x00\x00\x00HEAPCCDR")),
	R("image/x-canon-cr2", 130, LIT(0, "II*\x00\x10\x00\x00\x00" "CR")),
	R("image/x-lss16", 70, LIT(0, "\x3d\xf3\x13\x14")),
	R("image/x-quicktime", 70, LIT(4, "idsc")),
	F("image/x-portable-bitmap", 42, m_pbm_raw),
	F("image/x-portable-greymap", 42, m_pgm_raw),
	F("image/x-portable-pixmap", 42, m_ppm_raw),
	F("image/x-portable-bitmap", 42, m_pbm_plain),
	F("image/x-portable-greymap", 42, m_pgm_plain),
	F("image/x-portable-pixmap", 42, m_ppm_plain),
	R("model/vrml", 190, LIT(0, "#VRML V1.0 ascii")),
	R("model/vrml", 190, LIT(0, "#VRML V1.0ascii")),
	R("model/vrml", 190, LIT(0, "#VRMLV1.0 ascii")),
	R("model/vrml", 190, LIT(0, "#VRMLV1.0ascii")),
	R("model/vrml", 180, LIT(0, "#VRML V2.0 utf8")),
	R("model/vrml", 180, LIT(0, "#VRML V2.0utf8")),
	R("model/vrml", 180, LIT(0, "#VRMLV2.0 utf8")),
	R("model/vrml", 180, LIT(0, "#VRMLV2.0utf8")),

	/* Audio. */
	R("audio/mpeg", 20, LIT(0, "ID3")),
	R("audio/mpeg", 20, LIT(0, "\xff"),
	  ONEOF(1, "\xe2\xe3\xf2\xf3\xf6\xf7\xfa\xfb\xfc\xfd")),
	R("audio/m4a", 70, LIT(4, "ftypm4a")),
	R("audio/mp4", 60, LIT(4, "ftypM4A")),
	R("audio/x-hx-aac-adif", 70, LIT(0, "ADIF")),
	R("audio/x-hx-aac-adts", 50, LIT(0, "\xff"), ONEOF(1, "\xf0\xf1\xf8\xf9")),
	R("audio/x-mp4a-latm", 50, LIT(0, "\x56"), RANGE(1, 1, "\xe0\xff")),
	R("audio/x-ape", 70, LIT(0, "MAC ")),
	R("audio/x-aiff", 70, LIT(0, "FORM"), LIT(8, "AIFF")),
	R("audio/x-aiff", 70, LIT(0, "FORM"), LIT(8, "AIFC")),
	R("audio/x-aiff", 70, LIT(0, "FORM"), LIT(8, "8SVX")),
	R("audio/x-flac", 70, LIT(0, "fLaC")),
	R("audio/x-wav", 70, LIT(0, "RIFF"), LIT(8, "WAVE")),
	R("audio/x-wav", 190, LIT(0, "RF64\xff\xff\xff\xffWAVEds64")),
	R("audio/x-w64", 190, LIT(0, "riff.\x91\xcf\x11\xa5\xd6\x28\xdb\x04\xc1\x00\x00"),
	  LIT(24, "wave\xf3\xac\xd3\x11\x8c\xd1\x00\xc0O\x8e\xdb\x8a")),
	R("audio/midi", 70, LIT(0, "MThd")),
	R("audio/x-mod", 190, LIT(0, "Extended Module:")),
	R("audio/x-mod", 110, LIT(21, "!SCREAM!")),
	R("audio/x-mod", 110, LIT(21, "BMOD2STM")),
	R("audio/x-mod", 70, LIT(0, "IMPM")),
	R("audio/x-mod", 20, LIT(0, "MAS_UTrack_V00/0")),
	R("audio/x-pn-realaudio", 70, LIT(0, "\x2e\x72\x61\xfd")),
	R("audio/x-dec-basic", 70, LIT(0, ".sd\x00"),
	  ONEOF(12, "\x01\x02\x03\x04\x05\x06\x07\x17"), LIT(13, "\x00\x00\x00")),
	R("audio/basic", 70, LIT(0, ".snd"), LIT(12, "\x00\x00\x00"),
	  RANGE(15, 1, "\x01\x07")),
	R("audio/x-adpcm", 70, LIT(0, ".snd"), LIT(12, "\x00\x00\x00\x17")),
	R("audio/x-musepack", 60, LIT(0, "MP+")),
	R("audio/vnd.dolby.dd-raw", 50, LIT(0, "\x0b\x77")),
	R("application/ogg", 70, LIT(0, "OggS")),

	/* Video. */
	R("video/x-flv", 60, LIT(0, "FLV")),
	R("video/x-fli", 50, LIT(4, "\x11\xaf")),
	R("video/x-flc", 50, LIT(4, "\x12\xaf")),
	R("video/mj2", 70, JP2_BOX, LIT(20, "mjp2")),
	R("video/x-mng", 70, LIT(0, "\x8aMNG")),
	R("video/x-jng", 70, LIT(0, "\x8bJNG")),
	R("video/mpeg", 50, LIT(0, "\x00\x00\x01"), RANGE(3, 1, "\xb0\xbb")),
	R("video/mpv", 71, LIT(0, "\x00\x00\x01\xb3")),
	R("video/h264", 41, LIT(0, "\x00\x00\x00\x01"),
	  ONEOF(4, "\x07\x27\x47\x67\x87\xa7\xc7\xe7")),
	F("video/webm", 70, m_webm),
	F("video/x-matroska", 110, m_matroska),
	R("video/mp2p", 21, LIT(0, "\x00\x00\x01\xba"), RANGE(4, 1, "\x40\x7f")),
	R("video/mp2p", 21, LIT(0, "\x00\x00\x01\xba"), RANGE(4, 1, "\xc0\xff")),
	/* Transport stream: a sync byte every 188 bytes, four packets. */
	R("video/mp2t", 40, LIT(0, "\x47"), LIT(188, "\x47"), LIT(376, "\x47"),
	  LIT(564, "\x47"), ANY(751)),
	R("video/x-sgi-movie", 70, LIT(0, "MOVI")),
	R("video/quicktime", 70, LIT(4, "mdat")),
	R("video/quicktime", 70, LIT(4, "moov")),
	R("video/quicktime", 50, LIT(4, "ftypqt")),
	R("video/mp4", 70, LIT(4, "ftypisom")),
	R("video/mp4", 70, LIT(4, "ftypmp41")),
	R("video/mp4", 70, LIT(4, "ftypmp42")),
	R("video/mp4", 60, LIT(4, "ftypM4V")),
	R("video/3gpp", 60, LIT(4, "ftyp3g"), ONEOF(10, "egps2")),
	R("video/3gpp", 60, LIT(4, "ftypavc1")),
	R("video/3gpp", 60, LIT(4, "ftypmmp4")),
	R("video/x-ms-asf", 70, LIT(0, "\x30\x26\xb2\x75")),
	R("video/x-msvideo", 70, LIT(0, "RIFF"), LIT(8, "AVI ")),
	R("application/x-quicktime-player", 70, LIT(4, "pckg")),
	R("application/vnd.rn-realmedia", 100, LIT(0, ".RMF\x00\x00\x00")),
	R("application/x-shockwave-flash", 60, ONEOF(0, "FCZ"), LIT(1, "WS")),

	/* Fonts. */
	R("application/font-woff2", 70, LIT(0, "wOF2")),
	R("application/font-woff", 70, LIT(0, "wOFF")),
	R("application/x-font-ttf", 80, LIT(0, "\x00\x01\x00\x00\x00")),
	R("application/vnd.ms-fontobject", 50, LIT(34, "LP")),
	R("application/x-font-sfn", 70, LIT(0, "\x04\x00\x00\x00"),
	  LIT(104, "\x04\x00\x00\x00")),
	R("application/x-font-sfn", 70, LIT(0, "\x04\x00\x00\x00"),
	  LIT(104, "\x00\x00\x00\x04")),
	R("application/x-font-sfn", 70, LIT(0, "\x00\x00\x00\x04"),
	  LIT(104, "\x04\x00\x00\x00")),
	R("application/x-font-sfn", 70, LIT(0, "\x00\x00\x00\x04"),
	  LIT(104, "\x00\x00\x00\x04")),
	R("application/vnd.ms-opentype", 70, LIT(0, "OTTO")),
	R("application/vnd.font-fontforge-sfd", 160, LIT(0, "SplineFontDB:")),

	/* Everything else the signature set names. */
	R("application/vnd.ms-pol", 49, LIT(0, "PReg")),
	R("application/vnd.ms-reg", 49, LIT(0, "REGEDIT4")),
	R("application/vnd.ms-reg", 49,
	  LIT(0, "\xff\xfeW\x00i\x00n\x00" "d\x00o\x00w\x00s\x00 \x00R\x00"
		 "e\x00g\x00i\x00s\x00t\x00r\x00y\x00 \x00" "E\x00"
		 "d\x00i\x00t\x00o\x00r\x00 \x00V\x00"
		 "e\x00r\x00s\x00i\x00o\x00n\x00 \x00" "5\x00.\x00"
		 "0\x00" "0")),
	R("application/vnd.ms-regf", 49, LIT(0, "regf")),
	R("application/vnd.apple-afpinfo", 0, LIT(0, "AFP")),
	R("application/vnd.tcpdump.pcap", 70, LIT(0, "\xa1\xb2\xc3\xd4")),
	R("application/vnd.tcpdump.pcap", 70, LIT(0, "\xd4\xc3\xb2\xa1")),
	R("application/vnd.tcpdump.pcap", 100, LIT(0, "\x0a\x0d\x0d\x0a"),
	  LIT(8, "\x1a\x2b\x3c\x4d")),
	R("application/vnd.tcpdump.pcap", 100, LIT(0, "\x0a\x0d\x0d\x0a"),
	  LIT(8, "\x4d\x3c\x2b\x1a")),
	R("application/skp", 100,
	  LIT(0, "\xff\xfe\xff\x0eS\x00k\x00" "e\x00t\x00" "c\x00h\x00U\x00"
		 "p\x00 \x00M\x00o\x00" "d\x00" "e\x00l\x00")),
	R("application/x-ms-dds", 100, LIT(0, "DDS")),
	R("application/bsdiff", 100, LIT(0, "BSDIFF")),
	R("application/bindiff", 100, LIT(0, "DIFF")),
	R("application/x-kaspavdb", 100, LIT(0, "KLZF")),
	R("application/x-kaspavupdate", 100, LIT(0, "KLD2")),
	R("application/mssql-bak", 100, LIT(0, "MSSQLBAK")),
	R("application/mtf", 100, LIT(0, "TAPE")),
	R("application/bplist", 100, LIT(0, "bplist")),
	R("application/x-game-mpq", 100, LIT(0, "MPQ\x1a")),
	R("application/x-blizgame", 100, LIT(0, "BLTE")),
	R("application/map-tile", 100, LIT(0, "VMP4")),
	R("application/chrome-ext", 100, LIT(0, "Cr24")),
	R("application/chrome-ext-upd", 70, LIT(0, "CrOD")),
	R("application/msqm", 100, LIT(0, "MSQM")),
	R("application/x-vim-tmp", 100, LIT(0, "b0VIM")),
	R("application/x-windows-minidump", 50, LIT(0, "MDMP")),
	R("application/x-hdf", 110, LIT(0, "\x89HDF\r\n\x1a\n")),
	R("application/x-hdf", 70, LIT(0, "\x0e\x03\x13\x01")),
	R("application/x-tokyocabinet-hash", 40, LIT(0, "ToKyO CaBiNeT\n"),
	  LIT(32, "\x00")),
	R("application/x-tokyocabinet-btree", 40, LIT(0, "ToKyO CaBiNeT\n"),
	  LIT(32, "\x01")),
	R("application/x-tokyocabinet-fixed", 40, LIT(0, "ToKyO CaBiNeT\n"),
	  LIT(32, "\x02")),
	R("application/x-tokyocabinet-table", 40, LIT(0, "ToKyO CaBiNeT\n"),
	  LIT(32, "\x03")),
	R("application/x-dbm", 70, LIT(0, "\x61\x15\x06\x00")),
	R("application/x-dbm", 70, LIT(0, "\x00\x06\x15\x61")),
	R("application/x-gdbm", 70, LIT(0, "GDBM")),
	R("application/x-gdbm", 70, LIT(0, "\xce\x9a\x57\x13")),
	R("application/x-gdbm", 70, LIT(0, "\x13\x57\x9a\xce")),
	F("application/vnd.fdo.journal", 80, m_journal),
	R("application/dicom", 70, LIT(128, "DICM")),
	R("application/vnd.cups-raster", 40, LIT(0, "3SaR")),
	R("application/vnd.cups-raster", 40, LIT(0, "RaS3")),
	R("application/x-dvi", 50, LIT(0, "\xf7\x02")),
	R("application/marc", 50, RANGE(0, 5, "09"), ONEOF(5, "acdn"),
	  LIT(6, "w")),
};

#define MAGIC_NRULES (sizeof(magic_rules) / sizeof(magic_rules[0]))

static bool piece_holds(const struct magic_piece *pc, const uint8_t *d,
			size_t n)
{
	size_t span = pc->kind == PC_LIT || pc->kind == PC_NOCASE ||
				  pc->kind == PC_RANGE
			      ? pc->len
			      : 1;
	if (pc->off > n || span > n - pc->off)
		return false;
	const uint8_t *p = d + pc->off;
	switch (pc->kind) {
	case PC_LIT:
		return memcmp(p, pc->s, pc->len) == 0;
	case PC_NOCASE:
		return eq_nocase_at(d, n, pc->off, pc->s, pc->len);
	case PC_ONEOF:
		return memchr(pc->s, *p, pc->len) != NULL;
	case PC_RANGE:
		for (size_t i = 0; i < pc->len; i++)
			if (p[i] < (uint8_t)pc->s[0] || p[i] > (uint8_t)pc->s[1])
				return false;
		return true;
	case PC_NOT:
		return *p != (uint8_t)pc->s[0];
	default:
		return false;
	}
}

/* Most rules begin with literal bytes at offset 0: their first byte
 * rules them out for most files without the full check. */
static bool first_byte_fails(const struct magic_rule *r, uint8_t first)
{
	const struct magic_piece *pc = &r->p[0];
	if (r->fn || pc->off != 0 || pc->len == 0)
		return false;
	if (pc->kind == PC_LIT)
		return first != (uint8_t)pc->s[0];
	if (pc->kind == PC_NOCASE)
		return ascii_lower(first) != (uint8_t)pc->s[0];
	return false;
}

static bool rule_matches(const struct magic_rule *r, const uint8_t *d,
			 size_t n)
{
	if (first_byte_fails(r, d[0]))
		return false;
	if (r->fn)
		return r->fn(d, n);
	for (size_t i = 0; i < MAGIC_PIECES && r->p[i].kind != PC_END; i++)
		if (!piece_holds(&r->p[i], d, n))
			return false;
	return true;
}

/* Tries rules in table order (all of them, or the n listed) and keeps the
 * strongest match, ties to the smallest type. */
static const char *best_of(const uint16_t *list, size_t n, const uint8_t *bof, size_t len)
{
	const struct magic_rule *best = NULL;
	for (size_t k = 0; k < n; k++) {
		const struct magic_rule *r = &magic_rules[list ? list[k] : k];
		/* A rule that cannot beat the current best is not tried. */
		if (best && (r->strength < best->strength ||
			     (r->strength == best->strength &&
			      strcmp(r->mime, best->mime) >= 0)))
			continue;
		if (rule_matches(r, bof, len))
			best = r;
	}
	return best ? best->mime : NULL;
}

const char *magic_mime_type(const uint8_t *bof, size_t len)
{
	if (!bof || len == 0)
		return NULL;
	if (len > MAGIC_BOF_SIZE)
		len = MAGIC_BOF_SIZE;
	return best_of(NULL, MAGIC_NRULES, bof, len);
}

/* Remembered answers: direct-mapped, each slot holding the buffer it
 * answered for, so that a hit is a byte-for-byte match. */
#define MAGIC_MEMO_SLOTS 32

struct magic_memo {
	size_t len;		/* 0: empty */
	const char *mime;	/* static, or NULL for no match */
	uint8_t bof[MAGIC_BOF_SIZE];
};

/* Per first byte, the rules that byte does not rule out, in table order:
 * the keyed ones (first_byte_fails decides) and every other rule. */
struct magic_index {
	const uint16_t *list[256];
	uint16_t n[256];
	uint16_t *storage;	/* owned */
	struct magic_memo memo[MAGIC_MEMO_SLOTS];
};

/* A slot for the buffer from its length and ends: cheap, and a collision
 * costs only a miss. */
static size_t memo_slot(const uint8_t *p, size_t n)
{
	uint64_t h = n * 0x9e3779b97f4a7c15ull;
	size_t k = n < 16 ? n : 16;
	for (size_t i = 0; i < k; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	for (size_t i = n - k; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return (size_t)(h >> 59) & (MAGIC_MEMO_SLOTS - 1);
}

_Static_assert(MAGIC_NRULES <= UINT16_MAX, "rule numbers fit the index");

struct magic_index *magic_index_new(void)
{
	struct magic_index *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	size_t total = 0;
	for (int b = 0; b < 256; b++)
		for (size_t i = 0; i < MAGIC_NRULES; i++)
			total += !first_byte_fails(&magic_rules[i], (uint8_t)b);
	x->storage = malloc((total ? total : 1) * sizeof *x->storage);
	if (!x->storage) {
		free(x);
		return NULL;
	}
	uint16_t *at = x->storage;
	for (int b = 0; b < 256; b++) {
		x->list[b] = at;
		for (size_t i = 0; i < MAGIC_NRULES; i++)
			if (!first_byte_fails(&magic_rules[i], (uint8_t)b))
				*at++ = (uint16_t)i;
		x->n[b] = (uint16_t)(at - x->list[b]);
	}
	return x;
}

void magic_index_free(struct magic_index *x)
{
	if (!x)
		return;
	free(x->storage);
	free(x);
}

const char *magic_mime_type_indexed(struct magic_index *x, const uint8_t *bof, size_t len)
{
	if (!x)
		return magic_mime_type(bof, len);
	if (!bof || len == 0)
		return NULL;
	if (len > MAGIC_BOF_SIZE)
		len = MAGIC_BOF_SIZE;
	struct magic_memo *m = &x->memo[memo_slot(bof, len)];
	if (m->len == len && memcmp(m->bof, bof, len) == 0)
		return m->mime;
	const char *mime = best_of(x->list[bof[0]], x->n[bof[0]], bof, len);
	m->len = len;
	m->mime = mime;
	memcpy(m->bof, bof, len);
	return mime;
}

const char *magic_rule_type(size_t i)
{
	return i < sizeof magic_rules / sizeof magic_rules[0] ? magic_rules[i].mime : NULL;
}
