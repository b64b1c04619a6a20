#include "proto/tls_options.h"

#include <string.h>

#include "core/optval.h"
#include "proto/x509_dedup.h"

void tls_options_init(void *opts)
{
	struct tls_options *o = opts;
	memset(o, 0, sizeof *o);
	o->cert_tracking = TLS_HOSTS_LOCAL;
	o->relog_after = X509_RELOG_AFTER;
}

const struct tls_options *tls_options_or_default(const void *opts)
{
	static const struct tls_options defaults = {
	    .cert_tracking = TLS_HOSTS_LOCAL,
	    .relog_after = X509_RELOG_AFTER,
	};
	return opts ? opts : &defaults;
}

static int set_bool(bool *slot, const char *v, bool add)
{
	return add ? -1 : optval_bool(v, slot);
}

static int set_server_si(void *o, const char *v, bool add, char *why, size_t cap)
{
	(void)why, (void)cap;
	return set_bool(&((struct tls_options *)o)->server_subject_issuer, v, add);
}

static int set_client_si(void *o, const char *v, bool add, char *why, size_t cap)
{
	(void)why, (void)cap;
	return set_bool(&((struct tls_options *)o)->client_subject_issuer, v, add);
}

static int set_disable_after(void *o, const char *v, bool add, char *why, size_t cap)
{
	(void)why, (void)cap;
	bool disable;
	if (set_bool(&disable, v, add) != 0)
		return -1;
	((struct tls_options *)o)->keep_after_detection = !disable;
	return 0;
}

static int set_cert_tracking(void *o, const char *v, bool add, char *why, size_t cap)
{
	(void)why, (void)cap;
	static const char *const names[] = {"LOCAL_HOSTS", "REMOTE_HOSTS", "ALL_HOSTS", "NO_HOSTS"};
	int i;
	if (add || optval_enum(v, names, 4, &i) != 0)
		return -1;
	((struct tls_options *)o)->cert_tracking = (enum tls_hosts)i;
	return 0;
}

/* Only the persistence back ends read it, and they are off unless
 * Known::enable_certs_persistence, which smtplog lacks. */
static int set_store_dir(void *o, const char *v, bool add, char *why, size_t cap)
{
	(void)o, (void)why, (void)cap;
	return add || !*v ? -1 : 0;
}

/* Zeek's cache replays the events the X509 analyzer raised the first time,
 * so it saves work but changes no log; smtplog's own cache
 * (proto/x509_cache.c) does not depend on it. */
static int set_caching(void *o, const char *v, bool add, char *why, size_t cap)
{
	(void)o, (void)why, (void)cap;
	uint64_t ignored;
	return add ? -1 : optval_count(v, &ignored);
}

static int set_relog(void *o, const char *v, bool add, char *why, size_t cap)
{
	(void)why, (void)cap;
	return add ? -1 : optval_interval(v, &((struct tls_options *)o)->relog_after);
}

static int set_x509_files(void *o, const char *v, bool add, char *why, size_t cap)
{
	(void)why, (void)cap;
	return set_bool(&((struct tls_options *)o)->x509_in_files_log, v, add);
}

const struct analyzer_option tls_options_table[] = {
    {"SSL::log_include_server_certificate_subject_issuer",
     "T or F: ssl.log gains subject, issuer of the server certificate", set_server_si},
    {"SSL::log_include_client_certificate_subject_issuer",
     "T or F: ssl.log gains client_subject, client_issuer", set_client_si},
    {"SSL::disable_analyzer_after_detection",
     "T or F: stop analysing a TLS connection once it is established (T)", set_disable_after},
    {"Known::cert_tracking", "LOCAL_HOSTS, REMOTE_HOSTS, ALL_HOSTS or NO_HOSTS (known-certs)",
     set_cert_tracking},
    {"Cluster::default_store_dir",
     "folder of Zeek's persistent stores; accepted, smtplog keeps none (as Zeek by default)",
     set_store_dir},
    {"X509::caching_required_encounters",
     "count: Zeek's certificate cache; accepted, logs are the same without it", set_caching},
    {"X509::relog_known_certificates_after",
     "interval such as 1day or 0secs: log a certificate again after this (0: always)", set_relog},
    {"X509::log_x509_in_files_log", "T or F: certificates get files.log lines too (F)",
     set_x509_files},
    {NULL, NULL, NULL},
};
