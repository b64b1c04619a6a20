/*
 * ssl.log (base/protocols/ssl/main.zeek and files.zeek): the connection's
 * SSL record, which the analyzer's script handlers (proto/tls.c) fill,
 * and its line. Shared by tls.c and ssl_log.c only.
 */
#ifndef SMTPLOG_PROTO_SSL_LOG_H
#define SMTPLOG_PROTO_SSL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "proto/x509.h"

/* SSL::max_ssl_history_length */
#define SSL_MAX_HISTORY 100
/* Certificates remembered per side (Zeek has no limit; a chain longer
 * than this loses its tail in the fingerprint vector). */
#define SSL_MAX_CERTS 256
#define SSL_SHA256_HEX    64

/* A parsed certificate kept for the connection: borrowed from the run's
 * cache, or owned (own) when the cache was full. */
struct ssl_kept_cert {
	const struct x509_info *info;
	struct x509_info own;
};

/* c$ssl: the Info record of main.zeek plus its internal flags. It points
 * into itself (ssl_kept_cert.info may be &own): never copy or move one. */
struct ssl_info {
	bool present; /* set_session() ran */
	bool logged;
	double ts;
	bool has_version;
	uint16_t version_num;
	bool has_cipher;
	uint32_t cipher;
	bool has_curve;
	uint16_t curve;
	struct buf server_name; /* present when has_server_name */
	bool has_server_name;
	bool resumed;
	bool has_alert;
	uint8_t last_alert;
	struct buf next_protocol;
	bool has_next_protocol;
	bool established;
	char history[SSL_MAX_HISTORY + 64]; /* '^' is not capped */
	size_t history_n, history_letters;
	bool has_session_id;
	uint8_t session_id[32];
	bool client_ticket_empty_session_seen;
	bool client_psk_seen;
	bool client_key_exchange_seen;
	bool hrr_seen;
	/* cert_chain_fps [0] and client_cert_chain_fps [1]: created together
	 * at the first certificate of either side. */
	bool has_certs;
	char (*fps[2])[SSL_SHA256_HEX];
	size_t n_fps[2], cap_fps[2];
	/* cert_chain[0]: the first server certificate file; its parse result
	 * (when it parsed) gives the names for sni_matches_cert (§4.8). */
	bool first_server_seen;
	struct ssl_kept_cert first_server; /* info NULL: it did not parse */
	char first_server_sha1[41];   /* its file's sha1 (known-certs) */
	/* client_cert_chain[0] likewise: client_subject, client_issuer. */
	bool first_client_seen;
	struct ssl_kept_cert first_client;
	/* requested_client_certificate_authorities (certificate-request-info):
	 * the texts back to back in cas, cas_end[k] the end of the k-th. */
	bool has_cas;
	struct buf cas;
	size_t *cas_end;
	size_t n_cas;
};

void ssl_info_init(struct ssl_info *r);
void ssl_info_free(struct ssl_info *r);

#define SSL_MAX_FIELDS 24

/* ssl.log's columns for the run's options, built once per run. */
struct ssl_log_schema {
	bool server_si, client_si; /* SSL::log_include_*_certificate_subject_issuer */
	bool cert_request_info;    /* policy/protocols/ssl/certificate-request-info */
	struct log_field fields[SSL_MAX_FIELDS];
	struct log_schema schema;
};

struct tls_options;
void ssl_log_schema_init(struct ssl_log_schema *s, const struct config *cfg,
			 const struct tls_options *opts);

/* The record's line (ssl_finishing's fields filled at this moment).
 * Returns 0 or a negative errno value. */
int ssl_log_write(struct log_stream *ls, const struct ssl_log_schema *s, const struct ssl_info *r,
		  const char *uid, const struct analyzer_conn *c);

#endif
