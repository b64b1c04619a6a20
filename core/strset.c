#include "core/strset.h"

#include <stdlib.h>
#include <string.h>

/* Sets below this many members are searched: nearly all of them, and a
 * search of a few short strings is cheaper than hashing one. */
#define STRSET_INDEX_FROM 16

void strlist_init(struct strlist *l, size_t max)
{
	memset(l, 0, sizeof *l);
	buf_init(&l->bytes, (size_t)1 << 30);
	l->max = max;
}

void strlist_free(struct strlist *l)
{
	buf_free(&l->bytes);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void strlist_clear(struct strlist *l)
{
	buf_reset(&l->bytes);
	l->n = 0;
	l->err = false;
}

/* Room for one more entry (not its bytes). */
static bool strlist_reserve(struct strlist *l)
{
	if (l->err || l->n == l->max) {
		l->err = true;
		return false;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct strref *it = realloc(l->items, nc * sizeof *it);
		if (!it) {
			l->err = true;
			return false;
		}
		l->items = it;
		l->cap = nc;
	}
	return true;
}

/* An entry for bytes already stored at `at`: in this list's buffer, or,
 * for a set's members, in the buffer of its history. */
static bool strlist_add_ref(struct strlist *l, size_t at, size_t n)
{
	if (!strlist_reserve(l))
		return false;
	l->items[l->n] = (struct strref){at, n};
	l->n++;
	return true;
}

bool strlist_add(struct strlist *l, const void *p, size_t n)
{
	if (!strlist_reserve(l))
		return false;
	size_t at = l->bytes.len;
	if (n && !buf_append(&l->bytes, p, n)) {
		l->err = true;
		return false;
	}
	l->items[l->n] = (struct strref){at, n};
	l->n++;
	return true;
}

struct bytes strlist_get(const struct strlist *l, size_t i)
{
	struct bytes b = {l->bytes.data ? l->bytes.data + l->items[i].off : (const uint8_t *)"",
			  l->items[i].len};
	return b;
}

size_t strlist_storage(const struct strlist *l)
{
	return l->bytes.cap + l->cap * sizeof *l->items;
}

/*
 * A client repeating one long address costs an index entry per RCPT, not
 * the address again (Zeek's set holds one copy, too). Members are found
 * through a hash index: a linear search made 1,000 recipients cycled a
 * million times cost 500 million compares. Without memory for the index,
 * the linear search it is.
 */

void strset_init(struct strset *s, size_t max)
{
	memset(s, 0, sizeof *s);
	strlist_init(&s->hist, max);
	strlist_init(&s->members, max);
}

void strset_free(struct strset *s)
{
	strlist_free(&s->hist);
	strlist_free(&s->members);
	free(s->index);
	s->index = NULL;
	s->index_cap = 0;
}

void strset_clear(struct strset *s)
{
	s->present = false;
	strlist_clear(&s->hist);
	strlist_clear(&s->members);
	if (s->index)
		memset(s->index, 0, s->index_cap * sizeof *s->index);
	s->index_n = 0;
	s->index_failed = false;
}

size_t strset_storage(const struct strset *s)
{
	return strlist_storage(&s->hist) + strlist_storage(&s->members) +
	       s->index_cap * sizeof *s->index;
}

static struct bytes strset_member(const struct strset *s, size_t m)
{
	struct bytes b = {(const uint8_t *)"", s->members.items[m].len};
	if (b.n)
		b.p = s->hist.bytes.data + s->members.items[m].off;
	return b;
}

static bool strset_member_is(const struct strset *s, size_t m, const uint8_t *p, size_t n)
{
	struct bytes b = strset_member(s, m);
	return b.n == n && (n == 0 || memcmp(b.p, p, n) == 0);
}

/* The slot holding p[0..n) or, if absent, the empty slot for it. */
static size_t strset_slot(const struct strset *s, uint64_t h, const uint8_t *p, size_t n)
{
	size_t mask = s->index_cap - 1, i = (size_t)h & mask;
	while (s->index[i] && !strset_member_is(s, s->index[i] - 1, p, n))
		i = (i + 1) & mask;
	return i;
}

/* Room for one more member in the index, and every member in it; false
 * (and the linear search from now on) without memory. */
static bool strset_index_reserve(struct strset *s, const struct siphash_key *key)
{
	if (s->index_failed)
		return false;
	if ((s->members.n + 1) * 2 >= s->index_cap) {
		size_t cap = s->index_cap ? s->index_cap * 2 : 64;
		while ((s->members.n + 1) * 2 >= cap)
			cap *= 2;
		free(s->index);
		s->index_n = 0;
		if (s->members.n >= UINT32_MAX / 2 || !(s->index = calloc(cap, sizeof *s->index))) {
			s->index = NULL;
			s->index_cap = 0;
			s->index_failed = true;
			return false;
		}
		s->index_cap = cap;
	}
	/* The members added while the set was small (or since a growth). */
	for (; s->index_n < s->members.n; s->index_n++) {
		struct bytes b = strset_member(s, s->index_n);
		s->index[strset_slot(s, siphash24(key, b.p, b.n), b.p, b.n)] = (uint32_t)s->index_n + 1;
	}
	return true;
}

void strset_add(struct strset *s, const struct siphash_key *index_key, const uint8_t *p, size_t n)
{
	s->present = true;
	const struct strlist *m = &s->members;
	bool indexed = m->n >= STRSET_INDEX_FROM && strset_index_reserve(s, index_key);
	size_t slot = 0;
	if (indexed) {
		slot = strset_slot(s, siphash24(index_key, p, n), p, n);
		if (s->index[slot]) {
			strlist_add_ref(&s->hist, m->items[s->index[slot] - 1].off, n);
			return;
		}
	} else {
		for (size_t i = 0; i < m->n; i++) {
			if (strset_member_is(s, i, p, n)) {
				strlist_add_ref(&s->hist, m->items[i].off, n);
				return;
			}
		}
	}
	/* A new member: its bytes go to hist's buffer even when hist has
	 * no room left for the entry, so that |set| still counts it. */
	size_t at = s->hist.bytes.len;
	if (n && !buf_append(&s->hist.bytes, p, n)) {
		s->hist.err = true;
		return;
	}
	strlist_add_ref(&s->hist, at, n);
	if (strlist_add_ref(&s->members, at, n) && indexed) {
		s->index[slot] = (uint32_t)m->n; /* member m->n - 1, plus one */
		s->index_n = m->n;
	}
}
