/* EXTRACT: Zeek's Extract file analyzer and base/files/extract's naming
 * and limit, writing through the manager's sink (core spec 6). */
#include "core/files_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void extract_failed(struct files *fm, struct sl_file *f, int err)
{
	if (fm->failed[0] == '\0') {
		const char *dir = fm->mode.extract_dir && fm->mode.extract_dir[0]
					  ? fm->mode.extract_dir : FILES_EXTRACT_DIR;
		snprintf(fm->failed, sizeof fm->failed, "%s/%s", dir, f->extracted);
		if (fm->mode.on_error)
			fm->mode.on_error(fm->mode.on_error_ctx, err, fm->failed);
	}
}

/* The analyzer is done (end of file, the limit, an error). */
void files_extract_stop(struct files *fm, struct sl_file *f)
{
	if (!f->extract_h)
		return;
	int rc = fm->mode.sink->close(fm->mode.sink_ctx, f->extract_h);
	f->extract_h = NULL;
	if (rc < 0)
		extract_failed(fm, f, rc);
}

/*
 * Files::add_analyzer(f, EXTRACT): on_add names the file after
 * last_active now and sets extracted_cutoff F; the analyzer opens it.
 */
void files_extract_start(struct files *fm, struct sl_file *f)
{
	if (!fm->mode.sink || f->extract_requested)
		return;
	f->extract_requested = true;
	f->extract_cutoff = false;
	f->extract_written = 0;
	struct file_sink_file info = {
		.fuid = f->fuid,
		.source = f->source,
		.last_active = f->last_active,
		.mime_type = f->mime_type,
		.bof = f->bof,
		.bof_len = f->bof_len,
	};
	int err = -EIO;
	f->extracted[0] = '\0';
	f->extract_h = fm->mode.sink->open(fm->mode.sink_ctx, &info, f->extracted, &err);
	f->extracted[sizeof f->extracted - 1] = '\0';
	if (!f->extract_h)
		extract_failed(fm, f, err < 0 ? err : -EIO);
	else
		fm->extracted_files++;
}

/* Zeek's check_limit_exceeded: how much of n fits; true if not all. */
static bool over_limit(const struct files *fm, const struct sl_file *f, uint64_t n,
			       uint64_t *fits)
{
	uint64_t lim = fm->mode.extract_limit;
	*fits = n;
	if (lim == 0)
		return false;
	if (f->extract_written >= lim) {
		*fits = 0;
		return true;
	}
	if (n > lim - f->extract_written) {
		*fits = lim - f->extract_written;
		return true;
	}
	return false;
}

/* Extract::DeliverStream. A zero-length chunk at the limit also cuts off
 * (Zeek delivers one when a short file ends). */
void files_extract_data(struct files *fm, struct sl_file *f, const uint8_t *p, size_t n)
{
	if (!f->extract_h)
		return;
	uint64_t fits;
	bool over = over_limit(fm, f, n, &fits);
	if (over)
		f->extract_cutoff = true;	/* file_extraction_limit */
	if (fits > 0) {
		int rc = fm->mode.sink->write(fm->mode.sink_ctx, f->extract_h, p, (size_t)fits);
		if (rc < 0) {
			extract_failed(fm, f, rc);
			files_extract_stop(fm, f);
			return;
		}
		f->extract_written += fits;
		fm->extracted_bytes += fits;
	}
	if (over)
		files_extract_stop(fm, f);
}

/* Extract::Undelivered with default_limit_includes_missing = T. */
void files_extract_gap(struct files *fm, struct sl_file *f, uint64_t len)
{
	if (!f->extract_h)
		return;
	uint64_t fits;
	if (over_limit(fm, f, len, &fits)) {
		f->extract_cutoff = true;
		files_extract_stop(fm, f);
		return;
	}
	f->extract_written += len;
	int rc = fm->mode.sink->skip(fm->mode.sink_ctx, f->extract_h, len);
	if (rc < 0) {
		extract_failed(fm, f, rc);
		files_extract_stop(fm, f);
	}
}

/* A file_sniff handler: EXTRACT for the listed types. */
bool files_extract_wanted(const struct files *fm, const struct sl_file *f)
{
	if (!fm->mode.sink)
		return false;
	if (fm->mode.extract_all)
		return fm->mode.extract_at_sniff;
	const char *t = f->mime_type ? f->mime_type : "none";
	for (size_t i = 0; i < fm->mode.n_extract_types; i++)
		if (files_type_matches(fm->mode.extract_types[i], t))
			return true;
	return false;
}

void files_extract_counts(const struct files *fm, uint64_t *files, uint64_t *bytes)
{
	*files = fm ? fm->extracted_files : 0;
	*bytes = fm ? fm->extracted_bytes : 0;
}

bool files_type_matches(const char *pattern, const char *type)
{
	size_t n = strlen(pattern);
	if (n >= 2 && pattern[n - 2] == '/' && pattern[n - 1] == '*')
		return strncmp(pattern, type, n - 1) == 0;
	return strcmp(pattern, type) == 0;
}
