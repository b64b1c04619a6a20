/* Unit tests for proto/mime.c: Zeek's MIME entity parser (spec §3). */
#include "proto/mime.h"
#include "proto/mime_hdr.h"

#include <stdlib.h>
#include <string.h>

#include "tests/check.h"

#define MAX_ENT 16

/* Records events as a compact transcript plus per-entity data. */
struct rec {
	struct mime_parser *mp;
	struct buf log;           /* "B1.0 H[Subject=x] D E1 ..." */
	struct buf data[MAX_ENT]; /* decoded data by ordinal (1..) */
	struct buf fname[MAX_ENT];
	bool has_fname[MAX_ENT];
	uint64_t begins, ends, weirds, notes, chunks, max_chunk;
	uint64_t max_level;
	char last_weird[64], last_weird_addl[96], last_note[160];
	bool log_chunks;
};

static void on_begin(void *ud, const struct mime_entity *e)
{
	struct rec *r = ud;
	r->begins++;
	if (e->level > r->max_level)
		r->max_level = e->level;
	buf_printf(&r->log, "B%llu.%u ", (unsigned long long)e->ordinal,
		   e->level);
}

static void on_header(void *ud, const struct mime_entity *e, struct bytes name,
		      struct bytes value)
{
	struct rec *r = ud;
	(void)e;
	buf_puts(&r->log, "H[");
	buf_append(&r->log, name.p, name.n);
	buf_putc(&r->log, '=');
	buf_append(&r->log, value.p, value.n < 40 ? value.n : 40);
	buf_puts(&r->log, "] ");
}

static void on_done(void *ud, const struct mime_entity *e)
{
	struct rec *r = ud;
	(void)e;
	buf_puts(&r->log, "D ");
}

static void on_data(void *ud, const struct mime_entity *e, const uint8_t *p,
		    size_t n)
{
	struct rec *r = ud;
	uint64_t o = e->ordinal;
	r->chunks++;
	if (n > r->max_chunk)
		r->max_chunk = n;
	if (r->log_chunks)
		buf_printf(&r->log, "d%zu ", n);
	if (o < MAX_ENT) {
		/* First data of the entity: the moment Zeek creates the file
		 * and copies the filename slot into it. */
		if (r->data[o].len == 0) {
			struct bytes f;
			r->has_fname[o] = mime_filename(r->mp, &f);
			if (r->has_fname[o])
				buf_append(&r->fname[o], f.p, f.n);
		}
		buf_append(&r->data[o], p, n);
	}
}

static void on_end(void *ud, const struct mime_entity *e)
{
	struct rec *r = ud;
	r->ends++;
	buf_printf(&r->log, "E%llu ", (unsigned long long)e->ordinal);
}

static void on_weird(void *ud, const char *name, const char *addl, bool limit)
{
	struct rec *r = ud;
	r->weirds++;
	snprintf(r->last_weird, sizeof r->last_weird, "%s%s", name,
		 limit ? "!" : "");
	snprintf(r->last_weird_addl, sizeof r->last_weird_addl, "%s", addl);
}

static void on_note(void *ud, enum mime_note kind, const char *detail)
{
	struct rec *r = ud;
	r->notes++;
	snprintf(r->last_note, sizeof r->last_note, "%c:%s",
		 kind == MIME_NOTE_ILLEGAL_FORMAT ? 'F' : 'E', detail);
}

static const struct mime_callbacks rec_cb = {
	on_begin, on_header, on_done, on_data, on_end, on_weird, on_note,
};

static void rec_open(struct rec *r, struct mime_parser *mp)
{
	memset(r, 0, sizeof *r);
	r->mp = mp;
	buf_init(&r->log, 1 << 20);
	for (int i = 0; i < MAX_ENT; i++) {
		buf_init(&r->data[i], 1 << 20);
		buf_init(&r->fname[i], 1 << 16);
	}
	mime_init(mp, &rec_cb, r);
}

static void rec_close(struct rec *r)
{
	mime_free(r->mp);
	buf_free(&r->log);
	for (int i = 0; i < MAX_ENT; i++) {
		buf_free(&r->data[i]);
		buf_free(&r->fname[i]);
	}
}

/* Feeds a message written with "\n" line ends, as DATA lines (CRLF). */
static void feed(struct mime_parser *mp, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		mime_feed_line(mp, (const uint8_t *)p, n, true);
		p += n + (nl ? 1 : 0);
	}
}

static void feed_str(struct mime_parser *mp, const char *line)
{
	mime_feed_line(mp, (const uint8_t *)line, strlen(line), true);
}

#define CHECK_LOG(r, want) CHECK_BYTES((r).log.data, (r).log.len, want)

static void test_simple_mail(void)
{
	struct mime_parser mp;
	struct rec r;
	rec_open(&r, &mp);
	feed(&mp, "From: Alice <a@example.com>\n"
		  "To: b@example.com,\n"
		  "\tc@example.com\n"
		  "Subject:   spaced value  \n"
		  "\n"
		  "Hello Bob,\n"
		  "..not unstuffed here\n");
	mime_end(&mp);
	mime_end(&mp); /* idempotent */
	CHECK_LOG(r, "B1.0 H[From=Alice <a@example.com>] "
			    "H[To=b@example.com,\tc@example.com] "
			    "H[Subject=spaced value  ] D E1 ");
	CHECK_BYTES(r.data[1].data, r.data[1].len,
		    "Hello Bob,\r\n..not unstuffed here\r\n");
	CHECK(r.chunks == 2); /* one segment per line */
	CHECK(r.weirds == 0 && r.notes == 0);
	CHECK(!r.has_fname[1]);
	rec_close(&r);
}

static void test_headers_only(void)
{
	struct mime_parser mp;
	struct rec r;
	rec_open(&r, &mp);
	feed(&mp, "Subject: no body\n"
		  "X-Cont: a\n"
		  " b");
	mime_end(&mp);
	CHECK_LOG(r, "B1.0 H[Subject=no body] H[X-Cont=a b] D E1 ");
	CHECK(r.notes == 1);
	CHECK_STR(r.last_note, "F:entity body missing");
	CHECK(r.chunks == 0);
	rec_close(&r);

	/* A line whose first byte is NUL ends the header block too. */
	rec_open(&r, &mp);
	feed_str(&mp, "A: 1");
	mime_feed_line(&mp, (const uint8_t *)"\0junk", 5, true);
	feed_str(&mp, "body");
	mime_end(&mp);
	CHECK_LOG(r, "B1.0 H[A=1] D E1 ");
	CHECK_BYTES(r.data[1].data, r.data[1].len, "body\r\n");
	rec_close(&r);
}

static void test_header_quirks(void)
{
	struct mime_parser mp;
	struct rec r;
	rec_open(&r, &mp);
	feed(&mp, "  Leading: ws becomes a header\n"
		  "(comment) Name (c) : v\n"
		  "NoColonHere\n"
		  ":odd: value\n"
		  "Empty:\n"
		  "Tabs:\t\x0b x\t\n"
		  "\n");
	mime_end(&mp);
	CHECK_LOG(r, "B1.0 H[Leading=ws becomes a header] "
			    "H[Name=v] H[odd=value] H[Empty=] "
			    "H[Tabs=x\t] D E1 ");
	CHECK(r.notes == 1);
	CHECK_STR(r.last_note,
		  "F:first header line starts with linear whitespace");
	rec_close(&r);
}

static const char *const mixed_mail =
	"From: a@example.com\n"
	"Content-Type: multipart/mixed;\n"
	"\tboundary=\"=_outer\"\n"
	"\n"
	"This is the preamble.\n"
	"--=_outer\n"
	"Content-Type: text/plain; charset=us-ascii\n"
	"\n"
	"Body line 1\n"
	"\n"
	"Body line 3\n"
	"--=_outer\n"
	"Content-Type: application/octet-stream\n"
	"Content-Disposition: attachment; filename=\"report.bin\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"SGVsbG8sIGF0dGFj\n"
	"aG1lbnQh\n"
	"--=_outer\n"
	"Content-Type: text/plain; name=\"notes.txt\"\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"\n"
	"caf=C3=A9 soft=\n"
	"break\n"
	"--=_outer--\n"
	"epilogue is ignored\n";

static void test_multipart_mixed(void)
{
	struct mime_parser mp;
	struct rec r;
	rec_open(&r, &mp);
	feed(&mp, mixed_mail);
	CHECK(r.ends == 4); /* the closing delimiter ends everything */
	mime_end(&mp);
	CHECK(r.ends == 4);
	CHECK_LOG(r,
		    "B1.0 H[From=a@example.com] "
		    "H[Content-Type=multipart/mixed;\tboundary=\"=_outer\"] D "
		    "B2.1 H[Content-Type=text/plain; charset=us-ascii] D E2 "
		    "B3.1 H[Content-Type=application/octet-stream] "
		    "H[Content-Disposition=attachment; filename=\"report.bin\"] "
		    "H[Content-Transfer-Encoding=base64] D E3 "
		    "B4.1 H[Content-Type=text/plain; name=\"notes.txt\"] "
		    "H[Content-Transfer-Encoding=quoted-printable] D E4 E1 ");
	/* The CRLF before a delimiter is not content. */
	CHECK_BYTES(r.data[2].data, r.data[2].len,
		    "Body line 1\r\n\r\nBody line 3");
	CHECK(!r.has_fname[2]);
	CHECK_BYTES(r.data[3].data, r.data[3].len, "Hello, attachment!");
	CHECK(r.has_fname[3]);
	CHECK_BYTES(r.fname[3].data, r.fname[3].len, "report.bin");
	/* QP keeps its CRLF even before the delimiter. */
	CHECK_BYTES(r.data[4].data, r.data[4].len, "caf\xc3\xa9 softbreak\r\n");
	CHECK(r.has_fname[4]);
	CHECK_BYTES(r.fname[4].data, r.fname[4].len, "notes.txt");
	CHECK(r.data[1].len == 0); /* containers carry no data */
	CHECK(r.weirds == 0 && r.notes == 0);
	rec_close(&r);
}

/* Same structure as Zeek's classic smtp.pcap message (spec §3.2): mixed >
 * (alternative > plain, html), NEWS.txt; our own text. */
static const char *const exim_like =
	"Received: from [192.0.2.5] by mail.example.net with esmtp (Exim)\n"
	"Message-ID: <4ACA1D63.5080104@example.org>\n"
	"Date: Mon, 05 Oct 2009 11:36:03 +0200\n"
	"From: Sender <sender@example.org>\n"
	"To: rcpt@example.net\n"
	"Subject: Testmail\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed;\n"
	" boundary=\"------------030504030202040404090601\"\n"
	"\n"
	"This is a multi-part message in MIME format.\n"
	"--------------030504030202040404090601\n"
	"Content-Type: multipart/alternative;\n"
	" boundary=\"------------080301040908000502090303\"\n"
	"\n"
	"\n"
	"--------------080301040908000502090303\n"
	"Content-Type: text/plain; charset=ISO-8859-15; format=flowed\n"
	"Content-Transfer-Encoding: 7bit\n"
	"\n"
	"Hello\n"
	"\n"
	"\n"
	"I send you the news file.\n"
	"\n"
	"\n"
	"--------------080301040908000502090303\n"
	"Content-Type: text/html; charset=ISO-8859-15\n"
	"Content-Transfer-Encoding: 7bit\n"
	"\n"
	"<html><body>Hello</body></html>\n"
	"\n"
	"--------------080301040908000502090303--\n"
	"\n"
	"--------------030504030202040404090601\n"
	"Content-Type: text/plain;\n"
	"\tname=\"NEWS.txt\"\n"
	"Content-Transfer-Encoding: quoted-printable\n"
	"Content-Disposition: attachment;\n"
	"\tfilename=\"NEWS.txt\"\n"
	"\n"
	"News\n"
	"=3D=3D=3D=3D\n"
	"\n"
	"--------------030504030202040404090601--\n";

static void test_exim_like(void)
{
	struct mime_parser mp;
	struct rec r;
	rec_open(&r, &mp);
	feed(&mp, exim_like);
	mime_end(&mp);
	CHECK(r.begins == 5 && r.ends == 5);
	CHECK(r.max_level == 2);
	/* Zeek files.log depths 3, 4, 5: the three leaves have data. */
	CHECK(r.data[1].len == 0 && r.data[2].len == 0);
	CHECK_BYTES(r.data[3].data, r.data[3].len,
		    "Hello\r\n\r\n\r\nI send you the news file.\r\n\r\n");
	CHECK_BYTES(r.data[4].data, r.data[4].len,
		    "<html><body>Hello</body></html>\r\n");
	CHECK_BYTES(r.data[5].data, r.data[5].len, "News\r\n====\r\n\r\n");
	CHECK(!r.has_fname[3] && !r.has_fname[4]);
	CHECK(r.has_fname[5]);
	CHECK_BYTES(r.fname[5].data, r.fname[5].len, "NEWS.txt");
	/* Event order: the inner multipart ends at its own closing
	 * delimiter, before the attachment begins. */
	const char *log = (const char *)r.log.data;
	const char *e2 = strstr(log, "E2 "), *b5 = strstr(log, "B5.1 ");
	CHECK(e2 && b5 && e2 < b5);
	CHECK(strstr(log, "B3.2 ") && strstr(log, "B4.2 "));
	CHECK(r.notes == 0 && r.weirds == 0);
	rec_close(&r);
}

static void test_missing_final_boundary(void)
{
	struct mime_parser mp;
	struct rec r;
	rec_open(&r, &mp);
	feed(&mp, "Content-Type: multipart/mixed; boundary=b\n"
		  "\n"
		  "--b\n"
		  "\n"
		  "part one\n"
		  "--b\n"
		  "\n"
		  "part two\n"
		  "last line\n");
	CHECK(r.ends == 1);
	mime_end(&mp);
	CHECK(r.ends == 3);
	CHECK_LOG(r, "B1.0 H[Content-Type=multipart/mixed; boundary=b] "
			    "D B2.1 D E2 B3.1 D E3 E1 ");
	CHECK_BYTES(r.data[2].data, r.data[2].len, "part one");
	CHECK_BYTES(r.data[3].data, r.data[3].len, "part two\r\nlast line");
	CHECK_STR(r.last_note,
		  "F:multipart closing boundary delimiter missing");
	rec_close(&r);
}

static void test_boundary_lookalikes(void)
{
	struct mime_parser mp;
	struct rec r;
	rec_open(&r, &mp);
	feed(&mp, "Content-Type: multipart/mixed; boundary=abc\n"
		  "\n"
		  "--abc\n"
		  "\n"
		  "--ab\n"
		  "-abc\n"
		  " --abc\n"
		  "--ABC\n"
		  "--abcdef (prefix match: a delimiter)\n"
		  "\n"
		  "second\n"
		  "--abc--trailing text closes\n"
		  "--abc\n"
		  "after close\n");
	mime_end(&mp);
	CHECK(r.begins == 3);
	CHECK_BYTES(r.data[2].data, r.data[2].len,
		    "--ab\r\n-abc\r\n --abc\r\n--ABC");
	CHECK_BYTES(r.data[3].data, r.data[3].len, "second");
	CHECK(r.notes == 0);
	rec_close(&r);

	/* Outer boundary is a prefix of the inner one: the outer entity
	 * looks first, so inner delimiters are taken as outer ones. */
	rec_open(&r, &mp);
	feed(&mp, "Content-Type: multipart/mixed; boundary=x\n"
		  "\n"
		  "--x\n"
		  "Content-Type: multipart/alternative; boundary=xy\n"
		  "\n"
		  "--xy\n"
		  "\n"
		  "inner\n"
		  "--xy--\n"
		  "--x--\n");
	mime_end(&mp);
	CHECK_LOG(r, "B1.0 H[Content-Type=multipart/mixed; boundary=x] "
		     "D B2.1 H[Content-Type=multipart/alternative; "
		     "boundary=xy] D E2 B3.1 D E3 B4.1 D E4 E1 ");
	CHECK_BYTES(r.data[3].data, r.data[3].len, "inner");
	rec_close(&r);
}

/* A boundary longer than MIME_BOUNDARY_KEEP is matched by its kept prefix
 * and the digest of the whole: the same lines match as with all of it. */
static void test_long_boundary(void)
{
	enum { BN = MIME_BOUNDARY_KEEP * 3 + 7 };
	static char bnd[BN + 1], line[BN + 64];
	for (int i = 0; i < BN; i++)
		bnd[i] = (char)('a' + i % 26);
	struct mime_parser mp;
	struct rec r;
	rec_open(&r, &mp);
	snprintf(line, sizeof line, "Content-Type: multipart/mixed; boundary=\"%s\"", bnd);
	feed_str(&mp, line);
	feed_str(&mp, "");
	snprintf(line, sizeof line, "--%s", bnd);
	feed_str(&mp, line);			/* part 1 */
	feed_str(&mp, "");
	feed_str(&mp, "one");
	line[2 + BN - 1] ^= 1;			/* differs in the last byte only */
	feed_str(&mp, line);
	line[2 + BN - 1] ^= 1;
	line[2 + BN - 1] = 0;			/* one byte short */
	feed_str(&mp, line);
	snprintf(line, sizeof line, "--%sMORE", bnd);
	feed_str(&mp, line);			/* prefix match: part 2 */
	feed_str(&mp, "");
	feed_str(&mp, "two");
	snprintf(line, sizeof line, "--%s--", bnd);
	feed_str(&mp, line);			/* closing */
	feed_str(&mp, "epilogue");
	mime_end(&mp);
	CHECK(r.begins == 3 && r.ends == 3);
	CHECK(mp.ent[0].boundary.len == MIME_BOUNDARY_KEEP && mp.ent[0].boundary_len == BN);
	CHECK(r.data[2].len > 2 * BN && memcmp(r.data[2].data, "one\r\n--", 7) == 0);
	CHECK_BYTES(r.data[3].data, r.data[3].len, "two");
	rec_close(&r);
}

/* Six nested long boundaries sharing their kept prefix, none a prefix of
 * another: a line that several levels compare by digest gets the digests
 * made in one pass; near misses stay data, real delimiters still match. */
static void test_nested_long_boundaries(void)
{
	enum { LEVELS = 6, MAXB = MIME_BOUNDARY_KEEP + 700 };
	static char bnd[LEVELS][MAXB], line[MAXB + 64];
	size_t bl[LEVELS];
	for (int i = 0; i < LEVELS; i++) {
		size_t r = 600 - 50 * (size_t)i; /* shorter with depth */
		memset(bnd[i], 'q', MIME_BOUNDARY_KEEP);
		memset(bnd[i] + MIME_BOUNDARY_KEEP, 'r', r);
		bnd[i][MIME_BOUNDARY_KEEP + r] = 'z';
		bnd[i][MIME_BOUNDARY_KEEP + r + 1] = (char)('A' + i);
		bl[i] = MIME_BOUNDARY_KEEP + r + 2;
	}
	struct mime_parser mp;
	struct rec r;
	rec_open(&r, &mp);
	for (int i = 0; i < LEVELS; i++) {
		snprintf(line, sizeof line, "Content-Type: multipart/mixed; boundary=\"%.*s\"",
			 (int)bl[i], bnd[i]);
		feed_str(&mp, line);
		feed_str(&mp, "");
		snprintf(line, sizeof line, "--%.*s", (int)bl[i], bnd[i]);
		feed_str(&mp, line);
	}
	feed(&mp, "Content-Type: text/plain\n\nleaf one\n");
	/* Near misses: longer than every boundary; the length of the third
	 * with its last byte changed. */
	memset(line, 'q', sizeof line);
	line[0] = line[1] = '-';
	memset(line + 2 + MIME_BOUNDARY_KEEP, 'r', 700);
	mime_feed_line(&mp, (const uint8_t *)line, 2 + MIME_BOUNDARY_KEEP + 700, true);
	snprintf(line, sizeof line, "--%.*s", (int)bl[2], bnd[2]);
	line[2 + bl[2] - 1] ^= 1;
	mime_feed_line(&mp, (const uint8_t *)line, 2 + bl[2], true);
	CHECK(r.begins == LEVELS + 1 && r.ends == 0);
	/* The fourth level's delimiter (three levels compare it by digest):
	 * a new part there; then the second level's closing delimiter. */
	snprintf(line, sizeof line, "--%.*s", (int)bl[3], bnd[3]);
	feed_str(&mp, line);
	feed(&mp, "\nleaf two\n");
	CHECK(r.begins == LEVELS + 2 && r.ends == 3);
	snprintf(line, sizeof line, "--%.*s--", (int)bl[1], bnd[1]);
	feed_str(&mp, line);
	CHECK(r.ends == 7);
	feed(&mp, "epilogue\n");
	mime_end(&mp);
	CHECK(r.begins == LEVELS + 2 && r.ends == LEVELS + 2 && r.max_level == LEVELS);
	CHECK(r.data[7].len == 8 + 2 + (2 + MIME_BOUNDARY_KEEP + 700) + 2 + (2 + bl[2]));
	CHECK(r.data[7].len > 8 && memcmp(r.data[7].data, "leaf one\r\n--qq", 14) == 0);
	CHECK_BYTES(r.data[8].data, r.data[8].len, "leaf two");
	rec_close(&r);
}

static void test_content_type_params(void)
{
	struct mime_parser mp;
	struct rec r;

	/* Unquoted boundaries take every byte 33-126 but '"'. */
	rec_open(&r, &mp);
	feed(&mp, "Content-Type: multipart/mixed; boundary=a;b=c\n"
		  "\n"
		  "--a;b=c\n"
		  "\n"
		  "x\n"
		  "--a;b=c--\n");
	mime_end(&mp);
	CHECK(r.begins == 2);
	CHECK_BYTES(r.data[2].data, r.data[2].len, "x");
	CHECK(mp.ent[0].boundary.len == 5);
	rec_close(&r);

	/* Quoted boundary with escapes; comments and odd spacing. */
	rec_open(&r, &mp);
	feed(&mp, "Content-type: (c) Multipart / Mixed (c); junk ; "
		  "BOUNDARY =\"q\\\"b\"\n"
		  "\n"
		  "--q\"b\n"
		  "\n"
		  "x\n"
		  "--q\"b--\n");
	mime_end(&mp);
	CHECK(r.begins == 2);
	CHECK_STR(r.last_note, "F:= not found in parameter specification");
	CHECK_BYTES(r.data[2].data, r.data[2].len, "x");
	rec_close(&r);

	/* A blank between '=' and a quoted boundary: Zeek does not skip it,
	 * reads a token instead, and the quotes fall away by accident --
	 * but a quoted pair then ends the token at the '"'. */
	rec_open(&r, &mp);
	feed(&mp, "Content-Type: multipart/mixed; boundary= \"ab\"\n"
		  "Content-Type: multipart/mixed; boundary= \"q\\\"b\"\n"
		  "\n");
	CHECK_BYTES(mp.ent[0].boundary.data, mp.ent[0].boundary.len, "q\\");
	mime_end(&mp);
	rec_close(&r);
	rec_open(&r, &mp);
	feed(&mp, "Content-Type: multipart/mixed; boundary= \"ab\"\n\n");
	CHECK_BYTES(mp.ent[0].boundary.data, mp.ent[0].boundary.len, "ab");
	mime_end(&mp);
	rec_close(&r);

	/* Multipart without boundary: a leaf whose body is data. */
	rec_open(&r, &mp);
	feed(&mp, "Content-Type: multipart/mixed\n"
		  "\n"
		  "--b\n"
		  "text\n");
	mime_end(&mp);
	CHECK(r.begins == 1);
	CHECK(mp.ent[0].type == MIME_TYPE_OTHER);
	CHECK_BYTES(r.data[1].data, r.data[1].len, "--b\r\ntext\r\n");
	rec_close(&r);

	/* A boundary from an earlier Content-Type still counts; an invalid
	 * Content-Type leaves the type alone; last CTE wins. */
	rec_open(&r, &mp);
	feed(&mp, "Content-Type: multipart/mixed; boundary=k\n"
		  "Content-Type: multipart/related\n"
		  "Content-Type: garbage\n"
		  "Content-Transfer-Encoding: base64\n"
		  "Content-Transfer-Encoding: ()\n"
		  "\n"
		  "--k\n"
		  "\n"
		  "aGk=\n"
		  "--k--\n");
	mime_end(&mp);
	CHECK(r.begins == 2);
	/* The child inherits base64 from its multipart parent. */
	CHECK(mp.ent[1].encoding == MIME_ENC_BASE64);
	CHECK_BYTES(r.data[2].data, r.data[2].len, "hi");
	CHECK(r.notes == 2);
	CHECK_STR(r.last_note,
		  "F:encoding type not found in content encoding");
	rec_close(&r);

	/* Unknown CTE is pass-through; an unterminated quoted boundary is
	 * not a boundary. */
	rec_open(&r, &mp);
	feed(&mp, "Content-Type: multipart/mixed; boundary=\"open\n"
		  "Content-Transfer-Encoding: x-uuencode\n"
		  "\n"
		  "--open\n");
	mime_end(&mp);
	CHECK(r.begins == 1);
	CHECK(mp.ent[0].encoding == MIME_ENC_OTHER);
	CHECK_BYTES(r.data[1].data, r.data[1].len, "--open\r\n");
	rec_close(&r);
}

static void test_message_rfc822(void)
{
	struct mime_parser mp;
	struct rec r;
	rec_open(&r, &mp);
	feed(&mp, "Content-Type: multipart/mixed; boundary=m\n"
		  "\n"
		  "--m\n"
		  "Content-Type: message/rfc822\n"
		  "Content-Transfer-Encoding: base64\n"
		  "\n"
		  "Subject: inner\n"
		  "\n"
		  "aGk=\n"
		  "--m--\n");
	mime_end(&mp);
	CHECK_LOG(r, "B1.0 H[Content-Type=multipart/mixed; boundary=m] "
			    "D B2.1 H[Content-Type=message/rfc822] "
			    "H[Content-Transfer-Encoding=base64] D "
			    "B3.2 H[Subject=inner] D E3 E2 E1 ");
	/* The message's CTE is not applied to its lines, but the inner
	 * entity inherits it and decodes its own body. */
	CHECK_BYTES(r.data[3].data, r.data[3].len, "hi");
	rec_close(&r);
}

static void test_deep_nesting(void)
{
	struct mime_parser *mp = malloc(sizeof *mp);
	struct rec r;
	char line[128];

	rec_open(&r, mp);
	for (int i = 0; i < 300; i++) {
		snprintf(line, sizeof line,
			 "Content-Type: multipart/mixed; boundary=b%d.", i);
		feed_str(mp, line);
		feed_str(mp, "");
		/* "b1." is no prefix of "b10." (delimiters match by prefix) */
		snprintf(line, sizeof line, "--b%d.", i);
		feed_str(mp, line);
	}
	feed_str(mp, "");
	feed_str(mp, "deep data");
	CHECK(r.begins == MIME_MAX_DEPTH + 1);
	CHECK(r.max_level == MIME_MAX_DEPTH);
	CHECK(r.weirds == 1);
	CHECK_STR(r.last_weird, "exceeded_mime_max_depth!");
	CHECK_STR(r.last_weird_addl, "100");
	CHECK(r.chunks == 0);
	CHECK(mp->live == MIME_MAX_DEPTH + 1);
	mime_end(mp);
	CHECK(r.ends == r.begins);
	rec_close(&r);

	/* message/rfc822 all the way down. */
	rec_open(&r, mp);
	for (int i = 0; i < 500; i++) {
		feed_str(mp, "Content-Type: message/rfc822");
		feed_str(mp, "");
	}
	feed_str(mp, "text");
	mime_end(mp);
	CHECK(r.begins == MIME_MAX_DEPTH + 1 && r.ends == r.begins);
	CHECK(r.weirds == 1);
	CHECK(r.chunks == 0);
	rec_close(&r);

	/* 100 levels exactly is fine: the level-100 leaf gets data. */
	rec_open(&r, mp);
	for (int i = 0; i < MIME_MAX_DEPTH; i++) {
		feed_str(mp, "Content-Type: message/rfc822");
		feed_str(mp, "");
	}
	feed_str(mp, "");
	feed_str(mp, "leaf");
	mime_end(mp);
	CHECK(r.begins == MIME_MAX_DEPTH + 1 && r.weirds == 0);
	CHECK(r.chunks == 1);
	rec_close(&r);
	free(mp);
}

static void test_huge_headers(void)
{
	struct mime_parser *mp = malloc(sizeof *mp);
	struct rec r;
	static char big[100001];

	/* Spec §2.9 example: Subject + 100 000 folds of " x". */
	rec_open(&r, mp);
	feed_str(mp, "Subject: CVE-CANDIDATE");
	for (int i = 0; i < 100000; i++)
		feed_str(mp, " x");
	feed_str(mp, "");
	mime_end(mp);
	CHECK(r.weirds == 100000 - 32757);
	CHECK_STR(r.last_weird, "exceeded_mime_max_header_bytes!");
	CHECK_STR(r.last_weird_addl, "65536");
	rec_close(&r);

	/* A first line is never cut: 100 000 bytes kept whole, and it is
	 * already past the limit, so the fold is dropped. */
	rec_open(&r, mp);
	memset(big, 'y', sizeof big - 1);
	memcpy(big, "X-Big: ", 7);
	feed_str(mp, big);
	feed_str(mp, " z");
	feed_str(mp, "");
	CHECK(r.weirds == 1);
	CHECK_STR(r.last_weird_addl, "100000");
	mime_end(mp);
	rec_close(&r);
	free(mp);
}

static size_t g_value_len;
static void on_header_len(void *ud, const struct mime_entity *e,
			  struct bytes name, struct bytes value)
{
	(void)ud;
	(void)e;
	(void)name;
	g_value_len = value.n;
}

static void test_header_limit_value(void)
{
	struct mime_parser *mp = malloc(sizeof *mp);
	struct mime_callbacks cb = {0};
	cb.header = on_header_len;
	mime_init(mp, &cb, NULL);
	feed_str(mp, "Subject: CVE-CANDIDATE");
	for (int i = 0; i < 100000; i++)
		feed_str(mp, " x");
	feed_str(mp, "");
	CHECK(g_value_len == 65527);
	mime_end(mp);
	mime_free(mp);
	free(mp);
}

static void test_chunks_and_bdat(void)
{
	struct mime_parser mp;
	struct rec r;
	static char line[3001];

	/* A 3000-byte 7bit line: segments of 1024, 1024, 952 + CRLF. */
	rec_open(&r, &mp);
	r.log_chunks = true;
	memset(line, 'a', 3000);
	feed_str(&mp, "");
	feed_str(&mp, line);
	mime_end(&mp);
	CHECK_LOG(r, "B1.0 D d1024 d1024 d954 E1 ");
	rec_close(&r);

	/* BDAT lines without implicit CRLF pass through as they are; the
	 * held-back CRLF goes out with the next line's data. */
	rec_open(&r, &mp);
	r.log_chunks = true;
	feed(&mp, "Content-Type: multipart/mixed; boundary=z\n\n--z\n\n");
	mime_feed_line(&mp, (const uint8_t *)"one\n", 4, false);
	mime_feed_line(&mp, (const uint8_t *)"two", 3, true);
	feed_str(&mp, "three");
	feed_str(&mp, "--z--");
	mime_end(&mp);
	CHECK_BYTES(r.data[2].data, r.data[2].len, "one\ntwo\r\nthree");
	CHECK(strstr((const char *)r.log.data, "d4 d3 d7 E2") != NULL);
	rec_close(&r);

	/* An LF-terminated empty line ("\n") does not end the headers. */
	rec_open(&r, &mp);
	mime_feed_line(&mp, (const uint8_t *)"A: 1\n", 5, false);
	mime_feed_line(&mp, (const uint8_t *)"\n", 1, false);
	mime_feed_line(&mp, (const uint8_t *)"body\n", 5, false);
	mime_end(&mp);
	CHECK(r.chunks == 0);
	CHECK_STR(r.last_note, "F:entity body missing");
	rec_close(&r);
}

static void test_base64_body(void)
{
	struct mime_parser mp;
	struct rec r;

	rec_open(&r, &mp);
	feed(&mp, "Content-Transfer-Encoding: base64\n"
		  "\n"
		  "Zm9v YmFy\n"
		  "Zm9vYg\n");
	mime_end(&mp);
	CHECK_BYTES(r.data[1].data, r.data[1].len, "foobarfoob");
	CHECK(r.weirds == 2); /* bad char, then incomplete final group */
	CHECK_STR(r.last_weird, "base64_illegal_encoding");
	CHECK_STR(r.last_weird_addl,
		  "incomplete base64 group, padding with 12 bits of 0");
	rec_close(&r);

	/* A 172-char line: 128-byte decode buffer, as Zeek chunks it. */
	rec_open(&r, &mp);
	r.log_chunks = true;
	feed_str(&mp, "Content-Transfer-Encoding: BASE64");
	feed_str(&mp, "");
	char b64[173];
	for (int i = 0; i < 43; i++)
		memcpy(b64 + 4 * i, "QUJD", 4);
	b64[172] = 0;
	feed_str(&mp, b64);
	feed_str(&mp, "QUJD");
	mime_end(&mp);
	CHECK_LOG(r, "B1.0 H[Content-Transfer-Encoding=BASE64] D "
			    "d126 d6 E1 ");
	CHECK(r.data[1].len == 132);
	rec_close(&r);
}

static void check_filename(const char *name, const char *value,
			   const char *want)
{
	struct buf out;
	struct bytes n = {(const uint8_t *)name, strlen(name)};
	struct bytes v = {(const uint8_t *)value, strlen(value)};
	buf_init(&out, 1 << 16);
	bool hit = mime_header_filename(n, v, &out);
	if (!want) {
		CHECK(!hit);
	} else {
		CHECK(hit);
		CHECK_BYTES(out.data, out.len, want);
	}
	buf_free(&out);
}

static void test_filenames(void)
{
	const char *cd = "Content-Disposition", *ct = "Content-Type";
	check_filename(cd, "attachment;\tfilename=\"NEWS.txt\"", "NEWS.txt");
	check_filename(ct, "text/plain;\tname=\"NEWS.txt\"", "NEWS.txt");
	check_filename("content-disposition", "attachment; FILENAME = a.txt",
		       "a.txt");
	/* Unquoted: the whole rest, parameters included. */
	check_filename(cd, "attachment; filename=a.txt; size=5",
		       "a.txt; size=5");
	/* No closing quote: the rest. */
	check_filename(cd, "attachment; filename=\"open.txt", "open.txt");
	/* The last name= wins (greedy sub). */
	check_filename(cd, "inline; filename=a.txt; name=b.txt", "b.txt");
	/* RFC 2231. */
	check_filename(cd, "attachment; filename*=UTF-8''na%C3%AFve.txt",
		       "na\xc3\xafve.txt");
	check_filename(cd, "attachment; filename*=iso-8859-1'en'%A3rates",
		       "\xa3rates");
	/* Content-Type does not accept name*= . */
	check_filename(ct, "text/plain; name*=x", NULL);
	check_filename(ct, "text/plain; filename=x.txt", "x.txt");
	check_filename(cd, "attachment", NULL);
	check_filename("Subject", "filename=x", NULL);
	/* No RFC 2047 decoding. */
	check_filename(ct, "text/plain; name=\"=?UTF-8?B?w6k=?=\"",
		       "=?UTF-8?B?w6k=?=");
	/* URI unescaping quirks. */
	check_filename(cd, "a; filename=%41%%42%u0043%u2603%zz%4",
		       "AB" "C" "\x26\x03" "%zz%4");
	check_filename(cd, "a; filename=50%", "50%");
	check_filename(cd, "a; filename=x%%", "x%%");
}

int main(void)
{
	test_simple_mail();
	test_headers_only();
	test_header_quirks();
	test_multipart_mixed();
	test_exim_like();
	test_missing_final_boundary();
	test_boundary_lookalikes();
	test_long_boundary();
	test_nested_long_boundaries();
	test_content_type_params();
	test_message_rfc822();
	test_deep_nesting();
	test_huge_headers();
	test_header_limit_value();
	test_chunks_and_bdat();
	test_base64_body();
	test_filenames();
	return check_summary();
}
