#include "proto/ssl_log.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/scripts.h"
#include "proto/tls_options.h"
#include "proto/tls_record.h"

/* ---- ssl.log's columns ---- */

/* ssl.log's columns; the SSL::log_include_*_certificate_subject_issuer
 * options insert theirs before sni_matches_cert (files.zeek's order). */
static const struct log_field ssl_fields_head[] = {
    LOG_FIELDS_TS_UID_ID,
    {"version", LOG_STRING, LOG_SCALAR},
    {"cipher", LOG_STRING, LOG_SCALAR},
    {"curve", LOG_STRING, LOG_SCALAR},
    {"server_name", LOG_STRING, LOG_SCALAR},
    {"resumed", LOG_BOOL, LOG_SCALAR},
    {"last_alert", LOG_STRING, LOG_SCALAR},
    {"next_protocol", LOG_STRING, LOG_SCALAR},
    {"established", LOG_BOOL, LOG_SCALAR},
    {"ssl_history", LOG_STRING, LOG_SCALAR},
    {"cert_chain_fps", LOG_STRING, LOG_VECTOR},
    {"client_cert_chain_fps", LOG_STRING, LOG_VECTOR},
};
static const struct log_field ssl_fields_server_si[] = {
    {"subject", LOG_STRING, LOG_SCALAR},
    {"issuer", LOG_STRING, LOG_SCALAR},
};
static const struct log_field ssl_fields_client_si[] = {
    {"client_subject", LOG_STRING, LOG_SCALAR},
    {"client_issuer", LOG_STRING, LOG_SCALAR},
};
/* validation_status (policy/protocols/ssl/validate-certs, local mode)
 * would plug in after this (§4.9). */
static const struct log_field ssl_field_sni = {"sni_matches_cert", LOG_BOOL, LOG_SCALAR};
static const struct log_field ssl_field_cas = {"requested_client_certificate_authorities",
					       LOG_STRING, LOG_VECTOR};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
static void append_fields(struct log_schema *sc, struct log_field *to, const struct log_field *from,
			  size_t n)
{
	memcpy(to + sc->n_fields, from, n * sizeof *from);
	sc->n_fields += n;
}

void ssl_log_schema_init(struct ssl_log_schema *s, const struct config *cfg,
			 const struct tls_options *opts)
{
	memset(s, 0, sizeof *s);
	s->server_si = opts->server_subject_issuer;
	s->client_si = opts->client_subject_issuer;
	s->cert_request_info = (cfg->scripts & SCRIPT_CERT_REQUEST_INFO) != 0;
	s->schema.path = "ssl";
	s->schema.fields = s->fields;
	append_fields(&s->schema, s->fields, ssl_fields_head, N_OF(ssl_fields_head));
	if (s->server_si)
		append_fields(&s->schema, s->fields, ssl_fields_server_si,
			      N_OF(ssl_fields_server_si));
	if (s->client_si)
		append_fields(&s->schema, s->fields, ssl_fields_client_si,
			      N_OF(ssl_fields_client_si));
	append_fields(&s->schema, s->fields, &ssl_field_sni, 1);
	if (s->cert_request_info)
		append_fields(&s->schema, s->fields, &ssl_field_cas, 1);
}

/* ---- the record ---- */

void ssl_info_init(struct ssl_info *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->server_name, 65536);
	buf_init(&r->next_protocol, 256);
	buf_init(&r->cas, 1 << 20);
}

void ssl_info_free(struct ssl_info *r)
{
	buf_free(&r->server_name);
	buf_free(&r->next_protocol);
	buf_free(&r->cas);
	free(r->cas_end);
	free(r->fps[0]);
	free(r->fps[1]);
	x509_info_free(&r->first_server.own);
	x509_info_free(&r->first_client.own);
}

/* ---- the line ---- */

static struct log_value str_value(const char *s)
{
	struct log_value v = {.present = s != NULL};
	if (s) {
		v.u.str.p = s;
		v.u.str.n = strlen(s);
	}
	return v;
}

static struct log_value buf_value(bool present, const struct buf *b)
{
	struct log_value v = {.present = present};
	if (present) {
		v.u.str.p = b->data ? (const char *)b->data : "";
		v.u.str.n = b->len;
	}
	return v;
}

static struct log_value xstr_value(const struct x509_str *x)
{
	struct log_value v = {.present = x->p != NULL};
	if (x->p) {
		v.u.str.p = x->p;
		v.u.str.n = x->n;
	}
	return v;
}

/* consts.zeek tables default to "unknown-<decimal>". */
static const char *name_or_unknown(const char *name, uint32_t code, char *tmp, size_t n)
{
	if (name)
		return name;
	snprintf(tmp, n, "unknown-%u", (unsigned)code);
	return tmp;
}

/* One name of the certificate against server_name (§4.8, Zeek's
 * check_hostname in X509.cc): exact, case-sensitive; or a wildcard
 * directly before the name's first dot. */
static bool hostname_matches(const char *name, size_t name_n, const uint8_t *sni, size_t sni_n)
{
	if (name_n == sni_n && memcmp(name, sni, sni_n) == 0)
		return true;
	const char *dot = memchr(name, '.', name_n);
	if (!dot || dot == name || dot[-1] != '*')
		return false;
	size_t dots = 0;
	for (size_t k = 0; k < name_n; k++)
		dots += name[k] == '.';
	if (dots < 2)
		return false;
	const uint8_t *sdot = memchr(sni, '.', sni_n);
	if (!sdot)
		return false;
	size_t rest = name_n - (size_t)(dot - name);
	if (rest != sni_n - (size_t)(sdot - sni) || memcmp(dot, sdot, rest) != 0)
		return false;
	size_t prefix = (size_t)(dot - name) - 1; /* before the '*' */
	return prefix <= sni_n && memcmp(name, sni, prefix) == 0;
}

/* sni_matches_cert: -1 unset, else 0/1. Set when server_name is and the
 * first server certificate parsed: its SAN DNS names if it has a SAN
 * extension, otherwise its last CN. */
static int sni_matches_cert(const struct ssl_info *r)
{
	if (!r->has_server_name || !r->first_server.info)
		return -1;
	const struct x509_info *c = r->first_server.info;
	const uint8_t *sni = r->server_name.data ? r->server_name.data : (const uint8_t *)"";
	size_t sni_n = r->server_name.len;
	if (c->has_san) {
		for (size_t k = 0; k < c->san_dns.n; k++)
			if (hostname_matches(c->san_dns.items[k].p, c->san_dns.items[k].n, sni,
					     sni_n))
				return 1;
		return 0;
	}
	if (c->cn.p && hostname_matches(c->cn.p, c->cn.n, sni, sni_n))
		return 1;
	return 0;
}

int ssl_log_write(struct log_stream *ls, const struct ssl_log_schema *s, const struct ssl_info *r,
		  const char *uid, const struct analyzer_conn *c)
{
	struct log_value v[SSL_MAX_FIELDS];
	char vbuf[32], cbuf[32], kbuf[32], abuf[32];
	memset(v, 0, sizeof v);

	int err = -ENOMEM;
	struct log_value *items[3] = {NULL, NULL, NULL};
	size_t n_items[3] = {r->n_fps[0], r->n_fps[1], r->n_cas};
	for (int k = 0; k < 3; k++)
		if (!(items[k] = calloc(n_items[k] ? n_items[k] : 1, sizeof *items[k])))
			goto out;

	size_t i = log_put_ts_uid_id(v, r->ts, uid, &c->orig_h, c->orig_p, &c->resp_h, c->resp_p);
	v[i++] =
	    str_value(r->has_version ? tls_version_name(r->version_num, vbuf, sizeof vbuf) : NULL);
	v[i++] = str_value(r->has_cipher ? name_or_unknown(tls_cipher_name(r->cipher), r->cipher,
							   cbuf, sizeof cbuf)
					 : NULL);
	v[i++] = str_value(
	    r->has_curve ? name_or_unknown(tls_curve_name(r->curve), r->curve, kbuf, sizeof kbuf)
			 : NULL);
	v[i++] = buf_value(r->has_server_name, &r->server_name);
	v[i].present = true;
	v[i++].u.b = r->resumed;
	v[i++] = str_value(r->has_alert ? name_or_unknown(tls_alert_name(r->last_alert),
							  r->last_alert, abuf, sizeof abuf)
					: NULL);
	v[i++] = buf_value(r->has_next_protocol, &r->next_protocol);
	v[i].present = true;
	v[i++].u.b = r->established;
	v[i].present = true;
	v[i].u.str.p = r->history;
	v[i++].u.str.n = r->history_n;
	for (int k = 0; k < 2; k++) {
		for (size_t j = 0; j < r->n_fps[k]; j++) {
			items[k][j].present = true;
			items[k][j].u.str.p = r->fps[k][j];
			items[k][j].u.str.n = SSL_SHA256_HEX;
		}
		v[i].present = r->has_certs;
		v[i].u.list.items = items[k];
		v[i++].u.list.n = r->n_fps[k];
	}
	/* ssl_finishing: subject and issuer of each side's first certificate
	 * when it parsed. */
	if (s->server_si) {
		if (r->first_server.info) {
			v[i] = xstr_value(&r->first_server.info->subject);
			v[i + 1] = xstr_value(&r->first_server.info->issuer);
		}
		i += 2;
	}
	if (s->client_si) {
		if (r->first_client.info) {
			v[i] = xstr_value(&r->first_client.info->subject);
			v[i + 1] = xstr_value(&r->first_client.info->issuer);
		}
		i += 2;
	}
	int sni = sni_matches_cert(r);
	if (sni >= 0) {
		v[i].present = true;
		v[i].u.b = sni == 1;
	}
	i++;
	if (s->cert_request_info) {
		for (size_t j = 0; j < r->n_cas; j++) {
			size_t from = j ? r->cas_end[j - 1] : 0;
			items[2][j].present = true;
			items[2][j].u.str.p = r->cas.data ? (const char *)r->cas.data + from : "";
			items[2][j].u.str.n = r->cas_end[j] - from;
		}
		v[i].present = r->has_cas;
		v[i].u.list.items = items[2];
		v[i++].u.list.n = r->n_cas;
	}
	/* The values go by position: every field of this run's schema, once. */
	assert(i == s->schema.n_fields);

	err = log_stream_write(ls, v);
out:
	for (int k = 0; k < 3; k++)
		free(items[k]);
	return err;
}

