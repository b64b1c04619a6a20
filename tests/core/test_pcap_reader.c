/*
 * smtplog's own pcap reader (core/pcap_reader.c), buffered and mapped,
 * against libpcap's pcap_next_ex: every capture we have, and deterministic
 * mutations of the classic ones, read each way must give the same packets
 * (time, lengths, link type,
 * bytes, number, input), the same progress, and the same end: a clean end,
 * or the same damage report (reason, packet, offset). Captures are taken
 * from testdata/ and from the conformance corpus (../shared/conformance
 * traces and extra-traces, or $SMTPLOG_CONFORMANCE), which is skipped with
 * a note when absent.
 */
#define _DEFAULT_SOURCE /* DT_DIR, libpcap's u_int */

#include <dirent.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/capture.h"
#include "core/capture_int.h"
#include "tests/check.h"

/* pcap_reader.c's PCAP_READER_BLOCK: where its buffer's edges fall. */
#define PCAP_READER_TEST_BLOCK (256u * 1024u)

static char tmpdir[] = "/tmp/smtplog-test-mmap-XXXXXX";
static char case_path[600], other_path[600];

static unsigned long cases, cases_own, mismatches;

/* ---- reading and writing whole files --------------------------------- */

struct file {
	uint8_t *p;
	size_t n;
};

static struct file file_read(const char *path)
{
	struct file f = {NULL, 0};
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return f;
	size_t cap = 1 << 16;
	f.p = malloc(cap);
	size_t got;
	while (f.p && (got = fread(f.p + f.n, 1, cap - f.n, fp)) > 0) {
		f.n += got;
		if (f.n == cap) {
			uint8_t *q = realloc(f.p, cap * 2);
			if (!q) {
				free(f.p);
				f.p = NULL;
				f.n = 0;
				break;
			}
			f.p = q;
			cap *= 2;
		}
	}
	fclose(fp);
	return f;
}

static void file_write(const char *path, const uint8_t *p, size_t n)
{
	/* A new file each time: ext4 flushes a file truncated and rewritten
	 * on close (auto_da_alloc), which made this test wait for the disk. */
	unlink(path);
	FILE *fp = fopen(path, "wb");
	if (!fp || (n && fwrite(p, 1, n, fp) != n) || fclose(fp) != 0) {
		perror(path);
		exit(2);
	}
}

static struct file file_copy(const struct file *f)
{
	struct file c = {malloc(f->n ? f->n : 1), f->n};
	if (!c.p) {
		perror("malloc");
		exit(2);
	}
	memcpy(c.p, f->p, f->n);
	return c;
}

/* ---- the comparison ----------------------------------------------------- */

static bool same_error(const struct capture_error *a, const struct capture_error *b)
{
	return a->bad_filter == b->bad_filter && a->packet == b->packet && a->offset == b->offset &&
	       !strcmp(a->path, b->path) && !strcmp(a->reason, b->reason);
}

static void show_error(const char *who, const struct capture_error *e)
{
	fprintf(stderr, "    %s: packet %llu offset %lld: %s\n", who, (unsigned long long)e->packet,
		(long long)e->offset, e->reason);
}

static bool same_packet(const struct capture_packet *a, const struct capture_packet *b)
{
	return a->tv_sec == b->tv_sec && a->tv_usec == b->tv_usec && a->caplen == b->caplen &&
	       a->wirelen == b->wirelen && a->linktype == b->linktype && a->input == b->input &&
	       a->number == b->number && (a->caplen == 0 || !memcmp(a->data, b->data, a->caplen));
}

static void show_packet(const char *who, const struct capture_packet *p)
{
	fprintf(stderr, "    %s: #%llu input %zu ts %lld.%06lld caplen %u wirelen %u dlt %d\n", who,
		(unsigned long long)p->number, p->input, (long long)p->tv_sec,
		(long long)p->tv_usec, p->caplen, p->wirelen, p->linktype);
}

static void mismatch(const char *what, const char *how)
{
	if (++mismatches <= 20)
		fprintf(stderr, "MISMATCH %s: %s\n", what, how);
}

/*
 * Reads paths through the reader under test and through libpcap, in step.
 * Returns whether the reader under test was used for input 0.
 */
static bool compare_reader(enum capture_reader reader, const char *const *paths, size_t n,
			   const char *bpf, const char *what)
{
	const char *who = reader == CAPTURE_READER_MAP ? "mapped" : "buffered";
	struct capture_error et, el;
	memset(&et, 0, sizeof et);
	memset(&el, 0, sizeof el);
	struct capture *t = capture_open_reader(paths, n, bpf, reader, &et);
	struct capture *l = capture_open_reader(paths, n, bpf, CAPTURE_READER_LIBPCAP, &el);
	cases++;
	bool used = t && capture_input_reader(t, 0) == reader;
	bool ok = true;
	if (!t || !l) {
		if (!t != !l) {
			mismatch(what, "one reader opened, the other did not");
			ok = false;
		} else if (!same_error(&et, &el)) {
			mismatch(what, "open errors differ");
			show_error(who, &et);
			show_error("libpcap", &el);
			ok = false;
		}
	}
	for (uint64_t k = 0; t && l && ok; k++) {
		struct capture_packet pt, pl;
		int rt = capture_next(t, &pt, &et);
		int rl = capture_next(l, &pl, &el);
		uint64_t dt, tt, dl, tl;
		capture_progress(t, &dt, &tt);
		capture_progress(l, &dl, &tl);
		if (rt != rl) {
			mismatch(what, "one reader ended, the other did not");
			fprintf(stderr, "    after %llu packets: %s %d, libpcap %d\n",
				(unsigned long long)k, who, rt, rl);
			if (rt < 0)
				show_error(who, &et);
			if (rl < 0)
				show_error("libpcap", &el);
			ok = false;
		} else if (rt == 1 && !same_packet(&pt, &pl)) {
			mismatch(what, "packets differ");
			show_packet(who, &pt);
			show_packet("libpcap", &pl);
			ok = false;
		} else if (rt < 0 && !same_error(&et, &el)) {
			mismatch(what, "damage reports differ");
			show_error(who, &et);
			show_error("libpcap", &el);
			ok = false;
		} else if (dt != dl || tt != tl) {
			mismatch(what, "progress differs");
			fprintf(stderr, "    %s %llu/%llu, libpcap %llu/%llu\n", who,
				(unsigned long long)dt, (unsigned long long)tt,
				(unsigned long long)dl, (unsigned long long)tl);
			ok = false;
		} else if (rt == 0) {
			/* Both at the end of every input; once more stays there. */
			if (capture_next(t, &pt, &et) != 0 || capture_next(l, &pl, &el) != 0) {
				mismatch(what, "a finished capture gave more");
				ok = false;
			}
			break;
		}
	}
	CHECK(ok);
	capture_close(t);
	capture_close(l);
	return used;
}

/*
 * Both ways of pcap_reader against libpcap. Returns whether pcap_reader
 * took input 0 over, so callers can check that the comparison was real.
 */
static bool compare(const char *const *paths, size_t n, const char *bpf, const char *what)
{
	bool buffered = compare_reader(CAPTURE_READER_BEST, paths, n, bpf, what);
	bool mapped = compare_reader(CAPTURE_READER_MAP, paths, n, bpf, what);
	CHECK(buffered == mapped);
	cases_own += buffered;
	return buffered;
}

static bool compare_one(const char *path, const char *bpf, const char *what)
{
	const char *paths[1] = {path};
	return compare(paths, 1, bpf, what);
}

static bool compare_bytes(const uint8_t *p, size_t n, const char *what)
{
	file_write(case_path, p, n);
	return compare_one(case_path, NULL, what);
}

/* ---- classic pcap fields -------------------------------------------- */

static bool classic_be(const struct file *f)
{
	return f->n >= 4 && f->p[0] == 0xa1 && f->p[1] == 0xb2;
}

static bool is_classic(const struct file *f)
{
	if (f->n < 24)
		return false;
	static const uint8_t magics[4][4] = {{0xd4, 0xc3, 0xb2, 0xa1},
					     {0x4d, 0x3c, 0xb2, 0xa1},
					     {0xa1, 0xb2, 0xc3, 0xd4},
					     {0xa1, 0xb2, 0x3c, 0x4d}};
	for (int i = 0; i < 4; i++)
		if (!memcmp(f->p, magics[i], 4))
			return true;
	return false;
}

static uint32_t get32(const struct file *f, size_t at)
{
	const uint8_t *b = f->p + at;
	if (classic_be(f))
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static void put32_at(uint8_t *b, bool be, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void set32(struct file *f, size_t at, uint32_t v)
{
	if (at + 4 <= f->n)
		put32_at(f->p + at, classic_be(f), v);
}

static void set16(struct file *f, size_t at, uint16_t v)
{
	if (at + 2 > f->n)
		return;
	bool be = classic_be(f);
	f->p[at + (be ? 1 : 0)] = (uint8_t)v;
	f->p[at + (be ? 0 : 1)] = (uint8_t)(v >> 8);
}

/* Offsets of the record headers, as far as their lengths can be believed. */
struct records {
	size_t at[4096];
	size_t n;
};

static void find_records(const struct file *f, struct records *r)
{
	r->n = 0;
	for (size_t at = 24; at + 16 <= f->n && r->n < 4096;) {
		r->at[r->n++] = at;
		uint32_t cap = get32(f, at + 8);
		if (cap > f->n - at - 16)
			break;
		at += 16 + cap;
	}
}

/* The same capture in the other byte order: file header and record headers. */
static struct file byte_swapped(const struct file *f)
{
	struct file s = file_copy(f);
	bool be = classic_be(f);
	for (size_t i = 0; i < 4; i++)
		s.p[i] = f->p[3 - i];
	for (size_t at = 4; at < 8; at += 2) {
		s.p[at] = f->p[at + 1];
		s.p[at + 1] = f->p[at];
	}
	for (size_t at = 8; at < 24; at += 4)
		put32_at(s.p + at, !be, get32(f, at));
	struct records r;
	find_records(f, &r);
	for (size_t k = 0; k < r.n; k++)
		for (size_t i = 0; i < 16; i += 4)
			if (r.at[k] + i + 4 <= f->n)
				put32_at(s.p + r.at[k] + i, !be, get32(f, r.at[k] + i));
	return s;
}

/* ---- the mutations ------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void cut_at(const struct file *f, size_t n, const char *name)
{
	if (n > f->n)
		return;
	char what[700];
	snprintf(what, sizeof what, "%s cut at %zu", name, n);
	compare_bytes(f->p, n, what);
}

/*
 * Every offset through the first records (thorough) or the first header,
 * the edges of the records further on, and a spread of offsets elsewhere.
 */
static void mutate_cuts(const struct file *f, const struct records *r, const char *name,
			bool thorough)
{
	size_t every = thorough && r->n > 3 ? r->at[3] + 1 : 24 + 16 + 8;
	for (size_t n = 0; n <= every && n <= f->n; n++)
		cut_at(f, n, name);
	static const int edge[] = {-1, 1, 8, 15, 16, 17, 40};
	size_t edges = thorough ? sizeof edge / sizeof edge[0] : 5;
	size_t last = thorough ? r->n : (r->n < 8 ? r->n : 8);
	for (size_t k = 1; k < last; k++)
		for (size_t i = 0; i < edges; i++)
			cut_at(f, r->at[k] + (size_t)(long)edge[i], name);
	for (size_t k = r->n > 2 ? r->n - 2 : 0; k < r->n; k++)
		for (size_t i = 0; i < edges; i++)
			cut_at(f, r->at[k] + (size_t)(long)edge[i], name);
	for (int i = 0; i < (thorough ? 32 : 8) && f->n; i++)
		cut_at(f, (size_t)(rng() % f->n), name);
	for (size_t d = 1; d <= (thorough ? 20u : 3u) && d <= f->n; d++)
		cut_at(f, f->n - d, name);
}

/* Lying captured and wire lengths in a few records. */
static void mutate_lengths(const struct file *f, const struct records *r, const char *name,
			   bool thorough)
{
	if (!r->n)
		return;
	size_t picks[4] = {r->n > 1 ? 1 : 0, r->n / 2, 0, r->n - 1};
	uint32_t snaplen = get32(f, 16);
	for (int k = 0; k < (thorough ? 4 : 2); k++) {
		size_t at = r->at[picks[k]];
		uint32_t cap = get32(f, at + 8);
		uint32_t left = (uint32_t)(f->n - at - 16);
		/* The first few are the ones every capture gets. */
		const uint32_t lies[] = {
		    0,        cap + 1,    snaplen + 1, 262145,     0xffffffff, left + 1,
		    1,        cap - 1,    snaplen,     262144,     1u << 20,   (1u << 20) + 1,
		    8u << 20, 128u << 20, 0x7fffffff,  0x80000000, left,       left - 1};
		size_t n_lies = thorough ? sizeof lies / sizeof lies[0] : 6;
		for (size_t i = 0; i < n_lies; i++) {
			for (int field = 8; field <= 12; field += 4) {
				struct file m = file_copy(f);
				set32(&m, at + (size_t)field, lies[i]);
				char what[700];
				snprintf(what, sizeof what, "%s record %zu %s=%u", name, picks[k],
					 field == 8 ? "caplen" : "wirelen", lies[i]);
				compare_bytes(m.p, m.n, what);
				free(m.p);
			}
		}
	}
}

/* The file header's snapshot length, link type, version and magic. */
static void mutate_header(const struct file *f, const struct records *r, const char *name)
{
	static const uint32_t snaplens[] = {0,      1,        14,         54,         60,
					    96,     128,      1514,       65535,      262144,
					    262145, 1u << 20, 0x7fffffff, 0x80000000, 0xffffffff};
	static const uint32_t dlts[] = {
	    0,   1,   9,   101, 105, 106, 113, 117, 127,        147,        189,        220,
	    228, 231, 239, 246, 249, 258, 276, 279, 0x04000001, 0x10000071, 0x03ffffff, 0xffffffff};
	char what[700];
	for (size_t i = 0; i < sizeof snaplens / sizeof snaplens[0]; i++) {
		struct file m = file_copy(f);
		set32(&m, 16, snaplens[i]);
		snprintf(what, sizeof what, "%s snaplen=%u", name, snaplens[i]);
		compare_bytes(m.p, m.n, what);
		/* A record cut to a small snapshot length, then cut off. */
		if (snaplens[i] == 60 && r->n > 2) {
			for (size_t d = 15; d < 16 + 70; d += 1)
				if (r->at[2] + d <= m.n) {
					snprintf(what, sizeof what, "%s snaplen=60 cut at %zu",
						 name, r->at[2] + d);
					compare_bytes(m.p, r->at[2] + d, what);
				}
		}
		free(m.p);
	}
	for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++) {
		struct file m = file_copy(f);
		set32(&m, 20, dlts[i]);
		snprintf(what, sizeof what, "%s linktype=%#x", name, dlts[i]);
		compare_bytes(m.p, m.n, what);
		/* Ethernet, and the link types with their own bound on the
		 * captured length: records at and past the bounds and the
		 * snapshot lengths. */
		if ((dlts[i] == 1 || dlts[i] == 231 || dlts[i] == 249 || dlts[i] == 279) &&
		    r->n > 1) {
			static const uint32_t caps[] = {262144,          262145,         1u << 20,
							(1u << 20) + 1,  (8u << 20) + 1, 128u << 20,
							(128u << 20) + 1};
			static const uint32_t snaps[] = {0, 65535, 1u << 20, 128u << 20};
			for (size_t j = 0; j < sizeof caps / sizeof caps[0]; j++)
				for (size_t k = 0; k < sizeof snaps / sizeof snaps[0]; k++) {
					struct file c = file_copy(&m);
					set32(&c, 16, snaps[k]);
					set32(&c, r->at[1] + 8, caps[j]);
					snprintf(what, sizeof what,
						 "%s linktype=%u snaplen=%u caplen=%u", name,
						 dlts[i], snaps[k], caps[j]);
					compare_bytes(c.p, c.n, what);
					free(c.p);
				}
		}
		free(m.p);
	}
	static const uint16_t versions[][2] = {{2, 4}, {2, 3},   {2, 2}, {2, 0}, {1, 0},
					       {3, 0}, {543, 0}, {2, 5}, {0, 4}};
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		struct file m = file_copy(f);
		set16(&m, 4, versions[i][0]);
		set16(&m, 6, versions[i][1]);
		snprintf(what, sizeof what, "%s version %u.%u", name, versions[i][0],
			 versions[i][1]);
		bool own = compare_bytes(m.p, m.n, what);
		if (i > 0)
			CHECK(!own); /* libpcap's own reader for the rest */
		free(m.p);
	}
	/* Micro <-> nano, Kuznetzov's, Navtel's (unknown to libpcap), pcapng's. */
	static const uint32_t magics[] = {0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34, 0xa12b3c4d,
					  0x0a0d0d0a};
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++) {
		struct file m = file_copy(f);
		set32(&m, 0, magics[i]);
		snprintf(what, sizeof what, "%s magic %#x", name, magics[i]);
		bool own = compare_bytes(m.p, m.n, what);
		if (i >= 2)
			CHECK(!own);
		free(m.p);
	}
}

/* Time stamps at the edges of the 32-bit fields, where sign matters. */
static void mutate_times(const struct file *f, const struct records *r, const char *name)
{
	if (r->n < 2)
		return;
	static const uint32_t secs[] = {0, 0x7fffffff, 0x80000000, 0xffffffff};
	static const uint32_t fracs[] = {0,          999999,     1000000,    999999999, 1000000000,
					 0x7fffffff, 0x80000000, 0xfffffc18, 0xffffffff};
	for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++)
		for (size_t j = 0; j < sizeof fracs / sizeof fracs[0]; j++) {
			struct file m = file_copy(f);
			set32(&m, r->at[1], secs[i]);
			set32(&m, r->at[1] + 4, fracs[j]);
			char what[700];
			snprintf(what, sizeof what, "%s ts %#x.%#x", name, secs[i], fracs[j]);
			compare_bytes(m.p, m.n, what);
			free(m.p);
		}
}

/* Flipped bits and spliced garbage, as tools/mutate does. */
static void mutate_random(const struct file *f, const char *name, int rounds)
{
	for (int s = 0; s < rounds && f->n > 24; s++) {
		struct file m = file_copy(f);
		int flips = 1 + (int)(rng() % 16);
		for (int i = 0; i < flips; i++) {
			size_t at = 24 + (size_t)(rng() % (m.n - 24));
			m.p[at] ^= (uint8_t)(1u << (rng() % 8));
		}
		char what[700];
		snprintf(what, sizeof what, "%s flips round %d", name, s);
		compare_bytes(m.p, m.n, what);
		free(m.p);
	}
}

static void mutate_all(const struct file *f, const char *name, bool thorough)
{
	struct records r;
	find_records(f, &r);
	mutate_cuts(f, &r, name, thorough);
	mutate_lengths(f, &r, name, thorough);
	if (thorough) {
		mutate_header(f, &r, name);
		mutate_times(f, &r, name);
	}
	mutate_random(f, name, thorough ? 16 : 2);
}

/* ---- the captures ------------------------------------------------------ */

/* One capture as it is, filtered, then mutated (and byte-swapped). */
static void one_capture(const char *path, bool thorough)
{
	struct file f = file_read(path);
	if (!f.p) {
		perror(path);
		CHECK(false);
		return;
	}
	bool classic = is_classic(&f);
	bool own = compare_one(path, NULL, path);
	if (classic && (f.p[20] == 1 || f.p[23] == 1))
		CHECK(own); /* Ethernet, either order: always pcap_reader */
	compare_one(path, "tcp", path);
	compare_one(path, "udp or icmp", path);
	if (!classic) {
		free(f.p);
		return;
	}
	rng_state = f.n * 0x100000001b3ull;
	mutate_all(&f, path, thorough);

	struct file s = byte_swapped(&f);
	char name[700];
	snprintf(name, sizeof name, "%s byte-swapped", path);
	bool swapped_own = compare_bytes(s.p, s.n, name);
	if (f.p[20] == 1 || f.p[23] == 1)
		CHECK(swapped_own);
	compare_one(case_path, "tcp", name);
	mutate_all(&s, name, thorough);
	free(s.p);
	free(f.p);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every capture under dir (sorted, subfolders too, up to a depth), appended. */
static void list_captures(const char *dir, char ***out, size_t *n, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		DIR *sub = opendir(path);
		if (sub) {
			closedir(sub);
			if (depth < 4)
				list_captures(path, out, n, depth + 1);
			continue;
		}
		size_t len = strlen(e->d_name);
		if ((len > 5 && !strcmp(e->d_name + len - 5, ".pcap")) ||
		    (len > 7 && !strcmp(e->d_name + len - 7, ".pcapng")) ||
		    (len > 3 && !strcmp(e->d_name + len - 3, ".gz"))) {
			char **grown = realloc(*out, (*n + 1) * sizeof **out);
			if (!grown)
				break;
			*out = grown;
			(*out)[(*n)++] = strdup(path);
		}
	}
	closedir(d);
}

static void captures_in(const char *dir, bool thorough)
{
	char **paths = NULL;
	size_t n = 0;
	list_captures(dir, &paths, &n, 0);
	if (!n) {
		printf("note: no captures in %s, skipped\n", dir);
		return;
	}
	qsort(paths, n, sizeof *paths, by_name);
	for (size_t i = 0; i < n; i++)
		if (paths[i])
			one_capture(paths[i], thorough);
	/* All of them at once, merged by time, and the first few in pairs. */
	compare((const char *const *)paths, n, NULL, dir);
	compare((const char *const *)paths, n, "tcp port 25", dir);
	for (size_t i = 0; i + 1 < n && i < 8; i++)
		compare((const char *const *)paths + i, 2, NULL, paths[i]);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

/* A damaged input merged with a good one: the report and the rest agree. */
static void test_merge_damaged(void)
{
	struct file f = file_read("testdata/smtp-swaks.pcap");
	CHECK(f.p != NULL);
	if (!f.p)
		return;
	file_write(other_path, f.p, f.n);
	file_write(case_path, f.p, f.n - 30);
	const char *paths[3] = {other_path, case_path, "testdata/http-curl.pcap"};
	CHECK(compare(paths, 3, NULL, "merge with a cut input"));
	free(f.p);
}

/*
 * A capture larger than pcap_reader's buffer (256 KiB), whose records
 * straddle the buffer's edges, and some longer than the buffer itself:
 * cut at and around those edges, with a small snapshot length, with a
 * length beyond the file under a link type that allows it, and swapped.
 */
static void test_large(void)
{
	struct file f = {malloc(4u << 20), 0};
	CHECK(f.p != NULL);
	if (!f.p)
		return;
	static const uint8_t head[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
					 0,    0,    0,    0,    0, 0, 4, 0, 1, 0, 0, 0};
	memcpy(f.p, head, sizeof head); /* snaplen 262144, Ethernet */
	f.n = sizeof head;
	rng_state = 42;
	static const uint32_t sizes[] = {60, 66, 1514, 9000, 65535, 0, 262144};
	for (uint32_t i = 0; f.n < (3u << 20); i++) {
		uint64_t pick = rng() % 64;
		uint32_t cap = pick < 60 ? sizes[pick % 4] : sizes[4 + pick % 3];
		put32_at(f.p + f.n, false, 1700000000u + i);
		put32_at(f.p + f.n + 4, false, (uint32_t)(rng() % 1000000));
		put32_at(f.p + f.n + 8, false, cap);
		put32_at(f.p + f.n + 12, false, cap + (uint32_t)(rng() % 3));
		for (uint32_t k = 0; k < cap; k++)
			f.p[f.n + 16 + k] = (uint8_t)(i + k * 7);
		f.n += 16 + cap;
	}
	compare_bytes(f.p, f.n, "large");
	struct records r;
	find_records(&f, &r);
	for (size_t edge = PCAP_READER_TEST_BLOCK; edge < f.n; edge += PCAP_READER_TEST_BLOCK)
		for (size_t d = 0; d < 40; d += 3)
			cut_at(&f, edge - 20 + d, "large");
	for (size_t k = 0; k < r.n; k++)
		if (get32(&f, r.at[k] + 8) >= 65535)
			for (int d = -1; d <= 17; d += 6)
				cut_at(&f, r.at[k] + (size_t)(16 + 65535 + d),
				       "large, long record");

	struct file m = file_copy(&f);
	set32(&m, 16, 1000); /* most records cut to the snapshot length */
	compare_bytes(m.p, m.n, "large, snaplen 1000");
	for (size_t edge = PCAP_READER_TEST_BLOCK; edge < m.n; edge += PCAP_READER_TEST_BLOCK)
		cut_at(&m, edge + 7, "large, snaplen 1000");
	free(m.p);

	m = file_copy(&f);
	set32(&m, 20, 231);                       /* DBUS: up to 128 MiB a record */
	set32(&m, r.at[r.n / 2] + 8, 100u << 20); /* far beyond the file's end */
	compare_bytes(m.p, m.n, "large, DBUS record beyond the end");
	free(m.p);

	m = byte_swapped(&f);
	compare_bytes(m.p, m.n, "large, byte-swapped");
	for (size_t edge = PCAP_READER_TEST_BLOCK; edge < m.n; edge += 2 * PCAP_READER_TEST_BLOCK)
		cut_at(&m, edge + 3, "large, byte-swapped");
	free(m.p);
	free(f.p);
}

/*
 * libpcap's time fields, spelled out: libpcap 1.10.3 sign-extends them in
 * a file of this host's byte order and not in the other order; 1.10.5
 * never does. Whichever libpcap this is, pcap_reader must agree with it.
 */
static void test_time_sign(void)
{
	/* A little-endian file of one empty record at 0xffffffff seconds and
	 * 0xfffffc18 (-1000 if signed) microseconds. */
	uint8_t le[40] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
	le[16] = 0xff, le[17] = 0xff; /* snaplen 65535 */
	le[20] = 1;                   /* Ethernet */
	memset(le + 24, 0xff, 8);
	le[28] = 0x18, le[29] = 0xfc;
	struct file fl = {le, sizeof le};
	struct file fb = byte_swapped(&fl);
	uint8_t be[sizeof le];
	memcpy(be, fb.p, sizeof be);
	free(fb.p);
	bool host_le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
	for (int order = 0; order < 2; order++) {
		file_write(case_path, order ? be : le, sizeof le);
		static const enum capture_reader readers[3] = {
		    CAPTURE_READER_LIBPCAP, CAPTURE_READER_BEST, CAPTURE_READER_MAP};
		int64_t want_sec = 0, want_usec = 0;
		for (int k = 0; k < 3; k++) {
			const char *paths[1] = {case_path};
			struct capture_error err;
			struct capture *c = capture_open_reader(paths, 1, NULL, readers[k], &err);
			CHECK(c != NULL);
			if (!c)
				continue;
			CHECK(capture_input_reader(c, 0) == readers[k]);
			struct capture_packet p;
			CHECK(capture_next(c, &p, &err) == 1);
			if (k == 0) {
				want_sec = p.tv_sec;
				want_usec = p.tv_usec;
				bool host_order = host_le == !order;
				if (host_order && p.tv_sec < 0)
					CHECK(p.tv_sec == -1 && p.tv_usec == -1000); /* 1.10.3 */
				else
					CHECK(p.tv_sec == 4294967295 && p.tv_usec == 4294966296);
			}
			CHECK(p.tv_sec == want_sec && p.tv_usec == want_usec);
			CHECK(p.caplen == 0 && p.wirelen == 0);
			CHECK(capture_next(c, &p, &err) == 0);
			capture_close(c);
		}
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(case_path, sizeof case_path, "%s/case.pcap", tmpdir);
	snprintf(other_path, sizeof other_path, "%s/other.pcap", tmpdir);

	test_time_sign();
	test_merge_damaged();
	test_large();
	captures_in("testdata", true);

	const char *env = getenv("SMTPLOG_CONFORMANCE");
	char dir[4096];
	const char *sub[2] = {"traces", "extra-traces"};
	for (int i = 0; i < 2; i++) {
		snprintf(dir, sizeof dir, "%s/%s", env ? env : "../shared/conformance", sub[i]);
		if (access(dir, R_OK) != 0) {
			printf("note: %s not found, its traces are not compared\n", dir);
			continue;
		}
		captures_in(dir, false);
	}
	printf("%lu comparisons, %lu of them through pcap_reader, %lu mismatches\n", cases,
	       2 * cases_own, mismatches);
	CHECK(cases_own > 0);
	unlink(case_path);
	unlink(other_path);
	rmdir(tmpdir);
	return check_summary();
}
