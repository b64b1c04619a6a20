#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "core/outdir.h"

/* Flush to the file once this much is rendered: few syscalls, small RSS. */
#define LOG_FLUSH_BYTES (64 * 1024)
/* Zeek drops a record over 64 MiB (log_record_too_large); so do we. */
#define LOG_RECORD_MAX (64u * 1024 * 1024)

struct log_stream {
	const struct log_schema *schema;
	const struct log_writer_ops *ops;
	const struct log_format *fmt;	/* the run's, or own_fmt */
	struct log_format own_fmt;	/* with the schema's own limits */
	struct outdir *dir;
	char filename[LOG_FILE_NAME_MAX];
	int fd;
	gzFile gz;		/* owns fd once made (LogAscii::gzip_level) */
	int err;
	uint64_t records;	/* written (dropped oversized ones not counted) */
	struct log_writer_state wstate;
	struct buf pending;	/* rendered, not yet written */
};

void log_file_name(const char *path, const struct log_format *fmt,
		   char out[LOG_FILE_NAME_MAX])
{
	/* Ascii.cc DoInit: an empty extension falls back to "gz". */
	if (fmt->gzip_level > 0)
		snprintf(out, LOG_FILE_NAME_MAX, "%s.log.%s", path,
			 fmt->gzip_ext[0] ? fmt->gzip_ext : "gz");
	else
		snprintf(out, LOG_FILE_NAME_MAX, "%s.log", path);
}

size_t log_put_ts_uid_id(struct log_value *v, double ts, const char *uid,
			 const struct sl_addr *orig_h, uint16_t orig_p,
			 const struct sl_addr *resp_h, uint16_t resp_p)
{
	for (int i = 0; i < 6; i++)
		v[i].present = true;
	v[0].u.d = ts;
	v[1].u.str.p = uid;
	v[1].u.str.n = strlen(uid);
	v[2].u.addr = *orig_h;
	v[3].u.port = orig_p;
	v[4].u.addr = *resp_h;
	v[5].u.port = resp_p;
	return 6;
}

struct log_stream *log_stream_new(const struct log_schema *schema,
				  const struct log_writer_ops *ops,
				  const struct log_format *fmt,
				  struct outdir *dir)
{
	struct log_stream *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->schema = schema;
	s->ops = ops;
	s->fmt = fmt;
	if (schema->max_field_container_elements || schema->max_total_container_elements) {
		s->own_fmt = *fmt;
		if (schema->max_field_container_elements)
			s->own_fmt.max_field_container_elements = schema->max_field_container_elements;
		if (schema->max_total_container_elements)
			s->own_fmt.max_total_container_elements = schema->max_total_container_elements;
		s->fmt = &s->own_fmt;
	}
	s->dir = dir;
	s->fd = -1;
	log_file_name(schema->path, fmt, s->filename);
	buf_init(&s->pending, LOG_FLUSH_BYTES + LOG_RECORD_MAX);
	return s;
}

static void wall_clock_text(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%d-%H-%M-%S", &tm);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Ascii.cc InternalWrite through gzwrite; zlib buffers and compresses. */
static int gz_write_all(gzFile gz, const uint8_t *p, size_t n)
{
	while (n > 0) {
		unsigned chunk = n > (1u << 30) ? 1u << 30 : (unsigned)n;
		errno = 0;
		int w = gzwrite(gz, p, chunk);
		if (w <= 0) {
			int zerr;
			gzerror(gz, &zerr);
			return zerr == Z_ERRNO && errno ? -errno : -EIO;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int flush_pending(struct log_stream *s)
{
	if (s->err)
		return s->err;
	if (buf_error(&s->pending))
		s->err = -ENOMEM;
	else if (s->gz)
		s->err = gz_write_all(s->gz, s->pending.data, s->pending.len);
	else
		s->err = write_all(s->fd, s->pending.data, s->pending.len);
	buf_reset(&s->pending);
	return s->err;
}

static int open_file(struct log_stream *s)
{
	int fd = outdir_create(s->dir, s->filename);
	if (fd < 0)
		return s->err = fd;
	s->fd = fd;
	if (s->fmt->gzip_level > 0) {
		char mode[16];
		snprintf(mode, sizeof mode, "wb%d", s->fmt->gzip_level);
		errno = 0;
		s->gz = gzdopen(fd, mode);
		if (!s->gz)
			return s->err = errno ? -errno : -ENOMEM;
	}
	char when[32];
	wall_clock_text(when);
	s->ops->header(&s->pending, s->schema, s->fmt, when);
	return 0;
}

int log_stream_write(struct log_stream *s, const struct log_value *values)
{
	if (s->err)
		return s->err;
	if (s->fd < 0 && open_file(s) < 0)
		return s->err;
	size_t before = s->pending.len;
	s->ops->record(&s->pending, s->schema, values, s->fmt, &s->wstate);
	if (buf_error(&s->pending)) {
		/* Too large to render: drop this record only, as Zeek does. */
		s->pending.len = before;
		s->pending.err = false;
	} else {
		s->records++;
	}
	if (s->pending.len >= LOG_FLUSH_BYTES)
		return flush_pending(s);
	return 0;
}

bool log_stream_opened(const struct log_stream *s)
{
	return s->fd >= 0;
}

const char *log_stream_filename(const struct log_stream *s)
{
	return s->filename;
}

uint64_t log_stream_records(const struct log_stream *s)
{
	return s->records;
}

int log_stream_close(struct log_stream *s)
{
	if (!s)
		return 0;
	int err = s->err;
	if (s->fd >= 0) {
		if (!err) {
			char when[32];
			wall_clock_text(when);
			s->ops->footer(&s->pending, s->schema, s->fmt, when);
			err = flush_pending(s);
		}
		if (s->gz) {
			/* gzclose writes zlib's last block and closes fd. */
			errno = 0;
			int zrc = gzclose(s->gz);
			if (zrc != Z_OK && !err)
				err = zrc == Z_ERRNO && errno ? -errno : -EIO;
		} else if (close(s->fd) != 0 && !err) {
			err = -errno;
		}
	}
	buf_free(&s->pending);
	free(s);
	return err;
}
