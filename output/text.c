#include "output/text.h"

#include "core/numtext.h"
#include "output/numfmt.h"

bool text_put_integer(struct buf *out, enum log_type type, const struct log_value *v)
{
	char num[NUMFMT_MAX];
	switch (type) {
	case LOG_COUNT:
		buf_append(out, num, numtext_u64(v->u.count, num));
		return true;
	case LOG_INT:
		buf_append(out, num, numtext_i64(v->u.i, num));
		return true;
	case LOG_PORT:
		buf_append(out, num, numtext_u64(v->u.port, num));
		return true;
	default:
		return false;
	}
}

void text_put_addr(struct buf *out, const struct sl_addr *a)
{
	char text[SL_ADDR_TEXT_MAX];
	buf_append(out, text, sl_addr_format(a, text));
}

void text_put_subnet(struct buf *out, const struct sl_subnet *s)
{
	char num[NUMFMT_MAX];
	unsigned prefix = s->prefix;
	/* IPv4 prefixes are stored in IPv6 bits (/24 as 120). */
	if (sl_addr_is_v4(&s->net) && prefix >= 96)
		prefix -= 96;
	text_put_addr(out, &s->net);
	buf_putc(out, '/');
	buf_append(out, num, numtext_u64(prefix, num));
}
