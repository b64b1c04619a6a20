#include "proto/known_certs.h"

#include <stdio.h>
#include <string.h>

/* Known::certs has &create_expire=1day. */
#define KNOWN_CERTS_EXPIRE 86400.0

static const struct log_field known_certs_fields[] = {
    {"ts", LOG_TIME, LOG_SCALAR},
    {"host", LOG_ADDR, LOG_SCALAR},
    {"port_num", LOG_PORT, LOG_SCALAR},
    {"subject", LOG_STRING, LOG_SCALAR},
    {"issuer_subject", LOG_STRING, LOG_SCALAR},
    {"serial", LOG_STRING, LOG_SCALAR},
};

const struct log_schema known_certs_schema = {
    .path = "known_certs",
    .fields = known_certs_fields,
    .n_fields = sizeof known_certs_fields / sizeof known_certs_fields[0],
};

struct x509_dedup *known_certs_new(void)
{
	return x509_dedup_new(KNOWN_CERTS_EXPIRE);
}

bool known_certs_check(struct x509_dedup *set, double now, const struct sl_addr *host,
		       const char *sha1)
{
	char key[128], addr[SL_ADDR_TEXT_MAX];
	sl_addr_format(host, addr);
	snprintf(key, sizeof key, "%.40s %s", sha1, addr);
	return x509_dedup_check(set, now, key, false, false);
}

static struct log_value text(const struct x509_str *x)
{
	struct log_value v = {.present = x->p != NULL};
	v.u.str.p = x->p;
	v.u.str.n = x->n;
	return v;
}

int known_certs_write(struct log_stream *s, double ts, const struct sl_addr *host,
		      uint16_t port, const struct x509_info *c)
{
	struct log_value v[6];
	memset(v, 0, sizeof v);
	v[0].present = v[1].present = v[2].present = true;
	v[0].u.d = ts;
	v[1].u.addr = *host;
	v[2].u.port = port;
	v[3] = text(&c->subject);
	v[4] = text(&c->issuer);
	v[5] = text(&c->serial);
	return log_stream_write(s, v);
}
