/*
 * The options of Zeek's SSL, X.509 and known-certs scripts that smtplog
 * honours (NAME=VALUE), as the SSL analyzer's options block.
 */
#ifndef SMTPLOG_PROTO_TLS_OPTIONS_H
#define SMTPLOG_PROTO_TLS_OPTIONS_H

#include <stdbool.h>

#include "core/analyzer.h"

/* Zeek's Host type (base/utils/directions-and-hosts). */
enum tls_hosts {
	TLS_HOSTS_LOCAL,	/* LOCAL_HOSTS: Site::is_local_addr */
	TLS_HOSTS_REMOTE,	/* REMOTE_HOSTS */
	TLS_HOSTS_ALL,		/* ALL_HOSTS */
	TLS_HOSTS_NONE,		/* NO_HOSTS */
};

struct tls_options {
	enum tls_hosts cert_tracking;	/* Known::cert_tracking */
	bool server_subject_issuer;	/* SSL::log_include_server_certificate_subject_issuer */
	bool client_subject_issuer;	/* SSL::log_include_client_certificate_subject_issuer */
	bool keep_after_detection;	/* SSL::disable_analyzer_after_detection = F */
	double relog_after;		/* X509::relog_known_certificates_after, seconds */
	bool x509_in_files_log;		/* X509::log_x509_in_files_log */
};

/* Zeek's defaults. */
void tls_options_init(void *opts);
/* The options block of a run, or the defaults when it has none. */
const struct tls_options *tls_options_or_default(const void *opts);

/* NULL-name terminated, for the descriptor. */
extern const struct analyzer_option tls_options_table[];

#endif
