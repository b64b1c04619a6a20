/*
 * HighwayHash (Alakuijala, Cox, Wassenberg, "Fast keyed hash/pseudo-random
 * function using SIMD multiply and permute", 2016), portable version.
 * Zeek derives file IDs from its 128-bit output (zeek-core-spec §4.6).
 */
#ifndef SMTPLOG_CORE_HIGHWAYHASH_H
#define SMTPLOG_CORE_HIGHWAYHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 256-bit key as four little-endian words. */
struct highwayhash_key {
	uint64_t k[4];
};

uint64_t highwayhash64(const struct highwayhash_key *key, const void *data,
		       size_t len);
/* out[0] and out[1] are the two 64-bit halves, in the reference's order. */
void highwayhash128(const struct highwayhash_key *key, const void *data,
		    size_t len, uint64_t out[2]);

#endif
