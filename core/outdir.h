/*
 * The output folder. Every file is opened relative to the folder's own
 * descriptor with O_NOFOLLOW, from a single path component, so nothing is
 * ever written outside it, whatever a name looks like.
 */
#ifndef SMTPLOG_CORE_OUTDIR_H
#define SMTPLOG_CORE_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

struct outdir;

/* Opens (creating if missing, one level) the folder. overwrite: an
 * existing file is truncated (--force) instead of being an error.
 * Returns NULL with errno set. */
struct outdir *outdir_open(const char *path, bool overwrite);
void outdir_close(struct outdir *d);
const char *outdir_path(const struct outdir *d);

/* True when `name` (a single component) exists in the folder. */
bool outdir_exists(const struct outdir *d, const char *name);

/* Creates `name` for writing; returns a descriptor, or -errno. A name with
 * '/', or "." / "..", is -EINVAL. Without overwrite an existing file is
 * -EEXIST. */
int outdir_create(struct outdir *d, const char *name);

/* Removes a file this run created and must not leave behind. */
int outdir_remove(struct outdir *d, const char *name);

/*
 * A staged output folder: the run's files are created in a new folder
 * inside path, ".smtplog-run.XXXXXX", and only outdir_commit() puts them
 * under their final names, so that a run that stops early (a write error,
 * a crash, a second signal) never leaves logs that look complete, and two
 * runs never mix. Returns NULL with errno set.
 */
struct outdir *outdir_open_staged(const char *path, bool overwrite);
/* Where files are created now: the staging folder, or the folder itself. */
const char *outdir_work_path(const struct outdir *d);

/* What smtplog owns in an output folder: the names of its logs, and, in
 * its extraction subfolder, the files whose names own() accepts. */
struct outdir_owned {
	const char *const *logs;
	size_t n_logs;
	const char *extract_dir;
	bool (*own)(const char *name);
};

/* 0 when name, in the final folder, is a folder (not a symlink to one)
 * or absent; else -ENOTDIR or another -errno. */
int outdir_check_folder(const struct outdir *d, const char *name);

/* The first owned log, or owned file of the extraction folder, already in
 * the final folder (its name in out, "extract_dir/name" for a file), if any. */
bool outdir_find_owned(const struct outdir *d, const struct outdir_owned *owned, char *out,
		       size_t cap);

/*
 * Moves the staged files into place. With overwrite, every owned file the
 * run did not write is removed first (nothing else is touched); without,
 * an existing name is an error (EEXIST). Returns 0, or -errno with the
 * name that failed in failed[]. The staging folder is gone on success.
 */
int outdir_commit(struct outdir *d, const struct outdir_owned *owned, char *failed, size_t cap);

/* Removes the staging folder and what the run wrote there. */
void outdir_discard(struct outdir *d);

#endif
