/*
 * The extraction file sink: core's struct file_sink_ops, writing each
 * extracted file into DIR/extract_files/ (zeek-core-spec §6), or the folder
 * FileExtract::prefix names (extract_sink_set_dir).
 *
 * Safety: the folder is created on demand and every file is opened
 * relative to its descriptor, with O_CREAT|O_EXCL|O_NOFOLLOW, from a name
 * that extract_name_sanitize() reduced to [A-Za-z0-9._+-] (no '/', no
 * "..", no NUL or control byte, never starting with '.', at most
 * EXTRACT_NAME_MAX bytes). An existing file is an error (-EEXIST) unless
 * the sink overwrites (--force), or the folder was created by this run
 * (then the file is this run's own, reborn under the same fuid, and Zeek
 * would truncate it too).
 *
 * Ownership: the sink owns its folder descriptors and each open file's
 * handle until the file_sink_ops close call.
 */
#ifndef SMTPLOG_OUTPUT_EXTRACT_H
#define SMTPLOG_OUTPUT_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/files.h"

/* Longest name a sink makes, without the NUL; < FILES_EXTRACT_NAME_MAX. */
#define EXTRACT_NAME_MAX 200

struct extract_sink;

extern const struct file_sink_ops extract_sink_ops;

/* outdir: the -o folder (must exist). Nothing is created until the
 * first file. Returns NULL with errno set. */
struct extract_sink *extract_sink_new(const char *outdir, enum config_extract_naming naming,
				      bool overwrite);
void extract_sink_free(struct extract_sink *s);

/* FileExtract::prefix: the folder, one name inside outdir, instead of
 * FILES_EXTRACT_DIR (NULL or "" keeps it); before the first file. cmd/
 * has refused names with '/' or "..", and the folder is opened
 * O_NOFOLLOW relative to outdir, so files stay inside it. */
void extract_sink_set_dir(struct extract_sink *s, const char *dir);

/*
 * Copies `in` to out (EXTRACT_NAME_MAX + 1 bytes) as a safe single path
 * component: bytes outside [A-Za-z0-9._+-] become '_', a leading '.'
 * becomes '_', the result is cut at EXTRACT_NAME_MAX bytes, and an empty
 * name becomes "file". Returns its length.
 */
size_t extract_name_sanitize(const char *in, char *out);

/* The (sanitized) name for a file under a naming rule; out has
 * EXTRACT_NAME_MAX + 1 bytes. Returns its length. */
size_t extract_name_make(enum config_extract_naming naming, const struct file_sink_file *file,
			 char *out);

/* The extension for a MIME type from the built-in table, or NULL. */
const char *extract_mime_ext(const char *mime_type);

/* Whether a file name in the extraction folder is one extract_name_make()
 * could have given (--force replaces those and leaves the rest alone). */
bool extract_name_is_ours(const char *name);

/* The MIME type of the table above whose extension is ext ("pdf" ->
 * "application/pdf"), or NULL: for the hint after "-x pdf". */
const char *extract_ext_mime(const char *ext);

#endif
