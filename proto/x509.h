/*
 * X.509 certificates: Zeek's X509 file analyzer (X509.cc, X509Common.cc)
 * and the x509.log of base/files/x509/main.zeek (protocols spec §5).
 *
 * A TLS analyzer hands each certificate entry to x509_parse(), which fills
 * a struct x509_info with what Zeek's x509_certificate,
 * x509_ext_basic_constraints and x509_ext_subject_alternative_name events
 * carry. x509_log_write() turns it into one x509.log line; whether a line
 * is due at all (dedup, §5.4) is proto/x509_dedup.h's job.
 *
 * OpenSSL does the DER decoding, the name printing and the algorithm
 * names, with the same calls and flags as Zeek, so that escaping and
 * names come out as Zeek's do; validity times use Zeek's own parser.
 */
#ifndef SMTPLOG_PROTO_X509_H
#define SMTPLOG_PROTO_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/value.h"

/* The x509 stream's own container limits (Log::create_stream in
 * base/files/x509/main.zeek); strings keep the default 4096 bytes. The
 * caller puts them into the log_format of the x509 stream. */
#define X509_MAX_FIELD_CONTAINER_ELEMENTS 500
#define X509_MAX_TOTAL_CONTAINER_ELEMENTS 1500

/* Weirds x509_parse() can raise, in the order Zeek raises them; at most
 * this many are kept (the rest are counted in n_weirds_dropped). */
#define X509_MAX_WEIRDS 16

/* A byte string owned by its x509_info; p is NUL-terminated for
 * convenience but may contain NULs (n is the length). */
struct x509_str {
	char *p;
	size_t n;
};

struct x509_strlist {
	bool present; /* false: unset ("-"), never "(empty)" */
	struct x509_str *items;
	size_t n;
};

/*
 * One parsed certificate. Every pointer is owned by the struct and freed by
 * x509_info_free(); an unset optional field has a NULL p (strings) or a
 * false has_* flag.
 */
struct x509_info {
	char fingerprint[65]; /* lower-case hex SHA-256 of der */
	uint8_t *der;         /* i2d_X509 re-encoding (no trailing bytes) */
	size_t der_n;
	uint64_t version;
	struct x509_str serial;
	struct x509_str subject;
	struct x509_str issuer;
	struct x509_str cn; /* not logged; unset if no CN */
	double not_valid_before, not_valid_after;
	struct x509_str key_alg;
	struct x509_str sig_alg;
	struct x509_str tbs_sig_alg; /* not logged by default */
	struct x509_str key_type;    /* unset if the key did not decode */
	bool has_key_length;
	uint64_t key_length;
	struct x509_str exponent;
	struct x509_str curve;

	bool has_san; /* a SAN extension was decoded */
	struct x509_strlist san_dns, san_uri, san_email;
	bool san_ip_present;
	struct sl_addr *san_ip;
	size_t n_san_ip;
	bool san_other_fields; /* otherName, dirName, ... were seen */

	bool has_basic_constraints;
	bool bc_ca;
	bool bc_has_path_len;
	uint64_t bc_path_len;

	/* Static strings, e.g. "x509_utc_format"; the caller raises them. */
	const char *weirds[X509_MAX_WEIRDS];
	size_t n_weirds;
	size_t n_weirds_dropped;
};

enum {
	X509_OK = 0,
	X509_ERR_PARSE = -1, /* d2i_X509 failed: weird x509_cert_parse_error */
	X509_ERR_NOMEM = -2,
};

/*
 * Parses one certificate (the whole entry of a Certificate message; bytes
 * after the DER structure are ignored, as by Zeek). On X509_OK, *out is
 * filled and must be released with x509_info_free(); on an error *out is
 * left empty (freeing it is harmless). Never reads outside der[0..n).
 */
int x509_parse(const uint8_t *der, size_t n, struct x509_info *out);

void x509_info_free(struct x509_info *c);

/*
 * Zeek's ASN.1 time parser (X509Common::GetTimeFromAsn1): `type` is
 * V_ASN1_UTCTIME (23) or V_ASN1_GENERALIZEDTIME (24). Returns seconds since
 * the epoch, 0 on failure; *weird gets the weird's name or NULL.
 */
double x509_time_parse(int type, const uint8_t *s, size_t n, const char **weird);

/* Room for x509_dn_text(), NUL included (Zeek's 256-byte buffer). */
#define X509_DN_TEXT_MAX 256

/*
 * parse_distinguished_name(): a DER Name as RFC 2253 text, its first line
 * cut at 255 bytes, as Zeek prints the CAs of a CertificateRequest.
 * Returns the length; 0 (and "") when the DER does not parse.
 */
size_t x509_dn_text(const uint8_t *der, size_t n, char out[X509_DN_TEXT_MAX]);

/* The schema of x509.log (Zeek 9, 22 columns, "ts" first). */
extern const struct log_schema x509_schema;
#define X509_N_FIELDS   22
#define X509_MAX_FIELDS 24

/* Optional columns. tbs_sig_alg: "redef record X509::Certificate$tbs_sig_alg
 * += { &log }" (after certificate.curve). cert_base64:
 * policy/protocols/ssl/log-certs-base64 (last column; that script also sets
 * the stream's max_field_string_bytes to 0, no limit). */
struct x509_log_opts {
	bool tbs_sig_alg;
	bool cert_base64;
};

/* The schema for those options (NULL: x509_schema). Static storage. */
const struct log_schema *x509_log_schema(const struct x509_log_opts *o);

/*
 * One line's values: v[0..n) in the order of x509_log_schema(o). items and
 * cert_b64 are owned by the row; strings point into the x509_info, which
 * must outlive the row. Free with x509_log_row_free().
 */
struct x509_log_row {
	struct log_value v[X509_MAX_FIELDS];
	size_t n;
	struct log_value *items;
	char *cert_b64;
};

/* o may be NULL. Returns 0 or -ENOMEM (the row is then empty). */
int x509_log_row_fill(struct x509_log_row *r, const struct x509_log_opts *o, double ts,
		      const struct x509_info *c, bool host_cert, bool client_cert);
void x509_log_row_free(struct x509_log_row *r);

/* Writes one line to a stream created with x509_log_schema(o). Returns 0
 * or a negative errno value. */
int x509_log_write(struct log_stream *s, const struct x509_log_opts *o, double ts,
		   const struct x509_info *c, bool host_cert, bool client_cert);

#endif
