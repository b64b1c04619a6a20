/*
 * Zeek's identifiers (zeek-core-spec §4): connection UIDs ("C" + base62 of
 * 96 bits drawn from a keyed counter), file IDs ("F" + base62 of a keyed
 * hash of the file handle string), and the key Zeek's hash tables use,
 * which decides the printed order of sets (core/zset.h).
 *
 * A generator is plain data: no globals, no allocation. Initialise it once
 * with one of the uid_gen_init_* functions; it is then used from one thread.
 */
#ifndef SMTPLOG_CORE_UID_H
#define SMTPLOG_CORE_UID_H

#include <stddef.h>
#include <stdint.h>

#include "core/highwayhash.h"
#include "core/siphash.h"

#define UID_TEXT_MAX 24
/* Zeek's seed file holds one srandom() seed, then this many seed words
 * (KeyedHash::SEED_INIT_SIZE). */
#define UID_SEED_WORDS 20
/* Zeek's default `digest_salt`, which keys file IDs. */
#define UID_DEFAULT_DIGEST_SALT "Please change this value."

struct uid_gen {
	struct siphash_key table_key;	 /* seed words 16..19: UIDs, set order */
	struct highwayhash_key fuid_key; /* SHA-256(digest_salt): file IDs */
	uint64_t instance;		 /* pool 1's instance: 1 if seeded */
	uint64_t counter;		 /* pool 1's draws so far */
	int seeded;			 /* 1 if the key came from seeds */
};

/* Random mode: a random key and instance from getrandom(). Every run gives
 * different UIDs (as Zeek does). Returns 0 or -errno. */
int uid_gen_init_random(struct uid_gen *g);

/* Deterministic mode from the 20 seed words (the seed file's values 1..20;
 * all zero is Zeek's -D). Returns 0, or -EIO if SHA-256 failed. */
int uid_gen_init_seeds(struct uid_gen *g, const uint32_t seed[UID_SEED_WORDS]);

/* Reads a seed file exactly as Zeek's -G / ZEEK_SEED_FILE does: 21 unsigned
 * decimal numbers separated by white space, read as by fscanf("%u"); the
 * first is ignored (it seeds srandom), text after the 21st is ignored.
 * Returns 0, or a negative errno with a one-line message in err. */
int uid_gen_init_seed_file(struct uid_gen *g, const char *path, char *err,
			   size_t errlen);

/* Mirrors `redef digest_salt`: re-keys file IDs. Returns 0 or -EIO. */
int uid_gen_set_digest_salt(struct uid_gen *g, const void *salt, size_t len);

/* The SipHash key of Zeek's hash tables when seeded, NULL in random mode
 * (set order is then insertion order; see core/zset.h). */
const struct siphash_key *uid_gen_table_key(const struct uid_gen *g);

/* Writes prefix + base62(a) + base62(b), NUL-terminated. */
void uid_format(char prefix, uint32_t a, uint64_t b, char out[UID_TEXT_MAX]);

/* The next connection (or tunnel) UID: two draws from pool 1. */
void uid_next_conn(struct uid_gen *g, char out[UID_TEXT_MAX]);

/* The file ID for a file handle string (zeek-core-spec §4.6-4.7). It does
 * not depend on the seeds, only on the digest salt. */
void uid_file_id(const struct uid_gen *g, const void *handle, size_t len,
		 char out[UID_TEXT_MAX]);

#endif
