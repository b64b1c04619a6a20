/* Unit tests for core/probe.c: the open-addressing slot table. */
#include "core/probe.h"

#include <stdlib.h>
#include <string.h>

#include "tests/check.h"

struct entry {
	uint32_t key;
	uint32_t value;
};

/* A hash that collides on purpose: every key lands in one of 4 chains. */
static uint64_t crowded_hash(uint32_t key)
{
	return key & 3u;
}

static uint64_t spread_hash(uint32_t key)
{
	return (uint64_t)key * 0x9e3779b97f4a7c15ull;
}

static uint64_t (*key_hash)(uint32_t) = spread_hash;

static uint64_t entry_hash(const void *slot)
{
	return key_hash(((const struct entry *)slot)->key);
}

static bool entry_is(const void *slot, const void *key)
{
	return ((const struct entry *)slot)->key == *(const uint32_t *)key;
}

static bool insert(struct probe_table *t, uint32_t key, uint32_t value)
{
	if (!probe_reserve(t))
		return false;
	void *empty;
	if (probe_find(t, key_hash(key), entry_is, &key, &empty) || !empty)
		return false;
	probe_take(t, empty);
	struct entry *e = empty;
	e->key = key;
	e->value = value;
	return true;
}

static void fill_and_find(uint64_t (*h)(uint32_t), uint32_t n)
{
	key_hash = h;
	struct probe_table t;
	probe_init(&t, sizeof(struct entry), entry_hash);
	uint32_t missing = 7;
	CHECK(probe_find(&t, key_hash(missing), entry_is, &missing, NULL) == NULL);
	void *empty = &t;
	CHECK(probe_find(&t, 0, entry_is, &missing, &empty) == NULL && empty == NULL);
	bool all_in = true;
	for (uint32_t k = 0; k < n; k++)
		all_in &= insert(&t, k * 2, k + 100);
	CHECK(all_in);
	CHECK(t.n == n && t.cap >= 2 * n);
	/* Every entry survives the growths; no odd key is found. */
	bool found = true, absent = true;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t even = k * 2, odd = k * 2 + 1;
		const struct entry *e = probe_find(&t, key_hash(even), entry_is, &even, NULL);
		found &= e && e->value == k + 100;
		absent &= probe_find(&t, key_hash(odd), entry_is, &odd, NULL) == NULL;
	}
	CHECK(found);
	CHECK(absent);
	/* A second insertion of a key finds it instead. */
	CHECK(!insert(&t, 0, 1));
	CHECK(t.n == n);
	/* Walking the slots meets each entry once. */
	size_t seen = 0;
	uint64_t sum = 0;
	for (size_t i = 0; i < t.cap; i++) {
		const struct entry *e = probe_at(&t, i);
		if (e) {
			seen++;
			sum += e->value;
		}
	}
	CHECK(seen == n);
	CHECK(sum == (uint64_t)n * 100 + (uint64_t)n * (n - 1) / 2);
	CHECK(probe_at(&t, t.cap) == NULL);
	probe_free(&t);
	CHECK(t.cap == 0 && t.n == 0);
	probe_free(&t); /* twice is harmless */
}

int main(void)
{
	fill_and_find(spread_hash, 5000);
	fill_and_find(crowded_hash, 300);
	fill_and_find(spread_hash, 1);
	return check_summary();
}
