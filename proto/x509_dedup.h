/*
 * A set of recently logged keys with Zeek's &create_expire semantics:
 * X509::known_log_certs (base/files/x509/main.zeek), keyed by a
 * certificate's fingerprint and its host_cert/client_cert role, and
 * Known::certs (proto/known_certs.c), keyed by a SHA-1 and an address.
 * A key is due unless it was recorded less than relog_after seconds of
 * network time ago. Keys are kept as their SHA-256 (48 bytes a slot).
 */
#ifndef SMTPLOG_PROTO_X509_DEDUP_H
#define SMTPLOG_PROTO_X509_DEDUP_H

#include <stdbool.h>

/* X509::relog_known_certificates_after (1 day) and the size cap of the
 * known-certificate set (known_log_certs_maximum_size): past the cap,
 * keys are due every time, without being remembered. */
#define X509_RELOG_AFTER 86400.0
#define X509_DEDUP_MAX   1000000

struct x509_dedup;

/* relog_after 0: every key is always due (Zeek makes no index then). */
struct x509_dedup *x509_dedup_new(double relog_after);
void x509_dedup_free(struct x509_dedup *d);

/* True if the line for (key, roles) should be written now; records it. */
bool x509_dedup_check(struct x509_dedup *d, double now, const char *key, bool host_cert,
		      bool client_cert);

#endif
