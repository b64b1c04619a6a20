/*
 * The SSL analyzer (spec §4) and ssl.log: the analyzer glue around the
 * wire parser (proto/tls_record.c) and the event handlers of
 * base/protocols/ssl/main.zeek that turn its events into ssl.log lines.
 * Handlers run at the moment the parser reports an event (see smtp.h for
 * why that is equivalent to Zeek's queue here).
 *
 * ssl.log itself (the record and its line) is proto/ssl_log.c.
 *
 * Certificates (proto/x509.c): each non-empty certificate entry is parsed
 * as it arrives; a parsed one gets its x509.log line (deduplicated over
 * the run, §5.4) and its fingerprint in cert_chain_fps /
 * client_cert_chain_fps, and the first server certificate gives the
 * names for sni_matches_cert (§4.8).
 */
#ifndef SMTPLOG_PROTO_TLS_H
#define SMTPLOG_PROTO_TLS_H

#include "core/analyzer.h"
#include "core/log.h"

extern const struct analyzer tls_analyzer;

#endif
