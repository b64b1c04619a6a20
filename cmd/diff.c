#include "cmd/diff.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/idmap.h"
#include "cmd/logread.h"
#include "core/buf.h"
#include "core/bytes.h"
#include "core/siphash.h"

#define DEFAULT_MAX_DIFFS 10
/* Differing fields printed for one record; the rest are counted. */
#define MAX_FIELDS_SHOWN 20
/* Bytes of a value (or a line excerpt) printed in a difference. */
#define SHOW_BYTES 160
#define MAX_SKIPS  256
/* Logs in one folder. */
#define MAX_LOGS   4096
#define REPORT_MAX ((size_t)64 << 20)
#define VALS_MAX   ((size_t)1 << 30)

static const char diff_usage[] =
    "usage: smtplog diff [OPTIONS] A B\n"
    "\n"
    "Compares the Zeek logs (*.log, *.log.gz; each TSV or JSON) of folders A and B\n"
    "(or two log files) record by record, field by field, by field name. #open and\n"
    "#close are never compared.\n"
    "\n"
    "  --mask-ts            ignore the ts field (Zeek's canonifier masks it)\n"
    "  --rename-ids         rename connection UIDs (C...) and file IDs (F...) by order\n"
    "                       of first appearance, per log and side, so random IDs match\n"
    "  --unordered          compare the lines of a log as a multiset\n"
    "  --skip FIELD[,FIELD...]\n"
    "                       ignore these fields; LOG:FIELD for one log only\n"
    "                       (e.g. conn:duration); repeatable\n"
    "  --sort FIELD[,FIELD...]\n"
    "                       compare these set or vector fields with their elements\n"
    "                       sorted (a test script that reorders a set); LOG:FIELD\n"
    "                       as for --skip; repeatable\n"
    "  --max-diffs N        differences printed per log (default 10)\n"
    "  -q, --quiet          print only the counts\n"
    "  -h, --help           this help\n"
    "\n"
    "Line numbers count the data lines of A (\"B line N\": of B). Exit status:\n"
    "0 no difference, 1 differences, 2 an error.\n";

struct skip {
	char *log;   /* owned; NULL: every log */
	char *field; /* owned */
};

struct diff_opts {
	bool mask_ts, rename_ids, unordered, quiet;
	unsigned long max_diffs;
	struct skip skips[MAX_SKIPS];
	size_t nskips;
	struct skip sorts[MAX_SKIPS]; /* --sort */
	size_t nsorts;
};

/* A field kept for comparison. */
struct view {
	const char *name;
	const char *val;
	size_t len;
	size_t pos;
	bool rewritten; /* val is in the side's vals (renamed or sorted) */
};

/* One side of a log comparison. Owns its reader, ID map and buffers. */
struct side {
	const char *path;
	struct logread r;
	bool open;
	struct idmap ids;
	struct buf vals; /* values rewritten by --rename-ids */
	struct view *v;
	size_t nv, cap;
	struct logread_record rec;
};

/* The per-log result and the differences kept for printing. */
struct tally {
	uint64_t equal, differ, missing, extra;
	bool header_differs;
	unsigned long shown; /* differences kept in text */
	struct buf text;
};

/* A multiset of 64-bit record digests (--unordered). */
struct digests {
	uint64_t *key;   /* owned; 0 marks an empty slot */
	uint64_t *count; /* owned */
	size_t cap, used;
};

static int errorf(const char *path, const char *reason)
{
	fprintf(stderr, "smtplog: %s: %s\n", path, reason);
	return 2;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "smtplog: diff: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'smtplog diff --help'.\n");
	return 2;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

static void opts_free(struct diff_opts *o)
{
	for (size_t i = 0; i < o->nskips; i++) {
		free(o->skips[i].log);
		free(o->skips[i].field);
	}
	o->nskips = 0;
	for (size_t i = 0; i < o->nsorts; i++) {
		free(o->sorts[i].log);
		free(o->sorts[i].field);
	}
	o->nsorts = 0;
}

/* A --skip or --sort list into list[*n]. */
static int add_fields(struct skip *list, size_t *count, const char *opt, const char *arg)
{
	const char *p = arg;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *colon = memchr(p, ':', n);
		if (n == 0 || (colon && (colon == p || colon == p + n - 1))) {
			fprintf(stderr, "smtplog: diff: bad %s list '%s'\n", opt, arg);
			return 2;
		}
		if (*count >= MAX_SKIPS) {
			fprintf(stderr, "smtplog: diff: too many %s fields (at most 256)\n", opt);
			return 2;
		}
		struct skip *s = &list[*count];
		if (colon) {
			size_t ln = (size_t)(colon - p);
			/* "conn.log:uid" and "conn:uid" both mean conn.log. */
			if (ln > 4 && memcmp(colon - 4, ".log", 4) == 0)
				ln -= 4;
			s->log = bytes_strdup(p, ln);
			s->field = bytes_strdup(colon + 1, n - (size_t)(colon + 1 - p));
		} else {
			s->log = NULL;
			s->field = bytes_strdup(p, n);
		}
		if (!s->field || (colon && !s->log)) {
			free(s->log);
			free(s->field);
			return errorf("diff", "out of memory");
		}
		(*count)++;
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int parse_count(const char *v, unsigned long *out)
{
	char *end;
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (*end || errno)
		return -1;
	*out = n;
	return 0;
}

/* 0 to go on, 1 after --help, 2 on bad usage. */
static int parse_args(int argc, char **argv, struct diff_opts *o, const char **a, const char **b)
{
	const char *pos[2];
	int npos = 0;
	bool dashdash = false;
	o->max_diffs = DEFAULT_MAX_DIFFS;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (dashdash || arg[0] != '-' || arg[1] == '\0') {
			if (npos == 2)
				return usage_error("too many arguments ('%s'); give two folders",
						   arg);
			pos[npos++] = arg;
			continue;
		}
		const char *val = NULL;
		const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
		size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		bool takes = (nlen == 6 && !strncmp(arg, "--skip", 6)) ||
			     (nlen == 6 && !strncmp(arg, "--sort", 6)) ||
			     (nlen == 11 && !strncmp(arg, "--max-diffs", 11));
		if (takes) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return usage_error("%s needs a value", arg);
		} else if (eq) {
			return usage_error("option '%s' takes no value", arg);
		}
		if (!strcmp(arg, "--")) {
			dashdash = true;
		} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(diff_usage, stdout);
			return 1;
		} else if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(arg, "--mask-ts")) {
			o->mask_ts = true;
		} else if (!strcmp(arg, "--rename-ids")) {
			o->rename_ids = true;
		} else if (!strcmp(arg, "--unordered")) {
			o->unordered = true;
		} else if (takes && !strncmp(arg, "--skip", 6)) {
			int rc = add_fields(o->skips, &o->nskips, "--skip", val);
			if (rc)
				return rc;
		} else if (takes && !strncmp(arg, "--sort", 6)) {
			int rc = add_fields(o->sorts, &o->nsorts, "--sort", val);
			if (rc)
				return rc;
		} else if (takes) {
			if (parse_count(val, &o->max_diffs) < 0)
				return usage_error("bad --max-diffs value '%s'", val);
		} else {
			return usage_error("unknown option '%s'", arg);
		}
	}
	if (npos != 2)
		return usage_error("give two folders (or two log files)%s", "");
	*a = pos[0];
	*b = pos[1];
	return 0;
}

/* ------------------------------------------------------------------ */
/* Folders                                                             */

struct loglist {
	char **name;    /* owned: "conn.log" */
	char **file[2]; /* owned: the file on each side, or NULL */
	size_t n;
};

static void loglist_free(struct loglist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->name[i]);
		free(l->file[0][i]);
		free(l->file[1][i]);
	}
	free(l->name);
	free(l->file[0]);
	free(l->file[1]);
	memset(l, 0, sizeof *l);
}

static char *path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

static int loglist_find(const struct loglist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return (int)i;
	return -1;
}

/* Adds dir's *.log and *.log.gz files as side s. 0, or 2 after a message. */
static int loglist_scan(struct loglist *l, const char *dir, int s)
{
	DIR *d = opendir(dir);
	if (!d)
		return errorf(dir, strerror(errno));
	int rc = 0;
	struct dirent *e;
	for (;;) {
		/* readdir() tells its end from an error only by errno. */
		errno = 0;
		if (!(e = readdir(d)))
			break;
		size_t n = strlen(e->d_name);
		bool gz = n > 7 && !strcmp(e->d_name + n - 7, ".log.gz");
		if (!gz && !(n > 4 && !strcmp(e->d_name + n - 4, ".log")))
			continue;
		char *full = path_join(dir, e->d_name);
		struct stat st;
		if (!full) {
			rc = errorf(dir, "out of memory");
			break;
		}
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(full);
			continue;
		}
		char *name = bytes_strdup(e->d_name, gz ? n - 3 : n);
		int i = name ? loglist_find(l, name) : -1;
		if (!name) {
			free(full);
			rc = errorf(dir, "out of memory");
			break;
		}
		if (i < 0) {
			if (l->n >= MAX_LOGS) {
				free(full);
				free(name);
				rc = errorf(dir, "more than 4096 logs");
				break;
			}
			if (l->n % 64 == 0) {
				size_t cap = l->n + 64;
				char **nn = realloc(l->name, cap * sizeof *nn);
				if (nn)
					l->name = nn;
				char **f0 = nn ? realloc(l->file[0], cap * sizeof *f0) : NULL;
				if (f0)
					l->file[0] = f0;
				char **f1 = f0 ? realloc(l->file[1], cap * sizeof *f1) : NULL;
				if (f1)
					l->file[1] = f1;
				if (!f1) {
					free(full);
					free(name);
					rc = errorf(dir, "out of memory");
					break;
				}
			}
			i = (int)l->n++;
			l->name[i] = name;
			l->file[0][i] = l->file[1][i] = NULL;
		} else {
			free(name);
		}
		/* Both x.log and x.log.gz: the plain one. */
		if (l->file[s][i] && gz) {
			free(full);
		} else {
			free(l->file[s][i]);
			l->file[s][i] = full;
		}
	}
	if (!rc && errno)
		rc = errorf(dir, strerror(errno));
	closedir(d);
	return rc;
}

/* Sorts the list by log name (a simple insertion sort: few logs). */
static void loglist_sort(struct loglist *l)
{
	for (size_t i = 1; i < l->n; i++) {
		for (size_t j = i; j > 0 && strcmp(l->name[j - 1], l->name[j]) > 0; j--) {
			char *t = l->name[j];
			l->name[j] = l->name[j - 1];
			l->name[j - 1] = t;
			for (int s = 0; s < 2; s++) {
				t = l->file[s][j];
				l->file[s][j] = l->file[s][j - 1];
				l->file[s][j - 1] = t;
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

/* Whether a --skip or --sort list names the field for this log. */
static bool field_listed(const struct skip *list, size_t count, const char *log,
			 const char *field)
{
	for (size_t i = 0; i < count; i++) {
		const struct skip *s = &list[i];
		if (strcmp(s->field, field) != 0)
			continue;
		if (!s->log)
			return true;
		size_t n = strlen(s->log);
		if (!strncmp(log, s->log, n) && !strcmp(log + n, ".log"))
			return true;
	}
	return false;
}

static bool skipped(const struct diff_opts *o, const char *log, const char *field)
{
	return (o->mask_ts && !strcmp(field, "ts")) ||
	       field_listed(o->skips, o->nskips, log, field);
}

static int cmp_elem(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	return strcmp(*x, *y);
}

/* The value (in sd->vals from offset off to its NUL) with its ','-separated
 * elements in byte order, rewritten in place. Elements never hold a ','
 * themselves (logread writes one inside an element as \x2c). */
static void sort_elements(struct side *sd, size_t off)
{
	char *v = (char *)sd->vals.data + off;
	size_t n = strlen(v), count = 1;
	for (size_t i = 0; i < n; i++)
		count += v[i] == ',';
	if (count < 2)
		return;
	char *copy = malloc(n + 1);
	char **elem = malloc(count * sizeof *elem);
	if (!copy || !elem) {
		free(copy);
		free(elem);
		sd->vals.err = true;
		return;
	}
	memcpy(copy, v, n + 1);
	size_t k = 0;
	for (char *p = copy;; p++) {
		elem[k++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p = '\0';
	}
	qsort(elem, k, sizeof *elem, cmp_elem);
	char *w = v;
	for (size_t i = 0; i < k; i++) {
		size_t len = strlen(elem[i]);
		memcpy(w, elem[i], len);
		w += len;
		if (i + 1 < k)
			*w++ = ',';
	}
	*w = '\0';
	free(copy);
	free(elem);
}

/* The value with every ID token (the whole value, or a whole element of a
 * set or vector) renamed into side->vals; returns its offset there. With
 * rank false (--unordered, where the order of first appearance means
 * nothing) every ID becomes its bare prefix and '#'. */
static size_t rename_value(struct side *sd, const char *v, size_t n, bool rank)
{
	size_t off = sd->vals.len, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && v[i] != ',')
			continue;
		if (idmap_is_id(v + start, i - start)) {
			if (rank) {
				unsigned long r = idmap_rank(&sd->ids, v + start, i - start);
				if (r == 0)
					sd->vals.err = true;
				buf_printf(&sd->vals, "%c#%lu", v[start], r);
			} else {
				buf_putc(&sd->vals, (uint8_t)v[start]);
				buf_putc(&sd->vals, '#');
			}
		} else {
			buf_append(&sd->vals, v + start, i - start);
		}
		if (i < n)
			buf_putc(&sd->vals, ',');
		start = i + 1;
	}
	buf_putc(&sd->vals, '\0');
	return off;
}

static int cmp_view(const void *a, const void *b)
{
	return strcmp(((const struct view *)a)->name, ((const struct view *)b)->name);
}

/* The fields of sd->rec that are compared, sorted by name. 0, or -1 out
 * of memory. */
static int side_view(struct side *sd, const struct diff_opts *o, const char *log)
{
	const struct logread_record *rec = &sd->rec;
	if (rec->n > sd->cap) {
		struct view *v = realloc(sd->v, rec->n * sizeof *v);
		if (!v)
			return -1;
		sd->v = v;
		sd->cap = rec->n;
	}
	buf_reset(&sd->vals);
	size_t k = 0;
	for (size_t i = 0; i < rec->n; i++) {
		const struct logread_field *f = &rec->f[i];
		if (skipped(o, log, f->name))
			continue;
		struct view *v = &sd->v[k++];
		v->name = f->name;
		v->val = f->val;
		v->len = f->len;
		v->pos = f->pos;
		bool sorted = field_listed(o->sorts, o->nsorts, log, f->name);
		v->rewritten = o->rename_ids || sorted;
		if (v->rewritten) {
			/* An offset for now: vals may move while it grows. */
			if (o->rename_ids) {
				v->len = rename_value(sd, f->val, f->len, !o->unordered);
			} else {
				v->len = sd->vals.len;
				buf_append(&sd->vals, f->val, f->len);
				buf_putc(&sd->vals, '\0');
			}
			if (sorted && !buf_error(&sd->vals))
				sort_elements(sd, v->len);
			v->val = NULL;
		}
	}
	if (buf_error(&sd->vals))
		return -1;
	for (size_t i = 0; i < k; i++) {
		if (sd->v[i].rewritten) {
			sd->v[i].val = (const char *)sd->vals.data + sd->v[i].len;
			sd->v[i].len = strlen(sd->v[i].val);
		}
	}
	qsort(sd->v, k, sizeof *sd->v, cmp_view);
	sd->nv = k;
	return 0;
}

static bool is_unset(const struct view *v)
{
	return v->len == 1 && v->val[0] == '-';
}

static bool same_val(const struct view *a, const struct view *b)
{
	return a->len == b->len && memcmp(a->val, b->val, a->len) == 0;
}

/* One differing field for the report: A's (or B's) position orders them. */
struct fdiff {
	const struct view *a, *b;
	size_t order;
};

static int cmp_fdiff(const void *x, const void *y)
{
	size_t a = ((const struct fdiff *)x)->order, b = ((const struct fdiff *)y)->order;
	return a < b ? -1 : a > b;
}

static void show_text(struct buf *o, const char *p, size_t n)
{
	size_t k = n > SHOW_BYTES ? SHOW_BYTES : n;
	for (size_t i = 0; i < k; i++) {
		uint8_t c = (uint8_t)p[i];
		if (c == '\t')
			buf_putc(o, ' ');
		else if (c < 0x20 || c > 0x7e)
			buf_printf(o, "\\x%02x", c);
		else
			buf_putc(o, c);
	}
	if (k < n)
		buf_printf(o, "... (%zu bytes)", n);
}

static void show_val(struct buf *o, const struct view *v)
{
	buf_putc(o, '"');
	if (v)
		show_text(o, v->val, v->len);
	else
		buf_putc(o, '-');
	buf_putc(o, '"');
}

/* Compares the two views; false if they differ, with the fields that do
 * in t->text when it is still showing differences. */
static bool compare_views(const struct side *a, const struct side *b, const char *log,
			  struct tally *t, bool show)
{
	size_t i = 0, j = 0, ndiff = 0;
	struct fdiff shown[MAX_FIELDS_SHOWN];
	while (i < a->nv || j < b->nv) {
		int c = i >= a->nv ? 1 : j >= b->nv ? -1 : strcmp(a->v[i].name, b->v[j].name);
		const struct view *va = c <= 0 ? &a->v[i] : NULL;
		const struct view *vb = c >= 0 ? &b->v[j] : NULL;
		bool eq = va && vb ? same_val(va, vb) : va ? is_unset(va) : is_unset(vb);
		if (!eq) {
			if (ndiff < MAX_FIELDS_SHOWN) {
				shown[ndiff].a = va;
				shown[ndiff].b = vb;
				shown[ndiff].order = va ? va->pos : a->rec.n + vb->pos;
			}
			ndiff++;
		}
		i += c <= 0;
		j += c >= 0;
	}
	if (ndiff == 0 || !show)
		return ndiff == 0;
	size_t k = ndiff < MAX_FIELDS_SHOWN ? ndiff : MAX_FIELDS_SHOWN;
	qsort(shown, k, sizeof *shown, cmp_fdiff);
	for (size_t n = 0; n < k; n++) {
		buf_printf(&t->text, "%s line %" PRIu64 ": %s ", log, a->rec.line,
			   shown[n].a ? shown[n].a->name : shown[n].b->name);
		show_val(&t->text, shown[n].a);
		buf_puts(&t->text, " vs ");
		show_val(&t->text, shown[n].b);
		buf_putc(&t->text, '\n');
	}
	if (ndiff > k)
		buf_printf(&t->text, "%s line %" PRIu64 ": ... and %zu more fields\n", log,
			   a->rec.line, ndiff - k);
	return false;
}

static bool showing(const struct diff_opts *o, const struct tally *t)
{
	return !o->quiet && t->shown < o->max_diffs;
}

/* "conn.log line 12: missing from B: <line>" or "B line 7: extra in B". */
static void show_alone(struct tally *t, const char *log, const struct side *sd, bool in_a)
{
	buf_printf(&t->text, "%s %sline %" PRIu64 ": %s: ", log, in_a ? "" : "B ", sd->rec.line,
		   in_a ? "missing from B" : "extra in B");
	show_text(&t->text, sd->rec.raw, sd->rec.raw_len);
	buf_putc(&t->text, '\n');
	t->shown++;
}

/* ------------------------------------------------------------------ */
/* Headers                                                             */

/* #fields or #types of a TSV reader without the skipped fields. */
static void header_list(const struct logread *r, const struct diff_opts *o, const char *log,
			bool types, char ***out, size_t *n)
{
	size_t k = 0;
	char **v = malloc((r->nfields ? r->nfields : 1) * sizeof *v);
	if (v) {
		for (size_t i = 0; i < r->nfields; i++) {
			/* --mask-ts masks the value, not the column. */
			if (field_listed(o->skips, o->nskips, log, r->names[i]))
				continue;
			v[k++] = types ? (i < r->ntypes ? r->types[i] : "?") : r->names[i];
		}
	}
	*out = v;
	*n = v ? k : 0;
}

static void compare_list(const struct side *a, const struct side *b, const struct diff_opts *o,
			 const char *log, bool types, struct tally *t)
{
	char **va, **vb;
	size_t na, nb;
	header_list(&a->r, o, log, types, &va, &na);
	header_list(&b->r, o, log, types, &vb, &nb);
	size_t i = 0;
	while (i < na && i < nb && !strcmp(va[i], vb[i]))
		i++;
	if (i < na || i < nb) {
		t->header_differs = true;
		if (showing(o, t)) {
			buf_printf(&t->text, "%s header: #%s, column %zu: \"%s\" vs \"%s\"", log,
				   types ? "types" : "fields", i + 1, i < na ? va[i] : "(none)",
				   i < nb ? vb[i] : "(none)");
			if (na != nb)
				buf_printf(&t->text, " (%zu vs %zu columns)", na, nb);
			buf_putc(&t->text, '\n');
			t->shown++;
		}
	}
	free(va);
	free(vb);
}

/* Header lines of two TSV logs; #open and #close were never kept. */
static void compare_headers(const struct side *a, const struct side *b, const struct diff_opts *o,
			    const char *log, struct tally *t)
{
	if (a->r.fmt != LOGREAD_TSV || b->r.fmt != LOGREAD_TSV)
		return;
	compare_list(a, b, o, log, false, t);
	compare_list(a, b, o, log, true, t);
	for (int s = 0; s < 2; s++) {
		const struct logread *r = s ? &b->r : &a->r, *other = s ? &a->r : &b->r;
		for (size_t i = 0; i < r->nhdr; i++) {
			const char *key = r->hdr[i].key;
			if (!strcmp(key, "fields") || !strcmp(key, "types"))
				continue;
			const char *mine = r->hdr[i].value, *theirs = logread_header(other, key);
			/* From B, only the keys A lacks: the others were compared. */
			if (s && theirs)
				continue;
			if (theirs && !strcmp(mine, theirs))
				continue;
			t->header_differs = true;
			if (!showing(o, t))
				continue;
			const char *va = s ? "(none)" : mine;
			const char *vb = s ? mine : theirs ? theirs : "(none)";
			buf_printf(&t->text, "%s header: #%s \"", log, key);
			show_text(&t->text, va, strlen(va));
			buf_puts(&t->text, "\" vs \"");
			show_text(&t->text, vb, strlen(vb));
			buf_puts(&t->text, "\"\n");
			t->shown++;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Digests (--unordered)                                               */

static const struct siphash_key digest_key = {0x736d74706c6f6764u, 0x6966662d6b657931u};

/* A record's digest: its compared fields, sorted by name, unset ones
 * left out (as JSON leaves them out). Never 0. */
static uint64_t side_digest(const struct side *sd, struct buf *scratch)
{
	buf_reset(scratch);
	for (size_t i = 0; i < sd->nv; i++) {
		if (is_unset(&sd->v[i]))
			continue;
		buf_puts(scratch, sd->v[i].name);
		buf_putc(scratch, '\0');
		buf_append(scratch, sd->v[i].val, sd->v[i].len);
		buf_putc(scratch, '\0');
	}
	uint64_t h = siphash24(&digest_key, scratch->data, scratch->len);
	return h ? h : 1;
}

static int digests_grow(struct digests *d)
{
	size_t cap = d->cap ? d->cap * 2 : 1024;
	uint64_t *key = calloc(cap, sizeof *key), *count = calloc(cap, sizeof *count);
	if (!key || !count) {
		free(key);
		free(count);
		return -1;
	}
	for (size_t i = 0; i < d->cap; i++) {
		if (!d->key[i])
			continue;
		size_t k = d->key[i] & (cap - 1);
		while (key[k])
			k = (k + 1) & (cap - 1);
		key[k] = d->key[i];
		count[k] = d->count[i];
	}
	free(d->key);
	free(d->count);
	d->key = key;
	d->count = count;
	d->cap = cap;
	return 0;
}

/* The count slot of h, added (at 0) if insert; NULL if absent or out of
 * memory (then *oom is set). */
static uint64_t *digests_slot(struct digests *d, uint64_t h, bool insert, bool *oom)
{
	if (insert && d->used + 1 > d->cap / 4 * 3 && digests_grow(d) < 0) {
		*oom = true;
		return NULL;
	}
	if (!d->cap)
		return NULL;
	size_t k = h & (d->cap - 1);
	while (d->key[k] && d->key[k] != h)
		k = (k + 1) & (d->cap - 1);
	if (d->key[k])
		return &d->count[k];
	if (!insert)
		return NULL;
	d->key[k] = h;
	d->used++;
	return &d->count[k];
}

static void digests_free(struct digests *d)
{
	free(d->key);
	free(d->count);
	memset(d, 0, sizeof *d);
}

/* ------------------------------------------------------------------ */
/* One log                                                             */

static int side_open(struct side *sd, const char *path)
{
	sd->path = path;
	sd->open = true;
	if (logread_open(&sd->r, path) < 0)
		return errorf(path, sd->r.err);
	return 0;
}

static void side_close(struct side *sd)
{
	if (sd->open)
		logread_close(&sd->r);
	sd->open = false;
	idmap_free(&sd->ids);
	buf_free(&sd->vals);
	free(sd->v);
	sd->v = NULL;
	sd->nv = sd->cap = 0;
}

/* A JSON side takes its field types from a TSV partner. */
static void link_types(struct side *a, struct side *b)
{
	if (a->r.fmt == LOGREAD_JSON && b->r.fmt == LOGREAD_TSV)
		a->r.types_from = &b->r;
	if (b->r.fmt == LOGREAD_JSON && a->r.fmt == LOGREAD_TSV)
		b->r.types_from = &a->r;
}

/* The next record of a side, viewed: 1, 0 at the end, 2 after a message. */
static int side_next(struct side *sd, const struct diff_opts *o, const char *log)
{
	int rc = logread_next(&sd->r, &sd->rec);
	if (rc < 0)
		return errorf(sd->path, sd->r.err);
	if (rc == 0)
		return 0;
	if (side_view(sd, o, log) < 0)
		return errorf(sd->path, "out of memory");
	return 1;
}

static int compare_ordered(struct side *a, struct side *b, const struct diff_opts *o,
			   const char *log, struct tally *t)
{
	for (;;) {
		int ra = side_next(a, o, log);
		if (ra == 2)
			return 2;
		int rb = side_next(b, o, log);
		if (rb == 2)
			return 2;
		if (!ra && !rb)
			return 0;
		if (ra && rb) {
			bool show = showing(o, t);
			if (compare_views(a, b, log, t, show)) {
				t->equal++;
			} else {
				t->differ++;
				t->shown += show;
			}
		} else if (ra) {
			t->missing++;
			if (showing(o, t))
				show_alone(t, log, a, true);
		} else {
			t->extra++;
			if (showing(o, t))
				show_alone(t, log, b, false);
		}
	}
}

/* B's digests counted, A's lines taken off them, then B read again for
 * what is left: one side's digests in memory, both files streamed. */
static int compare_unordered(struct side *a, struct side *b, const struct diff_opts *o,
			     const char *log, struct tally *t)
{
	struct digests d = {0};
	struct buf scratch;
	buf_init(&scratch, VALS_MAX);
	int rc;
	bool oom = false;
	while ((rc = side_next(b, o, log)) == 1) {
		uint64_t *c = digests_slot(&d, side_digest(b, &scratch), true, &oom);
		if (!c)
			break;
		++*c;
	}
	while (!oom && rc != 2 && (rc = side_next(a, o, log)) == 1) {
		uint64_t *c = digests_slot(&d, side_digest(a, &scratch), false, &oom);
		if (c && *c) {
			--*c;
			t->equal++;
		} else {
			t->missing++;
			if (showing(o, t))
				show_alone(t, log, a, true);
		}
	}
	for (size_t i = 0; !oom && rc != 2 && i < d.cap; i++)
		t->extra += d.count[i];
	if (!oom && rc != 2 && t->extra && showing(o, t)) {
		/* Read B again and name the lines A did not take. */
		const char *path = b->path;
		side_close(b);
		rc = side_open(b, path);
		if (rc == 0)
			link_types(a, b);
		while (rc == 0 && showing(o, t)) {
			int r = side_next(b, o, log);
			if (r != 1) {
				rc = r;
				break;
			}
			uint64_t *c = digests_slot(&d, side_digest(b, &scratch), false, &oom);
			if (c && *c) {
				--*c;
				show_alone(t, log, b, false);
			}
		}
	}
	if (oom || buf_error(&scratch))
		rc = errorf(b->path, "out of memory");
	digests_free(&d);
	buf_free(&scratch);
	return rc == 2 ? 2 : 0;
}

/* Compares one log present on both sides; prints its counts and first
 * differences. 0 the same, 1 different, 2 an error. */
static int compare_log(const char *log, const char *pa, const char *pb, const struct diff_opts *o)
{
	struct side a = {0}, b = {0};
	struct tally t = {0};
	buf_init(&a.vals, VALS_MAX);
	buf_init(&b.vals, VALS_MAX);
	buf_init(&t.text, REPORT_MAX);
	int rc = side_open(&a, pa);
	if (rc == 0)
		rc = side_open(&b, pb);
	if (rc == 0) {
		link_types(&a, &b);
		compare_headers(&a, &b, o, log, &t);
		rc = o->unordered ? compare_unordered(&a, &b, o, log, &t)
				  : compare_ordered(&a, &b, o, log, &t);
	}
	if (rc == 0) {
		bool differs = t.differ || t.missing || t.extra || t.header_differs;
		printf("%s: %" PRIu64 " equal, %" PRIu64 " differing, %" PRIu64
		       " missing from B, %" PRIu64 " extra in B%s\n",
		       log, t.equal, t.differ, t.missing, t.extra,
		       t.header_differs ? "; header differs" : "");
		if (!o->quiet)
			fwrite(t.text.data, 1, t.text.len, stdout);
		rc = differs ? 1 : 0;
	}
	side_close(&a);
	side_close(&b);
	buf_free(&t.text);
	return rc;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int compare_folders(const char *a, const char *b, const struct diff_opts *o)
{
	struct loglist l = {0};
	int rc = loglist_scan(&l, a, 0);
	if (rc == 0)
		rc = loglist_scan(&l, b, 1);
	if (rc) {
		loglist_free(&l);
		return rc;
	}
	loglist_sort(&l);
	size_t ndiff = 0;
	for (size_t i = 0; i < l.n && rc != 2; i++) {
		if (!l.file[0][i] || !l.file[1][i]) {
			printf("%s: only in %s\n", l.name[i], l.file[0][i] ? "A" : "B");
			ndiff++;
			continue;
		}
		rc = compare_log(l.name[i], l.file[0][i], l.file[1][i], o);
		ndiff += rc == 1;
	}
	if (rc != 2)
		printf("%zu logs: %zu the same, %zu different\n", l.n, l.n - ndiff, ndiff);
	loglist_free(&l);
	return rc == 2 ? 2 : ndiff ? 1 : 0;
}

/* Two files: compared as one log, named after A's file. */
static int compare_files(const char *a, const char *b, const struct diff_opts *o)
{
	const char *name = strrchr(a, '/');
	name = name ? name + 1 : a;
	size_t n = strlen(name);
	char *log = bytes_strdup(name, n > 3 && !strcmp(name + n - 3, ".gz") ? n - 3 : n);
	if (!log)
		return errorf(a, "out of memory");
	int rc = compare_log(log, a, b, o);
	free(log);
	return rc;
}

int diff_main(int argc, char **argv)
{
	static struct diff_opts o;
	const char *a = NULL, *b = NULL;
	int rc = parse_args(argc, argv, &o, &a, &b);
	if (rc == 0) {
		struct stat sa, sb;
		if (stat(a, &sa) != 0)
			rc = errorf(a, strerror(errno));
		else if (stat(b, &sb) != 0)
			rc = errorf(b, strerror(errno));
		else if (S_ISDIR(sa.st_mode) && S_ISDIR(sb.st_mode))
			rc = compare_folders(a, b, &o);
		else if (S_ISREG(sa.st_mode) && S_ISREG(sb.st_mode))
			rc = compare_files(a, b, &o);
		else
			rc = errorf(is_dir(a) ? b : a, "give two folders or two log files");
	} else if (rc == 1) {
		rc = 0;
	}
	fflush(stdout);
	if (ferror(stdout) && rc != 2)
		rc = errorf("standard output", "write error");
	opts_free(&o);
	return rc;
}
