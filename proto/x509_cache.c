#include "proto/x509_cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/probe.h"
#include "core/siphash.h"

/* The info lives in its own allocation so that pointers handed out stay
 * valid when the table grows. */
struct cache_slot {
	int rc;	/* x509_parse's result: X509_OK (failures are not kept) */
	uint64_t hash;		/* of der, under the cache's key */
	uint8_t *der;		/* owned copy: a hit is a byte-for-byte match */
	size_t der_n;
	struct x509_digests d;
	struct x509_info *info;
};

struct x509_cache {
	struct probe_table slots;	/* of struct cache_slot */
	size_t bytes;	/* DER bytes of the remembered certificates */
	/* A SipHash key drawn at random: certificates are attacker chosen,
	 * and a collision costs only a probe (matches compare the bytes). */
	struct siphash_key key;
	/* Fetched once: OpenSSL 3's implicit fetch per EVP_Digest costs as
	 * much as hashing a certificate. Owned; NULL: use EVP_Digest. */
	EVP_MD *md5, *sha1, *sha256;
	EVP_MD_CTX *ctx;
};

static uint64_t slot_hash(const void *slot)
{
	return ((const struct cache_slot *)slot)->hash;
}

struct der_key {
	const uint8_t *der;
	size_t n;
};

static bool slot_holds(const void *slot, const void *key)
{
	const struct cache_slot *s = slot;
	const struct der_key *k = key;
	return s->der_n == k->n && memcmp(s->der, k->der, k->n) == 0;
}

struct x509_cache *x509_cache_new(void)
{
	struct x509_cache *k = calloc(1, sizeof(struct x509_cache));
	if (!k)
		return NULL;
	k->md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	k->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	k->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	k->ctx = EVP_MD_CTX_new();
	probe_init(&k->slots, sizeof(struct cache_slot), slot_hash);
	uint8_t key[16] = {0};
	(void)RAND_bytes(key, sizeof key);	/* a fixed key still works, only slower under attack */
	k->key = siphash_key_from_bytes(key);
	return k;
}

static bool digest(struct x509_cache *k, const EVP_MD *fetched, const EVP_MD *legacy,
		   const uint8_t *p, size_t n, uint8_t *out, unsigned want)
{
	unsigned int dn = 0;
	bool ok;
	if (k && k->ctx && fetched)
		ok = EVP_DigestInit_ex(k->ctx, fetched, NULL) == 1 &&
		     EVP_DigestUpdate(k->ctx, p, n) == 1 && EVP_DigestFinal_ex(k->ctx, out, &dn) == 1;
	else
		ok = EVP_Digest(p, n, out, &dn, legacy, NULL) == 1;
	return ok && dn == want;
}

void x509_cache_free(struct x509_cache *k)
{
	if (!k)
		return;
	EVP_MD_free(k->md5);
	EVP_MD_free(k->sha1);
	EVP_MD_free(k->sha256);
	EVP_MD_CTX_free(k->ctx);
	for (size_t i = 0; i < k->slots.cap; i++) {
		struct cache_slot *s = probe_at(&k->slots, i);
		if (s) {
			x509_info_free(s->info);
			free(s->info);
			free(s->der);
		}
	}
	probe_free(&k->slots);
	free(k);
}

int x509_cache_parse(struct x509_cache *k, const uint8_t *der, size_t n, struct x509_info *tmp,
		     const struct x509_info **c, struct x509_digests *tmp_d)
{
	*c = tmp;
	memset(tmp, 0, sizeof *tmp);
	uint64_t h = k ? siphash24(&k->key, der, n) : 0;
	struct der_key key = {der, n};
	const struct cache_slot *hit = k ? probe_find(&k->slots, h, slot_holds, &key, NULL) : NULL;
	if (hit) {
		*c = hit->info;
		*tmp_d = hit->d;
		return hit->rc;
	}
	tmp_d->valid = 0;
	if (digest(k, k ? k->sha256 : NULL, EVP_sha256(), der, n, tmp_d->sha256, 32))
		tmp_d->valid |= X509_DIGEST_SHA256;
	if (digest(k, k ? k->sha1 : NULL, EVP_sha1(), der, n, tmp_d->sha1, 20))
		tmp_d->valid |= X509_DIGEST_SHA1;
	if (digest(k, k ? k->md5 : NULL, EVP_md5(), der, n, tmp_d->md5, 16))
		tmp_d->valid |= X509_DIGEST_MD5;
	int rc = x509_parse(der, n, tmp);
	/* Garbage is not kept: it would crowd out the real chains. */
	if (!k || rc != X509_OK || k->slots.n >= X509_CACHE_MAX_ENTRIES ||
	    n > X509_CACHE_MAX_BYTES - k->bytes)
		return rc;
	if (!probe_reserve(&k->slots))
		return rc;
	struct x509_info *kept = malloc(sizeof *kept);
	uint8_t *copy = malloc(n ? n : 1);
	if (!kept || !copy) {
		free(kept);
		free(copy);
		return rc;
	}
	memcpy(copy, der, n);
	*kept = *tmp; /* ownership moves into the cache */
	memset(tmp, 0, sizeof *tmp);
	void *empty;
	probe_find(&k->slots, h, slot_holds, &key, &empty);
	struct cache_slot *s = empty;
	probe_take(&k->slots, s);
	s->rc = rc;
	s->hash = h;
	s->der = copy;
	s->der_n = n;
	s->d = *tmp_d;
	s->info = kept;
	k->bytes += n;
	*c = kept;
	return rc;
}
