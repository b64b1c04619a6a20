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

#define STAGING_PREFIX ".smtplog-run."

struct outdir {
	int fd;			/* where files are created: the staging folder, if any */
	int final_fd;		/* the folder itself (== fd when not staged) */
	bool overwrite;
	bool staged;
	char *path;		/* the folder, as given */
	char *work_path;	/* the staging folder's path, or path */
	char staging[sizeof STAGING_PREFIX + 6];	/* its name inside path */
};

struct outdir *outdir_open(const char *path, bool overwrite)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return NULL;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct outdir *d = calloc(1, sizeof *d);
	char *copy = strdup(path);
	if (!d || !copy) {
		free(d);
		free(copy);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	d->fd = d->final_fd = fd;
	d->overwrite = overwrite;
	d->path = d->work_path = copy;
	return d;
}

struct outdir *outdir_open_staged(const char *path, bool overwrite)
{
	struct outdir *d = outdir_open(path, overwrite);
	if (!d)
		return NULL;
	size_t n = strlen(path) + sizeof "/" STAGING_PREFIX "XXXXXX";
	char *work = malloc(n);
	if (!work) {
		outdir_close(d);
		errno = ENOMEM;
		return NULL;
	}
	snprintf(work, n, "%s/%sXXXXXX", path, STAGING_PREFIX);
	int fd = -1;
	if (mkdtemp(work))
		fd = open(work, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (fd < 0 && access(work, F_OK) == 0)
			rmdir(work);
		free(work);
		outdir_close(d);
		errno = e;
		return NULL;
	}
	snprintf(d->staging, sizeof d->staging, "%s", strrchr(work, '/') + 1);
	d->fd = fd;
	d->work_path = work;
	d->staged = true;
	/* Staged files are new: nothing there to overwrite. */
	return d;
}

const char *outdir_work_path(const struct outdir *d)
{
	return d->work_path;
}

void outdir_close(struct outdir *d)
{
	if (!d)
		return;
	if (d->staged) {
		close(d->fd);
		free(d->work_path);
	}
	close(d->final_fd);
	free(d->path);
	free(d);
}

const char *outdir_path(const struct outdir *d)
{
	return d->path;
}

static bool name_is_single_component(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

bool outdir_exists(const struct outdir *d, const char *name)
{
	struct stat st;
	return name_is_single_component(name) &&
	       fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int outdir_create(struct outdir *d, const char *name)
{
	if (!name_is_single_component(name))
		return -EINVAL;
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	flags |= d->overwrite && !d->staged ? O_TRUNC : O_EXCL;
	int fd = openat(d->fd, name, flags, 0666);
	return fd < 0 ? -errno : fd;
}

int outdir_remove(struct outdir *d, const char *name)
{
	if (!name_is_single_component(name))
		return -EINVAL;
	return unlinkat(d->fd, name, 0) == 0 ? 0 : -errno;
}

/* Calls fn(d, dirfd, name, ctx) for every entry of the folder name inside
 * dirfd but "." and "..". Returns 0, -ENOENT when there is no such folder,
 * or the first error (of opening, or fn's). */
static int each_entry(int at, const char *name, int (*fn)(int, const char *, void *), void *ctx)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *dir = fdopendir(fd);
	if (!dir) {
		int e = errno;
		close(fd);
		return -e;
	}
	int rc = 0;
	struct dirent *ent;
	while (rc == 0 && (ent = readdir(dir)) != NULL) {
		if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
			continue;
		rc = fn(dirfd(dir), ent->d_name, ctx);
	}
	closedir(dir);
	return rc;
}

static bool is_owned_log(const struct outdir_owned *o, const char *name)
{
	for (size_t i = 0; i < o->n_logs; i++)
		if (!strcmp(o->logs[i], name))
			return true;
	return false;
}

struct find_ctx {
	const struct outdir_owned *owned;
	char *out;
	size_t cap;
	bool found;
};

static int find_extracted(int dirfd, const char *name, void *ctx)
{
	(void)dirfd;
	struct find_ctx *f = ctx;
	if (!f->owned->own || !f->owned->own(name))
		return 0;
	snprintf(f->out, f->cap, "%s/%s", f->owned->extract_dir, name);
	f->found = true;
	return 1;
}

int outdir_check_folder(const struct outdir *d, const char *name)
{
	struct stat st;
	if (fstatat(d->final_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

bool outdir_find_owned(const struct outdir *d, const struct outdir_owned *owned, char *out,
		       size_t cap)
{
	struct stat st;
	for (size_t i = 0; i < owned->n_logs; i++)
		if (fstatat(d->final_fd, owned->logs[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
			snprintf(out, cap, "%s", owned->logs[i]);
			return true;
		}
	if (!owned->extract_dir)
		return false;
	struct find_ctx f = {owned, out, cap, false};
	(void)each_entry(d->final_fd, owned->extract_dir, find_extracted, &f);
	return f.found;
}

struct commit_ctx {
	struct outdir *d;
	const struct outdir_owned *owned;
	int to_fd;		/* the final folder, or its extraction folder */
	char *failed;
	size_t cap;
	const char *sub;	/* "" or the extraction folder's name, for failed */
};

static int fail(struct commit_ctx *c, int err, const char *name)
{
	snprintf(c->failed, c->cap, "%s%s%s", c->sub, *c->sub && *name ? "/" : "", name);
	return err;
}

/* The owned files of the final folder that the run did not write go. */
static int drop_stale_log(int dirfd, const char *name, void *ctx)
{
	(void)dirfd;
	struct commit_ctx *c = ctx;
	struct stat st;
	if (!is_owned_log(c->owned, name) || fstatat(c->d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	return unlinkat(c->d->final_fd, name, 0) == 0 || errno == ENOENT ? 0 : fail(c, -errno, name);
}

static int drop_extracted(int dirfd, const char *name, void *ctx)
{
	struct commit_ctx *c = ctx;
	if (!c->owned->own || !c->owned->own(name))
		return 0;
	return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT ? 0 : fail(c, -errno, name);
}

static int move_into(int from_fd, const char *name, int to_fd, bool replace)
{
	if (replace)
		return renameat(from_fd, name, to_fd, name) == 0 ? 0 : -errno;
	/* Without --force nothing is replaced, even a file that appeared
	 * while the run went on. */
	if (renameat2(from_fd, name, to_fd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* A file system without RENAME_NOREPLACE: a hard link fails the
	 * same way when the name is taken. */
	if (linkat(from_fd, name, to_fd, name, 0) != 0)
		return -errno;
	return unlinkat(from_fd, name, 0) == 0 ? 0 : -errno;
}

static int move_file(int dirfd, const char *name, void *ctx)
{
	struct commit_ctx *c = ctx;
	int rc = move_into(dirfd, name, c->to_fd, c->d->overwrite);
	return rc < 0 ? fail(c, rc, name) : 0;
}

static int move_log(int dirfd, const char *name, void *ctx)
{
	struct commit_ctx *c = ctx;
	if (c->owned->extract_dir && !strcmp(name, c->owned->extract_dir))
		return 0; /* moved on its own */
	return move_file(dirfd, name, ctx);
}

static int commit_extracted(struct commit_ctx *c)
{
	const char *x = c->owned->extract_dir;
	if (!x)
		return 0;
	c->sub = x;
	if (c->d->overwrite) {
		int rc = each_entry(c->d->final_fd, x, drop_extracted, c);
		if (rc < 0 && rc != -ENOENT)
			return rc;
	}
	struct stat st;
	bool staged = fstatat(c->d->fd, x, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!staged) {
		/* An extraction folder emptied of our files goes too. */
		if (c->d->overwrite)
			(void)unlinkat(c->d->final_fd, x, AT_REMOVEDIR);
		return 0;
	}
	/* Usually there is none yet: the whole folder moves at once. */
	if (renameat2(c->d->fd, x, c->d->final_fd, x, RENAME_NOREPLACE) == 0)
		return 0;
	int why = errno;
	if (why == EINVAL || why == ENOSYS) {
		/* No RENAME_NOREPLACE here: the folder is made, and filled
		 * file by file as when it exists. */
		if (mkdirat(c->d->final_fd, x, 0777) != 0 && errno != EEXIST)
			return fail(c, -errno, "");
	} else if (why != EEXIST && why != ENOTEMPTY) {
		return fail(c, -why, "");
	}
	int to = openat(c->d->final_fd, x, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (to < 0)
		return fail(c, -errno, "");
	c->to_fd = to;
	int rc = each_entry(c->d->fd, x, move_file, c);
	close(to);
	if (rc < 0)
		return rc;
	return unlinkat(c->d->fd, x, AT_REMOVEDIR) == 0 ? 0 : fail(c, -errno, "");
}

int outdir_commit(struct outdir *d, const struct outdir_owned *owned, char *failed, size_t cap)
{
	if (!d->staged)
		return 0;
	failed[0] = '\0';
	struct commit_ctx c = {d, owned, d->final_fd, failed, cap, ""};
	int rc = 0;
	if (d->overwrite)
		rc = each_entry(d->final_fd, ".", drop_stale_log, &c);
	if (rc == 0)
		rc = commit_extracted(&c);
	c.sub = "";
	c.to_fd = d->final_fd;
	if (rc == 0)
		rc = each_entry(d->fd, ".", move_log, &c);
	if (rc == 0 && unlinkat(d->final_fd, d->staging, AT_REMOVEDIR) != 0)
		rc = fail(&c, -errno, d->staging);
	return rc;
}

static int remove_entry(int dirfd, const char *name, void *ctx)
{
	(void)ctx;
	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if (errno == EISDIR || errno == EPERM) {
		(void)each_entry(dirfd, name, remove_entry, NULL);
		(void)unlinkat(dirfd, name, AT_REMOVEDIR);
	}
	return 0;
}

void outdir_discard(struct outdir *d)
{
	if (!d->staged)
		return;
	(void)each_entry(d->fd, ".", remove_entry, NULL);
	(void)unlinkat(d->final_fd, d->staging, AT_REMOVEDIR);
}
