#include "output/logread.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/bytes.h"

#define LB_INITIAL ((size_t)64 << 10)
/* A record's canonical text: at most four bytes a byte of the line, plus
 * what numbers and names add; far more than any sane log needs. */
#define TEXT_MAX ((size_t)1 << 30)
/* Header lines kept for comparison; any further keys are not compared. */
#define MAX_HEADERS 64
/* Zeek's btest canonifier writes this over the first time on a line. */
static const char masked_ts[] = "XXXXXXXXXX.XXXXXX";

struct logread_name {
	const char *name;
	size_t idx;
};

/* A field while the record is built: offsets, since text may move. */
struct logread_slot {
	const char *name_ptr; /* a schema name, or NULL: name_off in text */
	size_t name_off, val_off, val_len;
};

static int fail(struct logread *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct logread *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */

/* The next line into r->cur (NUL-terminated, no '\n'): 1, 0 at the end,
 * -1 on a read error or a line longer than LOGREAD_MAX_LINE. */
static int read_line(struct logread *r)
{
	for (;;) {
		char *nl = memchr(r->lb + r->lb_scan, '\n', r->lb_end - r->lb_scan);
		if (nl || (r->lb_eof && r->lb_end > r->lb_start)) {
			size_t end = nl ? (size_t)(nl - r->lb) : r->lb_end;
			r->cur = r->lb + r->lb_start;
			r->cur_len = end - r->lb_start;
			r->lb[end] = '\0';
			r->lb_start = r->lb_scan = nl ? end + 1 : end;
			r->file_line++;
			if (r->cur_len > LOGREAD_MAX_LINE)
				return fail(r, "line %" PRIu64 ": longer than %zu MiB",
					    r->file_line, LOGREAD_MAX_LINE >> 20);
			return 1;
		}
		if (r->lb_eof)
			return 0;
		r->lb_scan = r->lb_end;
		size_t have = r->lb_end - r->lb_start;
		if (have > LOGREAD_MAX_LINE)
			return fail(r, "line %" PRIu64 ": longer than %zu MiB", r->file_line + 1,
				    LOGREAD_MAX_LINE >> 20);
		/* One byte always stays free for the NUL. */
		if (r->lb_end + 1 >= r->lb_cap) {
			if (r->lb_start > 0) {
				memmove(r->lb, r->lb + r->lb_start, have);
				r->lb_start = 0;
				r->lb_end = r->lb_scan = have;
			}
			if (have + 1 >= r->lb_cap) {
				size_t cap = r->lb_cap * 2;
				if (cap > LOGREAD_MAX_LINE + 2)
					cap = LOGREAD_MAX_LINE + 2;
				char *p = realloc(r->lb, cap);
				if (!p)
					return fail(r, "out of memory");
				r->lb = p;
				r->lb_cap = cap;
			}
		}
		size_t room = r->lb_cap - r->lb_end - 1;
		int n = gzread(r->gz, r->lb + r->lb_end, (unsigned)room);
		if (n < 0) {
			int zerr;
			const char *msg = gzerror(r->gz, &zerr);
			return fail(r, "%s", zerr == Z_ERRNO ? strerror(errno) : msg);
		}
		if (n == 0)
			r->lb_eof = true;
		r->lb_end += (size_t)n;
	}
}

/* ------------------------------------------------------------------ */
/* Canonical text                                                      */

static void put_hex(struct buf *o, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";
	char t[4] = {'\\', 'x', hex[c >> 4], hex[c & 0xf]};
	buf_append(o, t, 4);
}

/* Raw bytes in the canonical form: empty is "(empty)", the markers "-"
 * and "(empty)" themselves get their first byte escaped (as in TSV), and
 * bytes outside 0x20-0x7e, '\' and (in containers) ',' become \xNN. */
static void put_bytes(struct buf *o, const char *s, size_t n, bool elem)
{
	const uint8_t *p = (const uint8_t *)s;
	if (n == 0) {
		buf_append(o, "(empty)", 7);
		return;
	}
	size_t i = 0;
	if ((n == 1 && p[0] == '-') || (n == 7 && memcmp(p, "(empty)", 7) == 0)) {
		put_hex(o, p[0]);
		i = 1;
	}
	size_t run = i;
	for (; i < n; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c <= 0x7e && c != '\\' && !(elem && c == ','))
			continue;
		buf_append(o, p + run, i - run);
		put_hex(o, c);
		run = i + 1;
	}
	buf_append(o, p + run, n - run);
}

static void put_number(struct buf *o, double d)
{
	char t[400];
	int n = snprintf(t, sizeof t, "%.6f", d);
	if (n < 0 || (size_t)n >= sizeof t)
		n = snprintf(t, sizeof t, "%.6e", d);
	buf_append(o, t, (size_t)n);
}

static bool parse_decimal(const char *p, size_t n, double *d)
{
	char t[64];
	if (n == 0 || n >= sizeof t)
		return false;
	memcpy(t, p, n);
	t[n] = '\0';
	char *end;
	errno = 0;
	*d = strtod(t, &end);
	return end == t + n && errno == 0;
}

static bool digits(const char *p, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (p[i] - '0');
	}
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* Zeek's JSON::TS_ISO8601: 2009-11-18T20:55:44.123456Z (UTC). */
static bool parse_iso8601(const char *p, size_t n, double *out)
{
	int y, mo, d, h, mi, s;
	if (n < 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' ||
	    p[n - 1] != 'Z')
		return false;
	if (!digits(p, 4, &y) || !digits(p + 5, 2, &mo) || !digits(p + 8, 2, &d) ||
	    !digits(p + 11, 2, &h) || !digits(p + 14, 2, &mi) || !digits(p + 17, 2, &s))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return false;
	double frac = 0;
	size_t i = 19;
	if (i < n - 1) {
		if (p[i] != '.' || !parse_decimal(p + i, n - 1 - i, &frac))
			return false;
		for (size_t k = i + 1; k < n - 1; k++)
			if (p[k] < '0' || p[k] > '9')
				return false;
	}
	long days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	*out = (double)days * 86400.0 + h * 3600.0 + mi * 60.0 + s + frac;
	return true;
}

static bool is_numeric_type(const char *t)
{
	return t && (!strcmp(t, "time") || !strcmp(t, "interval") || !strcmp(t, "double"));
}

/* "set[string]" -> "string" into e; false for a type that is no container. */
static bool elem_type(const char *t, char *e, size_t esz)
{
	if (!t)
		return false;
	const char *open = strchr(t, '[');
	size_t n = strlen(t);
	if (!open || t[n - 1] != ']' ||
	    !(strncmp(t, "set[", 4) == 0 || strncmp(t, "vector[", 7) == 0))
		return false;
	size_t len = n - 1 - (size_t)(open + 1 - t);
	if (len >= esz)
		len = esz - 1;
	memcpy(e, open + 1, len);
	e[len] = '\0';
	return true;
}

/* The byte of a "\xNN" escape (either case) at p[i], or -1. */
static int hex_escape_at(const char *p, size_t n, size_t i)
{
	if (n < 4 || i > n - 4 || p[i] != '\\' || p[i + 1] != 'x')
		return -1;
	int hi = ascii_hexval((uint8_t)p[i + 2]), lo = ascii_hexval((uint8_t)p[i + 3]);
	return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
}

/* TSV unescaping: "\\" is '\', "\xNN" a byte, anything else itself. */
static void tsv_decode(struct buf *o, const char *p, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\\' || i + 1 >= n)
			continue;
		buf_append(o, p + run, i - run);
		if (p[i + 1] == '\\') {
			buf_putc(o, '\\');
			i += 1;
		} else if (hex_escape_at(p, n, i) >= 0) {
			buf_putc(o, (uint8_t)hex_escape_at(p, n, i));
			i += 3;
		} else {
			buf_putc(o, '\\');
		}
		run = i + 1;
	}
	buf_append(o, p + run, n - run);
}

/* Zeek's JSON writes a string that is not clean UTF-8 with each other
 * byte as the text \xNN; those (and only bytes Zeek would have had to
 * escape) are turned back into bytes. */
static void json_decode_hex(struct buf *o, const char *p, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i + 3 < n; i++) {
		int c = hex_escape_at(p, n, i);
		if (c < 0 || ascii_is_print((uint8_t)c))
			continue;
		buf_append(o, p + run, i - run);
		buf_putc(o, (uint8_t)c);
		i += 3;
		run = i + 1;
	}
	buf_append(o, p + run, n - run);
}

static bool same(const char *p, size_t n, const char *s)
{
	return s && strlen(s) == n && memcmp(p, s, n) == 0;
}

static void tsv_scalar(struct logread *r, const char *p, size_t n, const char *type, bool elem)
{
	double d;
	if (elem && same(p, n, r->unset)) {
		buf_putc(&r->text, '-');
		return;
	}
	if (elem && same(p, n, r->empty)) {
		buf_append(&r->text, "(empty)", 7);
		return;
	}
	if (is_numeric_type(type) && parse_decimal(p, n, &d)) {
		put_number(&r->text, d);
		return;
	}
	buf_reset(&r->scratch);
	tsv_decode(&r->scratch, p, n);
	put_bytes(&r->text, (const char *)r->scratch.data, r->scratch.len, elem);
}

static void tsv_value(struct logread *r, const char *p, size_t n, const char *type)
{
	char et[64];
	if (same(p, n, r->unset)) {
		buf_putc(&r->text, '-');
		return;
	}
	if (same(p, n, r->empty)) {
		buf_append(&r->text, "(empty)", 7);
		return;
	}
	if (!elem_type(type, et, sizeof et)) {
		tsv_scalar(r, p, n, type, false);
		return;
	}
	size_t ss = strlen(r->set_sep);
	size_t start = 0;
	for (size_t i = 0; i + ss <= n; i++) {
		if (memcmp(p + i, r->set_sep, ss) != 0)
			continue;
		tsv_scalar(r, p + start, i - start, et, true);
		buf_putc(&r->text, ',');
		start = i + ss;
		i += ss - 1;
	}
	tsv_scalar(r, p + start, n - start, et, true);
}

static bool is_time_type(const char *t)
{
	return t && !strcmp(t, "time");
}

/* An object or an array inside an array: its JSON text, keys sorted. */
static void put_json_text(struct buf *o, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!s) {
		o->err = true;
		return;
	}
	put_bytes(o, s, strlen(s), true);
	free(s);
}

static void json_value(struct logread *r, json_t *v, const char *type, bool elem)
{
	struct buf *o = &r->text;
	double d;
	switch (json_typeof(v)) {
	case JSON_NULL:
		buf_putc(o, '-');
		break;
	case JSON_TRUE:
		buf_putc(o, 'T');
		break;
	case JSON_FALSE:
		buf_putc(o, 'F');
		break;
	case JSON_INTEGER: {
		json_int_t iv = json_integer_value(v);
		if (is_time_type(type)) {
			/* JSON::TS_MILLIS writes times as integer milliseconds. */
			put_number(o, (double)iv / 1000.0);
		} else if (is_numeric_type(type)) {
			put_number(o, (double)iv);
		} else {
			char t[32];
			int n = snprintf(t, sizeof t, "%" JSON_INTEGER_FORMAT, iv);
			buf_append(o, t, (size_t)n);
		}
		break;
	}
	case JSON_REAL:
		put_number(o, json_real_value(v));
		break;
	case JSON_STRING: {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if ((is_time_type(type) || !type) && parse_iso8601(s, n, &d)) {
			put_number(o, d);
		} else if (is_numeric_type(type) && parse_decimal(s, n, &d)) {
			put_number(o, d);
		} else {
			buf_reset(&r->scratch);
			json_decode_hex(&r->scratch, s, n);
			put_bytes(o, (const char *)r->scratch.data, r->scratch.len, elem);
		}
		break;
	}
	case JSON_ARRAY: {
		char et[64];
		const char *etp = elem_type(type, et, sizeof et) ? et : NULL;
		size_t n = json_array_size(v);
		if (elem) {
			put_json_text(o, v);
		} else if (n == 0) {
			buf_append(o, "(empty)", 7);
		} else {
			for (size_t i = 0; i < n; i++) {
				if (i)
					buf_putc(o, ',');
				json_value(r, json_array_get(v, i), etp, true);
			}
		}
		break;
	}
	case JSON_OBJECT:
		put_json_text(o, v);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

static struct logread_slot *slot_add(struct logread *r, size_t *n)
{
	if (*n == r->slots_cap) {
		size_t c = r->slots_cap ? r->slots_cap * 2 : 32;
		struct logread_slot *s = realloc(r->slots, c * sizeof *s);
		if (!s)
			return NULL;
		r->slots = s;
		r->slots_cap = c;
	}
	return &r->slots[(*n)++];
}

/* Turns the slots into the public field array. */
static int finish(struct logread *r, size_t n, struct logread_record *rec)
{
	if (buf_error(&r->text))
		return fail(r, "line %" PRIu64 ": record too large", r->file_line);
	if (n > r->f_cap) {
		struct logread_field *f = realloc(r->f, n * sizeof *f);
		if (!f)
			return fail(r, "out of memory");
		r->f = f;
		r->f_cap = n;
	}
	const char *base = (const char *)r->text.data;
	const struct logread_slot *slots = r->slots;
	for (size_t i = 0; i < n; i++) {
		r->f[i].name = slots[i].name_ptr ? slots[i].name_ptr : base + slots[i].name_off;
		r->f[i].val = base + slots[i].val_off;
		r->f[i].len = slots[i].val_len;
		r->f[i].pos = i;
	}
	rec->f = r->f;
	rec->n = n;
	rec->line = r->data_line;
	rec->raw = r->cur;
	rec->raw_len = r->cur_len;
	return 1;
}

static int tsv_record(struct logread *r, struct logread_record *rec)
{
	if (r->nfields == 0)
		return fail(r, "line %" PRIu64 ": data before #fields", r->file_line);
	size_t n = 0, sl = strlen(r->sep);
	const char *p = r->cur, *end = r->cur + r->cur_len;
	for (;;) {
		const char *q = p;
		while (q + sl <= end && memcmp(q, r->sep, sl) != 0)
			q++;
		if (q + sl > end)
			q = end;
		if (n >= r->nfields)
			return fail(r, "line %" PRIu64 ": more fields than #fields names (%zu)",
				    r->file_line, r->nfields);
		struct logread_slot *s = slot_add(r, &n);
		if (!s)
			return fail(r, "out of memory");
		s->name_ptr = r->names[n - 1];
		s->val_off = r->text.len;
		tsv_value(r, p, (size_t)(q - p), n - 1 < r->ntypes ? r->types[n - 1] : NULL);
		s->val_len = r->text.len - s->val_off;
		buf_putc(&r->text, '\0');
		if (q == end)
			break;
		p = q + sl;
	}
	if (n != r->nfields)
		return fail(r, "line %" PRIu64 ": %zu fields, #fields names %zu", r->file_line, n,
			    r->nfields);
	return finish(r, n, rec);
}

/* Flattens an object as Zeek's JSON writer does: "id": {"orig_h": ..}
 * is the field "id.orig_h". path holds the prefix. */
static int json_fields(struct logread *r, json_t *obj, struct buf *path, size_t *n)
{
	const char *key;
	json_t *v;
	size_t plen = path->len;
	json_object_foreach(obj, key, v)
	{
		path->len = plen;
		buf_append(path, key, strlen(key));
		if (json_is_object(v)) {
			buf_putc(path, '.');
			if (json_fields(r, v, path, n) < 0)
				return -1;
			continue;
		}
		buf_putc(path, '\0');
		if (buf_error(path))
			return fail(r, "out of memory");
		const char *name = (const char *)path->data;
		struct logread_slot *s = slot_add(r, n);
		if (!s)
			return fail(r, "out of memory");
		s->name_ptr = NULL;
		s->name_off = r->text.len;
		buf_append(&r->text, name, path->len);
		s->val_off = r->text.len;
		json_value(r, v, r->types_from ? logread_type(r->types_from, name) : NULL, false);
		s->val_len = r->text.len - s->val_off;
		buf_putc(&r->text, '\0');
	}
	path->len = plen;
	return 0;
}

/* The line with each masked time outside strings quoted, so that jansson
 * reads it as the string "XXXXXXXXXX.XXXXXX". */
static void quote_masks(struct buf *o, const char *p, size_t n)
{
	size_t ml = sizeof masked_ts - 1, run = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		if (in_str) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				in_str = false;
			continue;
		}
		if (p[i] == '"') {
			in_str = true;
		} else if (n - i >= ml && memcmp(p + i, masked_ts, ml) == 0) {
			buf_append(o, p + run, i - run);
			buf_putc(o, '"');
			buf_append(o, masked_ts, ml);
			buf_putc(o, '"');
			i += ml - 1;
			run = i + 1;
		}
	}
	buf_append(o, p + run, n - run);
}

static int json_record(struct logread *r, struct logread_record *rec)
{
	const char *p = r->cur;
	size_t len = r->cur_len;
	buf_reset(&r->scratch);
	if (strstr(r->cur, masked_ts)) {
		quote_masks(&r->scratch, r->cur, r->cur_len);
		if (buf_error(&r->scratch))
			return fail(r, "out of memory");
		p = (const char *)r->scratch.data;
		len = r->scratch.len;
	}
	json_error_t jerr;
	json_t *root = json_loadb(p, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!root)
		return fail(r, "line %" PRIu64 ": bad JSON: %s", r->file_line, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return fail(r, "line %" PRIu64 ": not a JSON object", r->file_line);
	}
	struct buf path;
	buf_init(&path, TEXT_MAX);
	size_t n = 0;
	int rc = json_fields(r, root, &path, &n);
	buf_free(&path);
	json_decref(root);
	if (rc < 0)
		return -1;
	return finish(r, n, rec);
}

/* ------------------------------------------------------------------ */
/* Header                                                              */

/* A header value with its \xNN escapes decoded (NUL bytes dropped). */
static char *meta_dup(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (hex_escape_at(p, n, i) >= 0) {
			char c = (char)hex_escape_at(p, n, i);
			if (c)
				s[k++] = c;
			i += 3;
		} else if (p[i]) {
			s[k++] = p[i];
		}
	}
	s[k] = '\0';
	return s;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int split_list(struct logread *r, const char *p, size_t n, char ***out, size_t *count)
{
	size_t sl = strlen(r->sep), cap = 16, k = 0;
	char **v = malloc(cap * sizeof *v);
	if (!v)
		return -1;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !(i + sl <= n && memcmp(p + i, r->sep, sl) == 0))
			continue;
		if (k == cap) {
			char **nv = realloc(v, cap * 2 * sizeof *v);
			if (!nv)
				goto oom;
			v = nv;
			cap *= 2;
		}
		if (!(v[k] = bytes_strdup(p + start, i - start)))
			goto oom;
		k++;
		start = i + sl;
		i += sl - 1;
	}
	*out = v;
	*count = k;
	return 0;
oom:
	free_list(v, k);
	return -1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct logread_name *)a)->name,
		      ((const struct logread_name *)b)->name);
}

static int index_names(struct logread *r)
{
	free(r->by_name);
	r->by_name = malloc((r->nfields ? r->nfields : 1) * sizeof *r->by_name);
	if (!r->by_name)
		return -1;
	for (size_t i = 0; i < r->nfields; i++) {
		r->by_name[i].name = r->names[i];
		r->by_name[i].idx = i;
	}
	qsort(r->by_name, r->nfields, sizeof *r->by_name, cmp_name);
	return 0;
}

static int set_meta(char **slot, const char *p, size_t n)
{
	char *s = meta_dup(p, n);
	if (!s)
		return -1;
	free(*slot);
	*slot = s;
	return 0;
}

/* One "#..." line of a TSV log. */
static int header_line(struct logread *r)
{
	const char *p = r->cur + 1, *end = r->cur + r->cur_len;
	if (r->cur_len >= 11 && memcmp(r->cur, "#separator ", 11) == 0)
		return set_meta(&r->sep, r->cur + 11, r->cur_len - 11) < 0 || !*r->sep
			   ? fail(r, "line %" PRIu64 ": bad #separator", r->file_line)
			   : 0;
	/* The key ends at the separator, or at a space: btest's canonifier
	 * writes "#open XXXX-XX-XX-XX-XX-XX" with one. */
	size_t sl = strlen(r->sep);
	const char *k = p;
	while (k < end && *k != ' ' && !(k + sl <= end && memcmp(k, r->sep, sl) == 0))
		k++;
	size_t klen = (size_t)(k - p);
	const char *v = k < end ? k + (*k == ' ' ? 1 : sl) : end;
	if (v > end)
		v = end;
	size_t vlen = (size_t)(end - v);
	if (same(p, klen, "open") || same(p, klen, "close"))
		return 0;
	int rc = 0;
	if (same(p, klen, "set_separator")) {
		rc = set_meta(&r->set_sep, v, vlen);
		if (rc == 0 && !*r->set_sep)
			return fail(r, "line %" PRIu64 ": empty #set_separator", r->file_line);
	} else if (same(p, klen, "empty_field")) {
		rc = set_meta(&r->empty, v, vlen);
	} else if (same(p, klen, "unset_field")) {
		rc = set_meta(&r->unset, v, vlen);
	} else if (same(p, klen, "fields")) {
		free_list(r->names, r->nfields);
		r->names = NULL;
		r->nfields = 0;
		rc = split_list(r, v, vlen, &r->names, &r->nfields);
		if (rc == 0)
			rc = index_names(r);
	} else if (same(p, klen, "types")) {
		free_list(r->types, r->ntypes);
		r->types = NULL;
		r->ntypes = 0;
		rc = split_list(r, v, vlen, &r->types, &r->ntypes);
	}
	if (rc < 0)
		return fail(r, "out of memory");
	for (size_t i = 0; i < r->nhdr; i++)
		if (same(p, klen, r->hdr[i].key))
			return 0;
	if (r->nhdr >= MAX_HEADERS)
		return 0;
	if (!r->hdr && !(r->hdr = calloc(MAX_HEADERS, sizeof *r->hdr)))
		return fail(r, "out of memory");
	struct logread_header *h = &r->hdr[r->nhdr];
	h->key = bytes_strdup(p, klen);
	h->value = bytes_strdup(v, vlen);
	if (!h->key || !h->value) {
		free(h->key);
		free(h->value);
		return fail(r, "out of memory");
	}
	r->nhdr++;
	return 0;
}

int logread_open(struct logread *r, const char *path)
{
	memset(r, 0, sizeof *r);
	r->path = path;
	buf_init(&r->text, TEXT_MAX);
	buf_init(&r->scratch, TEXT_MAX);
	if (!(r->sep = bytes_strdup("\t", 1)) || !(r->set_sep = bytes_strdup(",", 1)) ||
	    !(r->empty = bytes_strdup("(empty)", 7)) || !(r->unset = bytes_strdup("-", 1)))
		return fail(r, "out of memory");
	r->lb_cap = LB_INITIAL;
	if (!(r->lb = malloc(r->lb_cap)))
		return fail(r, "out of memory");
	errno = 0;
	r->gz = gzopen(path, "rb");
	if (!r->gz)
		return fail(r, "%s", errno ? strerror(errno) : "cannot open");
	gzbuffer(r->gz, 128 << 10);

	int rc = read_line(r);
	if (rc > 0 && r->cur_len >= 4 && memcmp(r->cur, "### ", 4) == 0)
		rc = read_line(r);
	if (rc <= 0) {
		r->fmt = LOGREAD_EMPTY;
		return rc;
	}
	const char *p = r->cur;
	while (*p == ' ' || *p == '\t')
		p++;
	if (r->cur[0] == '#') {
		r->fmt = LOGREAD_TSV;
		while (rc > 0 && r->cur[0] == '#') {
			if (header_line(r) < 0)
				return -1;
			rc = read_line(r);
		}
		if (rc < 0)
			return -1;
		r->pending = rc > 0;
		return 0;
	}
	if (*p == '{') {
		r->fmt = LOGREAD_JSON;
		r->pending = true;
		return 0;
	}
	return fail(r, "line %" PRIu64 ": not a Zeek log (neither a TSV header nor a JSON object)",
		    r->file_line);
}

int logread_next(struct logread *r, struct logread_record *rec)
{
	for (;;) {
		if (!r->pending) {
			int rc = read_line(r);
			if (rc <= 0)
				return rc;
		}
		r->pending = false;
		if (r->cur_len == 0)
			continue;
		if (r->fmt == LOGREAD_TSV && r->cur[0] == '#') {
			if (header_line(r) < 0)
				return -1;
			continue;
		}
		break;
	}
	r->data_line++;
	buf_reset(&r->text);
	return r->fmt == LOGREAD_TSV ? tsv_record(r, rec) : json_record(r, rec);
}

void logread_close(struct logread *r)
{
	if (r->gz)
		gzclose(r->gz);
	free(r->lb);
	free(r->sep);
	free(r->set_sep);
	free(r->empty);
	free(r->unset);
	free_list(r->names, r->nfields);
	free_list(r->types, r->ntypes);
	free(r->by_name);
	for (size_t i = 0; i < r->nhdr; i++) {
		free(r->hdr[i].key);
		free(r->hdr[i].value);
	}
	free(r->hdr);
	buf_free(&r->text);
	buf_free(&r->scratch);
	free(r->f);
	free(r->slots);
	memset(r, 0, sizeof *r);
}

const char *logread_type(const struct logread *r, const char *name)
{
	if (!r || r->fmt != LOGREAD_TSV || !r->by_name)
		return NULL;
	struct logread_name key = {name, 0};
	const struct logread_name *hit =
	    bsearch(&key, r->by_name, r->nfields, sizeof *r->by_name, cmp_name);
	return hit && hit->idx < r->ntypes ? r->types[hit->idx] : NULL;
}

const char *logread_header(const struct logread *r, const char *key)
{
	for (size_t i = 0; i < r->nhdr; i++)
		if (!strcmp(r->hdr[i].key, key))
			return r->hdr[i].value;
	return NULL;
}
