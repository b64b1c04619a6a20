/*
 * Unit tests for core/files.c: fuids (zeek-core-spec §4.6-4.7, §10), the
 * life of a file and its files.log line (§5.1-5.5), timeouts and the
 * end-of-trace order (§5.2 step 7, §7.1 step 5).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/files.h"
#include "core/log.h"
#include "core/outdir.h"
#include "core/timer.h"
#include "core/uid.h"
#include "output/json.h"
#include "output/tsv.h"
#include "tests/check.h"

#define SMTP_HANDLE "Analyzer::ANALYZER_SMTP1254722767.529046"

/* Seed words 1..20 of testing/btest/random.seed (§10). */
static const uint32_t btest_words[UID_SEED_WORDS] = {
	1299727368, 0,	       310447,	   0,	       1409073626, 3975311262, 34130240,
	1450515018, 1466150520, 1342286698, 1193956778, 2188527278, 3361989254, 3912865238,
	3596260151, 517973768,	1462428821, 0,	       2278350848, 32767,
};

/* Site::is_local_addr over the private space this test needs: 10/8. */
static bool ten_is_local(const void *ctx, const struct sl_addr *a)
{
	(void)ctx;
	return sl_addr_is_v4(a) && a->b[12] == 10;
}

/* A files manager plus a files.log stream in a fresh folder. */
struct fixture {
	char dir[64];
	struct uid_gen uids;
	struct outdir *out;
	struct files *fm;
	struct log_format fmt;
	struct log_stream *stream;
	char lines[16][512];	/* data lines after close, ts masked */
	int n_lines;
	char fields_line[1024];
	bool json;		/* lines are kept as written */
};

/* The caller's timer structure, as the engine's services keep it. */
static struct timers tw;

static bool tw_add(void *ctx, struct sl_file *f, double when)
{
	(void)ctx;
	return timers_add(&tw, f, when, 0, true);
}

static void tw_cancel(void *ctx, struct sl_file *f)
{
	(void)ctx;
	timers_cancel(&tw, f, 1);
}

/* The timers due at now, fired as the engine fires them; how many. */
static int tw_advance(struct files *fm, double now, struct log_stream *s)
{
	struct timer_fired t;
	int n = 0;
	while (timers_pop_due(&tw, now, &t)) {
		CHECK(files_timer(fm, t.owner, now, false, s) == 0);
		n++;
	}
	return n;
}

/* The expire pass at the end of input. */
static int tw_expire(struct files *fm, double now, struct log_stream *s)
{
	struct timer_fired t;
	int n = 0;
	while (timers_pop_any(&tw, &t)) {
		CHECK(t.run_at_shutdown);
		CHECK(files_timer(fm, t.owner, now, true, s) == 0);
		n++;
	}
	return n;
}

static void fx_start_mode(struct fixture *fx, const struct files_mode *mode, bool seeded,
			  const struct log_writer_ops *ops)
{
	memset(fx, 0, sizeof *fx);
	fx->json = ops == &json_writer_ops;
	const char *tmp = getenv("TMPDIR");
	snprintf(fx->dir, sizeof fx->dir, "%s/smtplog-files-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir)) {
		perror("mkdtemp");
		exit(1);
	}
	if (seeded)
		CHECK(uid_gen_init_seeds(&fx->uids, btest_words) == 0);
	else
		CHECK(uid_gen_init_random(&fx->uids) == 0);
	struct files_mode timed = *mode;
	if (!timed.timer_add) {
		timed.timer_add = tw_add;
		timed.timer_cancel = tw_cancel;
	}
	fx->fm = files_new(&timed, &fx->uids);
	fx->out = outdir_open(fx->dir, true);
	CHECK(fx->fm && fx->out);
	fx->stream = log_stream_new(files_schema(fx->fm), ops, &fx->fmt, fx->out);
	CHECK(fx->stream != NULL);
}

static void fx_start_ops(struct fixture *fx, unsigned hashes, bool hash_columns, bool seeded,
			 const struct log_writer_ops *ops)
{
	struct files_mode mode = {.hashes = hashes, .hash_columns = hash_columns,
				  .is_local = ten_is_local};
	fx_start_mode(fx, &mode, seeded, ops);
}

static void fx_start(struct fixture *fx, unsigned hashes, bool hash_columns, bool seeded)
{
	fx_start_ops(fx, hashes, hash_columns, seeded, &tsv_writer_ops);
}

/* Closes the log, reads it back into fx->lines (ts replaced by X's),
 * frees the manager and removes the folder. */
static void fx_stop(struct fixture *fx)
{
	CHECK(log_stream_close(fx->stream) == 0);
	files_free(fx->fm);
	char path[128];
	snprintf(path, sizeof path, "%s/files.log", fx->dir);
	FILE *fp = fopen(path, "r");
	char line[4096];
	while (fp && fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "#fields", 7) == 0)
			snprintf(fx->fields_line, sizeof fx->fields_line, "%.1000s", line);
		if (line[0] == '#' || fx->n_lines == 16)
			continue;
		if (fx->json) {
			snprintf(fx->lines[fx->n_lines++], sizeof fx->lines[0], "%.500s", line);
			continue;
		}
		const char *tab = strchr(line, '\t');
		snprintf(fx->lines[fx->n_lines++], sizeof fx->lines[0], "XXXXXXXXXX.XXXXXX%.480s",
			 tab ? tab : "");
	}
	if (fp)
		fclose(fp);
	unlink(path);
	outdir_close(fx->out);
	rmdir(fx->dir);
}

/* Column k (0-based) of a line, copied into out. */
static const char *column(const char *line, int k, char out[256])
{
	for (int i = 0; i < k && line; i++) {
		line = strchr(line, '\t');
		if (line)
			line++;
	}
	if (!line)
		return "";
	size_t n = strcspn(line, "\t");
	if (n > 255)
		n = 255;
	memcpy(out, line, n);
	out[n] = '\0';
	return out;
}

static const struct file_conn smtp_conn = {
	.uid = "CHhAvVGS1DHFjwGM9",
	.orig_h = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 10, 1, 4}},
	.resp_h = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 74, 53, 140, 153}},
	.orig_p = 1470,
	.resp_p = 25,
};

static struct sl_file *begin_smtp(struct fixture *fx, double now, const char *handle,
				  uint64_t depth, const char *filename)
{
	struct bytes name = {(const uint8_t *)filename, filename ? strlen(filename) : 0};
	return files_begin(fx->fm, now, handle, strlen(handle), "SMTP", true, &smtp_conn, depth,
			   filename ? &name : NULL);
}

/* n bytes of printable text. */
static void text(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)('a' + i % 26);
}

static void test_fuids(void)
{
	struct fixture fx;
	fx_start(&fx, 0, false, false);
	struct sl_file *a = begin_smtp(&fx, 1.0, SMTP_HANDLE "13", 3, NULL);
	struct sl_file *b = begin_smtp(&fx, 1.0, SMTP_HANDLE "15", 5, NULL);
	static const char ssl[] = "Analyzer::ANALYZER_SSL1394747126.848519F192.168.4.149:60623 > "
				  "74.125.239.129:4430";
	struct sl_file *c = files_begin(fx.fm, 1.0, ssl, strlen(ssl), "SSL", false, &smtp_conn, 0,
					NULL);
	CHECK_STR(files_fuid(a), "FmFp351N5nhsMmAfQg");
	CHECK_STR(files_fuid(b), "FEFYSd1s8Onn9LynKj");
	CHECK_STR(files_fuid(c), "FgN3AE3of2TRIqaeQe");
	/* An empty handle is "no file". */
	CHECK(files_begin(fx.fm, 1.0, "", 0, "SMTP", true, &smtp_conn, 0, NULL) == NULL);
	/* The same handle while open is the same file. */
	struct sl_file *a2 = begin_smtp(&fx, 2.0, SMTP_HANDLE "13", 3, NULL);
	CHECK(a2 == a);
	CHECK(files_end(fx.fm, a2, fx.stream) == 0);
	CHECK(files_end(fx.fm, a, fx.stream) == 0);	/* already logged: no line */
	CHECK(files_end(fx.fm, b, fx.stream) == 0);
	CHECK(files_end(fx.fm, c, fx.stream) == 0);
	fx_stop(&fx);
	CHECK(fx.n_lines == 3);
}

/* Many open files: each handle finds its own file while it is open, and
 * a new one once it has ended (the fuid index grows and shrinks). */
static void test_many_open(void)
{
	struct fixture fx;
	fx_start(&fx, 0, false, false);
	enum { N = 3000 };
	static struct sl_file *fs[N];
	char h[64];
	bool ok = true;
	for (int i = 0; i < N; i++) {
		snprintf(h, sizeof h, SMTP_HANDLE "%d", i);
		fs[i] = begin_smtp(&fx, 1.0, h, 1, NULL);
		ok = ok && fs[i] != NULL;
	}
	for (int i = 0; i < N && ok; i += 2) {
		snprintf(h, sizeof h, SMTP_HANDLE "%d", i);
		ok = begin_smtp(&fx, 1.5, h, 1, NULL) == fs[i];
		files_end(fx.fm, fs[i], fx.stream);	/* the extra reference */
		files_end(fx.fm, fs[i], fx.stream);	/* logged and freed */
	}
	CHECK(ok);
	for (int i = 0; i < N && ok; i++) {
		snprintf(h, sizeof h, SMTP_HANDLE "%d", i);
		struct sl_file *f = begin_smtp(&fx, 2.0, h, 1, NULL);
		ok = i % 2 ? f == fs[i] : f != NULL;
		if (i % 2) {
			files_end(fx.fm, f, fx.stream);
			files_end(fx.fm, f, fx.stream);
		} else {
			files_end(fx.fm, f, fx.stream);
		}
	}
	CHECK(ok);
	fx_stop(&fx);
}

/* §5.1's bare-smtp example, lines 1 and 3 of smtp.attachment. */
static void test_smtp_attachment_lines(void)
{
	struct fixture fx;
	fx_start(&fx, 0, false, false);
	static uint8_t body[10809];
	text(body, sizeof body);

	struct sl_file *f = begin_smtp(&fx, 1254722768.0, SMTP_HANDLE "13", 3, NULL);
	files_data(fx.fm, f, 1254722768.0, body, 77);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);

	double t0 = 1254722770.692743;
	f = begin_smtp(&fx, t0, SMTP_HANDLE "15", 5, "NEWS.txt");
	files_data(fx.fm, f, t0, body, 5000);
	files_data(fx.fm, f, t0 + 1.165512, body + 5000, sizeof body - 5000);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);

	CHECK_STR(fx.fields_line,
		  "#fields\tts\tfuid\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tsource\t"
		  "depth\tanalyzers\tmime_type\tfilename\tduration\tlocal_orig\tis_orig\t"
		  "seen_bytes\ttotal_bytes\tmissing_bytes\toverflow_bytes\ttimedout\t"
		  "parent_fuid");
	CHECK(fx.n_lines == 2);
	CHECK_STR(fx.lines[0], "XXXXXXXXXX.XXXXXX\tFmFp351N5nhsMmAfQg\tCHhAvVGS1DHFjwGM9\t"
			       "10.10.1.4\t1470\t74.53.140.153\t25\tSMTP\t3\t(empty)\t"
			       "text/plain\t-\t0.000000\tT\tT\t77\t-\t0\t0\tF\t-");
	CHECK_STR(fx.lines[1], "XXXXXXXXXX.XXXXXX\tFEFYSd1s8Onn9LynKj\tCHhAvVGS1DHFjwGM9\t"
			       "10.10.1.4\t1470\t74.53.140.153\t25\tSMTP\t5\t(empty)\t"
			       "text/plain\tNEWS.txt\t1.165512\tT\tT\t10809\t-\t0\t0\tF\t-");
}

/* §5.1's JSON form of the first line (ts masked). */
static void test_json_line(void)
{
	struct fixture fx;
	fx_start_ops(&fx, 0, false, false, &json_writer_ops);
	static uint8_t body[77];
	text(body, sizeof body);
	struct sl_file *f = begin_smtp(&fx, 1254722768.0, SMTP_HANDLE "13", 3, NULL);
	files_data(fx.fm, f, 1254722768.0, body, sizeof body);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);
	CHECK(fx.n_lines == 1);
	const char *rest = strchr(fx.lines[0], ',');
	char masked[600];
	snprintf(masked, sizeof masked, "{\"ts\":X%.500s", rest ? rest : "");
	CHECK_STR(masked, "{\"ts\":X,\"fuid\":\"FmFp351N5nhsMmAfQg\",\"uid\":\"CHhAvVGS1DHFjwGM9\","
			  "\"id.orig_h\":\"10.10.1.4\",\"id.orig_p\":1470,"
			  "\"id.resp_h\":\"74.53.140.153\",\"id.resp_p\":25,\"source\":\"SMTP\","
			  "\"depth\":3,\"analyzers\":[],\"mime_type\":\"text/plain\","
			  "\"duration\":0.0,\"local_orig\":true,\"is_orig\":true,"
			  "\"seen_bytes\":77,\"missing_bytes\":0,\"overflow_bytes\":0,"
			  "\"timedout\":false}");
}

/* local_orig follows the sender; no local nets leaves it unset. */
static void test_local_orig(void)
{
	struct fixture fx;
	fx_start(&fx, 0, false, false);
	struct sl_file *f = files_begin(fx.fm, 1.0, "h1", 2, "SMTP", false, &smtp_conn, 0, NULL);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);
	char c[256];
	CHECK_STR(column(fx.lines[0], 13, c), "F");
	CHECK_STR(column(fx.lines[0], 14, c), "F");

	memset(&fx, 0, sizeof fx);
	struct uid_gen uids;
	CHECK(uid_gen_init_random(&uids) == 0);
	struct files_mode mode = {0};
	struct files *fm = files_new(&mode, &uids);
	CHECK(files_schema(fm)->n_fields == 21);
	files_free(fm);
}

/* Which bytes MIME detection sees, and when (§5.2 step 3). */
static const char *mime_of(void (*feed)(struct files *, struct sl_file *))
{
	static char out[256];
	struct fixture fx;
	fx_start(&fx, 0, false, false);
	struct sl_file *f = files_begin(fx.fm, 1.0, "m", 1, "SMTP", true, &smtp_conn, 1, NULL);
	feed(fx.fm, f);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);
	return column(fx.lines[0], 10, out);
}

static void feed_short_text(struct files *fm, struct sl_file *f)
{
	files_data(fm, f, 1.0, (const uint8_t *)"Hello, ", 7);
	files_data(fm, f, 1.5, (const uint8_t *)"world.", 6);	/* 13 bytes at the end */
}

static void feed_too_short(struct files *fm, struct sl_file *f)
{
	files_data(fm, f, 1.0, (const uint8_t *)"Hi there", 8);
}

static void feed_nothing(struct files *fm, struct sl_file *f)
{
	(void)fm;
	(void)f;
}

static void feed_gap_first(struct files *fm, struct sl_file *f)
{
	files_gap(fm, f, 1.0, 100);
	files_data(fm, f, 1.0, (const uint8_t *)"<html><body>text</body></html>", 30);
}

/* A gap before the buffer filled: detection on the partial buffer. */
static void feed_html_then_gap(struct files *fm, struct sl_file *f)
{
	files_data(fm, f, 1.0, (const uint8_t *)"<html><head>", 12);
	files_gap(fm, f, 1.0, 10);
	files_data(fm, f, 1.0, (const uint8_t *)"\x89PNG plus more bytes", 20);
}

/* Only the first 4096 bytes count: text up to there, then a PNG magic. */
static void feed_bof_limit(struct files *fm, struct sl_file *f)
{
	static uint8_t big[5000];
	text(big, sizeof big);
	memcpy(big + 4096, "\x89PNG", 4);
	files_data(fm, f, 1.0, big, 3000);
	files_data(fm, f, 1.0, big + 3000, 2000);
}

/* The buffer filled before the gap: detection already happened. */
static void feed_full_then_gap(struct files *fm, struct sl_file *f)
{
	static uint8_t big[4096];
	memset(big, 0, sizeof big);
	memcpy(big, "%PDF-1.4", 8);
	files_data(fm, f, 1.0, big, sizeof big);
	files_gap(fm, f, 1.0, 10);
}

/* A supplied type wins over content (SSL certificates). */
static void feed_supplied(struct files *fm, struct sl_file *f)
{
	CHECK(files_set_mime_type(f, "application/x-x509-user-cert"));
	files_data(fm, f, 1.0, (const uint8_t *)"plain text here", 15);
	CHECK(!files_set_mime_type(f, "text/plain"));
}

static void test_mime_timing(void)
{
	CHECK_STR(mime_of(feed_short_text), "text/plain");
	CHECK_STR(mime_of(feed_too_short), "-");
	CHECK_STR(mime_of(feed_nothing), "-");
	CHECK_STR(mime_of(feed_gap_first), "-");
	CHECK_STR(mime_of(feed_html_then_gap), "text/html");
	CHECK_STR(mime_of(feed_bof_limit), "text/plain");
	CHECK_STR(mime_of(feed_full_then_gap), "application/pdf");
	CHECK_STR(mime_of(feed_supplied), "application/x-x509-user-cert");
}

static void test_byte_counters(void)
{
	struct fixture fx;
	fx_start(&fx, 0, false, false);
	struct sl_file *f = files_begin(fx.fm, 10.0, "c", 1, "SMTP", true, &smtp_conn, 1, NULL);
	files_data(fx.fm, f, 10.0, (const uint8_t *)"0123456789", 10);
	files_gap(fx.fm, f, 10.25, 5);
	files_data(fx.fm, f, 10.5, (const uint8_t *)"abcdefg", 7);
	files_data(fx.fm, f, 10.5, NULL, 0);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);
	char c[256];
	CHECK_STR(column(fx.lines[0], 12, c), "0.500000");
	CHECK_STR(column(fx.lines[0], 15, c), "17");
	CHECK_STR(column(fx.lines[0], 16, c), "-");
	CHECK_STR(column(fx.lines[0], 17, c), "5");
	CHECK_STR(column(fx.lines[0], 18, c), "0");
}

static void test_hashes(void)
{
	struct fixture fx;
	fx_start(&fx, FILES_HASH_ALL, true, false);
	struct sl_file *f = files_begin(fx.fm, 1.0, "abc", 3, "SMTP", true, &smtp_conn, 1, NULL);
	files_data(fx.fm, f, 1.0, (const uint8_t *)"a", 1);
	files_data(fx.fm, f, 1.0, (const uint8_t *)"bc", 2);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	/* A gap aborts every hash; the names stay. */
	f = files_begin(fx.fm, 1.0, "gap", 3, "SMTP", true, &smtp_conn, 1, NULL);
	files_data(fx.fm, f, 1.0, (const uint8_t *)"abc", 3);
	files_gap(fx.fm, f, 1.0, 3);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	/* An empty file feeds no hash: none is logged. */
	f = files_begin(fx.fm, 1.0, "empty", 5, "SMTP", true, &smtp_conn, 1, NULL);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);

	char c[256];
	CHECK(fx.n_lines == 3);
	CHECK_STR(fx.fields_line + strlen(fx.fields_line) - 27, "parent_fuid\tmd5\tsha1\tsha256");
	/* Random mode: insertion order. */
	CHECK_STR(column(fx.lines[0], 9, c), "MD5,SHA1,SHA256");
	CHECK_STR(column(fx.lines[0], 21, c), "900150983cd24fb0d6963f7d28e17f72");
	CHECK_STR(column(fx.lines[0], 22, c), "a9993e364706816aba3e25717850c26c9cd0d89d");
	CHECK_STR(column(fx.lines[0], 23, c),
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	for (int k = 21; k < 24; k++) {
		CHECK_STR(column(fx.lines[1], k, c), "-");
		CHECK_STR(column(fx.lines[2], k, c), "-");
	}
	CHECK_STR(column(fx.lines[1], 9, c), "MD5,SHA1,SHA256");

	/* Under the btest seed Zeek prints SHA1,SHA256,MD5 (§10). */
	fx_start(&fx, FILES_HASH_ALL, true, true);
	f = files_begin(fx.fm, 1.0, "abc", 3, "SMTP", true, &smtp_conn, 1, NULL);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);
	CHECK_STR(column(fx.lines[0], 9, c), "SHA1,SHA256,MD5");

	/* --hash md5: one analyzer, three columns, two of them unset. */
	fx_start(&fx, FILES_HASH_MD5, true, false);
	f = files_begin(fx.fm, 1.0, "abc", 3, "SMTP", true, &smtp_conn, 1, NULL);
	files_data(fx.fm, f, 1.0, (const uint8_t *)"abc", 3);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);
	CHECK_STR(column(fx.lines[0], 9, c), "MD5");
	CHECK_STR(column(fx.lines[0], 21, c), "900150983cd24fb0d6963f7d28e17f72");
	CHECK_STR(column(fx.lines[0], 22, c), "-");
	CHECK_STR(column(fx.lines[0], 23, c), "-");

	/* Columns without hashing (ssl loaded, no --hash). */
	fx_start(&fx, 0, true, false);
	f = files_begin(fx.fm, 1.0, "abc", 3, "SMTP", true, &smtp_conn, 1, NULL);
	files_data(fx.fm, f, 1.0, (const uint8_t *)"abc", 3);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);
	CHECK_STR(column(fx.lines[0], 9, c), "(empty)");
	CHECK_STR(column(fx.lines[0], 21, c), "-");
}

/* A type analyzer as proto/tls.c describes X509. */
static const char *const cert_types[] = {"application/x-x509-user-cert",
					 "application/x-x509-ca-cert", NULL};
static const struct files_type_analyzer cert_analyzer = {"X509", cert_types, FILES_HASH_ALL};

static struct files_mode cert_mode(bool logged)
{
	struct files_mode mode = {.hash_columns = true, .n_type_analyzers = 1};
	mode.type_analyzers[0].an = &cert_analyzer;
	mode.type_analyzers[0].logged = logged;
	return mode;
}

/* A whole content with known digests logs what hashing it logs. */
static void test_data_whole(void)
{
	static const uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	struct files_mode mode = cert_mode(true);
	char lines[2][512];
	for (int known = 0; known < 2; known++) {
		struct fixture fx;
		fx_start_mode(&fx, &mode, false, &tsv_writer_ops);
		struct sl_file *f = files_begin(fx.fm, 1.0, "cert0", 5, "SSL", false, &smtp_conn, 0, NULL);
		CHECK(files_set_mime_type(f, "application/x-x509-user-cert"));
		uint8_t md5[16], sha1[20], sha256[32];
		unsigned n = 0;
		CHECK(EVP_Digest(der, sizeof der, md5, &n, EVP_md5(), NULL) == 1);
		CHECK(EVP_Digest(der, sizeof der, sha1, &n, EVP_sha1(), NULL) == 1);
		CHECK(EVP_Digest(der, sizeof der, sha256, &n, EVP_sha256(), NULL) == 1);
		struct files_digests d = {md5, sha1, sha256};
		if (known)
			files_data_whole(fx.fm, f, 1.0, der, sizeof der, &d);
		else
			files_data(fx.fm, f, 1.0, der, sizeof der);
		CHECK(files_end(fx.fm, f, fx.stream) == 0);
		fx_stop(&fx);
		CHECK(fx.n_lines == 1);
		snprintf(lines[known], sizeof lines[known], "%s", fx.lines[0]);
	}
	CHECK_STR(lines[1], lines[0]);
	char c[256];
	CHECK(strlen(column(lines[1], 21, c)) == 32); /* md5 */
}

/* §5.8: a certificate (an X.509 MIME type from the protocol) gets the
 * type analyzer X509 and its hashes, and stays out of files.log unless
 * the analyzer's logged (X509::log_x509_in_files_log). */
static void test_x509_files(void)
{
	static const uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	struct fixture fx;
	char c[256];
	for (int logged = 0; logged < 2; logged++) {
		struct files_mode mode = cert_mode(logged == 1);
		fx_start_mode(&fx, &mode, false, &tsv_writer_ops);
		struct sl_file *f =
		    files_begin(fx.fm, 1.0, "cert0", 5, "SSL", false, &smtp_conn, 0, NULL);
		CHECK(files_set_mime_type(f, "application/x-x509-user-cert"));
		files_data(fx.fm, f, 1.0, der, sizeof der);
		CHECK(files_end(fx.fm, f, fx.stream) == 0);
		/* Another type is an ordinary file, logged either way. */
		f = files_begin(fx.fm, 1.0, "ocsp", 4, "SSL", false, &smtp_conn, 0, NULL);
		CHECK(files_set_mime_type(f, "application/ocsp-response"));
		files_data(fx.fm, f, 1.0, der, sizeof der);
		CHECK(files_end(fx.fm, f, fx.stream) == 0);
		fx_stop(&fx);
		CHECK(fx.n_lines == 1 + logged);
		if (logged) {
			CHECK_STR(column(fx.lines[0], 7, c), "SSL");
			CHECK_STR(column(fx.lines[0], 10, c), "application/x-x509-user-cert");
			CHECK(strstr(column(fx.lines[0], 9, c), "X509") != NULL);
			CHECK(strstr(column(fx.lines[0], 9, c), "SHA256") != NULL);
			CHECK_STR(column(fx.lines[0], 15, c), "5");
			CHECK(strlen(column(fx.lines[0], 23, c)) == 64);
			CHECK_STR(column(fx.lines[1], 9, c), "(empty)");
		} else {
			CHECK_STR(column(fx.lines[0], 10, c), "application/ocsp-response");
		}
	}
	/* Without base/files/x509 the type is only a type. */
	struct files_mode bare = {.hash_columns = true};
	fx_start_mode(&fx, &bare, false, &tsv_writer_ops);
	struct sl_file *f = files_begin(fx.fm, 1.0, "cert0", 5, "SSL", false, &smtp_conn, 0, NULL);
	CHECK(files_set_mime_type(f, "application/x-x509-ca-cert"));
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);
	CHECK(fx.n_lines == 1);
	CHECK_STR(column(fx.lines[0], 9, c), "(empty)");

	/* Two type analyzers for one type: both named, the union of their
	 * hashes; the one that vetoes keeps the file out. */
	static const struct files_type_analyzer md5_only = {"PKIX", cert_types, FILES_HASH_MD5};
	for (int veto = 0; veto < 2; veto++) {
		struct files_mode two = cert_mode(true);
		two.hashes = 0;
		two.type_analyzers[0].an = &md5_only;
		two.type_analyzers[1].an = &cert_analyzer;
		two.type_analyzers[1].logged = !veto;
		two.n_type_analyzers = 2;
		fx_start_mode(&fx, &two, false, &tsv_writer_ops);
		f = files_begin(fx.fm, 1.0, "cert0", 5, "SSL", false, &smtp_conn, 0, NULL);
		CHECK(files_set_mime_type(f, "application/x-x509-ca-cert"));
		files_data(fx.fm, f, 1.0, der, sizeof der);
		CHECK(files_end(fx.fm, f, fx.stream) == 0);
		fx_stop(&fx);
		CHECK(fx.n_lines == (veto ? 0 : 1));
		if (!veto) {
			column(fx.lines[0], 9, c);
			CHECK(strstr(c, "PKIX") && strstr(c, "X509") && strstr(c, "SHA1"));
		}
	}
	/* Only the first analyzer's hashes when the second's types differ. */
	static const char *const other_types[] = {"application/pkix-cert", NULL};
	static const struct files_type_analyzer other = {"OTHER", other_types, FILES_HASH_ALL};
	struct files_mode one = cert_mode(true);
	one.type_analyzers[0].an = &md5_only;
	one.type_analyzers[1].an = &other;
	one.type_analyzers[1].logged = false;
	one.n_type_analyzers = 2;
	fx_start_mode(&fx, &one, false, &tsv_writer_ops);
	f = files_begin(fx.fm, 1.0, "cert0", 5, "SSL", false, &smtp_conn, 0, NULL);
	CHECK(files_set_mime_type(f, "application/x-x509-user-cert"));
	files_data(fx.fm, f, 1.0, der, sizeof der);
	CHECK(files_end(fx.fm, f, fx.stream) == 0);
	fx_stop(&fx);
	CHECK(fx.n_lines == 1);
	CHECK_STR(column(fx.lines[0], 9, c), "PKIX,MD5");
}

/* §4.7: times in file handles. */
static void test_handle_time(void)
{
	char t[FILES_HANDLE_TIME_MAX];
	CHECK(files_handle_time(1394747126.848519, t) == 17);
	CHECK_STR(t, "1394747126.848519");
	files_handle_time(1254722767.0, t);
	CHECK_STR(t, "1254722767.0");
	files_handle_time(2385642157.0, t);
	CHECK_STR(t, "2.385642157e+09");

	/* The fixed range against the printf reading of it: "%.6f", trailing
	 * zeros cut, ".0" for integers. */
	srand(99);
	bool same = true;
	for (int i = 0; i < 2000000 && same; i++) {
		double v;
		switch (i % 4) {
		case 0:
			v = (double)rand() / RAND_MAX * 2147483647.0;
			break;
		case 1:
			v = (double)(rand() % 2000000000) + (double)(rand() % 1000000) / 1e6;
			break;
		case 2:
			v = (double)(rand() % 100000) + 0.5e-6 * (rand() % 4);
			break;
		default:
			v = -(double)rand() / RAND_MAX * 1e5;
			break;
		}
		if (v != 0.0 && fabs(v) < 1e-6)
			continue; /* the scientific range, checked above */
		char want[FILES_HANDLE_TIME_MAX];
		int n = snprintf(want, sizeof want, "%.6f", v == 0.0 ? 0.0 : v);
		char *last = want + n - 1;
		while (*last == '0')
			last--;
		if (*last != '.')
			last++;
		*last = '\0';
		if (fabs(v - nearbyint(v)) < 1e-9)
			strcat(want, ".0");
		size_t len = files_handle_time(v, t);
		same = strcmp(t, want) == 0 && len == strlen(want);
		if (!same)
			fprintf(stderr, "%.17g: %s, want %s\n", v, t, want);
	}
	CHECK(same);
}

/* §7.1 step 5: open files are timed out in fuid order. */
static void test_finish_order(void)
{
	struct fixture fx;
	fx_start(&fx, 0, false, false);
	struct sl_file *f13 = begin_smtp(&fx, 1.0, SMTP_HANDLE "13", 3, NULL);
	struct sl_file *f14 = begin_smtp(&fx, 2.0, SMTP_HANDLE "14", 4, NULL);
	struct sl_file *f15 = begin_smtp(&fx, 3.0, SMTP_HANDLE "15", 5, NULL);
	struct sl_file *done = begin_smtp(&fx, 3.0, SMTP_HANDLE "16", 6, NULL);
	CHECK(files_end(fx.fm, done, fx.stream) == 0);
	files_data(fx.fm, f14, 4.0, (const uint8_t *)"some text here", 14);
	CHECK(files_finish(fx.fm, fx.stream) == 0);
	/* Their owners end them later: nothing more is written. */
	CHECK(files_end(fx.fm, f13, fx.stream) == 0);
	CHECK(files_end(fx.fm, f14, fx.stream) == 0);
	CHECK(files_end(fx.fm, f15, fx.stream) == 0);
	fx_stop(&fx);

	char c[256];
	CHECK(fx.n_lines == 4);
	CHECK_STR(column(fx.lines[0], 8, c), "6");
	CHECK_STR(column(fx.lines[0], 19, c), "F");
	CHECK_STR(column(fx.lines[1], 1, c), "FEFYSd1s8Onn9LynKj");
	CHECK_STR(column(fx.lines[2], 1, c), "FmFp351N5nhsMmAfQg");
	CHECK_STR(column(fx.lines[3], 1, c), "Fqrb1K5DWEfgy4WU2");
	for (int k = 1; k < 4; k++)
		CHECK_STR(column(fx.lines[k], 19, c), "T");
	CHECK_STR(column(fx.lines[3], 10, c), "text/plain");
	CHECK_STR(column(fx.lines[3], 12, c), "2.000000");
}

/* §5.2 step 7: inactivity timers, and a new file under the same fuid. */
static void test_timeout(void)
{
	struct fixture fx;
	fx_start(&fx, 0, false, false);
	struct sl_file *a = files_begin(fx.fm, 1000.0, "a", 1, "SMTP", true, &smtp_conn, 1, NULL);
	struct sl_file *b = files_begin(fx.fm, 1010.0, "b", 1, "SMTP", true, &smtp_conn, 2, NULL);
	CHECK(timers_count(&tw) == 2);
	files_data(fx.fm, a, 1000.0, (const uint8_t *)"first part of a", 15);
	files_data(fx.fm, b, 1060.0, (const uint8_t *)"bbbbbbbbbbbbbbbb", 16);
	CHECK(tw_advance(fx.fm, 1119.0, fx.stream) == 0);
	/* a: idle 120 s at its timer: timed out. b: idle 70 s: rescheduled
	 * at 1130 + 120. */
	CHECK(tw_advance(fx.fm, 1130.0, fx.stream) == 2);
	CHECK(timers_count(&tw) == 1);
	/* More data for a: a new file with a's fuid, and a timer of its own. */
	files_data(fx.fm, a, 1200.0, (const uint8_t *)"second part", 11);
	CHECK(timers_count(&tw) == 2);
	CHECK(files_end(fx.fm, a, fx.stream) == 0);
	CHECK(timers_count(&tw) == 1); /* an ended file's timer goes with it */
	CHECK(tw_advance(fx.fm, 1249.0, fx.stream) == 0);
	/* Expire pass at the end: b idle 1240 - 1060 = 180 s: timed out. */
	CHECK(tw_expire(fx.fm, 1240.0, fx.stream) == 1);
	CHECK(files_finish(fx.fm, fx.stream) == 0);
	CHECK(files_end(fx.fm, b, fx.stream) == 0);
	fx_stop(&fx);

	char c[256], fa[256], fa2[256];
	CHECK(fx.n_lines == 3);
	CHECK_STR(column(fx.lines[0], 19, c), "T");
	CHECK_STR(column(fx.lines[0], 15, c), "15");
	CHECK_STR(column(fx.lines[1], 19, c), "F");
	CHECK_STR(column(fx.lines[1], 15, c), "11");
	CHECK_STR(column(fx.lines[0], 1, fa), column(fx.lines[1], 1, fa2));
	CHECK_STR(column(fx.lines[2], 8, c), "2");
	CHECK_STR(column(fx.lines[2], 19, c), "T");
	CHECK_STR(column(fx.lines[2], 12, c), "50.000000");

	/* The expire pass leaves a file idle < 2 min open; finish logs it. */
	fx_start(&fx, 0, false, false);
	CHECK(files_begin(fx.fm, 1000.0, "a", 1, "SMTP", true, &smtp_conn, 1, NULL) != NULL);
	CHECK(tw_expire(fx.fm, 1100.0, fx.stream) == 1);
	CHECK(timers_count(&tw) == 0); /* not scheduled again */
	CHECK(files_finish(fx.fm, fx.stream) == 0);
	fx_stop(&fx);	/* a never ended: files_free releases it */
	CHECK(fx.n_lines == 1);
	CHECK_STR(column(fx.lines[0], 19, c), "T");
	/* A file freed while open (a run stopped early) takes its timer. */
	fx_start(&fx, 0, false, false);
	CHECK(files_begin(fx.fm, 1000.0, "z", 1, "SMTP", true, &smtp_conn, 1, NULL) != NULL);
	CHECK(timers_count(&tw) == 1);
	fx_stop(&fx);
	CHECK(timers_count(&tw) == 0);
}

int main(void)
{
	timers_init(&tw, files_timer_list_offset());
	test_fuids();
	test_many_open();
	test_smtp_attachment_lines();
	test_json_line();
	test_local_orig();
	test_mime_timing();
	test_byte_counters();
	test_hashes();
	test_x509_files();
	test_data_whole();
	test_handle_time();
	test_finish_order();
	test_timeout();
	timers_free(&tw);
	return check_summary();
}
