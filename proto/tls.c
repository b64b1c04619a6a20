#include "proto/tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/buf.h"
#include "core/cursor.h"
#include "core/config.h"
#include "core/files.h"
#include "proto/known_certs.h"
#include "proto/ssl_log.h"
#include "proto/tls_options.h"
#include "proto/tls_record.h"
#include "proto/x509.h"
#include "proto/x509_cache.h"
#include "proto/x509_dedup.h"
#include "proto/scripts.h"

struct tls {
	struct analyzer_ctx *ctx;
	struct tls_parser parser;
	struct ssl_info info;
	bool done; /* analyzer removed itself */
};

/* What the run's options make of the two logs, built once per run. */
struct tls_run {
	struct x509_dedup *dedup; /* X509::known_log_certs; NULL without memory */
	struct ssl_log_schema ssl;
	struct x509_log_opts x509_opts;
	const struct log_schema *x509;
	struct x509_dedup *known; /* Known::certs with known-certs; else NULL */
	struct x509_cache *certs; /* parsed certificates; NULL without memory */
};

static struct tls_run *tls_run_new(const struct config *cfg, const struct tls_options *opts)
{
	struct tls_run *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->dedup = x509_dedup_new(opts->relog_after);
	r->certs = x509_cache_new();
	ssl_log_schema_init(&r->ssl, cfg, opts);
	if (cfg->scripts & SCRIPT_KNOWN_CERTS)
		r->known = known_certs_new();
	r->x509_opts.cert_base64 = (cfg->scripts & SCRIPT_CERTS_BASE64) != 0;
	r->x509 = x509_log_schema(&r->x509_opts);
	return r;
}

static void tls_run_free(void *run_state)
{
	struct tls_run *r = run_state;
	if (!r)
		return;
	x509_dedup_free(r->dedup);
	x509_dedup_free(r->known);
	x509_cache_free(r->certs);
	free(r);
}

/* The run's state (tls_run), kept in the analyzer's run-state slot;
 * NULL only without memory. */
static struct tls_run *run_for(struct analyzer_ctx *ctx)
{
	void **slot = analyzer_run_state(ctx);
	if (!slot)
		return NULL;
	if (!*slot)
		*slot = tls_run_new(analyzer_config(ctx), tls_options_or_default(analyzer_options(ctx)));
	return *slot;
}

/* ---- the script: base/protocols/ssl/main.zeek ---- */

static void set_session(struct tls *t)
{
	if (t->info.present)
		return;
	t->info.present = true;
	t->info.ts = analyzer_time(t->ctx);
	/* Zeek draws the UID with the first event that has a handler. */
	(void)analyzer_uid(t->ctx);
}

static void add_to_history(struct tls *t, bool is_client, char ch)
{
	struct ssl_info *r = &t->info;
	if (r->history_letters == SSL_MAX_HISTORY || r->history_n >= sizeof r->history)
		return;
	r->history[r->history_n++] = is_client ? (char)(ch - 'a' + 'A') : ch;
	r->history_letters++;
	if (r->history_letters == SSL_MAX_HISTORY)
		analyzer_weird(t->ctx, "SSL_max_ssl_history_length_reached", true);
}

/* log_record() via finish(): written once. */
static void log_record(struct tls *t)
{
	if (t->info.logged)
		return;
	t->info.logged = true;
	struct tls_run *run = run_for(t->ctx);
	struct log_stream *ls = run ? analyzer_log(t->ctx, &run->ssl.schema) : NULL;
	int err = ls ? ssl_log_write(ls, &run->ssl, &t->info, analyzer_uid(t->ctx),
				     analyzer_conn(t->ctx))
		     : -ENOMEM;
	if (err < 0)
		analyzer_log_failed(t->ctx, err, "ssl.log");
}

static void ev_confirm(void *u)
{
	struct tls *t = u;
	analyzer_confirm(t->ctx);
	set_session(t);
}

static void ev_violation(void *u, const char *reason)
{
	struct tls *t = u;
	analyzer_violation(t->ctx, reason);
	/* analyzer_violation_info: only an existing record is written. */
	if (t->info.present)
		log_record(t);
}

static void ev_weird(void *u, const char *name)
{
	struct tls *t = u;
	analyzer_weird(t->ctx, name, false);
}

static void ev_flipped(void *u)
{
	struct tls *t = u;
	set_session(t);
	if (t->info.history_n < sizeof t->info.history)
		t->info.history[t->info.history_n++] = '^';
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void ev_client_hello(void *u, uint16_t version, uint16_t record_version,
			    const uint8_t session_id[32])
{
	struct tls *t = u;
	(void)version;
	set_session(t);
	if (!all_zero(session_id, 32)) {
		t->info.has_session_id = true;
		memcpy(t->info.session_id, session_id, 32);
		t->info.client_ticket_empty_session_seen = false;
	}
	if (record_version == 0)
		add_to_history(t, true, 'c');
}

static const uint8_t hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

static void ev_server_hello(void *u, uint16_t version, uint16_t record_version,
			    const uint8_t random[32], const uint8_t session_id[32], uint32_t cipher)
{
	struct tls *t = u;
	struct ssl_info *r = &t->info;
	(void)record_version;
	set_session(t);
	if (!r->has_version) {
		r->has_version = true;
		r->version_num = version;
	}
	r->has_cipher = true;
	r->cipher = cipher;
	if (memcmp(random, hrr_random, 32) == 0)
		r->hrr_seen = true;
	/* session_id == bytestring_to_hexstr(session_id): the padded form */
	if (r->has_session_id && memcmp(r->session_id, session_id, 32) == 0 &&
	    r->version_num / 0xFF != 0x7F && r->version_num != TLS_V13)
		r->resumed = true;
	if (version == TLS_SSLV2)
		add_to_history(t, false, 's');
}

static void ev_extension(void *u, bool is_client, uint16_t code, struct bytes data)
{
	struct tls *t = u;
	struct ssl_info *r = &t->info;
	set_session(t);
	if (is_client && code == TLS_EXT_SESSION_TICKET && data.n > 0)
		r->client_ticket_empty_session_seen = true;
	else if (is_client && code == TLS_EXT_PRE_SHARED_KEY)
		r->client_psk_seen = true;
	else if (!is_client && code == TLS_EXT_PRE_SHARED_KEY && r->client_psk_seen)
		r->resumed = true;
}

static void ev_server_name(void *u, bool is_client, struct bytes first, size_t n)
{
	struct tls *t = u;
	set_session(t);
	if (!is_client || n == 0)
		return;
	buf_reset(&t->info.server_name);
	buf_append(&t->info.server_name, first.p, first.n);
	t->info.has_server_name = true;
	if (n > 1)
		analyzer_weird(t->ctx, "SSL_many_server_names", false);
}

static void ev_alpn(void *u, bool is_client, struct bytes first, size_t n)
{
	struct tls *t = u;
	set_session(t);
	if (is_client || n == 0)
		return;
	buf_reset(&t->info.next_protocol);
	buf_append(&t->info.next_protocol, first.p, first.n);
	t->info.has_next_protocol = true;
}

static void ev_supported_versions(void *u, bool is_client, uint16_t first, size_t n)
{
	struct tls *t = u;
	if (is_client || n != 1)
		return;
	set_session(t);
	t->info.has_version = true;
	t->info.version_num = first;
}

static void ev_key_share(void *u, bool is_client, uint16_t first, size_t n)
{
	struct tls *t = u;
	if (is_client || n != 1)
		return;
	set_session(t);
	t->info.has_curve = true;
	t->info.curve = first;
}

static void ev_ecdh_server_params(void *u, uint16_t curve)
{
	struct tls *t = u;
	set_session(t);
	t->info.has_curve = true;
	t->info.curve = curve;
}

/* The x509.log line of one parsed certificate, unless already logged
 * (file_state_remove of base/files/x509) or vetoed by log-hostcerts-only's
 * log policy, which runs after the dedup set took the certificate. */
static void x509_log(struct tls *t, const struct x509_info *c, bool host_cert, bool client_cert)
{
	double now = analyzer_time(t->ctx);
	struct tls_run *run = run_for(t->ctx);
	if (!run)
		return;
	if (run->dedup && !x509_dedup_check(run->dedup, now, c->fingerprint, host_cert, client_cert))
		return;
	if ((analyzer_config(t->ctx)->scripts & SCRIPT_HOSTCERTS_ONLY) && !host_cert)
		return;
	struct log_stream *ls = analyzer_log(t->ctx, run->x509);
	if (!ls) {
		analyzer_log_failed(t->ctx, -ENOMEM, "x509.log");
		return;
	}
	int err = x509_log_write(ls, &run->x509_opts, now, c, host_cert, client_cert);
	if (err < 0)
		analyzer_log_failed(t->ctx, err, "x509.log");
}

/* The certificate's file handle (core spec 4.7): "Analyzer::ANALYZER_SSL",
 * start time, T for the client's list, "orig:port > resp:port", index. */
static size_t cert_file_handle(struct tls *t, bool is_client, size_t index, char *out, size_t cap)
{
	const struct analyzer_conn *c = analyzer_conn(t->ctx);
	char ts[FILES_HANDLE_TIME_MAX], oa[SL_ADDR_TEXT_MAX], ra[SL_ADDR_TEXT_MAX];
	files_handle_time(c->start_time, ts);
	sl_addr_format(&c->orig_h, oa);
	sl_addr_format(&c->resp_h, ra);
	int n = snprintf(out, cap, "Analyzer::ANALYZER_SSL%s%c%s:%u > %s:%u%zu", ts,
			 is_client ? 'T' : 'F', oa, (unsigned)c->orig_p, ra, (unsigned)c->resp_p,
			 index);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

/* The certificates of a handshake become files of these types (the X509
 * file analyzer attaches to them). */
static const char *const tls_file_types[] = {
    "application/x-x509-user-cert",
    "application/x-x509-ca-cert",
    NULL,
};

/* base/files/x509: the X509 file analyzer, with the hashes its script
 * adds, attached to every file of an X.509 type; its Files::log_policy
 * hook keeps certificates out of files.log unless
 * X509::log_x509_in_files_log. */
static const char *const x509_file_types[] = {
    "application/x-x509-user-cert",
    "application/x-x509-ca-cert",
    "application/pkix-cert",
    NULL,
};

static const struct files_type_analyzer x509_file_analyzer = {
    .name = "X509",
    .mime_types = x509_file_types,
    .hashes = FILES_HASH_ALL,
};

static bool x509_files_logged(const void *opts)
{
	return tls_options_or_default(opts)->x509_in_files_log;
}

/* The certificate as a file (files.log when X509::log_x509_in_files_log,
 * hashes, extraction): one complete file, data in and then its end. The
 * first of a list is a user certificate, the rest CA certificates. */
static void cert_file(struct tls *t, bool is_client, size_t index, struct bytes der,
		      const struct x509_digests *d)
{
	struct files *fm = analyzer_files(t->ctx);
	if (!fm)
		return;
	char handle[256];
	size_t hn = cert_file_handle(t, is_client, index, handle, sizeof handle);
	const struct analyzer_conn *c = analyzer_conn(t->ctx);
	struct file_conn fc = {analyzer_uid(t->ctx), c->orig_h, c->resp_h, c->orig_p, c->resp_p};
	double now = analyzer_time(t->ctx);
	struct sl_file *f = files_begin(fm, now, handle, hn, "SSL", is_client, &fc, 0, NULL);
	files_set_mime_type(f, tls_file_types[index == 0 ? 0 : 1]);
	struct files_digests known = {
	    d->valid & X509_DIGEST_MD5 ? d->md5 : NULL,
	    d->valid & X509_DIGEST_SHA1 ? d->sha1 : NULL,
	    d->valid & X509_DIGEST_SHA256 ? d->sha256 : NULL,
	};
	files_data_whole(fm, f, now, der.p, der.n, &known);
	int rc = files_end(fm, f, analyzer_files_log(t->ctx));
	if (rc < 0)
		analyzer_log_failed(t->ctx, rc, "files.log");
}

static void sha1_hex(const struct x509_digests *d, char out[41])
{
	static const char digits[] = "0123456789abcdef";
	out[0] = '\0';
	if (!(d->valid & X509_DIGEST_SHA1))
		return;
	for (unsigned i = 0; i < sizeof d->sha1; i++) {
		out[2 * i] = digits[d->sha1[i] >> 4];
		out[2 * i + 1] = digits[d->sha1[i] & 15];
	}
	out[40] = '\0';
}

/* known-certs' ssl_established handler: the server's first certificate,
 * once a day per server address, for the hosts Known::cert_tracking
 * covers. */
static void known_cert(struct tls *t)
{
	struct ssl_info *r = &t->info;
	struct tls_run *run = run_for(t->ctx);
	if (!run || !run->known || !r->first_server.info || !r->first_server_sha1[0])
		return;
	const struct analyzer_conn *c = analyzer_conn(t->ctx);
	bool local = analyzer_addr_is_local(t->ctx, &c->resp_h);
	switch (tls_options_or_default(analyzer_options(t->ctx))->cert_tracking) {
	case TLS_HOSTS_LOCAL:
		if (!local)
			return;
		break;
	case TLS_HOSTS_REMOTE:
		if (local)
			return;
		break;
	case TLS_HOSTS_ALL:
		break;
	case TLS_HOSTS_NONE:
		return;
	}
	double now = analyzer_time(t->ctx);
	if (!known_certs_check(run->known, now, &c->resp_h, r->first_server_sha1))
		return;
	struct log_stream *ls = analyzer_log(t->ctx, &known_certs_schema);
	int err = ls ? known_certs_write(ls, now, &c->resp_h, c->resp_p, r->first_server.info)
		     : -ENOMEM;
	if (err < 0)
		analyzer_log_failed(t->ctx, err, "known_certs.log");
}

/*
 * A certificate entry (§5.1): Zeek makes it a file, whose X509 analyzer
 * parses it (x509.log, §5.4) and whose fingerprint joins cert_chain_fps /
 * client_cert_chain_fps at log time -- only when it parsed.
 */
static void ev_certificate(void *u, bool is_client, size_t index, struct bytes der)
{
	struct tls *t = u;
	struct ssl_info *r = &t->info;
	set_session(t);
	r->has_certs = true;
	if (der.n == 0)
		return;
	bool *first_seen = is_client ? &r->first_client_seen : &r->first_server_seen;
	bool first = !*first_seen;
	*first_seen = true;

	struct tls_run *run = run_for(t->ctx);
	struct x509_info tmp;
	const struct x509_info *c;
	struct x509_digests digests;
	const struct x509_digests *d = &digests;
	int rc = x509_cache_parse(run ? run->certs : NULL, der.p, der.n, &tmp, &c, &digests);
	if (rc != X509_OK) {
		if (rc == X509_ERR_PARSE)
			analyzer_weird(t->ctx, "x509_cert_parse_error", false);
		x509_info_free(&tmp);
		cert_file(t, is_client, index, der, d);
		return;
	}
	for (size_t k = 0; k < c->n_weirds; k++)
		analyzer_weird(t->ctx, c->weirds[k], false);

	/* x509.log (priority 5) before files.log (-10) at file_state_remove. */
	x509_log(t, c, index == 0, is_client);
	cert_file(t, is_client, index, der, d);

	int side = is_client ? 1 : 0;
	if (r->n_fps[side] == r->cap_fps[side] && r->cap_fps[side] < SSL_MAX_CERTS) {
		/* Grown as needed: most chains hold two or three. */
		size_t cap = r->cap_fps[side] ? r->cap_fps[side] * 2 : 4;
		void *p = realloc(r->fps[side], cap * sizeof *r->fps[side]);
		if (p) {
			r->fps[side] = p;
			r->cap_fps[side] = cap;
		}
	}
	if (r->n_fps[side] < r->cap_fps[side])
		memcpy(r->fps[side][r->n_fps[side]++], c->fingerprint, SSL_SHA256_HEX);
	if (first) {
		struct ssl_kept_cert *k = is_client ? &r->first_client : &r->first_server;
		if (c == &tmp) {
			k->own = tmp; /* ownership moves */
			k->info = &k->own;
		} else {
			k->info = c;
		}
		if (!is_client)
			sha1_hex(d, r->first_server_sha1);
		return;
	}
	x509_info_free(&tmp);
}

/* certificate-request-info: the server's list, each CA as
 * parse_distinguished_name() prints it; the latest request wins. */
static void ev_certificate_request(void *u, bool is_client, struct bytes authorities)
{
	struct tls *t = u;
	struct ssl_info *r = &t->info;
	set_session(t);
	if (is_client)
		return;
	buf_reset(&r->cas);
	free(r->cas_end);
	r->cas_end = NULL;
	r->n_cas = 0;
	r->has_cas = false;
	/* Each entry takes at least its two length bytes. */
	size_t max = authorities.n / 2;
	if (max && !(r->cas_end = calloc(max, sizeof *r->cas_end))) {
		analyzer_log_failed(t->ctx, -ENOMEM, "ssl.log");
		return;
	}
	struct cursor c = cur_make(authorities.p, authorities.n);
	while (cur_left(&c) > 0 && r->n_cas < max) {
		struct bytes der = cur_take(&c, cur_be16(&c));
		if (c.err)
			break;
		char text[X509_DN_TEXT_MAX];
		size_t n = x509_dn_text(der.p, der.n, text);
		if (n && !buf_append(&r->cas, text, n)) {
			/* Not reached on real input (1 MiB of names): say so. */
			analyzer_log_failed(t->ctx, -ENOMEM, "ssl.log");
			return;
		}
		r->cas_end[r->n_cas++] = r->cas.len;
	}
	r->has_cas = true;
}

static const char history_letters[256] = {
    [0] = 'h',  [1] = 'c',  [2] = 's',  [3] = 'v',  [4] = 't',  [5] = 'e',   [6] = 'j',
    [8] = 'o',  [11] = 'x', [12] = 'k', [13] = 'r', [14] = 'n', [15] = 'y',  [16] = 'g',
    [20] = 'f', [21] = 'w', [22] = 'u', [23] = 'a', [24] = 'p', [254] = 'm',
};

static void ev_handshake_message(void *u, bool is_client, uint8_t type, uint32_t len)
{
	struct tls *t = u;
	struct ssl_info *r = &t->info;
	(void)len;
	set_session(t);
	if (is_client && type == TLS_HS_CLIENT_KEY_EXCHANGE)
		r->client_key_exchange_seen = true;
	char ch = history_letters[type] ? history_letters[type] : 'z';
	if (type == TLS_HS_SERVER_HELLO && r->hrr_seen) {
		ch = 'j';
		r->hrr_seen = false;
	}
	add_to_history(t, is_client, ch);
}

static void ev_change_cipher_spec(void *u, bool is_client)
{
	struct tls *t = u;
	struct ssl_info *r = &t->info;
	set_session(t);
	add_to_history(t, is_client, 'i');
	if (is_client && r->client_ticket_empty_session_seen && !r->client_key_exchange_seen)
		r->resumed = true;
}

static void ev_alert(void *u, bool is_client, uint8_t level, uint8_t desc)
{
	struct tls *t = u;
	(void)level;
	set_session(t);
	add_to_history(t, is_client, 'l');
	t->info.has_alert = true;
	t->info.last_alert = desc;
}

static void ev_heartbeat(void *u, bool is_client)
{
	struct tls *t = u;
	set_session(t);
	add_to_history(t, is_client, 'b');
}

static void ev_established(void *u)
{
	struct tls *t = u;
	set_session(t);
	t->info.established = true;
	log_record(t);
	known_cert(t);
	if (tls_options_or_default(analyzer_options(t->ctx))->keep_after_detection)
		return;
	/* SSL::disable_analyzer_after_detection */
	t->done = true;
	analyzer_remove(t->ctx);
}

static const struct tls_events tls_script = {
    .confirm = ev_confirm,
    .violation = ev_violation,
    .weird = ev_weird,
    .flipped = ev_flipped,
    .client_hello = ev_client_hello,
    .server_hello = ev_server_hello,
    .extension = ev_extension,
    .server_name = ev_server_name,
    .alpn = ev_alpn,
    .supported_versions = ev_supported_versions,
    .key_share = ev_key_share,
    .ecdh_server_params = ev_ecdh_server_params,
    .certificate = ev_certificate,
    .certificate_request = ev_certificate_request,
    .handshake_message = ev_handshake_message,
    .change_cipher_spec = ev_change_cipher_spec,
    .alert = ev_alert,
    .heartbeat = ev_heartbeat,
    .established = ev_established,
};

/* ---- the analyzer ---- */

/* dpd_tls_client: 16 03 0x ?? ?? 01 ?? ?? ?? 03 0y, x,y in 00..03. */
static bool dpd_client(const uint8_t *p, size_t n)
{
	return n >= 11 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 3 && p[5] == 0x01 &&
	       p[9] == 0x03 && p[10] <= 3;
}

/* dpd_tls_server: optional alert record, then a ServerHello header with
 * version 03 00..04 or 7F 00..50. */
static bool dpd_server(const uint8_t *p, size_t n)
{
	if (n >= 7 && p[0] == 0x15 && p[1] == 0x03 && p[2] <= 3) {
		/* the alert alternative; the regex also allows the plain form */
		if (n >= 18 && p[7] == 0x16 && p[8] == 0x03 && p[9] <= 3 && p[12] == 0x02 &&
		    ((p[16] == 0x03 && p[17] <= 4) || (p[16] == 0x7F && p[17] <= 0x50)))
			return true;
	}
	return n >= 11 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 3 && p[5] == 0x02 &&
	       ((p[9] == 0x03 && p[10] <= 4) || (p[9] == 0x7F && p[10] <= 0x50));
}

static bool tls_dpd_match(const uint8_t *orig, size_t orig_n, const uint8_t *resp, size_t resp_n)
{
	return dpd_client(orig, orig_n) || dpd_server(resp, resp_n);
}

static void *tls_create(struct analyzer_ctx *ctx)
{
	struct tls *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ctx = ctx;
	tls_parser_init(&t->parser, &tls_script, t);
	ssl_info_init(&t->info);
	return t;
}

static void tls_deliver(void *state, bool is_orig, const uint8_t *data, size_t len)
{
	struct tls *t = state;
	if (!t->done)
		tls_parser_deliver(&t->parser, is_orig, data, len);
}

static void tls_gap(void *state, bool is_orig, uint64_t len)
{
	struct tls *t = state;
	(void)is_orig;
	(void)len;
	tls_parser_gap(&t->parser);
}

static void tls_eof(void *state, bool is_orig)
{
	(void)state;
	(void)is_orig;
}

/* finalize_ssl, the connection removal hook. */
static void tls_finish(void *state)
{
	struct tls *t = state;
	if (t->info.present)
		log_record(t);
}

static void tls_destroy(void *state)
{
	struct tls *t = state;
	if (!t)
		return;
	tls_parser_free(&t->parser);
	ssl_info_free(&t->info);
	free(t);
}

static const uint16_t tls_ports[] = {443, 465, 563, 585, 614, 636, 989, 990, 992, 993, 995, 5223};

static const struct analyzer_script tls_scripts[] = {
    /* Zeek's ssl loads base/files/x509, which loads base/files/hash. */
    {"base/protocols/ssl", SCRIPT_SSL | SCRIPT_FILES_HASH, "SSL/TLS analysis: ssl.log", true, NULL},
    /* Loaded by base/protocols/ssl; alone it only adds what it loads. */
    {"base/files/x509", SCRIPT_FILES_HASH, "x509.log for the certificates SSL analysis sees",
     false, NULL},
    {"policy/protocols/ssl/log-certs-base64", SCRIPT_SSL | SCRIPT_FILES_HASH | SCRIPT_CERTS_BASE64,
     "x509.log gains cert, the certificate in base64", false, NULL},
    {"policy/protocols/ssl/log-hostcerts-only",
     SCRIPT_SSL | SCRIPT_FILES_HASH | SCRIPT_HOSTCERTS_ONLY,
     "x509.log keeps only host (leaf) certificates", false, NULL},
    {"policy/protocols/ssl/certificate-request-info",
     SCRIPT_SSL | SCRIPT_FILES_HASH | SCRIPT_CERT_REQUEST_INFO,
     "ssl.log gains requested_client_certificate_authorities", false, NULL},
    {"policy/protocols/ssl/known-certs", SCRIPT_SSL | SCRIPT_FILES_HASH | SCRIPT_KNOWN_CERTS,
     "known_certs.log: each server certificate once a day per host", false, NULL},
    {NULL, 0, NULL, false, NULL},
};

static const char *const tls_logs[] = {"ssl.log", "x509.log", "known_certs.log", NULL};

const struct analyzer tls_analyzer = {
    .name = "SSL",
    .script = SCRIPT_SSL,
    .scripts = tls_scripts,
    .logs = tls_logs,
    .uses_files = true,
    .file_types = tls_file_types,
    .file_attach = &x509_file_analyzer,
    .file_attach_logged = x509_files_logged,
    .options = tls_options_table,
    .options_size = sizeof(struct tls_options),
    .options_init = tls_options_init,
    .tcp_ports = tls_ports,
    .n_tcp_ports = sizeof tls_ports / sizeof tls_ports[0],
    .dpd_match = tls_dpd_match,
    .create = tls_create,
    .deliver = tls_deliver,
    .gap = tls_gap,
    .eof = tls_eof,
    .finish = tls_finish,
    .destroy = tls_destroy,
    .run_free = tls_run_free,
};
