/*
 * The SMTP script's filename rules for MIME headers (base/utils/files.zeek,
 * spec §3.8): which Content-Disposition / Content-Type parameters name the
 * file, RFC 2231's charset'language' prefix, and the %-unescaping that
 * follows. Pure functions of the header text; the caller owns the buffer
 * that receives the name.
 */
#include "proto/mime_hdr.h"

#include <string.h>

/* If `word` (lower case) starts at b[i] (any case) and is followed by
 * [ \t]* then, if star, an optional '*', then '=': the offset after '='. */
static size_t match_name_eq(struct bytes b, size_t i, const char *word,
			    bool star)
{
	size_t k = strlen(word);
	if (b.n - i < k || !bytes_ieq(b.p + i, k, word))
		return 0;
	size_t j = i + k;
	j += bytes_span(b.p + j, b.n - j, ASCII_BLANK);
	if (star && j < b.n && b.p[j] == '*')
		j++;
	if (j < b.n && b.p[j] == '=')
		return j + 1;
	return 0;
}

static bool contains_name_eq(struct bytes b, const char *word, bool star)
{
	/* The first letter rules out almost every offset cheaply. */
	uint8_t first = ascii_upper((uint8_t)word[0]);
	for (size_t i = 0; i < b.n; i++)
		if (ascii_upper(b.p[i]) == first && match_name_eq(b, i, word, star))
			return true;
	return false;
}

static bool is_rfc2231_char(uint8_t c)
{
	if (ascii_is_alnum(c) || (c >= 0x2B && c <= 0x5E))
		return true;
	return c != 0 && strchr("!#$%&_`{}~", c) != NULL;
}

/* Zeek's unescape_URI (the HTTP analyzer's, used by the script). */
static void unescape_uri(struct bytes s, struct buf *out)
{
	size_t i = 0;
	while (i < s.n) {
		if (s.p[i] != '%') {
			buf_putc(out, s.p[i++]);
			continue;
		}
		i++;
		size_t left = s.n - i;
		if (left == 0) {
			buf_putc(out, '%');
			break;
		}
		if (left == 1) {
			buf_putc(out, '%');
			buf_putc(out, s.p[i]);
			break;
		}
		if (s.p[i] == '%') {
			continue; /* "%%": drop the first, rescan the second */
		}
		if (ascii_hexval(s.p[i]) >= 0 && ascii_hexval(s.p[i + 1]) >= 0) {
			buf_putc(out, (uint8_t)(ascii_hexval(s.p[i]) << 4 |
						ascii_hexval(s.p[i + 1])));
			i += 2;
			continue;
		}
		if (left >= 5 && s.p[i] == 'u' && ascii_hexval(s.p[i + 1]) >= 0 &&
		    ascii_hexval(s.p[i + 2]) >= 0 && ascii_hexval(s.p[i + 3]) >= 0 &&
		    ascii_hexval(s.p[i + 4]) >= 0) {
			if (!(s.p[i + 1] == '0' && s.p[i + 2] == '0'))
				buf_putc(out, (uint8_t)(ascii_hexval(s.p[i + 1]) << 4 |
							ascii_hexval(s.p[i + 2])));
			buf_putc(out, (uint8_t)(ascii_hexval(s.p[i + 3]) << 4 |
						ascii_hexval(s.p[i + 4])));
			i += 5;
			continue;
		}
		buf_putc(out, '%');
		buf_putc(out, s.p[i++]);
	}
}

/* extract_filename_from_content_disposition(). Zeek's '.' does not match
 * '\n', so the anchored patterns only see the text before the first LF. */
static void extract_filename(struct bytes v, struct buf *out)
{
	const uint8_t *nl = v.n ? memchr(v.p, '\n', v.n) : NULL;
	size_t line = nl ? (size_t)(nl - v.p) : v.n;
	struct bytes first = {v.p, line};
	size_t cut = 0;
	bool matched = false;

	/* sub(data, ^.*name[blank]*\*?=[blank]*, ""): cut after the last
	 * occurrence (Zeek's matcher takes the longest match). */
	for (size_t i = 0; i < first.n; i++) {
		size_t end = match_name_eq(first, i, "name", true);
		if (end) {
			cut = end + bytes_span(first.p + end, first.n - end, ASCII_BLANK);
			matched = true;
		}
	}
	struct bytes s = matched ? bytes_from(v, cut) : v;

	/* A leading quote: up to the next quote, or the rest. */
	if (s.n > 0 && s.p[0] == '"') {
		const uint8_t *q = memchr(s.p + 1, '"', s.n - 1);
		s.p += 1;
		s.n = q ? (size_t)(q - s.p) : s.n - 1;
	}

	/* RFC 2231 charset'language' prefix: drop through the last quote
	 * of the first line. */
	size_t i = 0;
	while (i < s.n && is_rfc2231_char(s.p[i]))
		i++;
	if (i > 0 && i < s.n && s.p[i] == '\'') {
		size_t j = i + 1;
		while (j < s.n && is_rfc2231_char(s.p[j]))
			j++;
		if (j < s.n && s.p[j] == '\'') {
			size_t last = j;
			for (size_t k = j; k < s.n && s.p[k] != '\n'; k++)
				if (s.p[k] == '\'')
					last = k;
			s = bytes_from(s, last + 1);
		}
	}
	unescape_uri(s, out);
}

bool mime_header_filename(struct bytes name, struct bytes value,
			  struct buf *out)
{
	bool hit = false;
	if (bytes_ieq(name.p, name.n, "CONTENT-DISPOSITION"))
		hit = contains_name_eq(value, "filename", true);
	else if (bytes_ieq(name.p, name.n, "CONTENT-TYPE"))
		hit = contains_name_eq(value, "name", false);
	if (!hit)
		return false;
	buf_reset(out);
	extract_filename(value, out);
	return true;
}
