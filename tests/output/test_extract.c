/*
 * Unit tests for output/extract.c (the extraction file sink) and for the
 * EXTRACT analyzer in core/files.c that drives it (zeek-core-spec §6):
 * names, hostile names, limits and cut-off, no silent overwrite, the
 * sink's lifecycle and its error path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/files.h"
#include "core/log.h"
#include "core/outdir.h"
#include "core/uid.h"
#include "output/extract.h"
#include "output/tsv.h"
#include "tests/check.h"

#define HANDLE "Analyzer::ANALYZER_SMTP1254722767.529046"

static void mkdir_tmp(char *dir, size_t cap)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, cap, "%s/smtplog-extract-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
}

static void rm_tree(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Reads DIR/extract_files/NAME; returns its size or -1. */
static long read_extracted(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s/%s", dir, FILES_EXTRACT_DIR, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	size_t n = fread(buf, 1, cap, fp);
	fclose(fp);
	return (long)n;
}

static bool name_is_safe(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > EXTRACT_NAME_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '/' || c < 0x20 || c >= 0x7f || c == '\\')
			return false;
	}
	return strcmp(s, "..") != 0;
}

static void test_sanitize(void)
{
	char out[EXTRACT_NAME_MAX + 1];
	static const char *const hostile[] = {
		"../../etc/passwd", "..", ".", "/abs/path", "a\nb\rc\td", "\x1b[31mred",
		".hidden", "a b;c|d&e$(f)`g`", "caf\xc3\xa9", "", "////", "x\\y", "\x7f",
	};
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		extract_name_sanitize(hostile[i], out);
		CHECK(name_is_safe(out));
	}
	extract_name_sanitize("../../etc/passwd", out);
	CHECK_STR(out, "_._.._etc_passwd");
	extract_name_sanitize("..", out);
	CHECK_STR(out, "_.");
	extract_name_sanitize("", out);
	CHECK_STR(out, "file");
	extract_name_sanitize("SMTP-Fel9gs4OtNEV6gUJZ5.txt", out);
	CHECK_STR(out, "SMTP-Fel9gs4OtNEV6gUJZ5.txt");
	char longname[1000];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	CHECK(extract_name_sanitize(longname, out) == EXTRACT_NAME_MAX);
	CHECK(strlen(out) == EXTRACT_NAME_MAX);
}

static void test_names(void)
{
	char out[EXTRACT_NAME_MAX + 1];
	struct file_sink_file f = {.fuid = "FEFYSd1s8Onn9LynKj", .source = "SMTP",
				   .last_active = 1254722770.692743};
	extract_name_make(EXTRACT_NAMING_ZEEK, &f, out);
	CHECK_STR(out, "extract-1254722770.692743-SMTP-FEFYSd1s8Onn9LynKj");
	f.last_active = 1254722770.69274;
	extract_name_make(EXTRACT_NAMING_ZEEK, &f, out);
	CHECK_STR(out, "extract-1254722770.69274-SMTP-FEFYSd1s8Onn9LynKj");
	f.last_active = 1254722770.0;
	extract_name_make(EXTRACT_NAMING_ZEEK, &f, out);
	CHECK_STR(out, "extract-1254722770.0-SMTP-FEFYSd1s8Onn9LynKj");
	f.mime_type = "text/plain";
	extract_name_make(EXTRACT_NAMING_SOURCE, &f, out);
	CHECK_STR(out, "SMTP-FEFYSd1s8Onn9LynKj.txt");
	f.mime_type = "application/pdf";
	extract_name_make(EXTRACT_NAMING_SOURCE, &f, out);
	CHECK_STR(out, "SMTP-FEFYSd1s8Onn9LynKj.pdf");
	f.mime_type = NULL;
	extract_name_make(EXTRACT_NAMING_SOURCE, &f, out);
	CHECK_STR(out, "SMTP-FEFYSd1s8Onn9LynKj.bin");
	f.mime_type = "application/x-nothing-known";
	extract_name_make(EXTRACT_NAMING_SOURCE, &f, out);
	CHECK_STR(out, "SMTP-FEFYSd1s8Onn9LynKj.bin");
	/* A hostile source or fuid never escapes. */
	f.source = "../../x";
	f.fuid = "/etc/y";
	extract_name_make(EXTRACT_NAMING_SOURCE, &f, out);
	CHECK(name_is_safe(out) && !strchr(out, '/'));
	CHECK(extract_mime_ext("image/jpeg") && !strcmp(extract_mime_ext("image/jpeg"), "jpg"));
	CHECK(extract_mime_ext("application/x-dosexec") &&
	      !strcmp(extract_mime_ext("application/x-dosexec"), "exe"));
	CHECK(extract_mime_ext("nope/nope") == NULL);
}

/* The sink on its own: open, write, skip, close; no silent overwrite. */
static void test_sink_lifecycle(void)
{
	char dir[128], name[FILES_EXTRACT_NAME_MAX], buf[64];
	mkdir_tmp(dir, sizeof dir);
	struct extract_sink *s = extract_sink_new(dir, EXTRACT_NAMING_ZEEK, false);
	CHECK(s != NULL);
	struct stat st;
	char sub[256];
	snprintf(sub, sizeof sub, "%s/%s", dir, FILES_EXTRACT_DIR);
	CHECK(stat(sub, &st) != 0);	/* created on demand only */

	struct file_sink_file f = {.fuid = "Fabc", .source = "SMTP", .last_active = 10.5};
	int err = 0;
	void *h = extract_sink_ops.open(s, &f, name, &err);
	CHECK(h != NULL);
	CHECK_STR(name, "extract-10.5-SMTP-Fabc");
	CHECK(extract_sink_ops.write(s, h, (const uint8_t *)"abc", 3) == 0);
	CHECK(extract_sink_ops.skip(s, h, 2) == 0);
	CHECK(extract_sink_ops.write(s, h, (const uint8_t *)"de", 2) == 0);
	CHECK(extract_sink_ops.close(s, h) == 0);
	CHECK(read_extracted(dir, name, buf, sizeof buf) == 7);
	CHECK(memcmp(buf, "abc\0\0de", 7) == 0);
	extract_sink_free(s);

	/* A second run into the same folder: the file exists -> EEXIST. */
	s = extract_sink_new(dir, EXTRACT_NAMING_ZEEK, false);
	err = 0;
	h = extract_sink_ops.open(s, &f, name, &err);
	CHECK(h == NULL && err == -EEXIST);
	CHECK_STR(name, "extract-10.5-SMTP-Fabc");	/* named, for the message */
	CHECK(read_extracted(dir, name, buf, sizeof buf) == 7);
	extract_sink_free(s);

	/* --force: overwritten. */
	s = extract_sink_new(dir, EXTRACT_NAMING_ZEEK, true);
	h = extract_sink_ops.open(s, &f, name, &err);
	CHECK(h != NULL);
	CHECK(extract_sink_ops.write(s, h, (const uint8_t *)"Z", 1) == 0);
	CHECK(extract_sink_ops.close(s, h) == 0);
	CHECK(read_extracted(dir, name, buf, sizeof buf) == 1);
	extract_sink_free(s);

	/* A symlink planted under the expected name is never followed. */
	char target[256], link_path[512];
	snprintf(target, sizeof target, "%s/target", dir);
	snprintf(link_path, sizeof link_path, "%s/extract-11.0-SMTP-Fabc", sub);
	CHECK(symlink(target, link_path) == 0);
	s = extract_sink_new(dir, EXTRACT_NAMING_ZEEK, true);
	f.last_active = 11.0;
	h = extract_sink_ops.open(s, &f, name, &err);
	CHECK(h == NULL && err < 0);
	CHECK(stat(target, &st) != 0);
	extract_sink_free(s);

	/* extract_files/ as a symlink is refused too. */
	rm_tree(sub);
	CHECK(symlink(dir, sub) == 0);
	s = extract_sink_new(dir, EXTRACT_NAMING_ZEEK, true);
	h = extract_sink_ops.open(s, &f, name, &err);
	CHECK(h == NULL && err < 0);
	extract_sink_free(s);
	rm_tree(dir);
}

/* More files open at once than hold a buffer: every one gets its bytes,
 * in order, the buffered and the unbuffered alike. */
static void test_sink_many_open(void)
{
	enum { N = 300 };
	char dir[128], name[FILES_EXTRACT_NAME_MAX], buf[64];
	char names[N][FILES_EXTRACT_NAME_MAX], fuids[N][16];
	void *h[N];
	mkdir_tmp(dir, sizeof dir);
	struct extract_sink *s = extract_sink_new(dir, EXTRACT_NAMING_ZEEK, false);
	CHECK(s != NULL);
	int opened = 0;
	for (int i = 0; i < N; i++) {
		snprintf(fuids[i], sizeof fuids[i], "F%d", i);
		struct file_sink_file f = {.fuid = fuids[i], .source = "SMTP", .last_active = 1.0};
		int err = 0;
		h[i] = extract_sink_ops.open(s, &f, name, &err);
		snprintf(names[i], sizeof names[i], "%s", name);
		opened += h[i] != NULL;
	}
	CHECK(opened == N);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < N; i++)
			if (h[i]) {
				char piece[16];
				int n = snprintf(piece, sizeof piece, "%d.%d;", i, round);
				CHECK(extract_sink_ops.write(s, h[i], (const uint8_t *)piece, (size_t)n) == 0);
			}
	int right = 0;
	for (int i = 0; i < N; i++) {
		if (!h[i] || extract_sink_ops.close(s, h[i]) != 0)
			continue;
		char want[64];
		int wn = snprintf(want, sizeof want, "%d.0;%d.1;%d.2;", i, i, i);
		right += read_extracted(dir, names[i], buf, sizeof buf) == wn &&
			 memcmp(buf, want, (size_t)wn) == 0;
	}
	CHECK(right == N);
	extract_sink_free(s);
	rm_tree(dir);
}

/* ---- through core/files.c ---- */

struct run {
	char dir[128];
	struct uid_gen uids;
	struct outdir *out;
	struct files *fm;
	struct log_format fmt;
	struct log_stream *stream;
	struct extract_sink *sink;
	const char *types[4];
	int errors;
	int last_err;
	char what[512];
	char line[4096];	/* the first files.log data line */
};

static void on_error(void *ctx, int err, const char *what)
{
	struct run *r = ctx;
	r->errors++;
	r->last_err = err;
	snprintf(r->what, sizeof r->what, "%s", what);
}

static void run_start(struct run *r, const struct file_sink_ops *ops, void *ctx, uint64_t limit,
		      const char *type)
{
	memset(r, 0, sizeof *r);
	mkdir_tmp(r->dir, sizeof r->dir);
	CHECK(uid_gen_init_random(&r->uids) == 0);
	r->sink = extract_sink_new(r->dir, EXTRACT_NAMING_ZEEK, false);
	struct files_mode mode = {
		.extract_columns = true,
		.sink = ops ? ops : &extract_sink_ops,
		.sink_ctx = ops ? ctx : r->sink,
		.extract_all = type == NULL,
		.extract_limit = limit,
		.on_error = on_error,
		.on_error_ctx = r,
	};
	if (type) {
		r->types[0] = type;
		mode.extract_types = r->types;
		mode.n_extract_types = 1;
	}
	r->fm = files_new(&mode, &r->uids);
	r->out = outdir_open(r->dir, true);
	r->stream = log_stream_new(files_schema(r->fm), &tsv_writer_ops, &r->fmt, r->out);
	CHECK(r->fm && r->out && r->stream && r->sink);
}

/* Closes the log and keeps its first data line. */
static void run_stop(struct run *r)
{
	CHECK(log_stream_close(r->stream) == 0);
	files_free(r->fm);
	char path[256];
	snprintf(path, sizeof path, "%s/files.log", r->dir);
	FILE *fp = fopen(path, "r");
	char line[4096];
	while (fp && fgets(line, sizeof line, fp)) {
		if (line[0] == '#' || r->line[0])
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(r->line, sizeof r->line, "%s", line);
	}
	if (fp)
		fclose(fp);
	outdir_close(r->out);
	extract_sink_free(r->sink);
}

/* The last three columns of the line: extracted, cutoff, size. */
static const char *tail3(const char *line)
{
	const char *p = line + strlen(line);
	for (int tabs = 0; p > line; p--)
		if (p[-1] == '\t' && ++tabs == 3)
			break;
	return p;
}

static const char *extracted_name(const char *line, char *out, size_t cap)
{
	const char *t = tail3(line);
	size_t n = strcspn(t, "\t");
	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), t);
	return out;
}

static struct sl_file *begin(struct run *r, double t)
{
	return files_begin(r->fm, t, HANDLE, strlen(HANDLE), "SMTP", true, NULL, 3, NULL);
}

static void test_extract_all_and_limit(void)
{
	struct run r;
	char name[256], buf[256];
	const char *body = "Hello world, this is the body.";	/* 30 bytes */

	/* No limit: the whole file, extracted_cutoff F, size unset. */
	run_start(&r, NULL, NULL, 0, NULL);
	struct sl_file *f = begin(&r, 100.25);
	files_data(r.fm, f, 100.5, (const uint8_t *)body, 10);
	files_data(r.fm, f, 101.0, (const uint8_t *)body + 10, 20);
	CHECK(files_end(r.fm, f, r.stream) == 0);
	run_stop(&r);
	extracted_name(r.line, name, sizeof name);
	CHECK(strncmp(name, "extract-100.25-SMTP-F", 21) == 0);
	CHECK(strstr(tail3(r.line), "\tF\t-") != NULL);
	CHECK(strstr(r.line, "\tEXTRACT\t") != NULL);
	CHECK(read_extracted(r.dir, name, buf, sizeof buf) == 30);
	CHECK(memcmp(buf, body, 30) == 0);
	CHECK(r.errors == 0);
	rm_tree(r.dir);

	/* Limit 12: cut inside the second chunk, T and the limit. */
	run_start(&r, NULL, NULL, 12, NULL);
	f = begin(&r, 1.0);
	files_data(r.fm, f, 1.0, (const uint8_t *)body, 10);
	files_data(r.fm, f, 1.0, (const uint8_t *)body + 10, 20);
	files_end(r.fm, f, r.stream);
	run_stop(&r);
	extracted_name(r.line, name, sizeof name);
	CHECK(strstr(tail3(r.line), "\tT\t12") != NULL);
	CHECK(read_extracted(r.dir, name, buf, sizeof buf) == 12);
	CHECK(memcmp(buf, body, 12) == 0);
	rm_tree(r.dir);

	/* Limit = file size: Zeek's empty delivery at the end of a short
	 * file finds written >= limit and cuts off (Extract.cc). */
	run_start(&r, NULL, NULL, 30, NULL);
	f = begin(&r, 1.0);
	files_data(r.fm, f, 1.0, (const uint8_t *)body, 30);
	files_end(r.fm, f, r.stream);
	run_stop(&r);
	extracted_name(r.line, name, sizeof name);
	CHECK(strstr(tail3(r.line), "\tT\t30") != NULL);
	CHECK(read_extracted(r.dir, name, buf, sizeof buf) == 30);
	rm_tree(r.dir);

	/* A gap counts toward the limit and leaves a hole. */
	run_start(&r, NULL, NULL, 0, NULL);
	f = begin(&r, 1.0);
	files_data(r.fm, f, 1.0, (const uint8_t *)"ab", 2);
	files_gap(r.fm, f, 1.0, 3);
	files_data(r.fm, f, 1.0, (const uint8_t *)"cd", 2);
	files_end(r.fm, f, r.stream);
	run_stop(&r);
	extracted_name(r.line, name, sizeof name);
	CHECK(read_extracted(r.dir, name, buf, sizeof buf) == 7);
	CHECK(memcmp(buf, "ab\0\0\0cd", 7) == 0);
	rm_tree(r.dir);

	run_start(&r, NULL, NULL, 4, NULL);
	f = begin(&r, 1.0);
	files_data(r.fm, f, 1.0, (const uint8_t *)"ab", 2);
	files_gap(r.fm, f, 1.0, 3);
	files_end(r.fm, f, r.stream);
	run_stop(&r);
	CHECK(strstr(tail3(r.line), "\tT\t4") != NULL);
	rm_tree(r.dir);
}

/* -x text/plain: decided at file_sniff, written from byte 0. */
static void test_by_type(void)
{
	struct run r;
	char name[256];
	static char big[9000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	static char back[9100];

	run_start(&r, NULL, NULL, 0, "text/plain");
	struct sl_file *f = begin(&r, 5.0);
	files_data(r.fm, f, 5.0, (const uint8_t *)big, 1000);
	files_data(r.fm, f, 6.0, (const uint8_t *)big + 1000, 4000);	/* fills the BOF */
	files_data(r.fm, f, 7.0, (const uint8_t *)big + 5000, 4000);
	files_end(r.fm, f, r.stream);
	run_stop(&r);
	extracted_name(r.line, name, sizeof name);
	/* Named after last_active at file_sniff: the chunk that filled it. */
	CHECK(strncmp(name, "extract-6.0-SMTP-F", 18) == 0);
	CHECK(read_extracted(r.dir, name, back, sizeof back) == 9000);
	CHECK(memcmp(back, big, 9000) == 0);
	rm_tree(r.dir);

	/* A short file: detection at the end, still complete. */
	run_start(&r, NULL, NULL, 0, "text/plain");
	f = begin(&r, 5.0);
	files_data(r.fm, f, 5.0, (const uint8_t *)big, 100);
	files_data(r.fm, f, 5.5, (const uint8_t *)big + 100, 200);
	files_end(r.fm, f, r.stream);
	run_stop(&r);
	extracted_name(r.line, name, sizeof name);
	CHECK(strncmp(name, "extract-5.5-SMTP-F", 18) == 0);
	CHECK(read_extracted(r.dir, name, back, sizeof back) == 300);
	CHECK(memcmp(back, big, 300) == 0);
	rm_tree(r.dir);

	/* Another type: not extracted, columns unset, no folder. */
	run_start(&r, NULL, NULL, 0, "application/pdf");
	f = begin(&r, 5.0);
	files_data(r.fm, f, 5.0, (const uint8_t *)"Hello\r\n", 7);
	files_end(r.fm, f, r.stream);
	run_stop(&r);
	CHECK(strcmp(tail3(r.line), "-\t-\t-") == 0);
	CHECK(strstr(r.line, "EXTRACT") == NULL);
	char sub[256];
	struct stat st;
	snprintf(sub, sizeof sub, "%s/%s", r.dir, FILES_EXTRACT_DIR);
	CHECK(stat(sub, &st) != 0);
	rm_tree(r.dir);
}

/* A sink that fails its writes: the error is reported once, naming the
 * file, and every handle is still closed. */
struct failing {
	int opens, closes, writes;
};

static void *fail_open(void *ctx, const struct file_sink_file *file, char *name, int *err)
{
	(void)err;
	struct failing *fl = ctx;
	snprintf(name, FILES_EXTRACT_NAME_MAX, "x-%s", file->fuid);
	fl->opens++;
	return fl;
}

static int fail_write(void *ctx, void *h, const uint8_t *p, size_t n)
{
	(void)h, (void)p, (void)n;
	((struct failing *)ctx)->writes++;
	return -ENOSPC;
}

static int fail_skip(void *ctx, void *h, uint64_t n)
{
	(void)ctx, (void)h, (void)n;
	return 0;
}

static int fail_close(void *ctx, void *h)
{
	(void)h;
	((struct failing *)ctx)->closes++;
	return 0;
}

static const struct file_sink_ops failing_ops = {fail_open, fail_write, fail_skip, fail_close};

static void test_write_error(void)
{
	struct failing fl = {0};
	struct run r;
	run_start(&r, &failing_ops, &fl, 0, NULL);
	struct sl_file *f = begin(&r, 1.0);
	files_data(r.fm, f, 1.0, (const uint8_t *)"abc", 3);
	files_data(r.fm, f, 1.0, (const uint8_t *)"def", 3);
	files_end(r.fm, f, r.stream);
	run_stop(&r);
	CHECK(r.errors == 1 && r.last_err == -ENOSPC);
	CHECK(strncmp(r.what, FILES_EXTRACT_DIR "/x-F", sizeof FILES_EXTRACT_DIR + 3) == 0);
	CHECK(fl.opens == 1 && fl.closes == 1 && fl.writes == 1);
	rm_tree(r.dir);

	/* A file never ended (files_free) still has its handle closed. */
	memset(&fl, 0, sizeof fl);
	run_start(&r, &failing_ops, &fl, 0, NULL);
	begin(&r, 1.0);
	run_stop(&r);
	CHECK(fl.opens == 1 && fl.closes == 1);
	rm_tree(r.dir);
}

int main(void)
{
	test_sanitize();
	test_names();
	test_sink_lifecycle();
	test_sink_many_open();
	test_extract_all_and_limit();
	test_by_type();
	test_write_error();
	return check_summary();
}
