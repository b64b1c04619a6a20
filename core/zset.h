/*
 * The order in which Zeek prints a set (zeek-core-spec §4.8, protocols spec
 * Appendix B). Zeek walks its hash table (Dictionary) slot by slot, so the
 * printed order depends on the table key and on the whole insertion history
 * -- including any set the elements passed through on the way. This module
 * replays that history on a model of the table.
 *
 * Use: give the elements in the order the script inserted them (duplicates
 * allowed, they are ignored as Zeek ignores them) and receive, in print
 * order, the index of each distinct element's first insertion:
 *
 *	size_t order[N], n;
 *	if (zset_order(uid_gen_table_key(uids), ZSET_STRING, elems, N,
 *		       order, &n) == 0)
 *		for (size_t i = 0; i < n; i++)
 *			print(elems[order[i]]);
 *
 * A set built by iterating another set (e.g. Zeek's split, then trim, then
 * the record field) is ordered by calling zset_order once per set, each
 * time with the elements in the previous set's print order. zset_copy_order
 * does this for a plain copy().
 */
#ifndef SMTPLOG_CORE_ZSET_H
#define SMTPLOG_CORE_ZSET_H

#include <stddef.h>
#include <stdint.h>

#include "core/siphash.h"

/* How Zeek hashes a set's single index type. */
enum zset_elem_type {
	ZSET_STRING, /* the raw bytes: str, len */
	ZSET_COUNT,  /* count, int or enum: num as 8 little-endian bytes */
};

/* One element; only the fields of its type are read. An enum's num is
 * Zeek's internal value for the enum name; an int is stored as its
 * two's-complement bits. */
struct zset_elem {
	const char *str;
	size_t len;
	uint64_t num;
};

/*
 * Writes to order_out[0..*n_out-1] the indexes into elems of the distinct
 * elements in Zeek's print order; order_out has room for n. key is the
 * table key from uid_gen_table_key(); NULL (no seed) keeps insertion order.
 * Returns 0 or -ENOMEM.
 */
int zset_order(const struct siphash_key *key, enum zset_elem_type type,
	       const struct zset_elem *elems, size_t n, size_t *order_out,
	       size_t *n_out);

/*
 * Zeek's copy() of a set re-inserts the elements in print order into a new
 * table, which may print them differently. order holds n distinct indexes
 * in print order (as from zset_order) and is rewritten with the copy's
 * order. Returns 0 or -ENOMEM.
 */
int zset_copy_order(const struct siphash_key *key, enum zset_elem_type type,
		    const struct zset_elem *elems, size_t *order, size_t n);

#endif
