#include "proto/x509_cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/siphash.h"

/* The info lives in its own allocation so that pointers handed out stay
 * valid when the slot array grows. */
struct cache_slot {
	bool used;
	int rc;	/* x509_parse's result: X509_OK (failures are not kept) */
	uint64_t hash;		/* of der, under the cache's key */
	uint8_t *der;		/* owned copy: a hit is a byte-for-byte match */
	size_t der_n;
	struct x509_digests d;
	struct x509_info *info;
};

struct x509_cache {
	struct cache_slot *slots;
	size_t cap, n;	/* cap: a power of two, kept at least twice n */
	size_t bytes;	/* DER bytes of the remembered certificates */
	/* A SipHash key drawn at random: certificates are attacker chosen,
	 * and a collision costs only a probe (matches compare the bytes). */
	struct siphash_key key;
	/* Fetched once: OpenSSL 3's implicit fetch per EVP_Digest costs as
	 * much as hashing a certificate. Owned; NULL: use EVP_Digest. */
	EVP_MD *md5, *sha1, *sha256;
	EVP_MD_CTX *ctx;
};

struct x509_cache *x509_cache_new(void)
{
	struct x509_cache *k = calloc(1, sizeof(struct x509_cache));
	if (!k)
		return NULL;
	k->md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	k->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	k->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	k->ctx = EVP_MD_CTX_new();
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
	for (size_t i = 0; i < k->cap; i++) {
		if (k->slots[i].used) {
			x509_info_free(k->slots[i].info);
			free(k->slots[i].info);
			free(k->slots[i].der);
		}
	}
	free(k->slots);
	free(k);
}

/* The slot holding der, or the empty slot where it would go. */
static struct cache_slot *find(struct cache_slot *slots, size_t cap, uint64_t h, const uint8_t *der,
			       size_t n)
{
	size_t i = (size_t)h & (cap - 1);
	while (slots[i].used && (slots[i].hash != h || slots[i].der_n != n ||
				 memcmp(slots[i].der, der, n) != 0))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static bool grow(struct x509_cache *k)
{
	size_t cap = k->cap ? k->cap * 2 : 64;
	struct cache_slot *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; i < k->cap; i++)
		if (k->slots[i].used)
			*find(slots, cap, k->slots[i].hash, k->slots[i].der, k->slots[i].der_n) =
			    k->slots[i];
	free(k->slots);
	k->slots = slots;
	k->cap = cap;
	return true;
}

int x509_cache_parse(struct x509_cache *k, const uint8_t *der, size_t n, struct x509_info *tmp,
		     const struct x509_info **c, struct x509_digests *tmp_d)
{
	*c = tmp;
	memset(tmp, 0, sizeof *tmp);
	uint64_t h = k ? siphash24(&k->key, der, n) : 0;
	if (k && k->cap) {
		struct cache_slot *s = find(k->slots, k->cap, h, der, n);
		if (s->used) {
			*c = s->info;
			*tmp_d = s->d;
			return s->rc;
		}
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
	if (!k || rc != X509_OK || k->n >= X509_CACHE_MAX_ENTRIES ||
	    n > X509_CACHE_MAX_BYTES - k->bytes)
		return rc;
	if ((k->n + 1) * 2 > k->cap && !grow(k))
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
	struct cache_slot *s = find(k->slots, k->cap, h, der, n);
	s->used = true;
	s->rc = rc;
	s->hash = h;
	s->der = copy;
	s->der_n = n;
	s->d = *tmp_d;
	s->info = kept;
	k->n++;
	k->bytes += n;
	*c = kept;
	return rc;
}
