/* Unit tests for output/escape.c: zeek-core-spec §1.8 and §2.5 vectors
 * (ascii-escape*, ascii-utf8-*, ascii-json-utf8 baselines). */
#include <string.h>

#include "core/buf.h"
#include "output/escape.h"
#include "tests/check.h"

/* Inputs are byte strings with an explicit length (they contain NULs). */
#define TSV(in, want) check_tsv((in), sizeof(in) - 1, false, (want), __LINE__)
#define TSV_SET(in, want) check_tsv((in), sizeof(in) - 1, true, (want), __LINE__)
#define JSON(in, want) check_json((in), sizeof(in) - 1, (want), __LINE__)

static void check_tsv(const char *in, size_t n, bool set, const char *want,
		      int line)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	escape_append_tsv(&b, in, n, set);
	if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
		fprintf(stderr, "line %d:\n", line);
	CHECK_BYTES(b.data, b.len, want);
	buf_free(&b);
}

static void check_json(const char *in, size_t n, const char *want, int line)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	escape_append_json(&b, in, n);
	if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
		fprintf(stderr, "line %d:\n", line);
	CHECK_BYTES(b.data, b.len, want);
	buf_free(&b);
}

static void test_tsv(void)
{
	/* §1.8 examples */
	TSV("foo \n\t\0 bar", "foo \\x0a\\x09\\x00 bar");
	TSV("foo \xc2\xae bar", "foo \xc2\xae bar");
	TSV("arheoloogia_uurimisr\xfchma", "arheoloogia_uurimisr\\xfchma");
	TSV("\xc3\xa9\n", "\\xc3\\xa9\\x0a");
	TSV("\xc3\xa9\t\xff", "\xc3\xa9\\x09\\xff");
	/* Step A: reserved values */
	TSV("", "(empty)");
	TSV("-", "\\x2d");
	TSV("(empty)", "\\x28empty)");
	TSV("--", "--");
	TSV("(empty", "(empty");
	TSV("-\n", "-\\x0a");
	/* Step B: backslashes double, segments are escaped on their own */
	TSV("a\\b", "a\\\\b");
	TSV("\\x41", "\\\\x41");
	TSV("\xc3\xa9\\\x01", "\xc3\xa9\\\\\\x01");
	TSV("a,b", "a,b");
	TSV_SET("a,b", "a\\x2cb");
	TSV_SET(",", "\\x2c");
	TSV_SET(",,", "\\x2c\\x2c");
	TSV_SET("-", "\\x2d");
	TSV_SET("", "(empty)");
	TSV_SET("\xc3\xa9,\x7f", "\xc3\xa9\\x2c\\x7f");
	/* The line-start '#' is the writer's job, not the value's. */
	TSV("#Kaputt", "#Kaputt");
	/* Step C: UTF-8 cleanliness */
	TSV("\xe2\x82\xac", "\xe2\x82\xac");				/* U+20AC */
	TSV("\xf0\x9f\x9a\x80", "\xf0\x9f\x9a\x80");			/* U+1F680 */
	TSV("\xc2\x80", "\\xc2\\x80");					/* C1 */
	TSV("\xc2\x9f", "\\xc2\\x9f");
	TSV("\xc2\xa0", "\xc2\xa0");
	TSV("\xee\x80\x80", "\\xee\\x80\\x80");			/* private use */
	TSV("\xef\xa3\xbf", "\\xef\\xa3\\xbf");			/* U+F8FF */
	TSV("\xef\xa4\x80", "\xef\xa4\x80");				/* U+F900 */
	TSV("\xef\xbf\xb0", "\\xef\\xbf\\xb0");			/* U+FFF0 */
	TSV("\xef\xbf\xaf", "\xef\xbf\xaf");				/* U+FFEF */
	TSV("\xed\xa0\xa1", "\\xed\\xa0\\xa1");			/* surrogate */
	TSV("\xc0\x81", "\\xc0\\x81");					/* overlong */
	TSV("\xe0\x80\xa1", "\\xe0\\x80\\xa1");
	TSV("\xf0\x80\x8c\xbc", "\\xf0\\x80\\x8c\\xbc");
	TSV("\xf4\x90\x8c\xbc", "\\xf4\\x90\\x8c\\xbc");		/* > U+10FFFF */
	TSV("\xf4\x8f\xbf\xbd", "\xf4\x8f\xbf\xbd");
	TSV("ok \xf0\x9f", "ok \\xf0\\x9f");				/* cut short */
	TSV("\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80");
	TSV("\x7f", "\\x7f");
	TSV("a\rb", "a\\x0db");
}

static void test_meta(void)
{
	struct buf b;
	buf_init(&b, 1024);
	escape_append_tsv_meta(&b, "\t", 1);
	CHECK_BYTES(b.data, b.len, "\\x09");
	buf_reset(&b);
	escape_append_tsv_meta(&b, ",", 1);
	CHECK_BYTES(b.data, b.len, ",");
	buf_reset(&b);
	escape_append_tsv_meta(&b, "a b\\(empty)", 11);
	CHECK_BYTES(b.data, b.len, "a\\x20b\\(empty)");
	buf_free(&b);
}

static void test_json(void)
{
	/* §2.5 table and the rest of the ascii-json-utf8 baseline */
	JSON("a", "\"a\"");
	JSON("\b\f\n\r\t\x00\x15", "\"\\b\\f\\n\\r\\t\\\\x00\\\\x15\"");
	JSON("\xc3\xb1", "\"\xc3\xb1\"");
	JSON("\xc3\x28", "\"\\\\xc3(\"");
	JSON("\xc0\x81", "\"\\\\xc0\\\\x81\"");
	JSON("\xc1\x81", "\"\\\\xc1\\\\x81\"");
	JSON("\xc2\xcf", "\"\\\\xc2\\\\xcf\"");
	JSON("\xa0\xa1", "\"\\\\xa0\\\\xa1\"");
	JSON("\xe2\x82\xa1", "\"\xe2\x82\xa1\"");
	JSON("\xe0\xa3\xa1", "\"\xe0\xa3\xa1\"");
	JSON("\xe0\x80\xa1", "\"\\\\xe0\\\\x80\\\\xa1\"");
	JSON("\xe2\x28\xa1", "\"\\\\xe2(\\\\xa1\"");
	JSON("\xed\xa0\xa1", "\"\\\\xed\\\\xa0\\\\xa1\"");
	JSON("\xe2\x82\x28", "\"\\\\xe2\\\\x82(\"");
	JSON("\xf0\x90\x8c\xbc", "\"\xf0\x90\x8c\xbc\"");
	JSON("\xf1\x80\x8c\xbc", "\"\xf1\x80\x8c\xbc\"");
	JSON("\xf4\x80\x8c\xbc", "\"\xf4\x80\x8c\xbc\"");
	JSON("\xf0\x80\x8c\xbc", "\"\\\\xf0\\\\x80\\\\x8c\\\\xbc\"");
	JSON("\xf2\x28\x8c\xbc", "\"\\\\xf2(\\\\x8c\\\\xbc\"");
	JSON("\xf4\x90\x8c\xbc", "\"\\\\xf4\\\\x90\\\\x8c\\\\xbc\"");
	JSON("\xf0\x90\x28\xbc", "\"\\\\xf0\\\\x90(\\\\xbc\"");
	JSON("\xf0\x28\x8c\x28", "\"\\\\xf0(\\\\x8c(\"");
	JSON("\xf4\x80\x8c", "\"\\\\xf4\\\\x80\\\\x8c\"");
	JSON("\xf0", "\"\\\\xf0\"");
	/* Backslashes are not doubled by Zeek, only by the JSON layer. The
	 * spec's "\\ (one backslash)" row is the baseline's two backslashes. */
	JSON("\\", "\"\\\\\"");
	JSON("\\\\", "\"\\\\\\\\\"");
	JSON("\t\\t\t", "\"\\t\\\\t\\t\"");
	JSON("\x0b\\v\x0b", "\"\\\\x0b\\\\v\\\\x0b\"");
	JSON("\n\\n\n", "\"\\n\\\\n\\n\"");
	JSON("\\x", "\"\\\\x\"");
	JSON("\x00", "\"\\\\x00\"");
	JSON("\x01", "\"\\\\x01\"");
	JSON("\t", "\"\\t\"");
	JSON("\r", "\"\\r\"");
	JSON("\x80", "\"\\\\x80\"");
	JSON("\xf9", "\"\\\\xf9\"");
	JSON("\xff", "\"\\\\xff\"");
	JSON("\\\\x\\abc\\x.exe", "\"\\\\\\\\x\\\\abc\\\\x.exe\"");
	JSON("\xf9\\xf9", "\"\\\\xf9\\\\xf9\"");
	JSON("a rocket \xf0\x9f\x9a\x80!", "\"a rocket \xf0\x9f\x9a\x80!\"");
	JSON("a rocket \xf0\x9f\x9a\x80!\x00 NUL\x00",
	     "\"a rocket \\\\xf0\\\\x9f\\\\x9a\\\\x80!\\\\x00 NUL\\\\x00\"");
	JSON("half-a-rocket rocket \xf0\x9f!",
	     "\"half-a-rocket rocket \\\\xf0\\\\x9f!\"");
	JSON("\x07\b", "\"\\\\x07\\b\"");
	JSON("\\a=\x07 \\b=\b \\t=\t \\n=\n",
	     "\"\\\\a=\\\\x07 \\\\b=\\b \\\\t=\\t \\\\n=\\n\"");
	/* RapidJSON leaves '/' and DEL alone when nothing is unclean... */
	JSON("a/b\"c", "\"a/b\\\"c\"");
	/* ...but DEL itself is unclean for Zeek. */
	JSON("\x7f\"", "\"\\\\x7f\\\"\"");
	JSON("", "\"\"");

	struct buf b;
	buf_init(&b, 1024);
	escape_append_json_raw(&b, "id.orig_h", 9);
	CHECK_BYTES(b.data, b.len, "\"id.orig_h\"");
	buf_reset(&b);
	escape_append_json_raw(&b, "\x01q\"", 3);
	CHECK_BYTES(b.data, b.len, "\"\\u0001q\\\"\"");
	buf_free(&b);
}

int main(void)
{
	test_tsv();
	test_meta();
	test_json();
	return check_summary();
}
