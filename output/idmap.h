/*
 * Zeek's random IDs renamed by order of first appearance: connection UIDs
 * ("C" and 14 to 18 base62 characters; Zeek's are usually 17) and file IDs
 * ("F" and the same), so that two runs without a seed file compare equal.
 * Each prefix counts on its own: the first UID seen is 1, the first file
 * ID is 1. Owner: whoever embeds struct idmap; idmap_free() releases the
 * copies of the IDs it holds (one per distinct ID seen).
 */
#ifndef SMTPLOG_OUTPUT_IDMAP_H
#define SMTPLOG_OUTPUT_IDMAP_H

#include <stdbool.h>
#include <stddef.h>

struct idmap_entry;

struct idmap {
	struct idmap_entry *slots;
	size_t cap, used;
	unsigned long next_c, next_f;
};

/* Whether p (n bytes, the whole value or set element) looks like an ID. */
bool idmap_is_id(const char *p, size_t n);
/* The rank of an ID (from 1, per prefix); 0 when out of memory. */
unsigned long idmap_rank(struct idmap *m, const char *p, size_t n);
void idmap_free(struct idmap *m);

#endif
