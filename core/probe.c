#include "core/probe.h"

#include <stdlib.h>
#include <string.h>

void probe_init(struct probe_table *t, size_t slot_size, uint64_t (*hash_of)(const void *slot))
{
	memset(t, 0, sizeof *t);
	t->slot_size = slot_size;
	t->hash_of = hash_of;
}

void probe_free(struct probe_table *t)
{
	free(t->used);
	free(t->slots);
	t->used = NULL;
	t->slots = NULL;
	t->cap = t->n = 0;
}

static size_t slot_index(const struct probe_table *t, const void *slot)
{
	return (size_t)((const unsigned char *)slot - t->slots) / t->slot_size;
}

void *probe_at(const struct probe_table *t, size_t i)
{
	return i < t->cap && t->used[i] ? t->slots + i * t->slot_size : NULL;
}

void *probe_find(const struct probe_table *t, uint64_t h,
		 bool (*match)(const void *slot, const void *key), const void *key, void **empty)
{
	if (empty)
		*empty = NULL;
	if (t->cap == 0)
		return NULL;
	/* At most half full: the walk meets a free slot. */
	for (size_t i = (size_t)h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		void *slot = t->slots + i * t->slot_size;
		if (!t->used[i]) {
			if (empty)
				*empty = slot;
			return NULL;
		}
		if (t->hash_of(slot) == h && match(slot, key))
			return slot;
	}
}

bool probe_reserve(struct probe_table *t)
{
	if ((t->n + 1) * 2 <= t->cap)
		return true;
	size_t cap = t->cap ? t->cap * 2 : 64;
	uint8_t *used = calloc(cap, 1);
	unsigned char *slots = calloc(cap, t->slot_size);
	if (!used || !slots) {
		free(used);
		free(slots);
		return false;
	}
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->used[i])
			continue;
		const unsigned char *from = t->slots + i * t->slot_size;
		size_t j = (size_t)t->hash_of(from) & (cap - 1);
		while (used[j])
			j = (j + 1) & (cap - 1);
		used[j] = 1;
		memcpy(slots + j * t->slot_size, from, t->slot_size);
	}
	free(t->used);
	free(t->slots);
	t->used = used;
	t->slots = slots;
	t->cap = cap;
	return true;
}

void probe_take(struct probe_table *t, void *slot)
{
	t->used[slot_index(t, slot)] = 1;
	t->n++;
}
