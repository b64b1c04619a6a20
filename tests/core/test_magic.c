/*
 * Unit tests for core/magic.c: Zeek's file-magic MIME detection.
 * Each sample is written here byte by byte; the expectations follow Zeek's
 * signature strengths (zeek-core-spec §5.5).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/magic.h"
#include "tests/check.h"

static struct magic_index *idx;
static unsigned long index_disagreements;

/* Every detection here also goes through the index, which must agree. */
static const char *mime_buf(const uint8_t *p, size_t n)
{
	const char *a = magic_mime_type(p, n), *b = magic_mime_type_indexed(idx, p, n);
	if (a != b)
		index_disagreements++;
	return a;
}

/* Detects a string literal (its length without the terminating NUL). */
#define MIME(lit) mime_buf((const uint8_t *)(lit), sizeof(lit) - 1)

/* CHECK_STR that also accepts an expected NULL. */
#define CHECK_MIME(got, want)                                                \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (!w_ || !g_)                                              \
			CHECK(g_ == w_);                                     \
		else                                                         \
			CHECK_STR(g_, w_);                                   \
	} while (0)

static void test_text(void)
{
	CHECK_MIME(MIME("Hello world, this is text.\r\n"), "text/plain");
	CHECK_MIME(MIME("0123456789"), "text/plain");
	/* Nine bytes are too few. */
	CHECK_MIME(MIME("012345678"), NULL);
	/* A non-ASCII byte within the first ten, no BOM: nothing. */
	CHECK_MIME(MIME("caf\xc3\xa9 au lait, please"), NULL);
	/* ...but after ten bytes it does not matter. */
	CHECK_MIME(MIME("Cafe au lait \xc3\xa9\x01\x02"), "text/plain");
	/* A BOM before the ten bytes. */
	CHECK_MIME(MIME("\xef\xbb\xbf" "caf\xc3\xa9 ok"), NULL);
	CHECK_MIME(MIME("\xef\xbb\xbf" "plain text"), "text/plain");
	CHECK_MIME(MIME("\xff\xfe\x00\x00" "plain text"), "text/plain");
	CHECK_MIME(MIME("\x00\x00\xfe\xff" "plain text"), "text/plain");
	/* Tabs, VT, FF, CR and LF count as text. */
	CHECK_MIME(MIME("\t\v\f\r\n     "), "text/plain");
	/* A NUL within the first ten bytes. */
	CHECK_MIME(MIME("abcd\x00" "efghijkl"), NULL);
	/* A typical mail body: "From:" at the start makes it a message. */
	CHECK_MIME(MIME("From: a@b.example\r\nTo: c@d.example\r\n"),
		   "message/rfc822");
	CHECK_MIME(MIME("Return-Path: <a@b>\r\n"), "message/rfc822");
	CHECK_MIME(MIME("DELIVERED-TO: a@b\r\n"), "message/rfc822");
	/* "from:" in lower case is only text. */
	CHECK_MIME(MIME("from: a@b.example\r\n"), "text/plain");
}

static void test_markup(void)
{
	CHECK_MIME(MIME("<html><body>hi</body></html>"), "text/html");
	CHECK_MIME(MIME("  \r\n<!DOCTYPE   HTML PUBLIC>"), "text/html");
	CHECK_MIME(MIME("<!-- c --> <!-- d -->\n<HtMl>"), "text/html");
	CHECK_MIME(MIME("<?xml version=\"1.0\"?>\n<html xmlns=\"x\">"),
		   "text/html");
	CHECK_MIME(MIME("<meta  http-equiv=\"Content-Type\">"), "text/html");
	/* The weaker HTML rule still beats text/plain (20 > -20). */
	CHECK_MIME(MIME("<title>Report</title>"), "text/html");
	CHECK_MIME(MIME("<body bgcolor=white>"), "text/html");
	/* A comment body may contain "-->"; the prologue ends at any closer. */
	CHECK_MIME(MIME("<!-- a --> b --> <html>"), "text/html");
	/* HTML in a comment does not count: the prologue is whitespace and
	 * comments only, so "x" stops it. */
	CHECK_MIME(MIME("x <html> and more text"), "text/plain");
	/* XML vs HTML vs text. */
	CHECK_MIME(MIME("<?xml version=\"1.0\"?><root/>"), "application/xml");
	CHECK_MIME(MIME("\xef\xbb\xbf<?xml version=\"1.0\"?>"),
		   "application/xml");
	CHECK_MIME(MIME("<\x00?\x00x\x00m\x00l\x00 \x00v\x00"),
		   "application/xml");
	CHECK_MIME(MIME("<?xml version=\"1.0\"?><rss version=\"2.0\">"),
		   "text/rss");
	CHECK_MIME(MIME("<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3."
			"org/2005/Atom\">"),
		   "text/atom");
	CHECK_MIME(MIME("<soap:Envelope xmlns:soap=\"x\">"),
		   "application/soap+xml");
	CHECK_MIME(MIME("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
		   "image/svg+xml");
	CHECK_MIME(MIME("<methodResponse><params/>"), "application/xml-rpc");
	CHECK_MIME(MIME("{\\rtf1\\ansi hello}"), "text/rtf");
	CHECK_MIME(MIME("[section]\r\nkey=value\r\n"), "text/ini");
}

static void test_json(void)
{
	CHECK_MIME(MIME("{\"key\": \"value\"}"), "text/json");
	CHECK_MIME(MIME("  {\n  key : 12 }"), "text/json");
	CHECK_MIME(MIME("[1.5, 2, 3]"), "text/json");
	CHECK_MIME(MIME("[{\"a\":1}]"), "text/json");
	CHECK_MIME(MIME("[\"x\" , \"y\"]"), "text/json");
	/* Empty documents would need "$", which never matches in Zeek. */
	CHECK_MIME(MIME("{}"), NULL);
	CHECK_MIME(MIME("{}         \n"), "text/plain");
	/* A lone scalar in an array has no comma: only text. */
	CHECK_MIME(MIME("[\"only one\"]"), "text/plain");
}

static void test_documents(void)
{
	CHECK_MIME(MIME("%PDF-1.7\n%\xe2\xe3\xcf\xd3"), "application/pdf");
	CHECK_MIME(MIME("%!PS-Adobe-3.0"), "application/postscript");
	/* OLE2: every compound document is application/msword. */
	CHECK_MIME(MIME("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"),
		   "application/msword");
	CHECK_MIME(MIME("-----BEGIN CERTIFICATE-----\nMIIB"),
		   "application/x-pem");
	CHECK_MIME(MIME("-----BEGIN PGP SIGNATURE-----\n"),
		   "application/pgp-signature");
	CHECK_MIME(MIME("MIME-Version: 1.0\r\nContent-Type: multipart/signed; "
			"protocol=\"application/pkcs7-signature\";"),
		   "application/pkcs7-signature");
	CHECK_MIME(MIME("BEGIN:VCALENDAR\r\nVERSION:2.0"), "text/calendar");
	CHECK_MIME(MIME("BEGIN:VCARD\r\nVERSION:3.0"), "text/x-vcard");
}

/* A zip local file header: fixed part, then the name at 30. */
static size_t zip_entry(uint8_t *out, const char *name, const char *ver)
{
	size_t nl = strlen(name);
	memset(out, 0, 30);
	memcpy(out, "PK\x03\x04", 4);
	memcpy(out + 4, ver, 4);
	out[26] = (uint8_t)nl;
	memcpy(out + 30, name, nl);
	return 30 + nl;
}

static void test_zip_family(void)
{
	uint8_t b[512];
	size_t n;

	/* Plain zip, 6 bytes suffice. */
	CHECK_MIME(MIME("PK\x03\x04\x0a\x00"), "application/zip");
	CHECK_MIME(MIME("PK\x03\x04\x0a"), NULL);

	/* Word: [Content_Types].xml first, a word/ entry later. */
	n = zip_entry(b, "[Content_Types].xml", "\x14\x00\x06\x00");
	memset(b + n, 'x', 40);
	n += 40;
	n += zip_entry(b + n, "word/document.xml", "\x14\x00\x00\x00");
	CHECK_MIME(mime_buf(b, n),
		   "application/vnd.openxmlformats-officedocument."
		   "wordprocessingml.document");
	/* Cut before the second header: only the generic OOXML rule. */
	CHECK_MIME(mime_buf(b, 100), "application/vnd.openxmlformats-"
				     "officedocument");

	n = zip_entry(b, "_rels/.rels", "\x14\x00\x00\x00");
	n += zip_entry(b + n, "xl/workbook.xml", "\x14\x00\x00\x00");
	CHECK_MIME(mime_buf(b, n), "application/vnd.openxmlformats-"
				   "officedocument.spreadsheetml.sheet");

	n = zip_entry(b, "ppt/slides/a.xml", "\x14\x00\x00\x00");
	n += zip_entry(b + n, "ppt/b.xml", "\x14\x00\x00\x00");
	CHECK_MIME(mime_buf(b, n), "application/vnd.openxmlformats-"
				   "officedocument.presentationml.presentation");

	/* A zip of unrelated files stays a zip. */
	n = zip_entry(b, "README.md", "\x14\x00\x00\x00");
	n += zip_entry(b + n, "word/x", "\x14\x00\x00\x00");
	CHECK_MIME(mime_buf(b, n), "application/zip");

	/* OpenDocument text: "mimetype" stored first. */
	n = zip_entry(b, "mimetype", "\x14\x00\x00\x00");
	memcpy(b + 26, "\x08\x00\x00\x00", 4);
	memcpy(b + n, "application/vnd.oasis.opendocument.textPK", 41);
	n += 41;
	CHECK_MIME(mime_buf(b, n), "application/vnd.oasis.opendocument.text");
	memcpy(b + 77, "-template", 9);
	CHECK_MIME(mime_buf(b, 86),
		   "application/vnd.oasis.opendocument.text-template");

	/* JAR: META-INF/MANIFEST.MF in the first header. */
	n = zip_entry(b, "META-INF/MANIFEST.MF", "\x14\x00\x08\x00");
	CHECK_MIME(mime_buf(b, n), "application/java-archive");
}

static void test_archives(void)
{
	uint8_t tar[512];

	CHECK_MIME(MIME("\x1f\x8b\x08\x00"), "application/x-gzip");
	CHECK_MIME(MIME("BZh91AY&SY"), "application/x-bzip2");
	CHECK_MIME(MIME("7z\xbc\xaf\x27\x1c\x00\x04"),
		   "application/x-7z-compressed");
	CHECK_MIME(MIME("Rar!\x1a\x07\x00"), "application/x-rar");
	CHECK_MIME(MIME("\xfd" "7zXZ\x00\x00"), "application/x-xz");
	CHECK_MIME(MIME("MSCF\x00\x00\x00\x00"),
		   "application/vnd.ms-cab-compressed");
	CHECK_MIME(MIME("!<arch>\ndebian-binary"),
		   "application/x-debian-package");
	CHECK_MIME(MIME("!<arch>\nfoo.o/"), "application/x-archive");

	memset(tar, 0, sizeof(tar));
	memcpy(tar, "hello.txt", 9);
	memcpy(tar + 100, "000644 \0" "001750 \0" "001750 \0", 24);
	memcpy(tar + 124, "00000000014\0" "14374626701\0", 24);
	memcpy(tar + 148, "012345\0 0", 9);
	CHECK_MIME(mime_buf(tar, sizeof(tar)), "application/x-tar");
	tar[156] = '8';
	CHECK_MIME(mime_buf(tar, sizeof(tar)), NULL);
}

static void test_images_media(void)
{
	uint8_t ts[800];

	CHECK_MIME(MIME("\x89PNG\r\n\x1a\n"), "image/png");
	CHECK_MIME(MIME("\xff\xd8\xff\xe0\x00\x10JFIF"), "image/jpeg");
	CHECK_MIME(MIME("GIF89a\x01\x00"), "image/gif");
	CHECK_MIME(MIME("BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"
			"\x28\x00"),
		   "image/x-ms-bmp");
	CHECK_MIME(MIME("II*\x00\x08\x00"), "image/tiff");
	CHECK_MIME(MIME("MM\x00*\x00\x00"), "image/tiff");
	CHECK_MIME(MIME("\x00\x00\x01\x00\x01\x00"), "image/x-icon");
	CHECK_MIME(MIME("RIFF\x10\x00\x00\x00WEBPVP8 "), "image/webp");
	CHECK_MIME(MIME("ID3\x04\x00"), "audio/mpeg");
	CHECK_MIME(MIME("\xff\xfb\x90\x00"), "audio/mpeg");
	CHECK_MIME(MIME("RIFF\x10\x00\x00\x00WAVEfmt "), "audio/x-wav");
	CHECK_MIME(MIME("OggS\x00\x02"), "application/ogg");
	CHECK_MIME(MIME("fLaC\x00\x00"), "audio/x-flac");
	CHECK_MIME(MIME("MThd\x00\x00\x00\x06"), "audio/midi");
	CHECK_MIME(MIME("\x00\x00\x00\x18" "ftypmp42"), "video/mp4");
	CHECK_MIME(MIME("\x00\x00\x00\x18" "ftypisom"), "video/mp4");
	CHECK_MIME(MIME("\x00\x00\x00\x08mdat"), "video/quicktime");
	CHECK_MIME(MIME("FLV\x01\x05"), "video/x-flv");
	CHECK_MIME(MIME("RIFF\x10\x00\x00\x00" "AVI LIST"), "video/x-msvideo");
	CHECK_MIME(MIME("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88"
			"matroska"),
		   "video/x-matroska");
	CHECK_MIME(MIME("\x1a\x45\xdf\xa3\x9f\x42\x82\x84webm"), "video/webm");

	memset(ts, 0xff, sizeof(ts));
	for (size_t i = 0; i < 4; i++)
		ts[188 * i] = 0x47;
	CHECK_MIME(mime_buf(ts, 752), "video/mp2t");
	CHECK_MIME(mime_buf(ts, 751), NULL);
}

static void test_executables(void)
{
	uint8_t elf[64], pif[400];

	CHECK_MIME(MIME("MZ\x90\x00\x03\x00"), "application/x-dosexec");
	/* A self-extracting zip beats plain MZ. */
	CHECK_MIME(MIME("MZ" "0123456789012345678901234567" "PKLITE Copr."),
		   "application/zip");

	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\x7f" "ELF\x02\x01\x01", 7);
	elf[16] = 2;
	CHECK_MIME(mime_buf(elf, sizeof(elf)), "application/x-executable");
	elf[16] = 3;
	CHECK_MIME(mime_buf(elf, sizeof(elf)), "application/x-sharedlib");
	elf[16] = 1;
	CHECK_MIME(mime_buf(elf, sizeof(elf)), "application/x-object");
	elf[5] = 2;
	elf[16] = 0;
	elf[17] = 4;
	CHECK_MIME(mime_buf(elf, sizeof(elf)), "application/x-coredump");

	CHECK_MIME(MIME("\xcf\xfa\xed\xfe\x07\x00"),
		   "application/x-mach-o-executable");
	/* Fat Mach-O (100) vs Java class (71): both match, Mach-O wins. */
	CHECK_MIME(MIME("\xca\xfe\xba\xbe\x00\x00\x00\x02"),
		   "application/x-mach-o-executable");
	CHECK_MIME(MIME("\xca\xfe\xba\xbe\x00\x00\x00\x34"),
		   "application/x-java-applet");

	CHECK_MIME(MIME("#!/bin/sh\necho hi\n"), "text/x-shellscript");
	CHECK_MIME(MIME("#!/usr/bin/env python3\n"), "text/x-python");
	CHECK_MIME(MIME("#!/usr/bin/perl -w\n"), "text/x-perl");
	CHECK_MIME(MIME("@echo off\r\nrem x\r\n"), "text/x-msdos-batch");
	CHECK_MIME(MIME("<?php echo 1; ?>"), "text/x-php");
	CHECK_MIME(MIME("\x42\x0d\x0d\x0a\x00\x00\x00\x00"),
		   "application/x-python-bytecode");

	/* An offset far into the buffer: Windows PIF at 369. */
	memset(pif, ' ', sizeof(pif));
	memcpy(pif + 369, "MICROSOFT PIFEX\x00", 16);
	CHECK_MIME(mime_buf(pif, sizeof(pif)), "application/x-dosexec");
}

static void test_misc(void)
{
	CHECK_MIME(MIME("\xd4\xc3\xb2\xa1\x02\x00\x04\x00"),
		   "application/vnd.tcpdump.pcap");
	CHECK_MIME(MIME("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a"),
		   "application/vnd.tcpdump.pcap");
	CHECK_MIME(MIME("wOFF\x00\x01"), "application/font-woff");
	CHECK_MIME(MIME("\x00\x01\x00\x00\x00\x10"), "application/x-font-ttf");
	CHECK_MIME(MIME("\x78\x9f\x3e\x22\x00"), "application/vnd.ms-tnef");
	/* Strength 0 still beats text/plain (-20). */
	CHECK_MIME(MIME("AFP some more text"), "application/vnd.apple-afpinfo");
	/* OCSP response: the basic-response OID 11..19 bytes in. */
	CHECK_MIME(MIME("\x30\x82\x01\xd3\x0a\x01\x00\xa0\x82\x01\xcc\x30\x82"
			"\x01\xc8\x06\x09\x2b\x06\x01\x05\x05\x07\x30\x01\x01"),
		   "application/ocsp-response");
	CHECK_MIME(MIME("--- a/x\n+++ b/x\n@@ -1 +1 @@"), "text/x-diff");
}

static void test_edges(void)
{
	uint8_t big[MAGIC_BOF_SIZE + 100];

	CHECK_MIME(magic_mime_type(NULL, 0), NULL);
	CHECK_MIME(magic_mime_type((const uint8_t *)"", 0), NULL);
	CHECK_MIME(MIME("M"), NULL);
	CHECK_MIME(MIME("\x1f"), NULL);
	CHECK_MIME(MIME("<"), NULL);
	CHECK_MIME(MIME("\x00"), NULL);
	CHECK_MIME(MIME("MZ"), "application/x-dosexec");

	/* Only the first MAGIC_BOF_SIZE bytes count. */
	memset(big, ' ', sizeof(big));
	memcpy(big + MAGIC_BOF_SIZE - 4, "<html>", 6);
	CHECK_MIME(mime_buf(big, sizeof(big)), "text/plain");
	memcpy(big + MAGIC_BOF_SIZE - 10, "<html>", 6);
	CHECK_MIME(mime_buf(big, sizeof(big)), "text/html");
}

/* Searching rules find their text at the last offset it fits, and the
 * markup prologue crosses a buffer of blanks (both are skipped over in
 * bulk rather than tried at every offset). */
static void test_search_edges(void)
{
	static uint8_t b[MAGIC_BOF_SIZE];
	const size_t n = sizeof b;
	memset(b, ' ', n);
	memcpy(b + n - 5, "<?php", 5);
	CHECK_MIME(mime_buf(b, n), "text/x-php");
	CHECK_MIME(mime_buf(b, n - 1), "text/plain");
	memset(b, 'x', n);
	memcpy(b + n - 14, "--- a\n+++ b\n@@", 14);
	CHECK_MIME(mime_buf(b, n), "text/x-diff");
	memset(b, 'x', n);
	memcpy(b + n - 7, "P13  45", 7);
	CHECK_MIME(mime_buf(b, n), "image/x-portable-bitmap");
	memset(b, 'x', n);
	memcpy(b, "<?xml version=\"1.0\"?>", 21);
	memcpy(b + n - 35, " xmlns=\"http://earth.google.com/kml", 35);
	CHECK_MIME(mime_buf(b, n), "application/vnd.google-earth.kml+xml");
	memset(b + 21, ' ', n - 21);
	memcpy(b + n - 4, "<svg", 4);
	CHECK_MIME(mime_buf(b, n), "image/svg+xml");
	memset(b, 0, n);
	memcpy(b, "PK\x03\x04", 4);
	memcpy(b + 30, "[Content_Types].xml", 19);
	memcpy(b + n - 35, "PK\x03\x04", 4);
	memcpy(b + n - 5, "word/", 5);
	CHECK_MIME(mime_buf(b, n),
		   "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
	memset(b, 0, n);
	memcpy(b, "\x1a\x45\xdf\xa3", 4);
	memcpy(b + n - 7, "B\x82\x84webm", 7);
	CHECK_MIME(mime_buf(b, n), "video/webm");
	/* Blanks and line ends, a comment, more blanks, then the tag. */
	memset(b, ' ', n);
	for (size_t i = 0; i < n; i += 7)
		b[i] = i % 2 ? '\n' : '\t';
	memcpy(b + 1000, "<!-- x -->", 10);
	memcpy(b + n - 6, "<html>", 6);
	CHECK_MIME(mime_buf(b, n), "text/html");
	memcpy(b + 1000, "<!-- x --x", 10); /* unclosed: nothing reaches the tag */
	CHECK_MIME(mime_buf(b, n), "text/plain");
}

/* Random buffers must not crash; results must be stable. */
static void test_random(void)
{
	static uint8_t buf[MAGIC_BOF_SIZE + 16];
	static const char alphabet[] = "<>!-?xml htMLPK\x03\x04{}[]\":,\r\n\t0 ";
	uint32_t x = 12345;
	int stable = 1;

	for (int round = 0; round < 100000; round++) {
		size_t n;
		x = x * 1103515245u + 12345u;
		n = (x >> 8) % (round % 100 == 0 ? sizeof(buf) : 96);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (round & 1)
					 ? (uint8_t)(x >> 16)
					 : (uint8_t)alphabet[(x >> 16) %
							     (sizeof(alphabet) - 1)];
		}
		const char *a = mime_buf(buf, n);
		const char *b = mime_buf(buf, n);
		if (a != b)
			stable = 0;
	}
	CHECK(stable);
}

/* Random buffers, most starting with bytes rules look for. */
static void test_index_random(void)
{
	static const char starts[] = "%<{[#!PKGIMRBCEFOSTZ\x7f\x89\xff\x00\x1f\xd0\xca\x30MZ\xef\xfe";
	uint8_t buf[600];
	srand(7);
	for (int i = 0; i < 100000; i++) {
		size_t n = (size_t)(rand() % (int)sizeof buf) + 1;
		for (size_t k = 0; k < n; k++)
			buf[k] = (uint8_t)(rand() % 4 ? ' ' + rand() % 95 : rand() % 256);
		if (i % 3)
			buf[0] = (uint8_t)starts[rand() % (int)(sizeof starts - 1)];
		(void)mime_buf(buf, n);
	}
}

/* The memo answers only for the very same bytes: two buffers with equal
 * length and ends (one memo slot) but other middles keep their answers. */
static void test_memo(void)
{
	uint8_t a[200], b[200];
	memset(a, 'x', sizeof a);
	memcpy(b, a, sizeof b);
	memcpy(b + 60, "<?php ", 6); /* PHP anywhere */
	for (int round = 0; round < 3; round++) {
		CHECK_MIME(mime_buf(a, sizeof a), "text/plain");
		CHECK_MIME(mime_buf(b, sizeof b), "text/x-php");
	}
}

int main(void)
{
	idx = magic_index_new();
	test_memo();
	CHECK(idx != NULL);
	test_text();
	test_markup();
	test_json();
	test_documents();
	test_zip_family();
	test_archives();
	test_images_media();
	test_executables();
	test_misc();
	test_edges();
	test_search_edges();
	test_random();
	test_index_random();
	CHECK(index_disagreements == 0);
	magic_index_free(idx);
	return check_summary();
}
