#include "proto/x509_dedup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/bytes.h"
#include "core/probe.h"

struct dedup_slot {
	uint8_t flags; /* bit 0 host_cert, bit 1 client_cert */
	uint8_t digest[32];
	double added; /* &create_expire counts from insertion */
};

struct x509_dedup {
	struct probe_table slots; /* of struct dedup_slot */
	double relog_after;
};

/* The digest is uniform already: its first bytes are the hash. */
static uint64_t key_hash(const uint8_t digest[32], uint8_t flags)
{
	uint64_t h;
	memcpy(&h, digest, sizeof h);
	return h ^ flags;
}

static uint64_t slot_hash(const void *slot)
{
	const struct dedup_slot *s = slot;
	return key_hash(s->digest, s->flags);
}

static bool slot_is(const void *slot, const void *key)
{
	const struct dedup_slot *s = slot, *k = key;
	return s->flags == k->flags && memcmp(s->digest, k->digest, 32) == 0;
}

struct x509_dedup *x509_dedup_new(double relog_after)
{
	struct x509_dedup *d = calloc(1, sizeof *d);
	if (d) {
		d->relog_after = relog_after;
		probe_init(&d->slots, sizeof(struct dedup_slot), slot_hash);
	}
	return d;
}

void x509_dedup_free(struct x509_dedup *d)
{
	if (!d)
		return;
	probe_free(&d->slots);
	free(d);
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
	struct dedup_slot want = {.flags = flags};
	if (!key_digest(key, want.digest))
		return true;
	uint64_t h = key_hash(want.digest, flags);
	struct dedup_slot *s = probe_find(&d->slots, h, slot_is, &want, NULL);
	if (s) {
		if (now - s->added < d->relog_after)
			return false;
		s->added = now; /* expired and re-added */
		return true;
	}
	if (d->slots.n >= X509_DEDUP_MAX || !probe_reserve(&d->slots))
		return true;
	void *empty;
	probe_find(&d->slots, h, slot_is, &want, &empty);
	probe_take(&d->slots, empty);
	want.added = now;
	memcpy(empty, &want, sizeof want);
	return true;
}
