/*
 * Parsed certificates, remembered by their bytes (and their digests) for the
 * whole run. A site's chain arrives on every connection to it, and
 * OpenSSL 3.0 spends most of a d2i_X509 in its key decoders; parsing each
 * distinct certificate once makes TLS-heavy captures an order of magnitude
 * faster. Zeek has the same idea (base/files/x509/certificate-event-cache,
 * certificate_cache_max_entries = 10000); like Zeek's, it changes no log:
 * the same bytes always parse the same way.
 *
 * Memory is bounded by X509_CACHE_MAX_ENTRIES and X509_CACHE_MAX_BYTES
 * (bytes of the certificates kept; their parsed form takes about as much
 * again); past either, certificates are parsed without being remembered.
 * Certificates that do not parse are never kept.
 */
#ifndef SMTPLOG_PROTO_X509_CACHE_H
#define SMTPLOG_PROTO_X509_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/x509.h"

#define X509_CACHE_MAX_ENTRIES 10000
#define X509_CACHE_MAX_BYTES   ((size_t)16 << 20)

struct x509_cache;

/* The digests of a certificate's bytes, raw: computed once per distinct
 * certificate for its fingerprints and its hash analyzers. valid says
 * which OpenSSL could compute (a FIPS provider refuses MD5, say); the
 * others are left to the file's own hash analyzers. */
enum { X509_DIGEST_MD5 = 1, X509_DIGEST_SHA1 = 2, X509_DIGEST_SHA256 = 4 };
struct x509_digests {
	uint8_t md5[16], sha1[20], sha256[32];
	unsigned valid; /* X509_DIGEST_* bits */
};

struct x509_cache *x509_cache_new(void);
void x509_cache_free(struct x509_cache *k);

/*
 * x509_parse() through the cache. Returns its result code; on X509_OK *c
 * points either into the cache (valid until x509_cache_free) or, when the
 * cache is full or k is NULL, at *tmp, which the caller then owns and
 * frees with x509_info_free (freeing it is harmless in either case).
 * *digests gets the digests of der whatever the result (copied out of
 * the cache on a hit: the cache's slots move when it grows).
 */
int x509_cache_parse(struct x509_cache *k, const uint8_t *der, size_t n, struct x509_info *tmp,
		     const struct x509_info **c, struct x509_digests *digests);

#endif
