/*
 * The output folder. Every file is opened relative to the folder's own
 * descriptor with O_NOFOLLOW, from a single path component, so nothing is
 * ever written outside it, whatever a name looks like.
 */
#ifndef SMTPLOG_CORE_OUTDIR_H
#define SMTPLOG_CORE_OUTDIR_H

#include <stdbool.h>

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

#endif
