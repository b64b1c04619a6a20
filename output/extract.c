#define _GNU_SOURCE
#include "output/extract.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <magic.h>

#include "core/bytes.h"
#include "core/numtext.h"

/* Bytes gathered per open file before a write(): MIME hands files over in
 * 1 KiB segments, and a syscall each made -x runs syscall-bound. */
#define EXTRACT_BUF_SIZE ((size_t)32 * 1024)

/* At most this many files hold a buffer at once (8 MiB): a capture with
 * thousands of attachments open together writes the rest unbuffered
 * rather than growing without bound. */
#define EXTRACT_BUFFERED_MAX 256

/* One extracted file: the sink's handle. */
struct extract_file {
	int fd;
	size_t len;			/* buffered, not yet written */
	uint8_t *buf;			/* EXTRACT_BUF_SIZE bytes, or NULL: unbuffered */
};

struct extract_sink {
	int outdir_fd;		/* the -o folder */
	int dir_fd;		/* extract_files/, -1 until the first file */
	bool dir_is_ours;	/* created by this run */
	char dir[FILES_EXTRACT_DIR_MAX];	/* its name: FileExtract::prefix */
	bool overwrite;		/* --force */
	enum config_extract_naming naming;
	magic_t magic;		/* libmagic's extension table, loaded on demand */
	bool magic_tried;
	unsigned buffered;	/* open files holding a buffer */
};

/* zeek-core-spec §6.4's table: MIME type -> extension. */
static const struct {
	const char *mime, *ext;
} mime_exts[] = {
	{"text/plain", "txt"},
	{"text/html", "html"},
	{"application/pdf", "pdf"},
	{"image/png", "png"},
	{"image/jpeg", "jpg"},
	{"image/gif", "gif"},
	{"application/zip", "zip"},
	{"application/x-dosexec", "exe"},
	{"application/msword", "doc"},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
	{"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"},
	{"application/x-gzip", "gz"},
	{"application/x-rar", "rar"},
	{"application/x-7z-compressed", "7z"},
	{"text/rtf", "rtf"},
	{"message/rfc822", "eml"},
	{"application/xml", "xml"},
	{"text/json", "json"},
	{"application/x-x509-user-cert", "der"},
	{"application/x-x509-ca-cert", "der"},
	{"application/pkix-cert", "crt"},
};

const char *extract_mime_ext(const char *mime_type)
{
	if (!mime_type)
		return NULL;
	for (size_t i = 0; i < sizeof mime_exts / sizeof mime_exts[0]; i++)
		if (strcmp(mime_exts[i].mime, mime_type) == 0)
			return mime_exts[i].ext;
	return NULL;
}

const char *extract_ext_mime(const char *ext)
{
	for (size_t i = 0; i < sizeof mime_exts / sizeof mime_exts[0]; i++)
		if (strcasecmp(mime_exts[i].ext, ext) == 0)
			return mime_exts[i].mime;
	return NULL;
}

static bool alnum(char c)
{
	return ascii_is_alnum((uint8_t)c);
}

bool extract_name_is_ours(const char *name)
{
	/* Zeek's naming: extract-TS-SOURCE-FUID. */
	if (strncmp(name, "extract-", 8) == 0 && strstr(name + 8, "-F"))
		return true;
	/* Source naming: SOURCE-FUID.EXT, the source in capitals. */
	const char *p = name;
	while (ascii_is(*(const uint8_t *)p, ASCII_UPPER | ASCII_DIGIT) || *p == '_')
		p++;
	if (p == name || p[0] != '-' || p[1] != 'F')
		return false;
	p += 2;
	const char *fuid = p;
	while (alnum(*p))
		p++;
	if (p == fuid || *p != '.')
		return false;
	const char *ext = ++p;
	while (alnum(*p))
		p++;
	return p > ext && *p == '\0';
}

static bool name_byte_ok(unsigned char c)
{
	return ascii_is_alnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
}

size_t extract_name_sanitize(const char *in, char *out)
{
	size_t n = 0;
	for (; n < EXTRACT_NAME_MAX && in[n]; n++)
		out[n] = name_byte_ok((unsigned char)in[n]) ? in[n] : '_';
	out[n] = '\0';
	/* No hidden files, and so never "." or "..". */
	if (n > 0 && out[0] == '.')
		out[0] = '_';
	if (n == 0) {
		memcpy(out, "file", 5);
		n = 4;
	}
	return n;
}

size_t extract_name_make(enum config_extract_naming naming, const struct file_sink_file *file,
			 char *out)
{
	char raw[EXTRACT_NAME_MAX * 2];
	const char *src = file->source ? file->source : "";
	const char *fuid = file->fuid ? file->fuid : "";
	if (naming == EXTRACT_NAMING_SOURCE) {
		const char *ext = extract_mime_ext(file->mime_type);
		snprintf(raw, sizeof raw, "%s-%s.%s", src, fuid, ext ? ext : "bin");
	} else {
		char ts[NUMTEXT_CAT_MAX]; /* f$last_active as cat() prints a time */
		ts[numtext_cat_time(file->last_active, ts)] = '\0';
		snprintf(raw, sizeof raw, "extract-%s-%s-%s", ts, src, fuid);
	}
	return extract_name_sanitize(raw, out);
}

struct extract_sink *extract_sink_new(const char *outdir, enum config_extract_naming naming,
				      bool overwrite)
{
	struct extract_sink *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->outdir_fd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->outdir_fd < 0) {
		int e = errno;
		free(s);
		errno = e;
		return NULL;
	}
	s->dir_fd = -1;
	memcpy(s->dir, FILES_EXTRACT_DIR, sizeof FILES_EXTRACT_DIR);
	s->naming = naming;
	s->overwrite = overwrite;
	return s;
}

void extract_sink_set_dir(struct extract_sink *s, const char *dir)
{
	if (dir && dir[0] && strlen(dir) < sizeof s->dir && !strchr(dir, '/') &&
	    strcmp(dir, ".") != 0 && strcmp(dir, "..") != 0)
		memcpy(s->dir, dir, strlen(dir) + 1);
}

void extract_sink_free(struct extract_sink *s)
{
	if (!s)
		return;
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	close(s->outdir_fd);
	if (s->magic)
		magic_close(s->magic);
	free(s);
}

/* FileExtract's mkdir(prefix), relative to the output folder; a symlink
 * in its place is refused. */
static int sink_dir(struct extract_sink *s)
{
	if (s->dir_fd >= 0)
		return 0;
	if (mkdirat(s->outdir_fd, s->dir, 0777) == 0)
		s->dir_is_ours = true;
	else if (errno != EEXIST)
		return -errno;
	int fd = openat(s->outdir_fd, s->dir,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	s->dir_fd = fd;
	return 0;
}

/* For a type the table lacks: the first of libmagic's extensions for
 * the file's first bytes ("jpeg/jpg/jpe/jfif" -> "jpeg"), if any. */
static bool magic_ext(struct extract_sink *s, const struct file_sink_file *file, char *ext,
		      size_t cap)
{
	if (!file->bof || file->bof_len == 0)
		return false;
	if (!s->magic_tried) {
		s->magic_tried = true;
		s->magic = magic_open(MAGIC_EXTENSION | MAGIC_ERROR);
		if (s->magic && magic_load(s->magic, NULL) != 0) {
			magic_close(s->magic);
			s->magic = NULL;
		}
	}
	if (!s->magic)
		return false;
	const char *r = magic_buffer(s->magic, file->bof, file->bof_len);
	if (!r || r[0] == '?' || r[0] == '\0')
		return false;
	size_t n = strcspn(r, "/");
	if (n == 0 || n >= cap)
		return false;
	memcpy(ext, r, n);
	ext[n] = '\0';
	return true;
}

static void *sink_open(void *ctx, const struct file_sink_file *file, char *name, int *err)
{
	struct extract_sink *s = ctx;
	size_t n = extract_name_make(s->naming, file, name);
	if (s->naming == EXTRACT_NAMING_SOURCE && !extract_mime_ext(file->mime_type)) {
		char ext[32], raw[EXTRACT_NAME_MAX + 40];
		if (magic_ext(s, file, ext, sizeof ext)) {
			snprintf(raw, sizeof raw, "%s-%s.%s", file->source ? file->source : "",
				 file->fuid ? file->fuid : "", ext);
			n = extract_name_sanitize(raw, name);
		}
	}
	(void)n;
	int rc = sink_dir(s);
	if (rc < 0) {
		*err = rc;
		return NULL;
	}
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(s->dir_fd, name, flags | O_EXCL, 0666);
	if (fd < 0 && errno == EEXIST && (s->overwrite || s->dir_is_ours))
		fd = openat(s->dir_fd, name, flags | O_TRUNC, 0666);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	struct extract_file *h = malloc(sizeof *h);
	if (!h) {
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	h->fd = fd;
	h->len = 0;
	h->buf = NULL;
	if (s->buffered < EXTRACT_BUFFERED_MAX && (h->buf = malloc(EXTRACT_BUF_SIZE)))
		s->buffered++;
	return h;
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
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int flush(struct extract_file *h)
{
	int rc = write_all(h->fd, h->buf, h->len);
	h->len = 0;
	return rc;
}

/* A write error may thus surface a buffer later, or at the close: either
 * way it ends the run (exit 3), naming this file. */
static int sink_write(void *ctx, void *handle, const uint8_t *p, size_t n)
{
	(void)ctx;
	struct extract_file *h = handle;
	if (!h->buf)
		return write_all(h->fd, p, n);
	if (h->len + n > EXTRACT_BUF_SIZE) {
		int rc = flush(h);
		if (rc < 0)
			return rc;
	}
	if (n >= EXTRACT_BUF_SIZE)
		return write_all(h->fd, p, n);
	memcpy(h->buf + h->len, p, n);
	h->len += n;
	return 0;
}

static int sink_skip(void *ctx, void *handle, uint64_t n)
{
	(void)ctx;
	struct extract_file *h = handle;
	if (n > (uint64_t)INT64_MAX)
		return -EOVERFLOW;
	int rc = flush(h);
	if (rc < 0)
		return rc;
	return lseek(h->fd, (off_t)n, SEEK_CUR) < 0 ? -errno : 0;
}

static int sink_close(void *ctx, void *handle)
{
	struct extract_sink *s = ctx;
	struct extract_file *h = handle;
	int rc = flush(h);
	if (close(h->fd) != 0 && rc == 0)
		rc = -errno;
	if (h->buf)
		s->buffered--;
	free(h->buf);
	free(h);
	return rc;
}

const struct file_sink_ops extract_sink_ops = {
	.open = sink_open,
	.write = sink_write,
	.skip = sink_skip,
	.close = sink_close,
};
