#include "output/json.h"

#include <string.h>

#include "core/numtext.h"
#include "output/escape.h"
#include "output/limits.h"
#include "output/numfmt.h"
#include "output/text.h"

/* Ascii::InitFormatter: JSON turns include_meta off. */
static void json_header(struct buf *out, const struct log_schema *schema,
			const struct log_format *fmt, const char *open_time)
{
	(void)out;
	(void)schema;
	(void)fmt;
	(void)open_time;
}

static void json_footer(struct buf *out, const struct log_schema *schema,
			const struct log_format *fmt, const char *close_time)
{
	(void)out;
	(void)schema;
	(void)fmt;
	(void)close_time;
}

static void json_put_addr(struct buf *out, const struct sl_addr *a)
{
	buf_putc(out, '"');
	text_put_addr(out, a);
	buf_putc(out, '"');
}

static void json_put_time(struct buf *out, double t, enum log_json_ts ts)
{
	char num[NUMFMT_MAX];
	switch (ts) {
	case LOG_JSON_TS_ISO8601:
		buf_putc(out, '"');
		buf_append(out, num, numfmt_format_iso8601(t, num));
		buf_putc(out, '"');
		return;
	case LOG_JSON_TS_MILLIS:
		buf_append(out, num, numtext_i64(numfmt_millis(t), num));
		return;
	case LOG_JSON_TS_EPOCH:
		break;
	}
	buf_append(out, num, numfmt_format_json_double(t, num));
}

/* One value without its key; a missing one (a vector hole) is null. */
static void json_put_value(struct buf *out, enum log_type type,
			   const struct log_value *v,
			   const struct log_format *fmt,
			   struct limits_budget *budget)
{
	char num[NUMFMT_MAX];
	if (!v->present) {
		buf_append(out, "null", 4);
		return;
	}
	if (text_put_integer(out, type, v))
		return;
	switch (type) {
	case LOG_BOOL:
		if (v->u.b)
			buf_append(out, "true", 4);
		else
			buf_append(out, "false", 5);
		break;
	case LOG_TIME:
		json_put_time(out, v->u.d, fmt->json_ts);
		break;
	case LOG_INTERVAL:
	case LOG_DOUBLE:
		buf_append(out, num, numfmt_format_json_double(v->u.d, num));
		break;
	case LOG_STRING:
		escape_append_json(out, v->u.str.p,
				   limits_take_string(budget, v->u.str.n));
		break;
	case LOG_ENUM:
		escape_append_json(out, v->u.str.p, v->u.str.n);
		break;
	case LOG_ADDR:
		json_put_addr(out, &v->u.addr);
		break;
	case LOG_SUBNET:
		buf_putc(out, '"');
		text_put_subnet(out, &v->u.subnet);
		buf_putc(out, '"');
		break;
	default:
		break;
	}
}

static void json_record(struct buf *out, const struct log_schema *schema,
			const struct log_value *values,
			const struct log_format *fmt, struct log_writer_state *state)
{
	(void)state;
	struct limits_budget budget;
	limits_begin(&budget, fmt);
	bool first = true;
	buf_putc(out, '{');
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct log_field *f = &schema->fields[i];
		const struct log_value *v = &values[i];
		if (!v->present)
			continue;	/* json_include_unset_fields = F */
		if (!first)
			buf_putc(out, ',');
		first = false;
		escape_append_json_raw(out, f->name, strlen(f->name));
		buf_putc(out, ':');
		if (f->container == LOG_SCALAR) {
			json_put_value(out, f->type, v, fmt, &budget);
			continue;
		}
		size_t n = limits_take_container(&budget, v->u.list.n);
		buf_putc(out, '[');
		for (size_t j = 0; j < n; j++) {
			if (j)
				buf_putc(out, ',');
			json_put_value(out, f->type, &v->u.list.items[j], fmt,
				       &budget);
		}
		buf_putc(out, ']');
	}
	buf_append(out, "}\n", 2);
}

const struct log_writer_ops json_writer_ops = {
	.name = "json",
	.header = json_header,
	.record = json_record,
	.footer = json_footer,
};
