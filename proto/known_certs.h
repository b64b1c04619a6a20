/*
 * known_certs.log (policy/protocols/ssl/known-certs): one line the first
 * time a server (resp_h) is seen offering a certificate, per host and
 * certificate SHA-1 within a day (Known::certs &create_expire=1day).
 * Which servers count is Known::cert_tracking.
 */
#ifndef SMTPLOG_PROTO_KNOWN_CERTS_H
#define SMTPLOG_PROTO_KNOWN_CERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"
#include "core/value.h"
#include "proto/x509.h"
#include "proto/x509_dedup.h"

extern const struct log_schema known_certs_schema;

/* Known::certs, owned by the caller (x509_dedup_free). */
struct x509_dedup *known_certs_new(void);

/* True when (host, sha1) is new now, and remembers it. sha1 is 40 hex. */
bool known_certs_check(struct x509_dedup *set, double now, const struct sl_addr *host,
		       const char *sha1);

/* One line: the host's port and the certificate's names and serial.
 * Returns 0 or a negative errno value. */
int known_certs_write(struct log_stream *s, double ts, const struct sl_addr *host,
		      uint16_t port, const struct x509_info *c);

#endif
