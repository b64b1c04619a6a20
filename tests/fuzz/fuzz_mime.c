/*
 * The MIME entity parser (proto/mime.c) on one message body.
 *
 *   input = mode-byte body
 * The body is cut into lines at LF (a CR before it is dropped, as the
 * SMTP line framing does). mode bit 0 clear: DATA mode, every line has
 * its implicit CRLF; set: BDAT mode, where only LF-terminated lines do
 * and the last piece has none.
 *
 * Besides sanitizer reports, the callbacks check what the header
 * promises: nesting within MIME_MAX_DEPTH, ordinals counting up, data
 * chunks of at most MIME_SEGMENT_LENGTH, and every entity begun also
 * ended by mime_end().
 */
#include "proto/mime.h"
#include "proto/mime_hdr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_mime {
	struct mime_parser *mp;
	uint64_t begins, ends;
	struct buf name; /* scratch for mime_header_filename */
};

static void on_begin(void *ud, const struct mime_entity *e)
{
	struct fuzz_mime *f = ud;
	f->begins++;
	FUZZ_CHECK(e->level <= MIME_MAX_DEPTH);
	FUZZ_CHECK(e->ordinal == f->begins);
}

static void on_header(void *ud, const struct mime_entity *e, struct bytes name, struct bytes value)
{
	struct fuzz_mime *f = ud;
	(void)e;
	/* What the SMTP script does with each header. */
	buf_reset(&f->name);
	mime_header_filename(name, value, &f->name);
	fuzz_touch(name.p, name.n);
	fuzz_touch(value.p, value.n);
}

static void on_data(void *ud, const struct mime_entity *e, const uint8_t *p, size_t n)
{
	struct fuzz_mime *f = ud;
	FUZZ_CHECK(n > 0 && n <= MIME_SEGMENT_LENGTH);
	FUZZ_CHECK(mime_current(f->mp) == e);
	struct bytes fname;
	if (mime_filename(f->mp, &fname))
		FUZZ_CHECK(fname.n == 0 || fname.p != NULL);
	fuzz_touch(p, n);
}

static void on_end(void *ud, const struct mime_entity *e)
{
	struct fuzz_mime *f = ud;
	(void)e;
	f->ends++;
	FUZZ_CHECK(f->ends <= f->begins);
}

static void on_weird(void *ud, const char *name, const char *addl, bool limit)
{
	(void)ud;
	(void)limit;
	FUZZ_CHECK(name && addl && strlen(name) > 0);
}

static void on_note(void *ud, enum mime_note kind, const char *detail)
{
	(void)ud;
	(void)kind;
	FUZZ_CHECK(detail != NULL);
}

static const struct mime_callbacks fuzz_cbs = {
    on_begin, on_header, NULL /* headers_done: nothing to check */, on_data, on_end,
    on_weird, on_note,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool bdat = data[0] & 1;
	/* Heap, not stack: the parser is ~15 KiB, and ASan sees overflows of
	 * heap blocks exactly. */
	struct mime_parser *mp = malloc(sizeof *mp);
	if (!mp)
		abort();
	struct fuzz_mime f = {.mp = mp};
	buf_init(&f.name, MIME_MAX_FIELD_BYTES);
	mime_init(mp, &fuzz_cbs, &f);
	const uint8_t *p = data + 1, *end = data + size;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t line = n && nl && p[n - 1] == '\r' ? n - 1 : n;
		/* An exact-size copy: ASan catches reads past the line. */
		uint8_t *copy = malloc(line ? line : 1);
		if (!copy)
			abort();
		memcpy(copy, p, line);
		mime_feed_line(mp, copy, line, bdat ? nl != NULL : true);
		free(copy);
		p += n + (nl ? 1 : 0);
	}
	mime_end(mp);
	FUZZ_CHECK(f.begins == f.ends);
	mime_end(mp); /* idempotent, says the header */
	FUZZ_CHECK(f.begins == f.ends);
	mime_free(mp);
	free(mp);
	buf_free(&f.name);
	return 0;
}
