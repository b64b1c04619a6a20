#include "proto/x509_cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* The info lives in its own allocation so that pointers handed out stay
 * valid when the slot array grows. */
struct cache_slot {
	bool used;
	int rc;	/* x509_parse's result: X509_OK (failures are not kept) */
	uint8_t digest[32];
	struct x509_info *info;
};

struct x509_cache {
	struct cache_slot *slots;
	size_t cap, n;	/* cap: a power of two, kept at least twice n */
	size_t bytes;	/* DER bytes of the remembered certificates */
};

struct x509_cache *x509_cache_new(void)
{
	return calloc(1, sizeof(struct x509_cache));
}

void x509_cache_free(struct x509_cache *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->cap; i++) {
		if (k->slots[i].used) {
			x509_info_free(k->slots[i].info);
			free(k->slots[i].info);
		}
	}
	free(k->slots);
	free(k);
}

static struct cache_slot *find(struct cache_slot *slots, size_t cap, const uint8_t digest[32])
{
	/* The digest is already uniform: its first bytes are the hash. */
	uint64_t h;
	memcpy(&h, digest, sizeof h);
	size_t i = (size_t)h & (cap - 1);
	while (slots[i].used && memcmp(slots[i].digest, digest, 32) != 0)
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
			*find(slots, cap, k->slots[i].digest) = k->slots[i];
	free(k->slots);
	k->slots = slots;
	k->cap = cap;
	return true;
}

int x509_cache_parse(struct x509_cache *k, const uint8_t *der, size_t n, struct x509_info *tmp,
		     const struct x509_info **c)
{
	*c = tmp;
	memset(tmp, 0, sizeof *tmp);
	uint8_t digest[32];
	unsigned int dn = 0;
	if (!k || EVP_Digest(der, n, digest, &dn, EVP_sha256(), NULL) != 1 || dn != 32)
		return x509_parse(der, n, tmp);
	if (k->cap) {
		struct cache_slot *s = find(k->slots, k->cap, digest);
		if (s->used) {
			*c = s->info;
			return s->rc;
		}
	}
	int rc = x509_parse(der, n, tmp);
	/* Garbage is not kept: it would crowd out the real chains. */
	if (rc != X509_OK || k->n >= X509_CACHE_MAX_ENTRIES ||
	    n > X509_CACHE_MAX_BYTES - k->bytes)
		return rc;
	if ((k->n + 1) * 2 > k->cap && !grow(k))
		return rc;
	struct x509_info *kept = malloc(sizeof *kept);
	if (!kept)
		return rc;
	*kept = *tmp; /* ownership moves into the cache */
	memset(tmp, 0, sizeof *tmp);
	struct cache_slot *s = find(k->slots, k->cap, digest);
	s->used = true;
	s->rc = rc;
	memcpy(s->digest, digest, 32);
	s->info = kept;
	k->n++;
	k->bytes += n;
	*c = kept;
	return rc;
}
