#include "output/tsv.h"

#include <string.h>

#include "core/numtext.h"
#include "output/escape.h"
#include "output/limits.h"
#include "output/numfmt.h"
#include "output/text.h"

/* LogAscii defaults; the writer offers no way to change them. */
#define TSV_SEPARATOR '\t'
#define TSV_SET_SEPARATOR ','
#define TSV_EMPTY_FIELD "(empty)"
#define TSV_UNSET_FIELD "-"

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

static void tsv_meta_line(struct buf *out, const char *key, const char *value)
{
	buf_putc(out, '#');
	buf_puts(out, key);
	buf_putc(out, TSV_SEPARATOR);
	escape_append_tsv_meta(out, value, strlen(value));
	buf_putc(out, '\n');
}

static void tsv_header(struct buf *out, const struct log_schema *schema,
		       const char *open_time)
{
	/* Line 1 uses a space: a reader cannot know the separator yet. */
	buf_puts(out, "#separator ");
	escape_append_tsv_meta(out, "\t", 1);
	buf_putc(out, '\n');
	tsv_meta_line(out, "set_separator", ",");
	tsv_meta_line(out, "empty_field", TSV_EMPTY_FIELD);
	tsv_meta_line(out, "unset_field", TSV_UNSET_FIELD);
	tsv_meta_line(out, "path", schema->path);
	tsv_meta_line(out, "open", open_time);

	buf_puts(out, "#fields");
	for (size_t i = 0; i < schema->n_fields; i++) {
		buf_putc(out, TSV_SEPARATOR);
		buf_puts(out, schema->fields[i].name);
	}
	buf_puts(out, "\n#types");
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct log_field *f = &schema->fields[i];
		buf_putc(out, TSV_SEPARATOR);
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
		       const char *close_time)
{
	(void)schema;
	tsv_meta_line(out, "close", close_time);
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

static void tsv_record(struct buf *out, const struct log_schema *schema,
		       const struct log_value *values,
		       const struct log_format *fmt)
{
	struct limits_budget budget;
	limits_begin(&budget, fmt);
	size_t start = out->len;
	for (size_t i = 0; i < schema->n_fields; i++) {
		if (i)
			buf_putc(out, TSV_SEPARATOR);
		tsv_put_field(out, &schema->fields[i], &values[i], &budget);
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
