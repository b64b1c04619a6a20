/*
 * A model of Zeek's Dictionary (src/Dict.h): open addressing with Robin
 * Hood-like clusters, a table that only grows, and incremental remapping
 * after each growth. Only the slot positions matter to us, so a slot keeps
 * the element's index, its 32-bit hash and its distance from home.
 * Names follow the spec's terms: a slot's home bucket is index - distance;
 * a cluster is a run of consecutive slots with the same home.
 */
#include "core/zset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_EMPTY (-1)
/* Dict.h constants. */
#define DICT_REMAP_ENTRIES 16	       /* remaps per insert */
#define DICT_THRESHOLD_BITS 3	       /* up to here, grow only when full */
#define DICT_LOAD_FACTOR_100 75	       /* beyond it, grow at 75 % */
#define MIN_DICT_LOAD_FACTOR_100 25    /* no distance-driven growth below */
#define SPACE_DISTANCE_THRESHOLD 32    /* mean displacement that grows */
#define MIN_SPACE_DISTANCE_SAMPLES 128 /* samples before that counts */
/* 2^64 / golden ratio: Zeek's Fibonacci hashing multiplier. */
#define FIB_MULTIPLIER 11400714819323198485ULL

struct zslot {
	size_t elem;	/* index into the caller's elements */
	uint32_t hash;	/* low 32 bits of the SipHash */
	int distance;	/* from the home bucket, or SLOT_EMPTY */
};

/* Slots kept inside the table before any allocation: the sets of a log
 * line rarely hold more than a few elements. */
#define ZTABLE_INLINE_SLOTS 20

struct ztable {
	const struct zset_elem *elems;
	enum zset_elem_type type;
	struct zslot *slot; /* cap entries: inline, or owned once grown past it */
	struct zslot inline_slot[ZTABLE_INLINE_SLOTS];
	int log2, cap;
	int remaps;	/* growths whose remapping is unfinished */
	int remap_end;	/* next slot to remap, -1 when none */
	uint32_t count;
	uint32_t samples; /* displacement statistics since the last growth */
	int64_t sum;
};

static int capacity_for(int log2)
{
	return (1 << log2) + log2;
}

static int slot_empty(const struct ztable *t, int i)
{
	return t->slot[i].distance == SLOT_EMPTY;
}

static int home_of(const struct ztable *t, int i)
{
	return i - t->slot[i].distance;
}

/* The low `bits` bits of the Fibonacci product of the 32-bit hash. */
static int bucket_of(uint32_t hash, int bits)
{
	if (bits == 0)
		return 0;
	uint64_t h = (uint64_t)hash * FIB_MULTIPLIER;
	return (int)(h & ((1ULL << bits) - 1));
}

static uint32_t elem_hash(const struct siphash_key *key,
			  enum zset_elem_type type, const struct zset_elem *e)
{
	if (type == ZSET_STRING)
		return (uint32_t)siphash24(key, e->str, e->len);
	uint8_t b[8];
	uint64_t v = e->num;
	for (int i = 0; i < 8; i++, v >>= 8)
		b[i] = (uint8_t)v;
	return (uint32_t)siphash24(key, b, sizeof b);
}

static int elem_equal(const struct ztable *t, size_t a, size_t b)
{
	const struct zset_elem *x = &t->elems[a], *y = &t->elems[b];
	if (t->type != ZSET_STRING)
		return x->num == y->num;
	return x->len == y->len && memcmp(x->str, y->str, x->len) == 0;
}

static int grow(struct ztable *t)
{
	int prev = t->cap, cap = capacity_for(t->log2 + 1);
	struct zslot *s;
	if (cap <= ZTABLE_INLINE_SLOTS) {
		s = t->inline_slot;
	} else if (t->slot == t->inline_slot) {
		s = malloc((size_t)cap * sizeof *s);
		if (s)
			memcpy(s, t->inline_slot, (size_t)prev * sizeof *s);
	} else {
		s = realloc(t->slot, (size_t)cap * sizeof *s);
	}
	if (!s)
		return -ENOMEM;
	t->slot = s;
	t->log2++;
	t->cap = cap;
	/* Existing entries stay put; remapping them is spread over the
	 * following inserts, starting from the old end. */
	for (int i = prev; i < cap; i++)
		s[i].distance = SLOT_EMPTY;
	t->remap_end = prev;
	t->remaps++;
	t->sum = 0;
	t->samples = 0;
	return 0;
}

/* One past the last slot of the cluster that slot pos belongs to. */
static int cluster_end_at(const struct ztable *t, int pos)
{
	int home = home_of(t, pos), i = pos;
	while (i < t->cap && !slot_empty(t, i) && home_of(t, i) == home)
		i++;
	return i;
}

/* Where a new entry for bucket b goes: after every cluster homed <= b. */
static int cluster_end_for_bucket(const struct ztable *t, int b)
{
	int i = b;
	while (i < t->cap && !slot_empty(t, i) && home_of(t, i) <= b)
		i++;
	return i;
}

/*
 * Puts e at pos. An occupant moves to the end of its own cluster, which
 * displaces the next occupant in turn. Reaching the end of the table grows
 * it. *last is the final slot written.
 */
static int place(struct ztable *t, struct zslot e, int pos, int *last)
{
	for (;;) {
		if (pos >= t->cap) {
			int rc = grow(t);
			if (rc)
				return rc;
			t->slot[pos] = e;
			*last = pos;
			return 0;
		}
		if (slot_empty(t, pos)) {
			t->slot[pos] = e;
			*last = pos;
			return 0;
		}
		struct zslot moved = t->slot[pos];
		int next = cluster_end_at(t, pos);
		moved.distance += next - pos;
		t->slot[pos] = e;
		e = moved;
		pos = next;
	}
}

/* Empties slot pos, pulling the tails of the following clusters back. */
static struct zslot take_out(struct ztable *t, int pos)
{
	struct zslot e = t->slot[pos];
	for (;;) {
		if (pos == t->cap - 1 || slot_empty(t, pos + 1) ||
		    t->slot[pos + 1].distance == 0) {
			t->slot[pos].distance = SLOT_EMPTY;
			return e;
		}
		int next = cluster_end_at(t, pos + 1) - 1;
		t->slot[pos] = t->slot[next];
		t->slot[pos].distance -= next - pos;
		pos = next;
	}
}

/* Moves the entry at pos to its bucket for the current size. Returns 1 if
 * it moved (with its new slot in *moved_to), 0 if not, or -ENOMEM. */
static int remap_entry(struct ztable *t, int pos, int *moved_to)
{
	int expected = bucket_of(t->slot[pos].hash, t->log2);
	if (home_of(t, pos) == expected)
		return 0;
	struct zslot e = take_out(t, pos);
	int at = cluster_end_for_bucket(t, expected), last;
	e.distance = at - expected;
	if (moved_to)
		*moved_to = at;
	return place(t, e, at, &last) ? -ENOMEM : 1;
}

/* One bounded step of the pending remap, walking down from remap_end. */
static int remap_step(struct ztable *t)
{
	int budget = DICT_REMAP_ENTRIES;
	while (t->remap_end >= 0 && budget > 0) {
		int rc = 0;
		if (!slot_empty(t, t->remap_end))
			rc = remap_entry(t, t->remap_end, NULL);
		if (rc < 0)
			return rc;
		if (rc)
			budget--;
		else
			t->remap_end--;
	}
	if (t->remap_end < 0)
		t->remaps = 0;
	return 0;
}

/* Scans bucket b's cluster within slots [b, end). Returns the slot holding
 * elem, or -1 with the insert position in *stop. */
static int scan_cluster(const struct ztable *t, size_t elem, uint32_t hash,
			int b, int end, int *stop)
{
	int i = b;
	for (; i < end && !slot_empty(t, i) && home_of(t, i) <= b; i++)
		if (home_of(t, i) == b && t->slot[i].hash == hash &&
		    elem_equal(t, t->slot[i].elem, elem))
			return i;
	*stop = i;
	return -1;
}

/*
 * Zeek's LookupIndex: the current bucket first; while a remap is pending,
 * also the buckets of the older sizes in the part not yet remapped, and an
 * entry found there is remapped on the spot. Returns 1 if present, 0 if
 * not (with the insert position in *pos), or -ENOMEM.
 */
static int lookup(struct ztable *t, size_t elem, uint32_t hash, int *pos)
{
	int stop;
	if (scan_cluster(t, elem, hash, bucket_of(hash, t->log2), t->cap,
			 pos) >= 0)
		return 1;
	for (int r = 1; r <= t->remaps; r++) {
		int b = bucket_of(hash, t->log2 - r);
		if (b > t->remap_end)
			continue;
		int at = scan_cluster(t, elem, hash, b, t->remap_end + 1, &stop);
		if (at >= 0)
			return remap_entry(t, at, NULL) < 0 ? -ENOMEM : 1;
	}
	return 0;
}

static int over_threshold(const struct ztable *t)
{
	uint32_t limit = (uint32_t)t->cap;
	if (t->log2 > DICT_THRESHOLD_BITS)
		limit = (uint32_t)(t->cap * DICT_LOAD_FACTOR_100 / 100);
	return t->count > limit;
}

/* Long displacement chains also trigger growth, unless the load is low. */
static int too_displaced(const struct ztable *t)
{
	return t->samples > MIN_SPACE_DISTANCE_SAMPLES &&
	       (uint64_t)t->sum >
		       (uint64_t)t->samples * SPACE_DISTANCE_THRESHOLD &&
	       (int)t->count > MIN_DICT_LOAD_FACTOR_100 * t->cap / 100;
}

/* Places a new entry (Zeek's InsertRelocateAndAdjust) and counts it. */
static int add_new(struct ztable *t, size_t elem, uint32_t hash, int pos)
{
	int b = bucket_of(hash, t->log2), last;
	struct zslot e = {elem, hash, pos - b};
	if (place(t, e, pos, &last))
		return -ENOMEM;
	t->sum += last - pos;
	t->samples++;
	/* An entry pushed across remap_end must still be remapped. */
	if (t->remap_end >= 0 && pos <= t->remap_end && t->remap_end < last)
		t->remap_end = last;
	t->count++;
	if (over_threshold(t) || too_displaced(t))
		return grow(t);
	return 0;
}

static int insert(struct ztable *t, size_t elem, uint32_t hash)
{
	int pos = 0, rc;
	if (!t->slot) {
		/* Storage appears at the first insert, with one slot. */
		t->slot = t->inline_slot;
		t->cap = capacity_for(t->log2);
		t->slot[0].distance = SLOT_EMPTY;
	}
	rc = lookup(t, elem, hash, &pos);
	if (rc == 0)
		rc = add_new(t, elem, hash, pos);
	if (rc < 0)
		return rc;
	/* Even a duplicate add advances a pending remap. */
	return t->remap_end >= 0 ? remap_step(t) : 0;
}

static size_t table_order(const struct ztable *t, size_t *out)
{
	size_t n = 0;
	for (int i = 0; i < t->cap; i++)
		if (!slot_empty(t, i))
			out[n++] = t->slot[i].elem;
	return n;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* Inserts elems[idx[i]] (or elems[i] if idx is NULL) in turn. */
static int build(struct ztable *t, const struct siphash_key *key,
		 const size_t *idx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t e = idx ? idx[i] : i;
		int rc = insert(t, e, elem_hash(key, t->type, &t->elems[e]));
		if (rc)
			return rc;
	}
	return 0;
}

static int run(const struct siphash_key *key, enum zset_elem_type type,
	       const struct zset_elem *elems, const size_t *idx, size_t n,
	       size_t *order_out, size_t *n_out)
{
	static const struct siphash_key no_key;
	struct ztable t = {.elems = elems, .type = type, .remap_end = -1};
	/* Unseeded, the table only removes duplicates; each survivor is its
	 * first insertion, so sorting the indexes restores insertion order. */
	int rc = build(&t, key ? key : &no_key, idx, n);
	if (rc == 0) {
		*n_out = t.slot ? table_order(&t, order_out) : 0;
		if (!key)
			qsort(order_out, *n_out, sizeof *order_out, cmp_size);
	}
	if (t.slot != t.inline_slot)
		free(t.slot);
	return rc;
}

int zset_order(const struct siphash_key *key, enum zset_elem_type type,
	       const struct zset_elem *elems, size_t n, size_t *order_out,
	       size_t *n_out)
{
	*n_out = 0;
	if (n == 1) {
		/* One element prints as itself: no table to model. */
		order_out[0] = 0;
		*n_out = 1;
		return 0;
	}
	return run(key, type, elems, NULL, n, order_out, n_out);
}

int zset_copy_order(const struct siphash_key *key, enum zset_elem_type type,
		    const struct zset_elem *elems, size_t *order, size_t n)
{
	size_t m = 0;
	if (!key || n <= 1)
		return 0; /* nothing to reorder */
	size_t *copy = malloc(n * sizeof *copy);
	if (!copy)
		return -ENOMEM;
	int rc = run(key, type, elems, order, n, copy, &m);
	if (rc == 0)
		memcpy(order, copy, m * sizeof *copy);
	free(copy);
	return rc;
}
