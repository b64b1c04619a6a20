/*
 * An open-addressing table of fixed-size slots: linear probing over a
 * power-of-two array kept at most half full, which its users' sets of
 * certificates and fingerprints need and nothing more (no deletion).
 * The table owns the slots' storage but not what a slot points to; a
 * slot's bytes move when the table grows, so callers copy out what they
 * keep and never hold a slot pointer across probe_reserve.
 *
 * Lifetime: probe_init, any number of finds and inserts, probe_free.
 */
#ifndef SMTPLOG_CORE_PROBE_H
#define SMTPLOG_CORE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct probe_table {
	uint8_t *used;		/* owned: one flag a slot */
	unsigned char *slots;	/* owned: cap slots of slot_size bytes */
	size_t slot_size, cap, n;
	/* The hash a slot was inserted under (rehashing when it grows). */
	uint64_t (*hash_of)(const void *slot);
};

void probe_init(struct probe_table *t, size_t slot_size, uint64_t (*hash_of)(const void *slot));
void probe_free(struct probe_table *t);

/*
 * The used slot with hash h that match(slot, key) accepts, or NULL; and
 * in *empty (when not NULL) the free slot where such an entry would go,
 * or NULL when the table has no storage yet.
 */
void *probe_find(const struct probe_table *t, uint64_t h,
		 bool (*match)(const void *slot, const void *key), const void *key, void **empty);

/* Room for one more entry (grows, which moves every slot); false when
 * memory runs out, the table unchanged. */
bool probe_reserve(struct probe_table *t);

/* Marks the free slot probe_find gave as used; its bytes are the
 * caller's to fill (zeroed until then). */
void probe_take(struct probe_table *t, void *slot);

/* Slot i < t->cap, or NULL when it is free (for walking every entry). */
void *probe_at(const struct probe_table *t, size_t i);

#endif
