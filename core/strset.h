/*
 * String lists and sets as smtp.log's records hold them: a list keeps
 * strings back to back in one buffer; a set is a Zeek set[string] as a
 * script fills it, every insertion in order (for Zeek's print order, which
 * the caller replays with zset_order) plus its distinct members (for
 * |set|). Each distinct string of a set is stored once.
 *
 * Lifetime: *_init, any number of *_clear (keeps the storage), *_free.
 * The owner of a list or set owns everything it holds.
 */
#ifndef SMTPLOG_CORE_STRSET_H
#define SMTPLOG_CORE_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "core/siphash.h"

/* Where an entry's bytes lie. */
struct strref {
	size_t off, len;
};

struct strlist {
	struct buf bytes;     /* owned: the strings back to back */
	struct strref *items; /* owned */
	size_t n, cap, max;
	bool err;	      /* an entry was lost (max reached, no memory) */
};

void strlist_init(struct strlist *l, size_t max);
void strlist_clear(struct strlist *l);
void strlist_free(struct strlist *l);
/* Appends a copy of p[0..n); false (and err) when it could not. */
bool strlist_add(struct strlist *l, const void *p, size_t n);
/* Entry i < l->n; valid until the list next changes. */
struct bytes strlist_get(const struct strlist *l, size_t i);
/* The bytes its storage holds, used or not. */
size_t strlist_storage(const struct strlist *l);

struct strset {
	bool present;		/* Zeek's field is set, even when empty */
	struct strlist hist;	/* every insertion; the bytes of the members */
	struct strlist members; /* one entry a distinct string, into hist.bytes */
	uint32_t *index;	/* owned: member number + 1 per slot, 0 empty */
	size_t index_cap;	/* a power of two above twice members.n, or 0 */
	size_t index_n;		/* members 0..index_n-1 are in the index */
	bool index_failed;	/* no memory for the index: search linearly */
};

/* At most `max` insertions are remembered; later ones set hist.err. */
void strset_init(struct strset *s, size_t max);
void strset_clear(struct strset *s);
void strset_free(struct strset *s);
/*
 * Inserts p[0..n): a new member, or one more insertion of an old one.
 * index_key keys the hash index of large sets; it changes only how fast a
 * member is found, so any key gives the same set (a random one keeps
 * crafted strings from colliding).
 */
void strset_add(struct strset *s, const struct siphash_key *index_key, const uint8_t *p, size_t n);
size_t strset_storage(const struct strset *s);

#endif
