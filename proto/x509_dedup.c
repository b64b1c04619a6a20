#include "proto/x509_dedup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/bytes.h"

struct dedup_slot {
	bool used;
	uint8_t flags; /* bit 0 host_cert, bit 1 client_cert */
	uint8_t digest[32];
	double added; /* &create_expire counts from insertion */
};

struct x509_dedup {
	struct dedup_slot *slots;
	size_t cap, n; /* cap is a power of two, at least twice n */
	double relog_after;
};

struct x509_dedup *x509_dedup_new(double relog_after)
{
	struct x509_dedup *d = calloc(1, sizeof *d);
	if (d)
		d->relog_after = relog_after;
	return d;
}

void x509_dedup_free(struct x509_dedup *d)
{
	if (!d)
		return;
	free(d->slots);
	free(d);
}

static struct dedup_slot *find(struct dedup_slot *slots, size_t cap, const uint8_t digest[32],
			       uint8_t flags)
{
	/* The digest is uniform already: its first bytes are the hash. */
	uint64_t h;
	memcpy(&h, digest, sizeof h);
	size_t i = (size_t)(h ^ flags) & (cap - 1);
	while (slots[i].used && (slots[i].flags != flags || memcmp(slots[i].digest, digest, 32) != 0))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static bool grow(struct x509_dedup *d)
{
	size_t cap = d->cap ? d->cap * 2 : 64;
	struct dedup_slot *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; i < d->cap; i++)
		if (d->slots[i].used)
			*find(slots, cap, d->slots[i].digest, d->slots[i].flags) = d->slots[i];
	free(d->slots);
	d->slots = slots;
	d->cap = cap;
	return true;
}

/* A lower-case hex digit's value, else -1: an upper-case key is not a
 * fingerprint's text, so it is hashed (and stays distinct from its
 * lower-case twin). */
static int hex_value(char c)
{
	uint8_t b = (uint8_t)c;
	return ascii_is_upper(b) ? -1 : ascii_hexval(b);
}

/* 32 uniform bytes standing for the key. A key is a fingerprint, the
 * lower-case hex of a SHA-256: its bytes are that already (and distinct
 * keys stay distinct). Anything else is hashed. */
static bool key_digest(const char *key, uint8_t out[32])
{
	size_t n = strlen(key);
	bool hex = n == 64;
	for (size_t i = 0; hex && i < 32; i++) {
		int hi = hex_value(key[2 * i]), lo = hex_value(key[2 * i + 1]);
		hex = hi >= 0 && lo >= 0;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	if (hex)
		return true;
	unsigned int dn = 0;
	return EVP_Digest(key, n, out, &dn, EVP_sha256(), NULL) == 1 && dn == 32;
}

bool x509_dedup_check(struct x509_dedup *d, double now, const char *key, bool host_cert,
		      bool client_cert)
{
	uint8_t flags = (uint8_t)((host_cert ? 1 : 0) | (client_cert ? 2 : 0));
	if (d->relog_after <= 0)
		return true;
	uint8_t digest[32];
	if (!key_digest(key, digest))
		return true;
	if (d->cap) {
		struct dedup_slot *s = find(d->slots, d->cap, digest, flags);
		if (s->used) {
			if (now - s->added < d->relog_after)
				return false;
			s->added = now; /* expired and re-added */
			return true;
		}
	}
	if (d->n >= X509_DEDUP_MAX)
		return true;
	if ((d->n + 1) * 2 > d->cap && !grow(d))
		return true;
	struct dedup_slot *s = find(d->slots, d->cap, digest, flags);
	s->used = true;
	s->flags = flags;
	memcpy(s->digest, digest, 32);
	s->added = now;
	d->n++;
	return true;
}
