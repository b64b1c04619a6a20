/*
 * SipHash-2-4 with 64-bit output (Aumasson & Bernstein, "SipHash: a fast
 * short-input PRF", 2012). Zeek keys every hash table and its connection
 * UIDs with it (zeek-core-spec §4.2, §4.8).
 */
#ifndef SMTPLOG_CORE_SIPHASH_H
#define SMTPLOG_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 128-bit key as two words: k0 is key bytes 0..7 read little-endian. */
struct siphash_key {
	uint64_t k0, k1;
};

/* Reads a 16-byte key in the paper's byte order. */
struct siphash_key siphash_key_from_bytes(const uint8_t bytes[16]);
uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);

#endif
