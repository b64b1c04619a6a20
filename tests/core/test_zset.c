/*
 * Unit tests for core/zset.c against the set orders of Zeek's baselines
 * under the btest seed (zeek-core-spec §4.8 and §10, protocols spec §2.8
 * and Appendix B).
 */
#include <stdlib.h>
#include <string.h>

#include "core/zset.h"
#include "tests/check.h"

#define MAX_ELEMS 64

/* Seed words 16..19 of testing/btest/random.seed (zeek-core-spec §4.2). */
static const struct siphash_key btest_key = {0x00000000572ae495ULL,
					     0x00007fff87cce000ULL};

/* A set of strings built by inserting v[0..n-1] in turn. */
struct strset {
	const char *v[MAX_ELEMS];
	size_t n;
};

/* Replaces s with its elements in print order. */
static void print_order(const struct siphash_key *key, struct strset *s)
{
	struct zset_elem e[MAX_ELEMS];
	size_t order[MAX_ELEMS], m = 0;
	const char *out[MAX_ELEMS] = {0};
	for (size_t i = 0; i < s->n; i++)
		e[i] = (struct zset_elem){.str = s->v[i], .len = strlen(s->v[i])};
	CHECK(zset_order(key, ZSET_STRING, e, s->n, order, &m) == 0);
	for (size_t i = 0; i < m; i++)
		out[i] = s->v[order[i]];
	memcpy(s->v, out, m * sizeof out[0]);
	s->n = m;
}

/* Joins s with commas, as the TSV writer prints a set. */
static const char *joined(const struct strset *s)
{
	static char buf[4096];
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < s->n && len < sizeof buf; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s",
					i ? "," : "", s->v[i]);
	return buf;
}

static void check_order(const char *const *in, size_t n, const char *want)
{
	struct strset s = {.n = n};
	memcpy(s.v, in, n * sizeof in[0]);
	print_order(&btest_key, &s);
	CHECK_STR(joined(&s), want);
}

static void test_core_spec_strings(void)
{
	static const char *const escape[] = {"AA", ",", ",,", "CC"};
	static const char *const abc[] = {"AA", "BB", "CC"};
	check_order(escape, 4, ",,CC,,,,AA");
	check_order(abc, 3, "CC,BB,AA");
}

static void test_counts(void)
{
	struct zset_elem e[4];
	size_t order[4], m = 0;
	for (size_t i = 0; i < 4; i++)
		e[i] = (struct zset_elem){.num = i + 1};
	CHECK(zset_order(&btest_key, ZSET_COUNT, e, 4, order, &m) == 0);
	CHECK(m == 4);
	CHECK(order[0] == 3 && order[1] == 1 && order[2] == 2 && order[3] == 0);
}

/* language.set-iteration: a copy() iterates differently. */
static void test_copy_reorders(void)
{
	static const char *const v[] = {"1", "2", "3", "4", "5"};
	struct zset_elem e[5];
	size_t order[5], m = 0;
	for (size_t i = 0; i < 5; i++)
		e[i] = (struct zset_elem){.str = v[i], .len = 1};
	CHECK(zset_order(&btest_key, ZSET_STRING, e, 5, order, &m) == 0);
	CHECK(m == 5);
	CHECK(order[0] == 1 && order[1] == 2 && order[2] == 0 &&
	      order[3] == 3 && order[4] == 4);
	CHECK(zset_copy_order(&btest_key, ZSET_STRING, e, order, m) == 0);
	CHECK(order[0] == 2 && order[1] == 1 && order[2] == 0 &&
	      order[3] == 3 && order[4] == 4);
}

/* Adds each element of s, in s's print order, to dst's insert list. */
static void add_all(struct strset *dst, const struct strset *s)
{
	for (size_t i = 0; i < s->n && dst->n < MAX_ELEMS; i++)
		dst->v[dst->n++] = s->v[i];
}

/* Strips leading white space: the header matches come with the blanks of
 * the unfolded line; the trailing side is already clean in these tests. */
static const char *strip(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* split_mime_email_addresses(): find_all matches into A, A's print order
 * stripped into B; then B's print order into the record's set. */
static void add_header_addresses(struct strset *rec, const char *const *match,
				 size_t n)
{
	struct strset a = {.n = n}, b = {0};
	memcpy(a.v, match, n * sizeof match[0]);
	print_order(&btest_key, &a);
	for (size_t i = 0; i < a.n; i++)
		b.v[b.n++] = strip(a.v[i]);
	print_order(&btest_key, &b);
	add_all(rec, &b);
}

/* scripts.base.protocols.smtp.basic, second transaction of smtp.pcap. */
static void test_smtp_basic(void)
{
	/* One RCPT per command: A and B hold one element each. */
	struct strset rcpt = {{"ericlim220@yahoo.com", "felica4uu@hotmail.com",
			       "davis_mark1@outlook.com"},
			      3};
	print_order(&btest_key, &rcpt);
	CHECK_STR(joined(&rcpt),
		  "felica4uu@hotmail.com,ericlim220@yahoo.com,"
		  "davis_mark1@outlook.com");

	/* "Cc: felica4uu@hotmail.com,\r\n davis_mark1@outlook.com" */
	static const char *const cc_match[] = {"felica4uu@hotmail.com",
					       " davis_mark1@outlook.com"};
	struct strset cc = {0};
	add_header_addresses(&cc, cc_match, 2);
	print_order(&btest_key, &cc);
	CHECK_STR(joined(&cc), "felica4uu@hotmail.com,davis_mark1@outlook.com");
}

#define FOLD "        " /* the continuation lines' indent, kept */

/* scripts.base.protocols.smtp.bdat-pipeline-8bitmime, first message. */
static void test_bdat_first_cc(void)
{
	static const char *const m[] = {
		"Daniel Lezcano <daniel.lezcano@linaro.org>",
		FOLD "\"rafael@kernel.org\" <rafael@kernel.org>",
		FOLD "Andy Shevchenko <andriy.shevchenko@linux.intel.com>",
		FOLD "Lukasz Luba <lukasz.luba@arm.com>",
		FOLD "open list <linux-kernel@vger.kernel.org>",
	};
	struct strset cc = {0};
	add_header_addresses(&cc, m, sizeof m / sizeof m[0]);
	print_order(&btest_key, &cc);
	CHECK_STR(joined(&cc),
		  "Lukasz Luba <lukasz.luba@arm.com>,"
		  "open list <linux-kernel@vger.kernel.org>,"
		  "Daniel Lezcano <daniel.lezcano@linaro.org>,"
		  "\"rafael@kernel.org\" <rafael@kernel.org>,"
		  "Andy Shevchenko <andriy.shevchenko@linux.intel.com>");
}

/* Second message: a five-element To and a 22-element Cc, whose table
 * grows three times with remaps in progress. */
static void test_bdat_second_message(void)
{
	static const char *const to_m[] = {
		"linux-man@vger.kernel.org",
		" Amir Goldstein <amir73il@gmail.com>",
		FOLD "Michael Kerrisk <mtk.manpages@gmail.com>",
		FOLD "Luis Henriques <lhenriques@suse.de>",
		FOLD "Steve French <sfrench@samba.org>",
	};
	static const char *const cc_m[] = {
		"Alejandro Colomar <alx.manpages@gmail.com>",
		FOLD "Greg KH <gregkh@linuxfoundation.org>",
		FOLD "Anna Schumaker <anna.schumaker@netapp.com>",
		FOLD "Jeff Layton <jlayton@kernel.org>",
		FOLD "Miklos Szeredi <miklos@szeredi.hu>",
		FOLD "Trond Myklebust <trond.myklebust@hammerspace.com>",
		FOLD "Alexander Viro <viro@zeniv.linux.org.uk>",
		FOLD "\"Darrick J. Wong\" <darrick.wong@oracle.com>",
		FOLD "Dave Chinner <dchinner@redhat.com>",
		FOLD "Nicolas Boichat <drinkcat@chromium.org>",
		FOLD "Ian Lance Taylor <iant@google.com>",
		FOLD "Luis Lozano <llozano@chromium.org>",
		FOLD "Andreas Dilger <adilger@dilger.ca>",
		FOLD "Olga Kornievskaia <aglo@umich.edu>",
		FOLD "Christoph Hellwig <hch@infradead.org>",
		FOLD "ceph-devel <ceph-devel@vger.kernel.org>",
		FOLD "linux-kernel <linux-kernel@vger.kernel.org>",
		FOLD "CIFS <linux-cifs@vger.kernel.org>",
		FOLD "samba-technical <samba-technical@lists.samba.org>",
		FOLD "linux-fsdevel <linux-fsdevel@vger.kernel.org>",
		FOLD "Linux NFS Mailing List <linux-nfs@vger.kernel.org>",
		FOLD "Walter Harms <wharms@bfs.de>",
	};
	struct strset to = {0}, cc = {0};
	add_header_addresses(&to, to_m, sizeof to_m / sizeof to_m[0]);
	print_order(&btest_key, &to);
	CHECK_STR(joined(&to), "Amir Goldstein <amir73il@gmail.com>,"
			       "Luis Henriques <lhenriques@suse.de>,"
			       "linux-man@vger.kernel.org,"
			       "Steve French <sfrench@samba.org>,"
			       "Michael Kerrisk <mtk.manpages@gmail.com>");

	add_header_addresses(&cc, cc_m, sizeof cc_m / sizeof cc_m[0]);
	CHECK(cc.n == 22);
	print_order(&btest_key, &cc);
	CHECK_STR(joined(&cc),
		  "samba-technical <samba-technical@lists.samba.org>,"
		  "Anna Schumaker <anna.schumaker@netapp.com>,"
		  "Linux NFS Mailing List <linux-nfs@vger.kernel.org>,"
		  "linux-fsdevel <linux-fsdevel@vger.kernel.org>,"
		  "Alexander Viro <viro@zeniv.linux.org.uk>,"
		  "Trond Myklebust <trond.myklebust@hammerspace.com>,"
		  "Andreas Dilger <adilger@dilger.ca>,"
		  "Luis Lozano <llozano@chromium.org>,"
		  "Ian Lance Taylor <iant@google.com>,"
		  "Olga Kornievskaia <aglo@umich.edu>,"
		  "Miklos Szeredi <miklos@szeredi.hu>,"
		  "linux-kernel <linux-kernel@vger.kernel.org>,"
		  "Alejandro Colomar <alx.manpages@gmail.com>,"
		  "Walter Harms <wharms@bfs.de>,"
		  "Christoph Hellwig <hch@infradead.org>,"
		  "Nicolas Boichat <drinkcat@chromium.org>,"
		  "ceph-devel <ceph-devel@vger.kernel.org>,"
		  "\"Darrick J. Wong\" <darrick.wong@oracle.com>,"
		  "Jeff Layton <jlayton@kernel.org>,"
		  "Greg KH <gregkh@linuxfoundation.org>,"
		  "Dave Chinner <dchinner@redhat.com>,"
		  "CIFS <linux-cifs@vger.kernel.org>");
}

/* Without a seed: insertion order, duplicates dropped at their repeat. */
static void test_unseeded_keeps_insertion_order(void)
{
	static const char *const v[] = {"b", "a", "b", "c", "a", "d"};
	struct strset s = {.n = 6};
	memcpy(s.v, v, sizeof v);
	print_order(NULL, &s);
	CHECK_STR(joined(&s), "b,a,c,d");

	size_t order[2] = {1, 0};
	struct zset_elem e[2] = {{.str = "x", .len = 1}, {.str = "y", .len = 1}};
	CHECK(zset_copy_order(NULL, ZSET_STRING, e, order, 2) == 0);
	CHECK(order[0] == 1 && order[1] == 0);
}

static void test_seeded_duplicates(void)
{
	static const char *const v[] = {"AA", "AA", ",", "AA", ",,", ",",
					"CC", "CC"};
	struct strset s = {.n = 8};
	memcpy(s.v, v, sizeof v);
	print_order(&btest_key, &s);
	CHECK_STR(joined(&s), ",,CC,,,,AA");

	struct zset_elem none[1];
	size_t order[1], m = 7;
	CHECK(zset_order(&btest_key, ZSET_STRING, none, 0, order, &m) == 0);
	CHECK(m == 0);
}

/*
 * Big sets exercise growth by load and by displacement, and lookups in
 * half-remapped tables (each count is added twice, far apart). The order
 * is unverified here, but it must be a permutation of the distinct values.
 */
static void test_large_set_is_permutation(void)
{
	enum { DISTINCT = 20000, TOTAL = 2 * DISTINCT };
	struct zset_elem *e = malloc(TOTAL * sizeof *e);
	size_t *order = malloc(TOTAL * sizeof *order), m = 0;
	unsigned char *seen = calloc(DISTINCT, 1);
	if (!e || !order || !seen) {
		CHECK(!"out of memory");
		goto out;
	}
	for (size_t i = 0; i < TOTAL; i++)
		e[i] = (struct zset_elem){.num = (i * 7919) % DISTINCT};
	CHECK(zset_order(&btest_key, ZSET_COUNT, e, TOTAL, order, &m) == 0);
	CHECK(m == DISTINCT);
	int ok = 1;
	for (size_t i = 0; i < m; i++) {
		size_t v = (size_t)e[order[i]].num;
		ok &= order[i] < DISTINCT && !seen[v];
		seen[v] = 1;
	}
	CHECK(ok);
out:
	free(e);
	free(order);
	free(seen);
}

int main(void)
{
	test_core_spec_strings();
	test_counts();
	test_copy_reorders();
	test_smtp_basic();
	test_bdat_first_cc();
	test_bdat_second_message();
	test_unseeded_keeps_insertion_order();
	test_seeded_duplicates();
	test_large_set_is_permutation();
	return check_summary();
}
