#include "output/escape.h"

#include <stdint.h>
#include <string.h>

#include "core/bytes.h"

static const char escape_hex[] = "0123456789abcdef";

static void escape_put_hex(struct buf *out, uint8_t c)
{
	char t[4] = {'\\', 'x', escape_hex[c >> 4], escape_hex[c & 0xf]};
	buf_append(out, t, 4);
}

/*
 * Length (2-4) of the UTF-8 character at p when Zeek lets it through
 * raw (util.cc check_ok_utf8: well-formed per Unicode Table 3-7, and not
 * a C1 control, private-use, or U+FFF0-U+FFFF), else 0. p[0] >= 0x80.
 */
static size_t escape_utf8_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (p[1] & 0xc0) != 0x80)
			return 0;
		/* U+0080-U+009F are C1 controls: lead c2, second 80-9f. */
		if (c == 0xc2 && p[1] <= 0x9f)
			return 0;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f))
			return 0;	/* overlong, surrogate */
		uint32_t cp = (uint32_t)(c & 0x0f) << 12 |
			      (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		if ((cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xfff0)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return 0;	/* overlong, above U+10FFFF */
		return 4;
	}
	return 0;
}

/* Step C: a segment is clean when it holds only printable ASCII and
 * allowed UTF-8; an unclean one escapes every non-printable byte. */
static void escape_tsv_segment(struct buf *out, const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (ascii_is_print(p[i])) {
			i++;
			continue;
		}
		size_t len = p[i] >= 0x80 ? escape_utf8_len(p + i, n - i) : 0;
		if (len == 0)
			break;
		i += len;
	}
	if (i == n) {
		buf_append(out, p, n);
		return;
	}
	size_t run = 0;
	for (i = 0; i < n; i++) {
		if (ascii_is_print(p[i]))
			continue;
		buf_append(out, p + run, i - run);
		escape_put_hex(out, p[i]);
		run = i + 1;
	}
	buf_append(out, p + run, n - run);
}

/* Step B: backslash, TAB and (in containers) ',' split the segments. */
static void escape_tsv_body(struct buf *out, const uint8_t *p, size_t n,
			    bool in_container)
{
	/* Fast path: a plain printable ASCII value is copied as it is. */
	size_t i = bytes_span_print_not2(p, n, '\\', in_container ? ',' : '\\');
	if (i == n) {
		buf_append(out, p, n);
		return;
	}
	size_t start = 0;
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c != '\\' && c != '\t' && !(in_container && c == ','))
			continue;
		escape_tsv_segment(out, p + start, i - start);
		if (c == '\\')
			buf_append(out, "\\\\", 2);
		else
			escape_put_hex(out, c);
		start = i + 1;
	}
	escape_tsv_segment(out, p + start, n - start);
}

void escape_append_tsv(struct buf *out, const char *s, size_t n,
		       bool in_container)
{
	const uint8_t *p = (const uint8_t *)s;
	if (n == 0) {
		buf_append(out, "(empty)", 7);
		return;
	}
	/* Step A: a value equal to the unset or empty marker gets its
	 * first byte hex-escaped so that readers can tell them apart. */
	if ((n == 1 && p[0] == '-') || (n == 7 && memcmp(p, "(empty)", 7) == 0)) {
		escape_put_hex(out, p[0]);
		escape_tsv_body(out, p + 1, n - 1, in_container);
		return;
	}
	escape_tsv_body(out, p, n, in_container);
}

void escape_seqs_insert(struct escape_seqs *set, const char *p, size_t n)
{
	size_t at = 0;
	for (; at < set->n; at++) {
		const struct escape_seq *e = &set->s[at];
		size_t m = e->n < n ? e->n : n;
		int c = m ? memcmp(e->p, p, m) : 0;
		if (c == 0 && e->n == n)
			return;	/* already there */
		if (c > 0 || (c == 0 && e->n > n))
			break;
	}
	if (set->n >= sizeof set->s / sizeof set->s[0])
		return;
	memmove(&set->s[at + 1], &set->s[at], (set->n - at) * sizeof set->s[0]);
	set->s[at].p = p;
	set->s[at].n = n;
	set->n++;
}

/* ODesc::StartsWithEscapeSequence: the first sequence (in set order)
 * that fits and matches; an empty one "matches" with length 0. */
static size_t escape_seq_at(const struct escape_seqs *seqs, const uint8_t *p, size_t left)
{
	for (size_t k = 0; k < seqs->n; k++) {
		const struct escape_seq *e = &seqs->s[k];
		if (e->n > left)
			continue;
		if (memcmp(p, e->p, e->n) == 0)
			return e->n;
	}
	return 0;
}

void escape_append_desc(struct buf *out, const char *s, size_t n,
			const struct escape_seqs *seqs)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = p[i] == '\\' ? 1 : escape_seq_at(seqs, p + i, n - i);
		if (len == 0)
			continue;
		escape_tsv_segment(out, p + start, i - start);
		/* util::get_escaped_string(..., escape_all = true) */
		for (size_t k = i; k < i + len; k++) {
			if (p[k] == '\\')
				buf_append(out, "\\\\", 2);
			else
				escape_put_hex(out, p[k]);
		}
		i += len - 1;
		start = i + 1;
	}
	escape_tsv_segment(out, p + start, n - start);
}

void escape_append_tsv_meta(struct buf *out, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		/* isspace() or !isprint() in the C locale */
		if (ascii_is_graph(p[i]))
			continue;
		buf_append(out, p + run, i - run);
		escape_put_hex(out, p[i]);
		run = i + 1;
	}
	buf_append(out, p + run, n - run);
}

/* RapidJSON's escape for one byte that needs one (c < 0x20, '"', '\'). */
static void escape_json_byte(struct buf *out, uint8_t c)
{
	char t[6] = {'\\', 0, 0, 0, 0, 0};
	switch (c) {
	case '"': t[1] = '"'; break;
	case '\\': t[1] = '\\'; break;
	case '\b': t[1] = 'b'; break;
	case '\f': t[1] = 'f'; break;
	case '\n': t[1] = 'n'; break;
	case '\r': t[1] = 'r'; break;
	case '\t': t[1] = 't'; break;
	default:
		memcpy(t + 1, "u00", 3);
		t[4] = "0123456789ABCDEF"[c >> 4];
		t[5] = "0123456789ABCDEF"[c & 0xf];
		buf_append(out, t, 6);
		return;
	}
	buf_append(out, t, 2);
}

static bool escape_json_plain(uint8_t c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

static void escape_json_body(struct buf *out, const uint8_t *p, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (escape_json_plain(p[i]))
			continue;
		buf_append(out, p + run, i - run);
		escape_json_byte(out, p[i]);
		run = i + 1;
	}
	buf_append(out, p + run, n - run);
}

void escape_append_json_raw(struct buf *out, const char *s, size_t n)
{
	buf_putc(out, '"');
	escape_json_body(out, (const uint8_t *)s, n);
	buf_putc(out, '"');
}

static bool escape_json_kept(uint8_t c)
{
	return ascii_is_print(c) || c == '\b' || c == '\f' || c == '\n' ||
	       c == '\r' || c == '\t';
}

void escape_append_json(struct buf *out, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;
	buf_putc(out, '"');
	/* Fast path: printable ASCII that needs no JSON escape. */
	while (i < n && ascii_is_print(p[i]) && p[i] != '"' && p[i] != '\\')
		i++;
	if (i == n) {
		buf_append(out, p, n);
		buf_putc(out, '"');
		return;
	}
	/* Stage 1 (util::escape_utf8): is the whole string clean? */
	for (; i < n; i++) {
		if (escape_json_kept(p[i]))
			continue;
		size_t len = p[i] >= 0x80 ? escape_utf8_len(p + i, n - i) : 0;
		if (len == 0)
			break;
		i += len - 1;
	}
	if (i == n) {
		escape_json_body(out, p, n);
		buf_putc(out, '"');
		return;
	}
	/* Unclean: every other byte becomes the text \xNN, whose backslash
	 * stage 2 then doubles, giving \\xNN in the file. */
	size_t run = 0;
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (escape_json_plain(c) && c < 0x7f)
			continue;
		buf_append(out, p + run, i - run);
		run = i + 1;
		if (escape_json_kept(c)) {
			escape_json_byte(out, c);
		} else {
			char t[5] = {'\\', '\\', 'x', escape_hex[c >> 4],
				     escape_hex[c & 0xf]};
			buf_append(out, t, 5);
		}
	}
	buf_append(out, p + run, n - run);
	buf_putc(out, '"');
}
