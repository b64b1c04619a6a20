/* The output folder: staged runs, smtplog's own files, --force. */
#define _GNU_SOURCE
#include "core/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"

static const char *const logs[] = {"conn.log", "smtp.log", "ssl.log"};

static bool ours(const char *name)
{
	return strncmp(name, "extract-", 8) == 0;
}

static const struct outdir_owned owned = {logs, 3, "extract_files", ours};

static void put(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void put_at(struct outdir *d, const char *name, const char *text)
{
	int fd = outdir_create(d, name);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
		close(fd);
	}
}

/* The file's text, "" when missing. */
static const char *text_of(const char *dir, const char *name)
{
	static char buf[256];
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	buf[0] = '\0';
	FILE *f = fopen(p, "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static bool exists(const char *dir, const char *name)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

/* Entries of dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return n;
}

static void rm_tree(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	char dir[] = "/tmp/smtplog-outdir.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char sub[600];

	/* A first run: nothing under the final names until the commit. */
	struct outdir *d = outdir_open_staged(dir, false);
	CHECK(d != NULL);
	CHECK(strncmp(outdir_work_path(d), dir, strlen(dir)) == 0 &&
	      strstr(outdir_work_path(d), "/.smtplog-run.") != NULL);
	put_at(d, "conn.log", "run1 conn\n");
	put_at(d, "ssl.log", "run1 ssl\n");
	snprintf(sub, sizeof sub, "%s/extract_files", outdir_work_path(d));
	CHECK(mkdir(sub, 0777) == 0);
	put(sub, "extract-1-SMTP-Fa", "a");
	CHECK(!exists(dir, "conn.log"));
	char failed[256], found[256];
	CHECK(outdir_commit(d, &owned, failed, sizeof failed) == 0);
	CHECK(!strcmp(text_of(dir, "conn.log"), "run1 conn\n"));
	CHECK(!strcmp(text_of(dir, "extract_files/extract-1-SMTP-Fa"), "a"));
	CHECK(count_prefixed(dir, ".smtplog-run.") == 0);
	outdir_close(d);

	/* Without --force the earlier run is found. */
	d = outdir_open_staged(dir, false);
	CHECK(d != NULL && outdir_find_owned(d, &owned, found, sizeof found));
	CHECK(!strcmp(found, "conn.log"));
	outdir_discard(d);
	outdir_close(d);
	CHECK(count_prefixed(dir, ".smtplog-run.") == 0);

	/* With --force: the run's files replace, stale owned ones go, other
	 * files stay (in the folder and in extract_files/). */
	put(dir, "notes.txt", "mine");
	snprintf(sub, sizeof sub, "%s/extract_files", dir);
	put(sub, "my.txt", "mine");
	d = outdir_open_staged(dir, true);
	CHECK(d != NULL);
	put_at(d, "conn.log", "run2 conn\n");
	put_at(d, "smtp.log", "run2 smtp\n");
	CHECK(outdir_commit(d, &owned, failed, sizeof failed) == 0);
	outdir_close(d);
	CHECK(!strcmp(text_of(dir, "conn.log"), "run2 conn\n"));
	CHECK(!strcmp(text_of(dir, "smtp.log"), "run2 smtp\n"));
	CHECK(!exists(dir, "ssl.log"));
	CHECK(!exists(dir, "extract_files/extract-1-SMTP-Fa"));
	CHECK(!strcmp(text_of(dir, "notes.txt"), "mine"));
	CHECK(!strcmp(text_of(dir, "extract_files/my.txt"), "mine"));

	/* Extracted files join an extract_files/ that exists. */
	d = outdir_open_staged(dir, true);
	CHECK(d != NULL);
	put_at(d, "conn.log", "run3 conn\n");
	snprintf(sub, sizeof sub, "%s/extract_files", outdir_work_path(d));
	CHECK(mkdir(sub, 0777) == 0);
	put(sub, "extract-3-SMTP-Fc", "c");
	CHECK(outdir_commit(d, &owned, failed, sizeof failed) == 0);
	outdir_close(d);
	CHECK(!strcmp(text_of(dir, "extract_files/extract-3-SMTP-Fc"), "c"));
	CHECK(!strcmp(text_of(dir, "extract_files/my.txt"), "mine"));

	/* Without --force a name taken meanwhile is not replaced. */
	d = outdir_open_staged(dir, false);
	CHECK(d != NULL);
	put_at(d, "conn.log", "run4 conn\n");
	CHECK(outdir_commit(d, &owned, failed, sizeof failed) == -EEXIST);
	CHECK(!strcmp(failed, "conn.log"));
	CHECK(!strcmp(text_of(dir, "conn.log"), "run3 conn\n"));
	outdir_discard(d);
	outdir_close(d);
	CHECK(count_prefixed(dir, ".smtplog-run.") == 0);

	/* extract_files as a plain file or a symlink is not a folder. */
	d = outdir_open_staged(dir, true);
	CHECK(d != NULL && outdir_check_folder(d, "extract_files") == 0);
	CHECK(outdir_check_folder(d, "missing") == 0);
	CHECK(outdir_check_folder(d, "notes.txt") == -ENOTDIR);
	snprintf(sub, sizeof sub, "%s/link", dir);
	CHECK(symlink("/tmp", sub) == 0);
	CHECK(outdir_check_folder(d, "link") == -ENOTDIR);
	outdir_discard(d);
	outdir_close(d);

	rm_tree(dir);
	return check_summary();
}
