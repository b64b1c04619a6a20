/*
 * The SSL analyzer (spec §4) and ssl.log: the analyzer glue around the
 * wire parser (proto/tls_record.c) and the event handlers of
 * base/protocols/ssl/main.zeek that turn its events into ssl.log lines.
 * Handlers run at the moment the parser reports an event (see smtp.h for
 * why that is equivalent to Zeek's queue here).
 *
 * Plug-in points for X.509 (proto/x509.c): tls_certificate() below gets
 * every certificate with its direction and index; it computes the
 * SHA-256 fingerprint for cert_chain_fps / client_cert_chain_fps and is
 * where the certificate file (files.log, x509.log) and the names for
 * sni_matches_cert would come from.
 */
#ifndef SMTPLOG_PROTO_TLS_H
#define SMTPLOG_PROTO_TLS_H

#include "core/analyzer.h"
#include "core/log.h"

extern const struct analyzer tls_analyzer;

/* ssl.log's columns, bare and default mode (§4.5). */
extern const struct log_schema ssl_schema;

#endif
