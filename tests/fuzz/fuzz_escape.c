/*
 * The writers' string escaping (output/escape.c). Besides sanitizer
 * reports, checks what makes a log line parseable:
 *  - TSV: no byte below 0x20 and no DEL survives (a TAB or LF would split
 *    the line); inside a container no ',' does; a value is never written
 *    as the bare "-" or "(empty)" markers unless it is empty;
 *  - JSON: the result is one JSON string that jansson accepts, and it
 *    decodes either to the input (clean UTF-8) or to the input with every
 *    escaped byte spelled "\xNN" (Zeek's HEX policy) -- nothing else.
 *
 *   input = mode-byte value (mode bit 0: TSV container element)
 */
#include "output/escape.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* No control byte (below 0x20), and no DEL unless `del_ok`. */
static bool no_controls(const struct buf *b, bool del_ok)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] < 0x20 || (!del_ok && b->data[i] == 0x7f))
			return false;
	return true;
}

/* The input with every byte outside printable ASCII and \b\f\n\r\t spelled
 * as the four characters \xNN: what a HEX-escaped value decodes to. */
static void hex_form(struct buf *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if ((c >= 0x20 && c < 0x7f) || c == '\b' || c == '\f' || c == '\n' || c == '\r' ||
		    c == '\t')
			buf_putc(out, c);
		else
			buf_printf(out, "\\x%02x", c);
	}
}

static void check_json(const uint8_t *p, size_t n)
{
	struct buf out, want;
	buf_init(&out, 1 << 24);
	buf_init(&want, 1 << 24);
	escape_append_json(&out, (const char *)p, n);
	FUZZ_CHECK(!buf_error(&out) && out.len >= 2 && out.data[0] == '"' &&
		   out.data[out.len - 1] == '"');
	json_error_t err;
	json_t *j =
	    json_loadb((const char *)out.data, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (!j) {
		fprintf(stderr, "fuzz_escape: jansson rejects the JSON string: %s\n", err.text);
		abort();
	}
	FUZZ_CHECK(json_is_string(j));
	const char *s = json_string_value(j);
	size_t sn = json_string_length(j);
	hex_form(&want, p, n);
	FUZZ_CHECK((sn == n && memcmp(s, p, n) == 0) ||
		   (sn == want.len && memcmp(s, want.data, sn) == 0));
	json_decref(j);

	/* Object keys: RapidJSON's escaping alone, which leaves DEL and
	 * 8-bit bytes raw but no control byte. */
	buf_reset(&out);
	escape_append_json_raw(&out, (const char *)p, n);
	FUZZ_CHECK(no_controls(&out, true));
	buf_free(&out);
	buf_free(&want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool in_container = data[0] & 1;
	size_t n = size - 1;
	/* Exact-size copy so that ASan catches reads past the value. */
	uint8_t *p = malloc(n ? n : 1);
	if (!p)
		abort();
	memcpy(p, data + 1, n);

	struct buf out;
	buf_init(&out, 1 << 24);
	escape_append_tsv(&out, (const char *)p, n, in_container);
	FUZZ_CHECK(!buf_error(&out) && no_controls(&out, false));
	FUZZ_CHECK(memchr(out.data, '\t', out.len) == NULL);
	if (in_container)
		FUZZ_CHECK(out.len == 0 || memchr(out.data, ',', out.len) == NULL);
	if (n > 0)
		FUZZ_CHECK(!(out.len == 1 && out.data[0] == '-') &&
			   !(out.len == 7 && memcmp(out.data, "(empty)", 7) == 0));
	buf_reset(&out);
	escape_append_tsv_meta(&out, (const char *)p, n);
	FUZZ_CHECK(no_controls(&out, false) &&
		   (out.len == 0 || memchr(out.data, ' ', out.len) == NULL));
	buf_free(&out);

	check_json(p, n);
	free(p);
	return 0;
}
