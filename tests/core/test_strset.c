/* Unit tests for core/strset.c: the string lists and sets of smtp.log. */
#include "core/strset.h"

#include <stdlib.h>
#include <string.h>

#include "tests/check.h"

static const struct siphash_key key_a = {1, 2}, key_b = {0x0123456789abcdefull, 42};

static void test_list(void)
{
	struct strlist l;
	strlist_init(&l, 3);
	CHECK(strlist_add(&l, "one", 3));
	CHECK(strlist_add(&l, "", 0));
	CHECK(strlist_add(&l, "three", 5));
	CHECK(!l.err);
	CHECK(!strlist_add(&l, "four", 4)); /* max reached */
	CHECK(l.err && l.n == 3);
	struct bytes b = strlist_get(&l, 0);
	CHECK_BYTES(b.p, b.n, "one");
	b = strlist_get(&l, 1);
	CHECK(b.n == 0 && b.p);
	b = strlist_get(&l, 2);
	CHECK_BYTES(b.p, b.n, "three");
	CHECK(strlist_storage(&l) >= 8);
	strlist_clear(&l);
	CHECK(l.n == 0 && !l.err);
	CHECK(strlist_add(&l, "x", 1));
	b = strlist_get(&l, 0);
	CHECK_BYTES(b.p, b.n, "x");
	strlist_free(&l);

	/* An empty list's only entry may be empty, without any buffer. */
	strlist_init(&l, 2);
	CHECK(strlist_add(&l, "", 0));
	b = strlist_get(&l, 0);
	CHECK(b.n == 0 && b.p);
	strlist_free(&l);
}

static struct bytes member(const struct strset *s, size_t m)
{
	struct bytes b = {(const uint8_t *)"", s->members.items[m].len};
	if (b.n)
		b.p = s->hist.bytes.data + s->members.items[m].off;
	return b;
}

static bool same(struct bytes a, const char *p, size_t n)
{
	return a.n == n && (n == 0 || memcmp(a.p, p, n) == 0);
}

/* Random words from a small alphabet, so that many repeat. */
static size_t word(unsigned *seed, char *out, unsigned distinct)
{
	*seed = *seed * 1103515245u + 12345u;
	unsigned v = (*seed >> 8) % distinct;
	size_t n = (size_t)snprintf(out, 32, "u%u@example.org", v);
	if (v % 97 == 0)
		n = 0; /* the empty string is a member like any other */
	return n;
}

/*
 * Against a direct model: the history is every insertion, the members the
 * distinct strings in order of first insertion, whatever the key, below
 * and above the size from which the set indexes its members.
 */
static void test_set_model(void)
{
	static const unsigned sizes[] = {1, 3, 15, 16, 17, 40, 1000, 3000};
	for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		unsigned distinct = sizes[z];
		struct strset a, b;
		strset_init(&a, 100000);
		strset_init(&b, 100000);
		char (*model)[32] = calloc(distinct + 1, sizeof *model);
		size_t *model_len = calloc(distinct + 1, sizeof *model_len);
		size_t model_n = 0, inserts = 4 * (size_t)distinct + 10;
		unsigned seed = distinct;
		bool ok = model && model_len;
		for (size_t i = 0; ok && i < inserts; i++) {
			char w[32];
			size_t n = word(&seed, w, distinct);
			strset_add(&a, &key_a, (const uint8_t *)w, n);
			strset_add(&b, &key_b, (const uint8_t *)w, n);
			size_t k = 0;
			while (k < model_n && !(model_len[k] == n && memcmp(model[k], w, n) == 0))
				k++;
			if (k == model_n && model_n <= distinct) {
				memcpy(model[k], w, n);
				model_len[k] = n;
				model_n++;
			}
			struct bytes h = strlist_get(&a.hist, i);
			ok = same(h, w, n);
		}
		CHECK(ok);
		CHECK(a.present && a.hist.n == inserts && !a.hist.err);
		CHECK(a.members.n == model_n && b.members.n == model_n);
		bool members_ok = true;
		for (size_t k = 0; k < model_n && members_ok; k++)
			members_ok = same(member(&a, k), model[k], model_len[k]) &&
				     same(member(&b, k), model[k], model_len[k]);
		CHECK(members_ok);
		/* The index is made at the first insertion into a set of 16. */
		if (model_n > 16)
			CHECK(a.index && a.index_n == a.members.n);
		if (model_n < 16)
			CHECK(!a.index);
		free(model);
		free(model_len);
		strset_free(&a);
		strset_free(&b);
	}
}

/* A repeated string is stored once, however often it is inserted. */
static void test_set_stores_once(void)
{
	struct strset s;
	strset_init(&s, 100000);
	uint8_t addr[1000];
	memset(addr, 'a', sizeof addr);
	for (int i = 0; i < 1000; i++)
		strset_add(&s, &key_a, addr, sizeof addr);
	CHECK(s.hist.n == 1000 && s.members.n == 1);
	CHECK(s.hist.bytes.len == sizeof addr);
	strset_free(&s);
}

/* Clearing keeps the storage but forgets members and index alike. */
static void test_set_clear(void)
{
	struct strset s;
	strset_init(&s, 100000);
	char w[32];
	for (int i = 0; i < 100; i++) {
		size_t n = (size_t)snprintf(w, sizeof w, "m%d", i);
		strset_add(&s, &key_a, (const uint8_t *)w, n);
	}
	CHECK(s.members.n == 100 && s.index);
	strset_clear(&s);
	CHECK(!s.present && s.members.n == 0 && s.hist.n == 0 && s.index_n == 0);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 50; i++) {
			size_t n = (size_t)snprintf(w, sizeof w, "m%d", 99 - i);
			strset_add(&s, &key_a, (const uint8_t *)w, n);
		}
	CHECK(s.present && s.members.n == 50 && s.hist.n == 100);
	CHECK(same(member(&s, 0), "m99", 3) && same(member(&s, 49), "m50", 3));
	strset_free(&s);
}

/* A full history loses insertions (hist.err) but a new member still
 * counts, as |set| in Zeek would. */
static void test_set_full(void)
{
	struct strset s;
	strset_init(&s, 5);
	const char *seq[] = {"a", "a", "b", "b", "c", "d", "d"};
	for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++)
		strset_add(&s, &key_a, (const uint8_t *)seq[i], 1);
	CHECK(s.hist.n == 5 && s.hist.err);
	CHECK(s.members.n == 4);
	CHECK(same(member(&s, 3), "d", 1));
	strset_free(&s);
}

int main(void)
{
	test_list();
	test_set_model();
	test_set_stores_once();
	test_set_clear();
	test_set_full();
	return check_summary();
}
