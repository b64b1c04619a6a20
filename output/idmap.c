#include "output/idmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define ID_MIN_TAIL 14
#define ID_MAX_TAIL 18

struct idmap_entry {
	char *id; /* owned; NULL: an empty slot */
	size_t len;
	unsigned long rank;
};

static bool is_base62(char c)
{
	return ascii_is_alnum((uint8_t)c);
}

bool idmap_is_id(const char *p, size_t n)
{
	if (n < 1 + ID_MIN_TAIL || n > 1 + ID_MAX_TAIL || (p[0] != 'C' && p[0] != 'F'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_base62(p[i]))
			return false;
	return true;
}

/* FNV-1a: IDs are short and random already. */
static uint64_t hash_id(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037u;
	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)p[i];
		h *= 1099511628211u;
	}
	return h;
}

static int grow(struct idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 256;
	struct idmap_entry *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].id)
			continue;
		size_t k = hash_id(m->slots[i].id, m->slots[i].len) & (cap - 1);
		while (s[k].id)
			k = (k + 1) & (cap - 1);
		s[k] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->cap = cap;
	return 0;
}

unsigned long idmap_rank(struct idmap *m, const char *p, size_t n)
{
	if (m->used + 1 > m->cap / 4 * 3 && grow(m) < 0)
		return 0;
	size_t k = hash_id(p, n) & (m->cap - 1);
	while (m->slots[k].id) {
		if (m->slots[k].len == n && memcmp(m->slots[k].id, p, n) == 0)
			return m->slots[k].rank;
		k = (k + 1) & (m->cap - 1);
	}
	char *id = malloc(n);
	if (!id)
		return 0;
	memcpy(id, p, n);
	m->slots[k].id = id;
	m->slots[k].len = n;
	m->slots[k].rank = p[0] == 'C' ? ++m->next_c : ++m->next_f;
	m->used++;
	return m->slots[k].rank;
}

void idmap_free(struct idmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].id);
	free(m->slots);
	memset(m, 0, sizeof *m);
}
