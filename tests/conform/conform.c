/*
 * conform: runs smtplog over the Zeek conformance corpus
 * (/work/shared/conformance, see its README.md) and compares the logs it
 * writes with the logs Zeek wrote, canonicalised the way Zeek's btest does.
 *
 *   build/conform [--smtplog PATH] [--expect FILE] [--lacking FILE] [--update-expect]
 *                 [--only GLOB]... [--verbose] [--exact] [--seed]
 *                 [--sanitizer] [--timeout SECS] [--keep] CORPUS_DIR
 *
 * One line per case: "PASS name", "FAIL name: why", "UNSUPPORTED name: why",
 * plus "NEW-PASS name" for a pass missing from the expect list, and as the
 * last line "conformance(<corpus>): N passed, N failed, N unsupported,
 * N known-fail". The exit status is 1 iff a case listed in the expect file
 * did not pass (without --expect: iff any case failed), 2 on bad usage.
 *
 * Until smtplog has Zeek's UID generator the default comparison is lenient:
 * connection UIDs and file IDs are renamed by rank of first appearance,
 * set-valued fields compare as sets and the data lines of a log compare as a
 * multiset. --exact turns all three off.
 *
 * This is a test tool: it only includes system headers and jansson, and it
 * must survive anything smtplog does (huge or binary output, missing files,
 * crashes, hangs).
 */
#include <jansson.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Largest log file we read; anything bigger is a bug in smtplog. */
#define MAX_LOG_BYTES (64u << 20)
/* Largest case.json or expect file. */
#define MAX_SMALL_BYTES (4u << 20)
/* How much of smtplog's stderr we keep (sanitizer reports are scanned in full). */
#define STDERR_KEEP (64u << 10)
/* Cells of the LCS table before the diff falls back to a positional one. */
#define DIFF_MAX_CELLS (8u << 20)
#define DIFF_CONTEXT 3
#define DIFF_MAX_LINES 400
#define DIFF_MAX_LINE_BYTES 2000
/* Width of a line excerpt in a FAIL message. */
#define EXCERPT_WIDTH 72

#define UID_MIN_TAIL 14
#define UID_MAX_TAIL 18

static const char *const sanitizer_patterns[] = {
	"ERROR: AddressSanitizer",
	"ERROR: LeakSanitizer",
	"ERROR: UndefinedBehaviorSanitizer",
	"runtime error:",
};
#define SAN_OVERLAP 64

/* ------------------------------------------------------------------ */
/* Memory and byte buffers                                             */

static void die_oom(void)
{
	fputs("conform: out of memory\n", stderr);
	exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom();
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* A growable byte string, always NUL-terminated (it may hold NULs too). */
struct buf {
	char *p;
	size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len)
		die_oom();
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

static void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

static void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[512];

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		buf_add(b, tmp, (size_t)n);
		return;
	}
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Hands over the contents as a malloc'd NUL-terminated string. */
static char *buf_steal(struct buf *b)
{
	char *p = b->p ? b->p : xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

static const char *mem_find(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k == 0 || k > n)
		return NULL;
	for (size_t i = 0; i + k <= n; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0)
			return hay + i;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */

struct line {
	char *p; /* owned, NUL-terminated, may contain NULs */
	size_t len;
	bool hdr; /* a header line (compared in order in lenient mode) */
};

struct lines {
	struct line *v;
	size_t n, cap;
};

static void lines_push_owned(struct lines *l, char *p, size_t len, bool hdr)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n].p = p;
	l->v[l->n].len = len;
	l->v[l->n].hdr = hdr;
	l->n++;
}

static void lines_push(struct lines *l, const char *p, size_t len, bool hdr)
{
	lines_push_owned(l, xstrndup(p, len), len, hdr);
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].p);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static bool line_eq(const struct line *a, const struct line *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static bool starts_with(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(p, prefix, k) == 0;
}

/* Splits at '\n'; *no_eol tells whether the last line lacked one. */
static void split_lines(const char *p, size_t n, struct lines *out, bool *no_eol)
{
	size_t start = 0;
	*no_eol = false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			lines_push(out, p + start, i - start, false);
			start = i + 1;
		}
	}
	if (start < n) {
		lines_push(out, p + start, n - start, false);
		*no_eol = true;
	}
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

/*
 * Reads a regular file of at most max bytes. Returns 0, -ENOENT when it does
 * not exist, -EFBIG when it is too large, or another negative errno.
 */
static int read_file(const char *path, size_t max, struct buf *out)
{
	buf_clear(out);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((uintmax_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	char chunk[65536];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		if (out->len + (size_t)r > max) {
			close(fd);
			return -EFBIG;
		}
		buf_add(out, chunk, (size_t)r);
	}
	close(fd);
	if (!out->p)
		buf_reserve(out, 0), out->p[0] = '\0';
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static char *path_join(const char *a, const char *b)
{
	struct buf p = {0};
	buf_adds(&p, a);
	if (p.len && p.p[p.len - 1] != '/')
		buf_addc(&p, '/');
	buf_adds(&p, b);
	return buf_steal(&p);
}

/* rm -rf without following symlinks; errors are ignored. */
static void remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (d) {
			struct dirent *e;
			while ((e = readdir(d)) != NULL) {
				if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
					continue;
				char *sub = path_join(path, e->d_name);
				remove_tree(sub);
				free(sub);
			}
			closedir(d);
		}
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the subfolders of dir that hold a case.json. */
static char **list_cases(const char *dir, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *sub = path_join(dir, e->d_name);
		char *cj = path_join(sub, "case.json");
		bool ok = exists(cj);
		free(cj);
		free(sub);
		if (!ok)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, cmp_strp);
	return v;
}

/* ------------------------------------------------------------------ */
/* Message helpers                                                     */

/* Appends bytes p[from..] (at most width of them) with escapes, quoted. */
static void excerpt(struct buf *out, const char *p, size_t n, size_t from, size_t width)
{
	buf_addc(out, '"');
	if (from > n)
		from = n;
	if (from > 0)
		buf_adds(out, "...");
	size_t end = n - from > width ? from + width : n;
	for (size_t i = from; i < end; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\t')
			buf_adds(out, "\\t");
		else if (c == '"' || c == '\\')
			buf_addc(out, '\\'), buf_addc(out, (char)c);
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_addc(out, (char)c);
	}
	if (end < n)
		buf_adds(out, "...");
	buf_addc(out, '"');
}

/* Appends a diff line with control characters (other than tab) escaped. */
static void diff_line(struct buf *out, char tag, const struct line *l)
{
	buf_addc(out, tag);
	for (size_t i = 0; i < l->len; i++) {
		if (i == DIFF_MAX_LINE_BYTES) {
			buf_printf(out, "... (%zu more bytes)", l->len - i);
			break;
		}
		unsigned char c = (unsigned char)l->p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_addc(out, (char)c);
	}
	buf_addc(out, '\n');
}

/* The first line of s (without the newline), at most max bytes, printable. */
static char *first_line(const char *s, size_t n, size_t max)
{
	struct buf b = {0};
	for (size_t i = 0; i < n && s[i] != '\n' && b.len < max; i++) {
		unsigned char c = (unsigned char)s[i];
		buf_addc(&b, (c < 0x20 || c == 0x7f) ? ' ' : (char)c);
	}
	if (b.len && b.p[b.len - 1] == '\r')
		b.p[--b.len] = '\0';
	return buf_steal(&b);
}

/* ------------------------------------------------------------------ */
/* btest canonicalisation                                              */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * "#open" or "#close", any character, a date "(19|20)..-..-..-..-..-.."
 * and the end of the line, as the sed expression of Zeek's canonifier.
 */
static bool openclose_kw(const char *p, size_t n, const char **kw)
{
	static const char *const kws[] = {"#open", "#close"};
	for (size_t k = 0; k < 2; k++) {
		size_t kl = strlen(kws[k]);
		if (n != kl + 1 + 19 || memcmp(p, kws[k], kl) != 0)
			continue;
		const char *d = p + kl + 1;
		if (!(d[0] == '1' && d[1] == '9') && !(d[0] == '2' && d[1] == '0'))
			continue;
		bool ok = true;
		for (size_t i = 4; i < 19; i += 3)
			ok = ok && d[i] == '-';
		if (ok) {
			*kw = kws[k];
			return true;
		}
	}
	return false;
}

/*
 * Masks the first epoch-looking number: 9 or 10 digits not preceded by a
 * digit, a dot, 1 to 8 digits (a longer fraction keeps its tail, as sed's
 * [0-9]{1,8} does).
 */
static void mask_epoch(struct buf *out, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			continue;
		size_t j = i;
		while (j < n && is_digit(p[j]))
			j++;
		size_t d = j - i;
		if ((d == 9 || d == 10) && j + 1 < n && p[j] == '.' && is_digit(p[j + 1])) {
			size_t k = j + 1;
			while (k < n && is_digit(p[k]) && k - (j + 1) < 8)
				k++;
			buf_add(out, p, i);
			buf_adds(out, "XXXXXXXXXX.XXXXXX");
			buf_add(out, p + k, n - k);
			return;
		}
		i = j - 1; /* the rest of the run is preceded by a digit */
	}
	buf_add(out, p, n);
}

static void canon_line(const struct line *in, struct line *out)
{
	struct buf b = {0};
	const char *kw;
	if (openclose_kw(in->p, in->len, &kw)) {
		buf_adds(&b, kw);
		buf_adds(&b, " XXXX-XX-XX-XX-XX-XX");
	} else {
		mask_epoch(&b, in->p, in->len);
	}
	out->len = b.len;
	out->p = buf_steal(&b);
	out->hdr = in->hdr;
}

/*
 * Drops the banner and canonicalises every line. A line is a header if it
 * starts with '#', or if it is the first line and first_is_hdr (zeek-cut -m).
 * Baselines are stored already canonified (that is what the banner's
 * "BTest >= 0.63" means), and the epoch mask is not idempotent: applied
 * again it would mask the next time value on the line. So for them
 * (canon false) only the banner goes.
 */
static void canon_lines(const struct lines *raw, bool canon, bool first_is_hdr, struct lines *out)
{
	size_t i = 0;
	if (raw->n && starts_with(raw->v[0].p, raw->v[0].len, "### BTest"))
		i = 1;
	for (size_t k = 0; i < raw->n; i++, k++) {
		struct line l;
		if (canon) {
			canon_line(&raw->v[i], &l);
		} else {
			l.p = xstrndup(raw->v[i].p, raw->v[i].len);
			l.len = raw->v[i].len;
		}
		l.hdr = (l.len && l.p[0] == '#') || (k == 0 && first_is_hdr);
		lines_push_owned(out, l.p, l.len, l.hdr);
	}
}

/* ------------------------------------------------------------------ */
/* Log headers and set-valued fields                                   */

struct fieldlist {
	char **v;
	size_t n;
};

static void fieldlist_free(struct fieldlist *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

static void split_fields(const char *p, size_t n, char sep, struct fieldlist *out)
{
	size_t start = 0, cap = 0;
	fieldlist_free(out);
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == sep) {
			if (out->n == cap) {
				cap = cap ? cap * 2 : 32;
				out->v = xrealloc(out->v, cap * sizeof *out->v);
			}
			out->v[out->n++] = xstrndup(p + start, i - start);
			start = i + 1;
		}
	}
}

/* Decodes a Zeek header separator value such as "\x09" or ",". */
static char *decode_sep(const char *p, size_t n)
{
	struct buf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 3 < n + 0 && p[i + 1] == 'x' && isxdigit((unsigned char)p[i + 2]) &&
		    isxdigit((unsigned char)p[i + 3])) {
			char hex[3] = {p[i + 2], p[i + 3], 0};
			buf_addc(&b, (char)strtol(hex, NULL, 16));
			i += 3;
		} else {
			buf_addc(&b, p[i]);
		}
	}
	return buf_steal(&b);
}

/* What one side's TSV header says about separators, fields and types. */
struct tsv_hdr {
	char fsep;
	char *setsep;
	struct fieldlist fields, types;
};

static void tsv_hdr_free(struct tsv_hdr *h)
{
	free(h->setsep);
	h->setsep = NULL;
	fieldlist_free(&h->fields);
	fieldlist_free(&h->types);
}

static void tsv_hdr_parse(const struct lines *l, struct tsv_hdr *h)
{
	h->fsep = '\t';
	h->setsep = xstrdup(",");
	for (size_t i = 0; i < l->n; i++) {
		const char *p = l->v[i].p;
		size_t n = l->v[i].len;
		if (!n || p[0] != '#')
			continue;
		if (starts_with(p, n, "#separator ")) {
			char *s = decode_sep(p + 11, n - 11);
			if (strlen(s) == 1)
				h->fsep = s[0];
			free(s);
			continue;
		}
		/* The keyword is followed by the field separator. */
		size_t kl = 0;
		while (kl < n && p[kl] != h->fsep)
			kl++;
		if (kl == n)
			continue;
		const char *v = p + kl + 1;
		size_t vn = n - kl - 1;
		if (kl == 14 && starts_with(p, n, "#set_separator")) {
			free(h->setsep);
			h->setsep = decode_sep(v, vn);
		} else if (kl == 7 && starts_with(p, n, "#fields") && !h->fields.n) {
			split_fields(v, vn, h->fsep, &h->fields);
		} else if (kl == 6 && starts_with(p, n, "#types") && !h->types.n) {
			split_fields(v, vn, h->fsep, &h->types);
		}
	}
}

/*
 * Which fields of a log hold sets: column numbers for TSV, key names for JSON.
 */
struct setspec {
	bool json;
	char fsep;
	char *setsep;
	bool *col; /* TSV: col[i] is a set column */
	size_t ncol;
	struct fieldlist keys; /* JSON: set-valued keys */
};

static void setspec_free(struct setspec *s)
{
	free(s->setsep);
	free(s->col);
	fieldlist_free(&s->keys);
	memset(s, 0, sizeof *s);
}

static void setspec_from_hdr(const struct tsv_hdr *h, struct setspec *s)
{
	setspec_free(s);
	s->fsep = h->fsep;
	s->setsep = xstrdup(h->setsep && h->setsep[0] ? h->setsep : ",");
	s->ncol = h->types.n;
	s->col = xcalloc(s->ncol, sizeof *s->col);
	for (size_t i = 0; i < h->types.n; i++)
		s->col[i] = strncmp(h->types.v[i], "set[", 4) == 0;
}

struct span {
	const char *p;
	size_t len;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return bytes_cmp(x->p, x->len, y->p, y->len);
}

/* Sorts the elements of p[0..n) split at sep (a string) into out. */
static void sort_elements(struct buf *out, const char *p, size_t n, const char *sep)
{
	size_t sl = strlen(sep), cnt = 0, cap = 8;
	struct span *v = xmalloc(cap * sizeof *v);
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || (sl && i + sl <= n && memcmp(p + i, sep, sl) == 0)) {
			if (cnt == cap) {
				cap *= 2;
				v = xrealloc(v, cap * sizeof *v);
			}
			v[cnt].p = p + start;
			v[cnt].len = i - start;
			cnt++;
			if (i == n)
				break;
			i += sl - 1;
			start = i + 1;
		}
	}
	qsort(v, cnt, sizeof *v, cmp_span);
	for (size_t i = 0; i < cnt; i++) {
		if (i)
			buf_add(out, sep, sl);
		buf_add(out, v[i].p, v[i].len);
	}
	free(v);
}

static void sort_sets_tsv(struct line *l, const struct setspec *s)
{
	struct buf b = {0};
	size_t col = 0, start = 0;
	for (size_t i = 0; i <= l->len; i++) {
		if (i < l->len && l->p[i] != s->fsep)
			continue;
		if (col < s->ncol && s->col[col])
			sort_elements(&b, l->p + start, i - start, s->setsep);
		else
			buf_add(&b, l->p + start, i - start);
		if (i < l->len)
			buf_addc(&b, s->fsep);
		col++;
		start = i + 1;
	}
	free(l->p);
	l->len = b.len;
	l->p = buf_steal(&b);
}

/*
 * Given p[i] == '[' of a JSON array, returns the index of its ']' (or n),
 * and collects the top-level elements.
 */
static size_t json_array_elements(const char *p, size_t n, size_t i, struct span **v, size_t *cnt)
{
	size_t cap = 8, start = i + 1;
	int depth = 0;
	bool str = false;
	*v = xmalloc(cap * sizeof **v);
	*cnt = 0;
	for (size_t k = i + 1; k < n; k++) {
		char c = p[k];
		if (str) {
			if (c == '\\')
				k++;
			else if (c == '"')
				str = false;
			continue;
		}
		if (c == '"') {
			str = true;
		} else if (c == '[' || c == '{') {
			depth++;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		} else if ((c == ',' && depth == 0) || (c == ']' && depth == 0)) {
			if (k > start || c == ',' || *cnt > 0) {
				if (*cnt == cap) {
					cap *= 2;
					*v = xrealloc(*v, cap * sizeof **v);
				}
				(*v)[*cnt].p = p + start;
				(*v)[*cnt].len = k - start;
				(*cnt)++;
			}
			start = k + 1;
			if (c == ']')
				return k;
		}
	}
	return n;
}

static void sort_sets_json(struct line *l, const struct setspec *s)
{
	for (size_t ki = 0; ki < s->keys.n; ki++) {
		struct buf pat = {0};
		buf_printf(&pat, "\"%s\":[", s->keys.v[ki]);
		const char *hit = NULL;
		for (size_t i = 1; i + pat.len <= l->len; i++) {
			if ((l->p[i - 1] == '{' || l->p[i - 1] == ',') &&
			    memcmp(l->p + i, pat.p, pat.len) == 0) {
				hit = l->p + i;
				break;
			}
		}
		if (hit) {
			size_t open = (size_t)(hit - l->p) + pat.len - 1, cnt;
			struct span *v;
			size_t close = json_array_elements(l->p, l->len, open, &v, &cnt);
			if (close < l->len) {
				qsort(v, cnt, sizeof *v, cmp_span);
				struct buf b = {0};
				buf_add(&b, l->p, open + 1);
				for (size_t e = 0; e < cnt; e++) {
					if (e)
						buf_addc(&b, ',');
					buf_add(&b, v[e].p, v[e].len);
				}
				buf_add(&b, l->p + close, l->len - close);
				free(l->p);
				l->len = b.len;
				l->p = buf_steal(&b);
			}
			free(v);
		}
		buf_free(&pat);
	}
}

static void sort_sets(struct lines *l, const struct setspec *s)
{
	if (!s || (!s->json && !s->ncol) || (s->json && !s->keys.n))
		return;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].hdr)
			continue;
		if (s->json)
			sort_sets_json(&l->v[i], s);
		else
			sort_sets_tsv(&l->v[i], s);
	}
}

/* ------------------------------------------------------------------ */
/* UID and file ID renaming                                            */

static bool id_delim(char c)
{
	return c == '\t' || c == ',' || c == '"' || c == '[' || c == ']' || c == '{' || c == '}';
}

/* Length of a UID/file ID token at p[i], or 0. */
static size_t id_token(const char *p, size_t n, size_t i)
{
	if ((p[i] != 'C' && p[i] != 'F') || (i > 0 && !id_delim(p[i - 1])))
		return 0;
	size_t j = i + 1;
	while (j < n && is_alnum(p[j]))
		j++;
	size_t tail = j - i - 1;
	if (tail < UID_MIN_TAIL || tail > UID_MAX_TAIL || (j < n && !id_delim(p[j])))
		return 0;
	return j - i;
}

/* Maps IDs to their rank of first appearance, per kind (C or F). */
struct idmap {
	char **key;
	unsigned *rank;
	size_t cap, used;
	unsigned next[2];
};

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static void idmap_free(struct idmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->key[i]);
	free(m->key);
	free(m->rank);
	memset(m, 0, sizeof *m);
}

static unsigned idmap_rank(struct idmap *m, const char *p, size_t n)
{
	if (m->used * 2 >= m->cap) {
		struct idmap bigger = {0};
		bigger.cap = m->cap ? m->cap * 2 : 256;
		bigger.key = xcalloc(bigger.cap, sizeof *bigger.key);
		bigger.rank = xcalloc(bigger.cap, sizeof *bigger.rank);
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->key[i])
				continue;
			size_t h = hash_bytes(m->key[i], strlen(m->key[i])) & (bigger.cap - 1);
			while (bigger.key[h])
				h = (h + 1) & (bigger.cap - 1);
			bigger.key[h] = m->key[i];
			bigger.rank[h] = m->rank[i];
		}
		free(m->key);
		free(m->rank);
		m->key = bigger.key;
		m->rank = bigger.rank;
		m->cap = bigger.cap;
	}
	size_t h = hash_bytes(p, n) & (m->cap - 1);
	while (m->key[h]) {
		if (strlen(m->key[h]) == n && memcmp(m->key[h], p, n) == 0)
			return m->rank[h];
		h = (h + 1) & (m->cap - 1);
	}
	m->key[h] = xstrndup(p, n);
	m->rank[h] = ++m->next[p[0] == 'F'];
	m->used++;
	return m->rank[h];
}

/*
 * Marks the bytes of a data line that lie inside a set-valued field, so that
 * IDs in sets (tunnel_parents) can be ranked after the others: their order
 * inside the set says nothing.
 */
static bool *set_bytes(const struct line *l, const struct setspec *s)
{
	if (!s || (!s->json && !s->ncol) || (s->json && !s->keys.n))
		return NULL;
	bool *m = xcalloc(l->len + 1, sizeof *m);
	if (!s->json) {
		size_t col = 0, start = 0;
		for (size_t i = 0; i <= l->len; i++) {
			if (i < l->len && l->p[i] != s->fsep)
				continue;
			if (col < s->ncol && s->col[col])
				for (size_t k = start; k < i; k++)
					m[k] = true;
			col++;
			start = i + 1;
		}
		return m;
	}
	for (size_t ki = 0; ki < s->keys.n; ki++) {
		struct buf pat = {0};
		buf_printf(&pat, "\"%s\":[", s->keys.v[ki]);
		for (size_t i = 1; i + pat.len <= l->len; i++) {
			if ((l->p[i - 1] == '{' || l->p[i - 1] == ',') &&
			    memcmp(l->p + i, pat.p, pat.len) == 0) {
				size_t open = i + pat.len - 1, cnt;
				struct span *v;
				size_t close = json_array_elements(l->p, l->len, open, &v, &cnt);
				free(v);
				for (size_t k = open; k < close && k < l->len; k++)
					m[k] = true;
				break;
			}
		}
		buf_free(&pat);
	}
	return m;
}

/*
 * Replaces every ID token: by "C*"/"F*" when map is NULL, else by its rank.
 * With out NULL it only hands out ranks, to the tokens outside in_set.
 */
static void rewrite_ids(const struct line *in, struct idmap *map, const bool *in_set,
			struct line *out)
{
	struct buf b = {0};
	size_t i = 0;
	while (i < in->len) {
		size_t t = id_token(in->p, in->len, i);
		if (!t) {
			if (out)
				buf_addc(&b, in->p[i]);
			i++;
			continue;
		}
		if (!out) {
			if (!in_set || !in_set[i])
				idmap_rank(map, in->p + i, t);
		} else if (map) {
			buf_printf(&b, "%c%u", in->p[i], idmap_rank(map, in->p + i, t));
		} else {
			buf_printf(&b, "%c*", in->p[i]);
		}
		i += t;
	}
	if (!out) {
		buf_free(&b);
		return;
	}
	out->len = b.len;
	out->p = buf_steal(&b);
	out->hdr = in->hdr;
}

struct keyed {
	struct line key;
	size_t idx;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = bytes_cmp(x->key.p, x->key.len, y->key.p, y->key.len);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Renames the IDs of one log's data lines. Ranks must not depend on the
 * order smtplog wrote the lines in, so lines are visited sorted by their
 * content with the IDs masked; IDs outside sets are ranked first, then
 * those that appear only inside sets.
 */
static void rename_ids(struct lines *l, struct idmap *map, const struct setspec *spec)
{
	struct keyed *k = xcalloc(l->n, sizeof *k);
	size_t nk = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].hdr)
			continue;
		rewrite_ids(&l->v[i], NULL, NULL, &k[nk].key);
		k[nk].idx = i;
		nk++;
	}
	qsort(k, nk, sizeof *k, cmp_keyed);
	for (size_t i = 0; i < nk; i++) {
		const struct line *ln = &l->v[k[i].idx];
		bool *in_set = set_bytes(ln, spec);
		rewrite_ids(ln, map, in_set, NULL);
		free(in_set);
	}
	for (size_t i = 0; i < nk; i++) {
		struct line *ln = &l->v[k[i].idx], r;
		rewrite_ids(ln, map, NULL, &r);
		free(ln->p);
		*ln = r;
		free(k[i].key.p);
	}
	free(k);
}

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	return bytes_cmp(x->p, x->len, y->p, y->len);
}

/* Header lines before the first data line, sorted data lines, the rest. */
static void order_lines(struct lines *l)
{
	struct lines out = {0}, data = {0};
	size_t i = 0;
	while (i < l->n && l->v[i].hdr)
		lines_push_owned(&out, l->v[i].p, l->v[i].len, true), i++;
	struct lines rest = {0};
	for (; i < l->n; i++) {
		if (l->v[i].hdr)
			lines_push_owned(&rest, l->v[i].p, l->v[i].len, true);
		else
			lines_push_owned(&data, l->v[i].p, l->v[i].len, false);
	}
	if (data.n)
		qsort(data.v, data.n, sizeof *data.v, cmp_line);
	for (size_t k = 0; k < data.n; k++)
		lines_push_owned(&out, data.v[k].p, data.v[k].len, false);
	for (size_t k = 0; k < rest.n; k++)
		lines_push_owned(&out, rest.v[k].p, rest.v[k].len, true);
	free(data.v);
	free(rest.v);
	free(l->v);
	*l = out;
}

/* ------------------------------------------------------------------ */
/* zeek-cut                                                            */

struct cut_opts {
	int showhdr; /* 0 none, 1 first header block, 2 all */
	bool minimal;
	bool negate;
	char ofs; /* 0: the log's separator */
	struct fieldlist cols;
};

static void cut_opts_free(struct cut_opts *o)
{
	fieldlist_free(&o->cols);
}

/* Parses zeek-cut's arguments (split at spaces, GNU getopt permutation). */
static int cut_parse(const char *args, struct cut_opts *o, struct buf *why)
{
	struct fieldlist words = {0};
	memset(o, 0, sizeof *o);
	split_fields(args, strlen(args), ' ', &words);
	size_t cap = 0;
	bool opts_done = false;
	int rc = 0;
	for (size_t i = 0; i < words.n && rc == 0; i++) {
		const char *w = words.v[i];
		if (!*w)
			continue;
		if (!opts_done && !strcmp(w, "--")) {
			opts_done = true;
			continue;
		}
		if (opts_done || w[0] != '-' || !w[1]) {
			if (o->cols.n == cap) {
				cap = cap ? cap * 2 : 16;
				o->cols.v = xrealloc(o->cols.v, cap * sizeof *o->cols.v);
			}
			o->cols.v[o->cols.n++] = xstrdup(w);
			continue;
		}
		for (size_t k = 1; w[k] && rc == 0; k++) {
			switch (w[k]) {
			case 'c': o->minimal = false, o->showhdr = 1; break;
			case 'C': o->minimal = false, o->showhdr = 2; break;
			case 'm': o->minimal = true, o->showhdr = 1; break;
			case 'M': o->minimal = true, o->showhdr = 2; break;
			case 'n': o->negate = true; break;
			case 'F': {
				const char *arg = w[k + 1] ? w + k + 1 : (i + 1 < words.n ? words.v[++i] : "");
				if (strlen(arg) != 1) {
					buf_printf(why, "zeek-cut -F needs one character");
					rc = -1;
				}
				o->ofs = arg[0];
				k = strlen(w) - 1;
				break;
			}
			default:
				buf_printf(why, "zeek-cut option -%c not supported by conform", w[k]);
				rc = -1;
			}
		}
	}
	fieldlist_free(&words);
	return rc;
}

struct cut_state {
	char ifs, ofs;
	int *out; /* output column -> input column, -1 if absent */
	size_t nout, idx_range;
	bool fields_seen;
};

/* strsep() on one separator character. */
static char *sep_next(char **s, char sep)
{
	char *p = *s;
	if (!p)
		return NULL;
	char *e = strchr(p, sep);
	if (e) {
		*e = '\0';
		*s = e + 1;
	} else {
		*s = NULL;
	}
	return p;
}

static void cut_find_indexes(const char *line, struct cut_state *st, const struct cut_opts *o)
{
	struct fieldlist f = {0};
	split_fields(line, strlen(line), st->ifs, &f);
	free(st->out);
	st->out = NULL;
	st->nout = 0;
	size_t maxval = 0;
	if (o->cols.n == 0) {
		st->out = xcalloc(f.n, sizeof *st->out);
		for (size_t i = 0; i < f.n; i++)
			st->out[i] = (int)i;
		st->nout = f.n;
		st->idx_range = f.n;
	} else if (!o->negate) {
		st->out = xcalloc(o->cols.n, sizeof *st->out);
		for (size_t c = 0; c < o->cols.n; c++) {
			st->out[c] = -1;
			for (size_t i = 0; i < f.n; i++) {
				if (!strcmp(f.v[i], o->cols.v[c])) {
					st->out[c] = (int)i;
					if (i > maxval)
						maxval = i;
					break;
				}
			}
		}
		st->nout = o->cols.n;
		st->idx_range = maxval + 1;
	} else {
		st->out = xcalloc(f.n, sizeof *st->out);
		for (size_t i = 0; i < f.n; i++) {
			bool named = false;
			for (size_t c = 0; c < o->cols.n && !named; c++)
				named = !strcmp(f.v[i], o->cols.v[c]);
			if (!named) {
				st->out[st->nout++] = (int)i;
				if (i > maxval)
					maxval = i;
			}
		}
		st->idx_range = maxval + 1;
	}
	fieldlist_free(&f);
}

static void cut_output(int hdr, char *line, struct cut_state *st, const struct cut_opts *o,
		       struct lines *out)
{
	size_t range = st->idx_range + (size_t)hdr;
	char **f = xcalloc(range, sizeof *f);
	char *rest = line;
	for (size_t i = 0; i < range; i++) {
		if ((f[i] = sep_next(&rest, st->ifs)) == NULL) {
			free(f); /* zeek-cut skips a line with too few fields */
			return;
		}
	}
	struct buf b = {0};
	bool firstdone = false;
	if (hdr && !o->minimal) {
		buf_adds(&b, f[0]);
		firstdone = true;
	}
	for (size_t i = 0; i < st->nout; i++) {
		if (firstdone)
			buf_addc(&b, st->ofs);
		if (st->out[i] >= 0)
			buf_adds(&b, f[(size_t)st->out[i] + (size_t)hdr]);
		firstdone = true;
	}
	free(f);
	lines_push_owned(out, b.p ? b.p : xstrdup(""), b.len, hdr != 0);
}

/*
 * zeek-cut over a whole log. Returns the column map of the last #fields line
 * in map and nmap (the caller frees map).
 */
static void cut_run(const struct cut_opts *o, const char *data, size_t len, struct lines *out,
		    int **map, size_t *nmap)
{
	struct cut_state st = {.ifs = '\t', .ofs = '\t'};
	int headers_seen = 0;
	bool prev_hdr = false, prev_fields = false;
	size_t pos = 0;
	while (pos < len) {
		size_t e = pos;
		while (e < len && data[e] != '\n')
			e++;
		/* zeek-cut drops the last character of each line, newline or not */
		size_t take = (e < len ? e + 1 : e) - pos;
		char *line = xstrndup(data + pos, take ? take - 1 : 0);
		pos = e < len ? e + 1 : e;

		if (prev_fields && strncmp(line, "#types", 6) != 0) {
			free(line);
			break; /* "bad log header (missing #types line)" */
		}
		if (line[0] != '#') {
			prev_hdr = false;
			cut_output(0, line, &st, o, out);
			free(line);
			continue;
		}
		if (!prev_hdr) {
			prev_hdr = true;
			if (headers_seen < 2)
				headers_seen++;
		}
		bool stop = false;
		if (!strncmp(line, "#separator ", 11)) {
			char *s = decode_sep(line + 11, strlen(line + 11));
			if (!s[0]) {
				stop = true;
			} else {
				st.ifs = s[0];
				st.ofs = o->ofs ? o->ofs : st.ifs;
			}
			free(s);
		} else if (!strncmp(line, "#fields", 7)) {
			prev_fields = true;
			cut_find_indexes(line[7] ? line + 8 : "", &st, o);
			st.fields_seen = true;
		} else if (!strncmp(line, "#types", 6)) {
			if (!prev_fields)
				stop = true;
			prev_fields = false;
		}
		if (stop) {
			free(line);
			break;
		}
		if (o->showhdr >= headers_seen) {
			if (!strncmp(line, "#fields", 7) || (!strncmp(line, "#types", 6) && !o->minimal))
				cut_output(1, line, &st, o, out);
			else if (!o->minimal)
				lines_push(out, line, strlen(line), true);
		}
		free(line);
	}
	*map = st.out;
	*nmap = st.nout;
}

/* ------------------------------------------------------------------ */
/* Diff                                                                */

enum op_kind { OP_EQ, OP_DEL, OP_INS };

struct op {
	enum op_kind kind;
	size_t a, b; /* line index in zeek (a) and ours (b) before this op */
};

struct ops {
	struct op *v;
	size_t n, cap;
};

static void ops_push(struct ops *o, enum op_kind k, size_t a, size_t b)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->v = xrealloc(o->v, o->cap * sizeof *o->v);
	}
	o->v[o->n].kind = k;
	o->v[o->n].a = a;
	o->v[o->n].b = b;
	o->n++;
}

/* Edit script turning zeek (a) into ours (b): LCS on the part that differs. */
static void diff_lines(const struct lines *a, const struct lines *b, struct ops *ops)
{
	size_t pre = 0, suf = 0;
	while (pre < a->n && pre < b->n && line_eq(&a->v[pre], &b->v[pre]))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	       line_eq(&a->v[a->n - 1 - suf], &b->v[b->n - 1 - suf]))
		suf++;
	for (size_t i = 0; i < pre; i++)
		ops_push(ops, OP_EQ, i, i);
	size_t n = a->n - pre - suf, m = b->n - pre - suf;
	size_t ai = pre, bi = pre;
	if (n && m && (n + 1) <= DIFF_MAX_CELLS / (m + 1)) {
		uint32_t *t = xcalloc((n + 1) * (m + 1), sizeof *t);
#define T(i, j) t[(i) * (m + 1) + (j)]
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				T(i, j) = line_eq(&a->v[pre + i], &b->v[pre + j])
						  ? T(i + 1, j + 1) + 1
						  : (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
		size_t i = 0, j = 0;
		while (i < n || j < m) {
			if (i < n && j < m && line_eq(&a->v[pre + i], &b->v[pre + j])) {
				ops_push(ops, OP_EQ, ai++, bi++);
				i++, j++;
			} else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
				ops_push(ops, OP_DEL, ai++, bi);
				i++;
			} else {
				ops_push(ops, OP_INS, ai, bi++);
				j++;
			}
		}
#undef T
		free(t);
	} else {
		for (size_t i = 0; i < n; i++)
			ops_push(ops, OP_DEL, ai++, bi);
		for (size_t j = 0; j < m; j++)
			ops_push(ops, OP_INS, ai, bi++);
	}
	for (size_t i = 0; i < suf; i++)
		ops_push(ops, OP_EQ, ai++, bi++);
}

static void print_unified(struct buf *out, const char *name, const struct lines *a,
			  const struct lines *b, const struct ops *ops)
{
	buf_printf(out, "--- zeek/%s\n+++ smtplog/%s\n", name, name);
	size_t printed = 0, i = 0;
	while (i < ops->n) {
		while (i < ops->n && ops->v[i].kind == OP_EQ)
			i++;
		if (i == ops->n)
			break;
		size_t start = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0, end = i;
		/* Grow the hunk while the next change is within 2 * context lines. */
		for (;;) {
			while (end < ops->n && ops->v[end].kind != OP_EQ)
				end++;
			size_t q = end;
			while (q < ops->n && ops->v[q].kind == OP_EQ)
				q++;
			if (q < ops->n && q - end <= 2 * DIFF_CONTEXT) {
				end = q;
				continue;
			}
			end = end + DIFF_CONTEXT < ops->n ? end + DIFF_CONTEXT : ops->n;
			break;
		}
		size_t na = 0, nb = 0;
		for (size_t k = start; k < end; k++) {
			na += ops->v[k].kind != OP_INS;
			nb += ops->v[k].kind != OP_DEL;
		}
		buf_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", ops->v[start].a + (na ? 1 : 0), na,
			   ops->v[start].b + (nb ? 1 : 0), nb);
		for (size_t k = start; k < end; k++) {
			if (printed++ >= DIFF_MAX_LINES) {
				buf_printf(out, "... (diff cut after %d lines)\n", DIFF_MAX_LINES);
				return;
			}
			const struct op *op = &ops->v[k];
			if (op->kind == OP_EQ)
				diff_line(out, ' ', &a->v[op->a]);
			else if (op->kind == OP_DEL)
				diff_line(out, '-', &a->v[op->a]);
			else
				diff_line(out, '+', &b->v[op->b]);
		}
		i = end;
	}
}

/* Name of the column (TSV) or key (JSON) where two lines first differ. */
static void column_hint(struct buf *out, const struct line *z, size_t at, bool json,
			const struct fieldlist *fields, char fsep)
{
	if (json) {
		/* The last "key": before the difference. */
		for (size_t i = at < z->len ? at : z->len; i-- > 1;) {
			if (z->p[i] == '"' && (z->p[i - 1] == ',' || z->p[i - 1] == '{')) {
				size_t e = i + 1;
				while (e < z->len && z->p[e] != '"')
					e++;
				if (e < z->len && e + 1 < z->len && z->p[e + 1] == ':') {
					buf_adds(out, " [");
					buf_add(out, z->p + i + 1, e - i - 1);
					buf_adds(out, "]");
				}
				return;
			}
		}
		return;
	}
	if (!fields || !fields->n || z->hdr)
		return;
	size_t col = 0;
	for (size_t i = 0; i < at && i < z->len; i++)
		col += z->p[i] == fsep;
	if (col < fields->n)
		buf_printf(out, " [%s]", fields->v[col]);
}

/* ------------------------------------------------------------------ */
/* Running smtplog                                                     */

struct proc_result {
	int status;
	bool timed_out;
	struct buf err; /* the first STDERR_KEEP bytes */
	bool sanitizer;
	char *san_line;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void scan_sanitizer(struct proc_result *r, struct buf *win)
{
	if (r->sanitizer)
		return;
	for (size_t k = 0; k < sizeof sanitizer_patterns / sizeof *sanitizer_patterns; k++) {
		const char *hit = mem_find(win->p, win->len, sanitizer_patterns[k]);
		if (hit) {
			r->sanitizer = true;
			/* Start of that line, within the window. */
			const char *s = hit;
			while (s > win->p && s[-1] != '\n')
				s--;
			r->san_line = first_line(s, win->len - (size_t)(s - win->p), 200);
			return;
		}
	}
}

static void child_exec(char *const argv[], int errfd)
{
	setpgid(0, 0);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	dup2(errfd, 2);
	setenv("TZ", "UTC", 1);
	setenv("LC_ALL", "C", 1);
	unsetenv("ZEEK_SEED_FILE");
	if (strchr(argv[0], '/'))
		execv(argv[0], argv);
	else
		execvp(argv[0], argv);
	fprintf(stderr, "conform: cannot execute %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int run_process(char *const argv[], double timeout, struct proc_result *r)
{
	memset(r, 0, sizeof *r);
	int fds[2];
	if (pipe(fds) != 0)
		return -errno;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return -e;
	}
	if (pid == 0) {
		close(fds[0]);
		child_exec(argv, fds[1]);
	}
	setpgid(pid, pid);
	close(fds[1]);

	double deadline = now_s() + timeout;
	struct buf win = {0}; /* tail of the previous chunk + this chunk */
	bool eof = false;
	char chunk[16384];
	while (!eof) {
		double left = deadline - now_s();
		if (left <= 0) {
			r->timed_out = true;
			break;
		}
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		int pr = poll(&pfd, 1, left > 1.0 ? 1000 : (int)(left * 1000) + 1);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		ssize_t n = read(fds[0], chunk, sizeof chunk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			eof = true;
			break;
		}
		if (r->err.len < STDERR_KEEP) {
			size_t k = (size_t)n < STDERR_KEEP - r->err.len ? (size_t)n : STDERR_KEEP - r->err.len;
			buf_add(&r->err, chunk, k);
		}
		buf_add(&win, chunk, (size_t)n);
		scan_sanitizer(r, &win);
		if (win.len > SAN_OVERLAP) {
			memmove(win.p, win.p + win.len - SAN_OVERLAP, SAN_OVERLAP);
			win.len = SAN_OVERLAP;
		}
	}
	close(fds[0]);
	buf_free(&win);

	/* stderr is closed; the process may still run (or hang) without it. */
	int status = 0;
	for (;;) {
		if (!r->timed_out && now_s() >= deadline)
			r->timed_out = true;
		if (r->timed_out) {
			kill(-pid, SIGKILL); /* the whole group, leftovers too */
			kill(pid, SIGKILL);
		}
		pid_t w = waitpid(pid, &status, r->timed_out ? 0 : WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			status = 0;
			break;
		}
		if (w == 0) {
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	r->status = status;
	return 0;
}

static void proc_result_free(struct proc_result *r)
{
	buf_free(&r->err);
	free(r->san_line);
	r->san_line = NULL;
}

/* ------------------------------------------------------------------ */
/* Cases                                                               */

struct opts {
	const char *smtplog;
	const char *expect;
	const char *lacking;
	bool update_expect;
	const char **only;
	size_t nonly;
	bool verbose;
	bool exact;
	bool seed;
	bool sanitizer;
	bool keep;
	bool strict_script_other;
	double timeout;
};

struct corpus {
	const char *dir;      /* as given */
	char *name;           /* its base name */
	char *data_root;      /* holds traces/ and random.seed */
	char *tsv_parent;     /* for a JSON corpus: the TSV corpus, else NULL */
};

enum verdict { V_PASS, V_FAIL, V_UNSUPPORTED };

struct argv_vec {
	char **v;
	size_t n, cap;
};

static void argv_push(struct argv_vec *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

static void argv_free(struct argv_vec *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * "redef NAME = VALUE;" -> "NAME=VALUE", "redef NAME += VALUE;" ->
 * "NAME+=VALUE". Returns -1 (with why set) for any other form.
 */
static int redef_arg(const char *s, struct buf *arg, struct buf *why)
{
	size_t n = strlen(s), i = 0;
	while (i < n && is_space(s[i]))
		i++;
	while (n > i && is_space(s[n - 1]))
		n--;
	if (n - i < 6 || strncmp(s + i, "redef", 5) != 0 || !is_space(s[i + 5]))
		goto unsupported;
	i += 5;
	while (i < n && is_space(s[i]))
		i++;
	size_t name = i;
	if (i < n && (isalpha((unsigned char)s[i]) || s[i] == '_'))
		while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':'))
			i++;
	size_t name_end = i;
	if (name_end == name)
		goto unsupported;
	while (i < n && is_space(s[i]))
		i++;
	const char *op;
	if (i + 1 < n && s[i] == '+' && s[i + 1] == '=')
		op = "+=", i += 2;
	else if (i < n && s[i] == '=')
		op = "=", i += 1;
	else
		goto unsupported;
	if (n == 0 || s[n - 1] != ';')
		goto unsupported;
	n--;
	while (i < n && is_space(s[i]))
		i++;
	while (n > i && is_space(s[n - 1]))
		n--;
	if (n == i)
		goto unsupported;
	buf_add(arg, s + name, name_end - name);
	buf_adds(arg, op);
	buf_add(arg, s + i, n - i);
	return 0;
unsupported:
	buf_adds(why, "redef form not supported: ");
	excerpt(why, s, strlen(s), 0, 60);
	return -1;
}

/* A case's logs, prepared for comparison. */
struct cmp_log {
	char *name;     /* the baseline file */
	char *src;      /* smtplog's log it comes from */
	bool cut;
	struct cut_opts cutopt;
	bool json;
	struct lines side[2]; /* 0 = smtplog, 1 = Zeek; canonical */
	bool no_eol[2];
	struct setspec spec[2];
	struct fieldlist fields; /* column names for messages */
	char fsep;
	char *problem;   /* a failure found while preparing */
	bool sort_sets;  /* the test script sorted set values before logging */
};

static void cmp_log_free(struct cmp_log *c)
{
	free(c->name);
	free(c->src);
	cut_opts_free(&c->cutopt);
	for (int s = 0; s < 2; s++) {
		lines_free(&c->side[s]);
		setspec_free(&c->spec[s]);
	}
	fieldlist_free(&c->fields);
	free(c->problem);
}

static const char *json_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Appends the string items of a JSON array (or a single string) to argv. */
static int push_strings(json_t *v, struct argv_vec *a, const char *prefix, const char *dir)
{
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		if (prefix)
			argv_push(a, prefix);
		if (dir) {
			char *p = path_join(dir, json_string_value(v));
			argv_push(a, p);
			free(p);
		} else {
			argv_push(a, json_string_value(v));
		}
		return 0;
	}
	if (!json_is_array(v))
		return -1;
	size_t i;
	json_t *it;
	json_array_foreach(v, i, it)
	{
		if (push_strings(it, a, prefix, dir) != 0 || json_is_array(it))
			return -1;
	}
	return 0;
}

/* The set-valued JSON keys of log `log`, from the TSV corpus's baselines. */
static void json_set_keys(const struct corpus *c, const char *case_name, const char *log,
			  struct fieldlist *keys)
{
	if (!c->tsv_parent)
		return;
	char *cases = path_join(c->tsv_parent, "cases");
	size_t ncase = 0;
	char **names = NULL;
	/* The same case first; if it has no such log, every case with one. */
	for (int pass = 0; pass < 2 && !keys->n; pass++) {
		size_t lo = 0, hi = 1;
		if (pass == 1) {
			names = list_cases(cases, &ncase);
			hi = ncase;
		}
		for (size_t i = lo; i < hi; i++) {
			char *d = path_join(cases, pass == 0 ? case_name : names[i]);
			char *f = path_join(d, log);
			struct buf data = {0};
			if (read_file(f, MAX_LOG_BYTES, &data) == 0) {
				struct lines l = {0};
				bool ne;
				split_lines(data.p, data.len, &l, &ne);
				struct tsv_hdr h = {0};
				tsv_hdr_parse(&l, &h);
				for (size_t k = 0; k < h.types.n && k < h.fields.n; k++) {
					if (strncmp(h.types.v[k], "set[", 4) != 0)
						continue;
					bool dup = false;
					for (size_t j = 0; j < keys->n && !dup; j++)
						dup = !strcmp(keys->v[j], h.fields.v[k]);
					if (dup)
						continue;
					keys->v = xrealloc(keys->v, (keys->n + 1) * sizeof *keys->v);
					keys->v[keys->n++] = xstrdup(h.fields.v[k]);
				}
				tsv_hdr_free(&h);
				lines_free(&l);
			}
			buf_free(&data);
			free(f);
			free(d);
		}
	}
	for (size_t i = 0; i < ncase; i++)
		free(names[i]);
	free(names);
	free(cases);
}

/* Reads a log; on failure sets *problem and returns -1. */
static int load_raw(const char *path, const char *missing, struct buf *data, char **problem)
{
	int rc = read_file(path, MAX_LOG_BYTES, data);
	if (rc == 0)
		return 0;
	struct buf p = {0};
	if (rc == -ENOENT)
		buf_adds(&p, missing);
	else if (rc == -EFBIG)
		buf_printf(&p, "%s: larger than %u MiB", path, MAX_LOG_BYTES >> 20);
	else
		buf_printf(&p, "%s: %s", path, strerror(-rc));
	*problem = buf_steal(&p);
	return -1;
}

/*
 * Prepares one log: reads both sides, cuts ours if needed, canonicalises,
 * and (lenient mode) sorts set fields. UID renaming and line ordering come
 * later, once per case.
 */
static void prepare_log(const struct opts *o, const struct corpus *c, const char *case_name,
			const char *case_dir, const char *outdir, struct cmp_log *l)
{
	struct buf zraw = {0}, oraw = {0};
	struct lines zl = {0}, ol = {0};
	char *zpath = path_join(case_dir, l->name);
	char *opath = path_join(outdir, l->src);
	bool ne;

	if (load_raw(zpath, "baseline missing from the corpus", &zraw, &l->problem) != 0)
		goto out;
	split_lines(zraw.p, zraw.len, &zl, &ne);
	canon_lines(&zl, false, l->cut && l->cutopt.minimal && l->cutopt.showhdr, &l->side[1]);
	l->no_eol[1] = ne;
	for (size_t i = 0; i < l->side[1].n; i++) {
		if (l->side[1].v[i].len) {
			l->json = l->side[1].v[i].p[0] == '{';
			break;
		}
	}

	if (load_raw(opath, "not written by smtplog", &oraw, &l->problem) != 0)
		goto out;

	/* Header of smtplog's full log: set columns (ours, and for cuts both). */
	struct lines ofull = {0};
	split_lines(oraw.p, oraw.len, &ofull, &ne);
	struct tsv_hdr oh = {0};
	tsv_hdr_parse(&ofull, &oh);

	if (l->cut) {
		int *map;
		size_t nmap;
		cut_run(&l->cutopt, oraw.p, oraw.len, &ol, &map, &nmap);
		canon_lines(&ol, true, l->cutopt.minimal && l->cutopt.showhdr, &l->side[0]);
		l->no_eol[0] = false; /* zeek-cut always ends lines */
		l->no_eol[1] = false;
		/* Set columns of the cut, from the source log's #types. */
		struct setspec s = {0};
		s.fsep = l->cutopt.ofs ? l->cutopt.ofs : oh.fsep;
		s.setsep = xstrdup(oh.setsep);
		s.ncol = nmap;
		s.col = xcalloc(nmap, sizeof *s.col);
		for (size_t i = 0; i < nmap; i++)
			s.col[i] = map[i] >= 0 && (size_t)map[i] < oh.types.n &&
				   !strncmp(oh.types.v[map[i]], "set[", 4);
		l->spec[0] = s;
		l->spec[1] = s;
		l->spec[1].setsep = xstrdup(s.setsep);
		l->spec[1].col = xcalloc(nmap, sizeof *s.col);
		if (nmap)
			memcpy(l->spec[1].col, s.col, nmap * sizeof *s.col);
		free(map);
		l->fsep = s.fsep;
		/* Column names: the -m header of Zeek's cut, else the arguments. */
		if (l->cutopt.minimal && l->cutopt.showhdr && l->side[1].n)
			split_fields(l->side[1].v[0].p, l->side[1].v[0].len, l->fsep, &l->fields);
		else if (!l->cutopt.negate && l->cutopt.cols.n)
			for (size_t i = 0; i < l->cutopt.cols.n; i++) {
				l->fields.v = xrealloc(l->fields.v, (l->fields.n + 1) * sizeof(char *));
				l->fields.v[l->fields.n++] = xstrdup(l->cutopt.cols.v[i]);
			}
	} else {
		canon_lines(&ofull, true, false, &l->side[0]);
		l->no_eol[0] = ne;
		if (l->json) {
			for (int s = 0; s < 2; s++) {
				l->spec[s].json = true;
				json_set_keys(c, case_name, l->src, &l->spec[s].keys);
			}
		} else {
			struct tsv_hdr zh = {0};
			tsv_hdr_parse(&l->side[1], &zh);
			setspec_from_hdr(&oh, &l->spec[0]);
			setspec_from_hdr(&zh, &l->spec[1]);
			l->fsep = zh.fsep;
			l->fields = zh.fields;
			zh.fields.v = NULL;
			zh.fields.n = 0;
			tsv_hdr_free(&zh);
		}
	}
	tsv_hdr_free(&oh);
	lines_free(&ofull);

	if (l->json)
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < l->side[s].n; i++)
				l->side[s].v[i].hdr = false;
	if (!o->exact || l->sort_sets)
		for (int s = 0; s < 2; s++)
			sort_sets(&l->side[s], &l->spec[s]);
out:
	lines_free(&zl);
	lines_free(&ol);
	buf_free(&zraw);
	buf_free(&oraw);
	free(zpath);
	free(opath);
}

/* Compares one prepared log. Returns true if equal, else fills why. */
static bool compare_log(const struct opts *o, const struct cmp_log *l, struct buf *why)
{
	if (l->problem) {
		if (l->cut)
			buf_printf(why, "%s (cut of %s): %s", l->name, l->src, l->problem);
		else
			buf_printf(why, "%s: %s", l->name, l->problem);
		return false;
	}
	const struct lines *ours = &l->side[0], *zeek = &l->side[1];
	struct ops ops = {0};
	diff_lines(zeek, ours, &ops);
	size_t first = ops.n;
	for (size_t i = 0; i < ops.n && first == ops.n; i++)
		if (ops.v[i].kind != OP_EQ)
			first = i;
	bool eol_differs = o->exact && l->no_eol[0] != l->no_eol[1];
	if (first == ops.n && !eol_differs) {
		free(ops.v);
		return true;
	}
	if (first == ops.n) {
		buf_printf(why, "%s: %s", l->name,
			   l->no_eol[0] ? "no newline at the end of ours" : "newline at the end of ours");
		free(ops.v);
		return false;
	}
	/* The first change: its first line from each side. */
	const struct line *zl = NULL, *ol = NULL;
	size_t zline = ops.v[first].a + 1;
	for (size_t i = first; i < ops.n && ops.v[i].kind != OP_EQ; i++) {
		if (ops.v[i].kind == OP_DEL && !zl)
			zl = &zeek->v[ops.v[i].a];
		if (ops.v[i].kind == OP_INS && !ol)
			ol = &ours->v[ops.v[i].b];
	}
	size_t at = 0;
	if (zl && ol)
		while (at < zl->len && at < ol->len && zl->p[at] == ol->p[at])
			at++;
	size_t from = at > 24 ? at - 16 : 0;
	buf_printf(why, "%s line %zu%s:", l->name, zline, o->exact ? "" : " (canonical order)");
	if (zl && ol)
		column_hint(why, zl, at, l->json, &l->fields, l->fsep);
	buf_adds(why, " ours ");
	if (ol)
		excerpt(why, ol->p, ol->len, from, EXCERPT_WIDTH);
	else
		buf_adds(why, "<no line>");
	buf_adds(why, " vs Zeek's ");
	if (zl)
		excerpt(why, zl->p, zl->len, from, EXCERPT_WIDTH);
	else
		buf_adds(why, "<no line>");
	free(ops.v);
	return false;
}

static void log_diff(struct buf *out, const struct cmp_log *l)
{
	if (l->problem)
		return;
	struct ops ops = {0};
	diff_lines(&l->side[1], &l->side[0], &ops);
	print_unified(out, l->name, &l->side[1], &l->side[0], &ops);
	free(ops.v);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Runs one case. Returns the verdict; *why gets the reason and, in verbose
 * mode, *detail what to print after the verdict line (command, diff, stderr).
 */
static enum verdict run_case(const struct opts *o, const struct corpus *c, const char *name,
			     const char *case_dir, struct buf *why, struct buf *detail)
{
	enum verdict v = V_FAIL;
	char *cj = path_join(case_dir, "case.json");
	json_error_t jerr;
	json_t *root = json_load_file(cj, 0, &jerr);
	struct argv_vec av = {0};
	struct cmp_log *logs = NULL;
	size_t nlogs = 0;
	char *outdir = NULL;
	struct proc_result pr = {0};
	bool ran = false;

	if (!root || !json_is_object(root)) {
		buf_printf(why, "bad case.json: %s (line %d)", root ? "not an object" : jerr.text,
			   jerr.line);
		goto out;
	}

	json_t *sigs = json_object_get(root, "load_sigs");
	if (sigs && !json_is_null(sigs)) {
		buf_adds(why, "needs signature files (load_sigs)");
		v = V_UNSUPPORTED;
		goto out;
	}
	const char *other = json_str(root, "script_other");
	/* A handler that only sorts a set before logging: compared with the
	 * sets sorted on both sides, also under --exact. */
	bool sorts_sets = other && strstr(other, "(normalises set order only; no value changes)");
	if (other && !sorts_sets &&
	    (o->strict_script_other || strncmp(other, "print-only", 10) != 0)) {
		/* Print-only handlers write to stdout and leave the logs alone. */
		buf_adds(why, "script_other: ");
		excerpt(why, other, strlen(other), 0, 70);
		v = V_UNSUPPORTED;
		goto out;
	}

	/* Command line */
	argv_push(&av, o->smtplog);
	if (push_strings(json_object_get(root, "zeek_flags"), &av, NULL, NULL) != 0) {
		buf_adds(why, "bad case.json: zeek_flags");
		goto out;
	}
	if (o->seed) {
		char *seed = path_join(c->data_root, "random.seed");
		argv_push(&av, "-G");
		argv_push(&av, seed);
		free(seed);
	}
	json_t *trace = json_object_get(root, "trace");
	char *traces = path_join(c->data_root, "traces");
	int trc = trace ? push_strings(trace, &av, "-r", traces) : -1;
	free(traces);
	if (trc != 0) {
		buf_adds(why, "bad case.json: trace");
		goto out;
	}
	if (push_strings(json_object_get(root, "loads"), &av, NULL, NULL) != 0) {
		buf_adds(why, "bad case.json: loads");
		goto out;
	}
	json_t *redefs = json_object_get(root, "redefs");
	if (redefs && !json_is_null(redefs)) {
		if (!json_is_array(redefs)) {
			buf_adds(why, "bad case.json: redefs");
			goto out;
		}
		size_t i;
		json_t *it;
		json_array_foreach(redefs, i, it)
		{
			struct buf arg = {0};
			if (!json_is_string(it)) {
				buf_adds(why, "bad case.json: redefs");
				goto out;
			}
			if (redef_arg(json_string_value(it), &arg, why) != 0) {
				buf_free(&arg);
				v = V_UNSUPPORTED;
				goto out;
			}
			argv_push(&av, arg.p);
			buf_free(&arg);
		}
	}

	/* Logs to compare: full logs first, then cuts sorted by name. */
	json_t *jl = json_object_get(root, "logs");
	json_t *jc = json_object_get(root, "cut_logs");
	size_t nfull = json_is_array(jl) ? json_array_size(jl) : 0;
	size_t ncut = json_is_object(jc) ? json_object_size(jc) : 0;
	logs = xcalloc(nfull + ncut, sizeof *logs);
	for (size_t i = 0; i < nfull; i++) {
		const char *f = json_string_value(json_array_get(jl, i));
		if (!f || strchr(f, '/')) {
			buf_adds(why, "bad case.json: logs");
			goto out;
		}
		struct cmp_log *l = &logs[nlogs++];
		l->name = xstrdup(f);
		/* A renamed full log ("x.log.foo") comes from "x.log". */
		const char *dot = strstr(f, ".log");
		l->src = dot ? xstrndup(f, (size_t)(dot - f) + 4) : xstrdup(f);
	}
	if (ncut) {
		const char **keys = xcalloc(ncut, sizeof *keys);
		size_t k = 0;
		const char *key;
		json_t *val;
		json_object_foreach(jc, key, val) keys[k++] = key;
		qsort(keys, k, sizeof *keys, cmp_cstr);
		for (size_t i = 0; i < k; i++) {
			val = json_object_get(jc, keys[i]);
			const char *src = json_str(val, "log"), *args = json_str(val, "zeek_cut");
			if (!src || !args || strchr(keys[i], '/') || strchr(src, '/')) {
				buf_adds(why, "bad case.json: cut_logs");
				free(keys);
				goto out;
			}
			struct cmp_log *l = &logs[nlogs++];
			l->name = xstrdup(keys[i]);
			l->src = xstrdup(src);
			l->cut = true;
			if (cut_parse(args, &l->cutopt, why) != 0) {
				v = V_UNSUPPORTED;
				free(keys);
				goto out;
			}
		}
		free(keys);
	}
	if (!nlogs && !o->sanitizer) {
		buf_adds(why, "case has no logs to compare");
		goto out;
	}

	/* Run */
	const char *tmp = getenv("TMPDIR");
	char *tmpl = path_join(tmp && *tmp ? tmp : "/tmp", "smtplog-conform.XXXXXX");
	if (!mkdtemp(tmpl)) {
		buf_printf(why, "mkdtemp %s: %s", tmpl, strerror(errno));
		free(tmpl);
		goto out;
	}
	outdir = tmpl;
	argv_push(&av, "-o");
	argv_push(&av, outdir);
	if (o->verbose) {
		buf_adds(detail, "# command:");
		for (size_t i = 0; i < av.n; i++)
			buf_printf(detail, " %s", av.v[i]);
		buf_addc(detail, '\n');
	}
	int rc = run_process(av.v, o->timeout, &pr);
	if (rc != 0) {
		buf_printf(why, "cannot run %s: %s", o->smtplog, strerror(-rc));
		goto out;
	}
	ran = true;
	char *err1 = first_line(pr.err.p ? pr.err.p : "", pr.err.len, 160);
	if (pr.sanitizer) {
		buf_printf(why, "sanitizer report: %s", pr.san_line ? pr.san_line : "");
	} else if (pr.timed_out) {
		buf_printf(why, "timed out after %.0f s", o->timeout);
	} else if (WIFSIGNALED(pr.status)) {
		int sig = WTERMSIG(pr.status);
		buf_printf(why, "killed by signal %d (%s)%s%s", sig, strsignal(sig), *err1 ? ": " : "",
			   err1);
	} else if (WIFEXITED(pr.status) && WEXITSTATUS(pr.status) == 1) {
		buf_adds(why, *err1 ? err1 : "exit status 1 (usage) with no message");
		v = V_UNSUPPORTED;
	} else if (o->sanitizer) {
		v = V_PASS;
	} else if (WIFEXITED(pr.status) && WEXITSTATUS(pr.status) != 0) {
		buf_printf(why, "exit status %d%s%s", WEXITSTATUS(pr.status), *err1 ? ": " : "", err1);
	} else {
		v = V_PASS;
	}
	free(err1);
	if (v != V_PASS || o->sanitizer)
		goto out;

	/* Compare */
	json_t *ja = json_object_get(root, "absent_logs");
	if (json_is_array(ja)) {
		size_t i;
		json_t *it;
		json_array_foreach(ja, i, it)
		{
			const char *f = json_string_value(it);
			if (!f || strchr(f, '/'))
				continue;
			char *p = path_join(outdir, f);
			bool there = exists(p);
			free(p);
			if (there) {
				buf_printf(why, "%s written, but Zeek writes none", f);
				v = V_FAIL;
				goto out;
			}
		}
	}
	for (size_t i = 0; i < nlogs; i++) {
		logs[i].sort_sets = sorts_sets;
		prepare_log(o, c, name, case_dir, outdir, &logs[i]);
	}
	if (!o->exact) {
		for (int s = 0; s < 2; s++) {
			struct idmap map = {0};
			for (size_t i = 0; i < nlogs; i++) {
				rename_ids(&logs[i].side[s], &map, &logs[i].spec[s]);
				sort_sets(&logs[i].side[s], &logs[i].spec[s]);
				order_lines(&logs[i].side[s]);
			}
			idmap_free(&map);
		}
	}
	for (size_t i = 0; i < nlogs; i++) {
		if (!compare_log(o, &logs[i], why)) {
			v = V_FAIL;
			if (o->verbose)
				log_diff(detail, &logs[i]);
			goto out;
		}
	}
	v = V_PASS;
out:
	if (v != V_PASS && o->verbose && ran && pr.err.len) {
		size_t n = pr.err.len > 4000 ? 4000 : pr.err.len;
		buf_adds(detail, "# stderr:\n");
		buf_add(detail, pr.err.p, n);
		if (pr.err.p[n - 1] != '\n')
			buf_addc(detail, '\n');
	}
	if (outdir) {
		if (o->keep)
			buf_printf(detail, "# output kept in %s\n", outdir);
		else
			remove_tree(outdir);
	}
	free(outdir);
	proc_result_free(&pr);
	for (size_t i = 0; i < nlogs; i++)
		cmp_log_free(&logs[i]);
	free(logs);
	argv_free(&av);
	json_decref(root);
	free(cj);
	return v;
}

/* ------------------------------------------------------------------ */
/* Expect list                                                         */

struct names {
	char **v;
	size_t n, cap;
};

static void names_add(struct names *s, const char *p, size_t n)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = xstrndup(p, n);
}

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static bool names_has(const struct names *s, const char *name)
{
	if (!s->n)
		return false;
	return bsearch(&name, s->v, s->n, sizeof *s->v, cmp_cstr) != NULL;
}

static void names_sort_uniq(struct names *s)
{
	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof *s->v, cmp_cstr);
	size_t k = 1;
	for (size_t i = 1; i < s->n; i++) {
		if (strcmp(s->v[i], s->v[k - 1]) == 0)
			free(s->v[i]);
		else
			s->v[k++] = s->v[i];
	}
	s->n = k;
}

/* Loads case names; the leading comment block goes to *header. */
static int expect_load(const char *path, struct names *s, struct buf *header)
{
	struct buf data = {0};
	int rc = read_file(path, MAX_SMALL_BYTES, &data);
	if (rc != 0) {
		buf_free(&data);
		return rc;
	}
	bool in_header = true;
	size_t start = 0;
	for (size_t i = 0; i <= data.len; i++) {
		if (i < data.len && data.p[i] != '\n')
			continue;
		const char *p = data.p + start;
		size_t n = i - start;
		start = i + 1;
		if (in_header && n && p[0] == '#') {
			buf_add(header, p, n);
			buf_addc(header, '\n');
			continue;
		}
		in_header = false;
		for (size_t k = 0; k < n; k++)
			if (p[k] == '#')
				n = k;
		while (n && is_space(p[0]))
			p++, n--;
		while (n && is_space(p[n - 1]))
			n--;
		if (n)
			names_add(s, p, n);
	}
	buf_free(&data);
	names_sort_uniq(s);
	return 0;
}

/* --lacking FILE: lines "CASE REASON". Such a case, when it fails, is
 * reported as UNSUPPORTED with the reason (what smtplog lacks). */
static const char *lacking_reason(const struct names *l, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < l->n; i++) {
		const char *e = l->v[i];
		if (strncmp(e, name, n) != 0 || (e[n] != ' ' && e[n] != '\t'))
			continue;
		e += n;
		while (is_space(*e))
			e++;
		return e;
	}
	return NULL;
}

static int expect_write(const char *path, const struct buf *header, const struct names *s)
{
	struct buf tmp = {0};
	buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp.p, "w");
	if (!f) {
		fprintf(stderr, "conform: cannot write %s: %s\n", tmp.p, strerror(errno));
		buf_free(&tmp);
		return -1;
	}
	if (header->len)
		fwrite(header->p, 1, header->len, f);
	else
		fputs("# Conformance cases expected to pass, one name a line; '#' starts a comment.\n"
		      "# Regenerate with: build/conform --expect FILE --update-expect CORPUS\n",
		      f);
	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "%s\n", s->v[i]);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad || rename(tmp.p, path) != 0) {
		fprintf(stderr, "conform: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp.p);
		buf_free(&tmp);
		return -1;
	}
	buf_free(&tmp);
	return 0;
}

/* ------------------------------------------------------------------ */
/* main                                                                */

static void usage(FILE *f)
{
	fputs("usage: conform [--smtplog PATH] [--expect FILE] [--lacking FILE] [--update-expect] [--only GLOB]...\n"
	      "               [--verbose] [--exact] [--seed] [--sanitizer] [--timeout SECS]\n"
	      "               [--keep] [--strict-script-other] CORPUS_DIR\n"
	      "\n"
	      "  --smtplog PATH     smtplog binary (default ./smtplog)\n"
	      "  --expect FILE      cases expected to pass; exit 1 iff one of them does not\n"
	      "  --update-expect    rewrite FILE with the cases that pass now\n"
	      "  --lacking FILE     \"CASE REASON\" lines: such a failing case is reported\n"
	      "                     as UNSUPPORTED with the reason\n"
	      "  --only GLOB        run only matching cases (repeatable)\n"
	      "  --verbose          print command lines, a diff of the first failing log, stderr\n"
	      "  --exact            byte-exact: no UID renaming, sets and line order matter\n"
	      "  --seed             pass -G CORPUS/random.seed (exact UIDs)\n"
	      "  --sanitizer        pass iff smtplog runs without a sanitizer report\n"
	      "  --timeout SECS     per case (default 120)\n"
	      "  --keep             keep output folders\n"
	      "  --strict-script-other  treat print-only script_other cases as unsupported too\n",
	      f);
}

static bool only_match(const struct opts *o, const char *name)
{
	if (!o->nonly)
		return true;
	for (size_t i = 0; i < o->nonly; i++)
		if (fnmatch(o->only[i], name, 0) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct opts o = {.smtplog = "./smtplog", .timeout = 120};
	const char *dir = NULL;
	o.only = xcalloc((size_t)argc, sizeof *o.only);

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--smtplog") && next) {
			o.smtplog = next, i++;
		} else if (!strcmp(a, "--expect") && next) {
			o.expect = next, i++;
		} else if (!strcmp(a, "--lacking") && next) {
			o.lacking = next, i++;
		} else if (!strcmp(a, "--only") && next) {
			o.only[o.nonly++] = next, i++;
		} else if (!strcmp(a, "--timeout") && next) {
			char *end;
			o.timeout = strtod(next, &end);
			if (*end || !(o.timeout > 0)) {
				fprintf(stderr, "conform: bad --timeout %s\n", next);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--update-expect")) {
			o.update_expect = true;
		} else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
			o.verbose = true;
		} else if (!strcmp(a, "--exact")) {
			o.exact = true;
		} else if (!strcmp(a, "--seed")) {
			o.seed = true;
		} else if (!strcmp(a, "--sanitizer")) {
			o.sanitizer = true;
		} else if (!strcmp(a, "--keep")) {
			o.keep = true;
		} else if (!strcmp(a, "--strict-script-other")) {
			o.strict_script_other = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' || dir) {
			fprintf(stderr, "conform: unexpected argument %s\n", a);
			usage(stderr);
			return 2;
		} else {
			dir = a;
		}
	}
	if (!dir) {
		usage(stderr);
		return 2;
	}
	if (o.update_expect && !o.expect) {
		fputs("conform: --update-expect needs --expect FILE\n", stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!is_dir(dir)) {
		printf("conformance: SKIPPED (%s not found)\n", dir);
		free(o.only);
		return 0;
	}
	if (strchr(o.smtplog, '/') && access(o.smtplog, X_OK) != 0) {
		fprintf(stderr, "conform: %s: %s\n", o.smtplog, strerror(errno));
		free(o.only);
		return 2;
	}

	struct corpus c = {.dir = dir};
	{
		size_t n = strlen(dir);
		while (n > 1 && dir[n - 1] == '/')
			n--;
		size_t s = n;
		while (s > 0 && dir[s - 1] != '/')
			s--;
		c.name = xstrndup(dir + s, n - s);
		char *tr = path_join(dir, "traces");
		/* The parent folder, spelled without "..": dir minus its last part. */
		char *parent = s > 1 ? xstrndup(dir, s - 1) : xstrdup(s == 1 ? "/" : ".");
		char *ptr = path_join(parent, "traces");
		if (!is_dir(tr) && is_dir(ptr)) {
			c.data_root = parent;
			c.tsv_parent = xstrdup(parent);
		} else {
			c.data_root = xstrdup(dir);
			free(parent);
		}
		free(tr);
		free(ptr);
	}

	struct names expect = {0}, passes = {0}, seen = {0}, regressions = {0};
	struct buf expect_header = {0};
	bool have_expect = o.expect && !o.sanitizer;
	if (have_expect) {
		int rc = expect_load(o.expect, &expect, &expect_header);
		if (rc != 0 && !(rc == -ENOENT && o.update_expect)) {
			fprintf(stderr, "conform: %s: %s\n", o.expect, strerror(-rc));
			return 2;
		}
	}

	struct names lacking = {0};
	struct buf lacking_header = {0};
	if (o.lacking) {
		int rc = expect_load(o.lacking, &lacking, &lacking_header);
		if (rc != 0) {
			fprintf(stderr, "conform: %s: %s\n", o.lacking, strerror(-rc));
			return 2;
		}
	}

	unsigned n_pass = 0, n_fail = 0, n_unsup = 0, n_known = 0, n_cases = 0;
	static const char *const subdirs[] = {"cases", "cut-cases"};
	bool any_dir = false;
	for (size_t sd = 0; sd < 2; sd++) {
		char *cdir = path_join(dir, subdirs[sd]);
		size_t n = 0;
		char **names = is_dir(cdir) ? (any_dir = true, list_cases(cdir, &n)) : NULL;
		for (size_t i = 0; i < n; i++) {
			if (!only_match(&o, names[i]))
				continue;
			n_cases++;
			names_add(&seen, names[i], strlen(names[i]));
			char *case_dir = path_join(cdir, names[i]);
			struct buf why = {0}, detail = {0};
			enum verdict v = run_case(&o, &c, names[i], case_dir, &why, &detail);
			bool listed = have_expect && names_has(&expect, names[i]);
			switch (v) {
			case V_PASS:
				n_pass++;
				names_add(&passes, names[i], strlen(names[i]));
				printf("PASS %s\n", names[i]);
				if (have_expect && !listed)
					printf("NEW-PASS %s\n", names[i]);
				break;
			case V_FAIL:
				if (!listed && lacking_reason(&lacking, names[i])) {
					printf("UNSUPPORTED %s: %s (here: %s)\n", names[i],
					       lacking_reason(&lacking, names[i]), why.p ? why.p : "");
					n_unsup++;
					break;
				}
				printf("FAIL %s: %s\n", names[i], why.p ? why.p : "");
				if (!have_expect || listed)
					n_fail++;
				else
					n_known++;
				if (listed)
					names_add(&regressions, names[i], strlen(names[i]));
				break;
			case V_UNSUPPORTED:
				printf("UNSUPPORTED %s: %s\n", names[i], why.p ? why.p : "");
				if (listed) {
					n_fail++;
					names_add(&regressions, names[i], strlen(names[i]));
				} else {
					n_unsup++;
				}
				break;
			}
			if (detail.len)
				fwrite(detail.p, 1, detail.len, stdout);
			buf_free(&why);
			buf_free(&detail);
			free(case_dir);
			free(names[i]);
		}
		free(names);
		free(cdir);
	}
	if (!any_dir) {
		printf("conformance: SKIPPED (%s/cases not found)\n", dir);
		return 0;
	}
	names_sort_uniq(&seen);
	if (have_expect && !o.nonly) {
		for (size_t i = 0; i < expect.n; i++) {
			if (names_has(&seen, expect.v[i]))
				continue;
			printf("FAIL %s: listed in %s but not in the corpus\n", expect.v[i], o.expect);
			n_fail++;
			names_add(&regressions, expect.v[i], strlen(expect.v[i]));
		}
	}
	for (size_t i = 0; i < regressions.n; i++)
		printf("REGRESSION %s\n", regressions.v[i]);

	int status = n_fail ? 1 : 0;
	if (o.update_expect && have_expect) {
		/* Cases not run this time keep their entries. */
		for (size_t i = 0; i < expect.n; i++)
			if (!names_has(&seen, expect.v[i]) && o.nonly)
				names_add(&passes, expect.v[i], strlen(expect.v[i]));
		names_sort_uniq(&passes);
		if (expect_write(o.expect, &expect_header, &passes) != 0)
			status = 2;
		else {
			printf("conform: wrote %zu case names to %s\n", passes.n, o.expect);
			if (status == 1)
				status = 0;
		}
	}
	printf("conformance(%s): %u passed, %u failed, %u unsupported, %u known-fail\n", c.name,
	       n_pass, n_fail, n_unsup, n_known);
	(void)n_cases;

	names_free(&expect);
	names_free(&passes);
	names_free(&seen);
	names_free(&regressions);
	buf_free(&expect_header);
	free(c.name);
	free(c.data_root);
	free(c.tsv_parent);
	free(o.only);
	return status;
}
