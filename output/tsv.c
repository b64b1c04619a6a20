#include "output/tsv.h"

#include <string.h>

#include "core/numtext.h"
#include "output/escape.h"
#include "output/limits.h"
#include "output/numfmt.h"
#include "output/text.h"

/* LogAscii's defaults, rendered by the fast path below; other values
 * (fmt->ascii.custom) take the general path further down. */
#define TSV_SEPARATOR '\t'
#define TSV_SET_SEPARATOR ','
#define TSV_EMPTY_FIELD "(empty)"
#define TSV_UNSET_FIELD "-"

static bool tsv_custom(const struct log_format *fmt)
{
	return fmt && fmt->ascii.custom;
}

static void tsv_put_text(struct buf *out, const struct log_text *t)
{
	buf_append(out, t->p, t->n);
}

static const char *tsv_type_name(enum log_type t)
{
	switch (t) {
	case LOG_BOOL: return "bool";
	case LOG_COUNT: return "count";
	case LOG_INT: return "int";
	case LOG_PORT: return "port";
	case LOG_TIME: return "time";
	case LOG_INTERVAL: return "interval";
	case LOG_DOUBLE: return "double";
	case LOG_STRING: return "string";
	case LOG_ENUM: return "enum";
	case LOG_ADDR: return "addr";
	case LOG_SUBNET: return "subnet";
	}
	return "unknown";
}

/* Ascii::WriteHeaderField: prefix, key, the separator, the value. */
static void tsv_meta_line(struct buf *out, const struct log_format *fmt, const char *key,
			  const char *value, size_t n)
{
	buf_putc(out, '#');
	buf_puts(out, key);
	if (tsv_custom(fmt))
		tsv_put_text(out, &fmt->ascii.separator);
	else
		buf_putc(out, TSV_SEPARATOR);
	escape_append_tsv_meta(out, value, n);
	buf_putc(out, '\n');
}

static void tsv_put_separator(struct buf *out, const struct log_format *fmt)
{
	if (tsv_custom(fmt))
		tsv_put_text(out, &fmt->ascii.separator);
	else
		buf_putc(out, TSV_SEPARATOR);
}

static void tsv_header(struct buf *out, const struct log_schema *schema,
		       const struct log_format *fmt, const char *open_time)
{
	if (fmt && fmt->ascii.no_meta)
		return;
	const struct log_ascii *a = tsv_custom(fmt) ? &fmt->ascii : NULL;
	/* Line 1 uses a space: a reader cannot know the separator yet. */
	buf_puts(out, "#separator ");
	if (a)
		escape_append_tsv_meta(out, a->separator.p, a->separator.n);
	else
		escape_append_tsv_meta(out, "\t", 1);
	buf_putc(out, '\n');
	if (a) {
		tsv_meta_line(out, fmt, "set_separator", a->set_separator.p, a->set_separator.n);
		tsv_meta_line(out, fmt, "empty_field", a->empty_field.p, a->empty_field.n);
		tsv_meta_line(out, fmt, "unset_field", a->unset_field.p, a->unset_field.n);
	} else {
		tsv_meta_line(out, fmt, "set_separator", ",", 1);
		tsv_meta_line(out, fmt, "empty_field", TSV_EMPTY_FIELD, sizeof TSV_EMPTY_FIELD - 1);
		tsv_meta_line(out, fmt, "unset_field", TSV_UNSET_FIELD, 1);
	}
	tsv_meta_line(out, fmt, "path", schema->path, strlen(schema->path));
	tsv_meta_line(out, fmt, "open", open_time, strlen(open_time));

	/* #fields and #types are written raw (Ascii::WriteHeader). */
	buf_puts(out, "#fields");
	for (size_t i = 0; i < schema->n_fields; i++) {
		tsv_put_separator(out, fmt);
		buf_puts(out, schema->fields[i].name);
	}
	buf_puts(out, "\n#types");
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct log_field *f = &schema->fields[i];
		tsv_put_separator(out, fmt);
		if (f->container == LOG_SET)
			buf_puts(out, "set[");
		else if (f->container == LOG_VECTOR)
			buf_puts(out, "vector[");
		buf_puts(out, tsv_type_name(f->type));
		if (f->container != LOG_SCALAR)
			buf_putc(out, ']');
	}
	buf_putc(out, '\n');
}

static void tsv_footer(struct buf *out, const struct log_schema *schema,
		       const struct log_format *fmt, const char *close_time)
{
	(void)schema;
	if (fmt && fmt->ascii.no_meta)
		return;
	tsv_meta_line(out, fmt, "close", close_time, strlen(close_time));
}

/* One scalar value, or one element when in_container. */
static void tsv_put_value(struct buf *out, enum log_type type,
			  const struct log_value *v, bool in_container,
			  struct limits_budget *budget)
{
	char num[NUMFMT_MAX];
	if (!v->present) {
		buf_append(out, TSV_UNSET_FIELD, 1);
		return;
	}
	if (text_put_integer(out, type, v))
		return;
	switch (type) {
	case LOG_BOOL:
		buf_putc(out, v->u.b ? 'T' : 'F');
		break;
	case LOG_TIME:
	case LOG_INTERVAL:
		buf_append(out, num, numtext_fixed6(v->u.d, num));
		break;
	case LOG_DOUBLE:
		buf_append(out, num, numtext_double(v->u.d, num));
		break;
	case LOG_STRING:
		escape_append_tsv(out, v->u.str.p,
				  limits_take_string(budget, v->u.str.n),
				  in_container);
		break;
	case LOG_ENUM:
		escape_append_tsv(out, v->u.str.p, v->u.str.n, in_container);
		break;
	case LOG_ADDR:
		text_put_addr(out, &v->u.addr);
		break;
	case LOG_SUBNET:
		text_put_subnet(out, &v->u.subnet);
		break;
	default:
		break;
	}
}

static void tsv_put_field(struct buf *out, const struct log_field *f,
			  const struct log_value *v, struct limits_budget *budget)
{
	if (f->container == LOG_SCALAR || !v->present) {
		tsv_put_value(out, f->type, v, false, budget);
		return;
	}
	size_t n = limits_take_container(budget, v->u.list.n);
	if (n == 0) {
		buf_append(out, TSV_EMPTY_FIELD, sizeof TSV_EMPTY_FIELD - 1);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(out, TSV_SET_SEPARATOR);
		tsv_put_value(out, f->type, &v->u.list.items[i], true, budget);
	}
}

/* ---- the general path: any LogAscii separators and markers ---- */

/* Zeek's formatter::Ascii::Describe for one value, with the escapes of
 * `seqs` (ODesc::Add escapes everything it is given, numbers included;
 * only the separators between fields and elements are added raw). */
struct tsv_custom_ctx {
	const struct log_ascii *a;
	struct limits_budget *budget;
};

/* Re-renders what was appended since `start` through the escaper. The
 * texts that come here (numbers, addresses, T/F) are short. */
static void tsv_escape_since(struct buf *out, size_t start, const struct escape_seqs *seqs)
{
	char tmp[128];
	size_t n = out->len - start;
	if (buf_error(out) || n == 0 || n > sizeof tmp)
		return;
	memcpy(tmp, out->data + start, n);
	out->len = start;
	escape_append_desc(out, tmp, n, seqs);
}

/* escapeReservedContent: the first byte as \xNN, the rest escaped. */
static bool tsv_reserved(struct buf *out, const struct log_text *r, const char *p, size_t n,
			 const struct escape_seqs *seqs)
{
	if (n != r->n || memcmp(p, r->p, n) != 0)
		return false;
	static const char hex[] = "0123456789abcdef";
	uint8_t c = (uint8_t)p[0];
	char t[4] = {'\\', 'x', hex[c >> 4], hex[c & 0xf]};
	buf_append(out, t, 4);
	escape_append_desc(out, p + 1, n - 1, seqs);
	return true;
}

static void tsv_custom_value(struct buf *out, enum log_type type, const struct log_value *v,
			     const struct tsv_custom_ctx *cx, const struct escape_seqs *seqs)
{
	const struct log_ascii *a = cx->a;
	char num[NUMFMT_MAX];
	if (!v->present) {
		escape_append_desc(out, a->unset_field.p, a->unset_field.n, seqs);
		return;
	}
	size_t start = out->len;
	if (type == LOG_STRING || type == LOG_ENUM) {
		size_t n = type == LOG_STRING ? limits_take_string(cx->budget, v->u.str.n)
					      : v->u.str.n;
		if (n == 0)
			escape_append_desc(out, a->empty_field.p, a->empty_field.n, seqs);
		else if (!tsv_reserved(out, &a->unset_field, v->u.str.p, n, seqs) &&
			 !tsv_reserved(out, &a->empty_field, v->u.str.p, n, seqs))
			escape_append_desc(out, v->u.str.p, n, seqs);
		return;
	}
	if (!text_put_integer(out, type, v)) {
		switch (type) {
		case LOG_BOOL:
			buf_putc(out, v->u.b ? 'T' : 'F');
			break;
		case LOG_TIME:
		case LOG_INTERVAL:
			buf_append(out, num, numtext_fixed6(v->u.d, num));
			break;
		case LOG_DOUBLE:
			buf_append(out, num, numtext_double(v->u.d, num));
			break;
		case LOG_ADDR:
			text_put_addr(out, &v->u.addr);
			break;
		case LOG_SUBNET:
			text_put_subnet(out, &v->u.subnet);
			break;
		default:
			break;
		}
	}
	tsv_escape_since(out, start, seqs);
}

static void tsv_custom_record(struct buf *out, const struct log_schema *schema,
			      const struct log_value *values, const struct log_format *fmt,
			      struct limits_budget *budget, struct log_writer_state *st)
{
	const struct log_ascii *a = &fmt->ascii;
	struct tsv_custom_ctx cx = {a, budget};
	/* Outside sets: the separator (InitFormatter's AddEscapeSequence);
	 * inside: the set separator too, for as long as the set lasts. */
	struct escape_seqs outer = {.n = 0}, inner = {.n = 0};
	bool same = a->separator.n == a->set_separator.n &&
		    memcmp(a->separator.p, a->set_separator.p, a->separator.n) == 0;
	escape_seqs_insert(&inner, a->separator.p, a->separator.n);
	escape_seqs_insert(&inner, a->set_separator.p, a->set_separator.n);
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct log_field *f = &schema->fields[i];
		const struct log_value *v = &values[i];
		outer.n = 0;
		if (!st->separator_unescaped)
			escape_seqs_insert(&outer, a->separator.p, a->separator.n);
		if (i)
			tsv_put_text(out, &a->separator);
		if (f->container == LOG_SCALAR || !v->present) {
			tsv_custom_value(out, f->type, v, &cx, &outer);
			continue;
		}
		size_t n = limits_take_container(budget, v->u.list.n);
		if (n == 0) {
			escape_append_desc(out, a->empty_field.p, a->empty_field.n, &outer);
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			if (j)
				tsv_put_text(out, &a->set_separator);
			tsv_custom_value(out, f->type, &v->u.list.items[j], &cx, &inner);
		}
		/* RemoveEscapeSequence(set_separator) took the separator too. */
		if (same)
			st->separator_unescaped = true;
	}
}

static void tsv_record(struct buf *out, const struct log_schema *schema,
		       const struct log_value *values,
		       const struct log_format *fmt, struct log_writer_state *state)
{
	struct limits_budget budget;
	limits_begin(&budget, fmt);
	size_t start = out->len;
	if (tsv_custom(fmt)) {
		struct log_writer_state fresh = {false};
		tsv_custom_record(out, schema, values, fmt, &budget, state ? state : &fresh);
	} else {
		for (size_t i = 0; i < schema->n_fields; i++) {
			if (i)
				buf_putc(out, TSV_SEPARATOR);
			tsv_put_field(out, &schema->fields[i], &values[i], &budget);
		}
	}
	buf_putc(out, '\n');

	/* Step D: a data line must not look like a meta line. Rare, so the
	 * byte is patched afterwards rather than tracked while rendering. */
	if (!buf_error(out) && out->len > start && out->data[start] == '#') {
		size_t line = out->len - start;
		if (buf_append(out, "...", 3)) {
			memmove(out->data + start + 4, out->data + start + 1,
				line - 1);
			memcpy(out->data + start, "\\x23", 4);
		}
	}
}

const struct log_writer_ops tsv_writer_ops = {
	.name = "tsv",
	.header = tsv_header,
	.record = tsv_record,
	.footer = tsv_footer,
};
