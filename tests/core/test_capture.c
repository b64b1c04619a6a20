/*
 * Tests for core/capture.c. Every capture is written here byte by byte, so
 * the test states exactly what libpcap is given: classic pcap in both byte
 * orders with micro- and nanosecond magic, pcapng with two interfaces, gzip,
 * and damaged files.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/capture.h"
#include "tests/check.h"

static char tmpdir[] = "/tmp/smtplog-test-capture-XXXXXX";
static char made[32][600];
static int n_made;

static const char *tmp_path(const char *name)
{
	static char path[16][600];
	static int slot;
	char *p = path[slot++ % 16];
	snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
	return p;
}

/* ---- a tiny byte writer ---------------------------------------------- */

struct out {
	uint8_t b[8192];
	size_t n;
	int be;		/* write multi-byte fields big-endian */
};

static void put8(struct out *o, uint8_t v)
{
	if (o->n < sizeof o->b)
		o->b[o->n++] = v;
}

static void put16(struct out *o, uint16_t v)
{
	if (o->be) {
		put8(o, (uint8_t)(v >> 8));
		put8(o, (uint8_t)v);
	} else {
		put8(o, (uint8_t)v);
		put8(o, (uint8_t)(v >> 8));
	}
}

static void put32(struct out *o, uint32_t v)
{
	if (o->be) {
		put16(o, (uint16_t)(v >> 16));
		put16(o, (uint16_t)v);
	} else {
		put16(o, (uint16_t)v);
		put16(o, (uint16_t)(v >> 16));
	}
}

static void put_bytes(struct out *o, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(o, ((const uint8_t *)p)[i]);
}

static void pcap_header(struct out *o, int nano, uint32_t snaplen, uint32_t dlt)
{
	put32(o, nano ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(o, 2);
	put16(o, 4);
	put32(o, 0);
	put32(o, 0);
	put32(o, snaplen);
	put32(o, dlt);
}

static void pcap_record(struct out *o, uint32_t sec, uint32_t frac,
			const void *data, uint32_t caplen, uint32_t wirelen)
{
	put32(o, sec);
	put32(o, frac);
	put32(o, caplen);
	put32(o, wirelen);
	put_bytes(o, data, caplen);
}

/* Ethernet + IPv4 + UDP, checksums left zero (libpcap does not care). */
static size_t udp_frame(uint8_t *f, uint16_t sport, uint16_t dport, uint8_t tag)
{
	memset(f, 0, 60);
	static const uint8_t mac[12] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6};
	memcpy(f, mac, 12);
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 20 + 8 + 4;	/* total length */
	f[22] = 64;
	f[23] = 17;
	f[26] = 10, f[29] = 1;	/* 10.0.0.1 */
	f[30] = 10, f[33] = 2;	/* 10.0.0.2 */
	f[34] = (uint8_t)(sport >> 8), f[35] = (uint8_t)sport;
	f[36] = (uint8_t)(dport >> 8), f[37] = (uint8_t)dport;
	f[39] = 12;
	f[42] = tag;
	return 60;
}

static const char *write_file(const char *name, const void *p, size_t n)
{
	const char *path = tmp_path(name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	if (n_made < 32)
		snprintf(made[n_made++], sizeof made[0], "%s", path);
	return path;
}

static const char *write_gz(const char *name, const void *p, size_t n)
{
	const char *path = tmp_path(name);
	gzFile g = gzopen(path, "wb9");
	if (!g || gzwrite(g, p, (unsigned)n) != (int)n || gzclose(g) != Z_OK) {
		fprintf(stderr, "gz write failed: %s\n", path);
		exit(2);
	}
	if (n_made < 32)
		snprintf(made[n_made++], sizeof made[0], "%s", path);
	return path;
}

/* The sample: three packets whose first byte is 0xA0 + index. */
static const char *three_packets(const char *name, int be, int nano)
{
	struct out o = {.be = be};
	uint8_t pkt[64];
	pcap_header(&o, nano, 65535, 1);
	for (int i = 0; i < 3; i++) {
		memset(pkt, 0x11 * i, sizeof pkt);
		pkt[0] = (uint8_t)(0xA0 + i);
		uint32_t frac = nano ? (uint32_t)(123456789 + i * 1999)
				     : (uint32_t)(123456 + i);
		pcap_record(&o, 1700000000u + (uint32_t)i, frac, pkt,
			    (uint32_t)(40 + i), (uint32_t)(100 + i));
	}
	return write_file(name, o.b, o.n);
}

static struct capture *open1(const char *path, const char *bpf,
			     struct capture_error *err)
{
	const char *paths[1] = {path};
	memset(err, 0, sizeof *err);
	return capture_open(paths, 1, bpf, err);
}

/* ---- tests --------------------------------------------------------- */

static void check_three(const char *path, int nano)
{
	struct capture_error err;
	struct capture_packet p;
	struct capture *c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "  %s: %s\n", err.path, err.reason);
		return;
	}
	for (int i = 0; i < 3; i++) {
		CHECK(capture_next(c, &p, &err) == 1);
		CHECK(p.tv_sec == 1700000000 + i);
		/* ns -> us: libpcap truncates (123458788 ns -> 123458 us). */
		CHECK(p.tv_usec == (nano ? (123456789 + i * 1999) / 1000
					 : 123456 + i));
		CHECK(p.caplen == (uint32_t)(40 + i));
		CHECK(p.wirelen == (uint32_t)(100 + i));
		CHECK(p.data[0] == 0xA0 + i);
		CHECK(p.data[p.caplen - 1] == (uint8_t)(0x11 * i));
		CHECK(p.linktype == 1);
		CHECK(p.input == 0);
		CHECK(p.number == (uint64_t)i + 1);
	}
	CHECK(capture_next(c, &p, &err) == 0);
	CHECK(capture_next(c, &p, &err) == 0);
	capture_close(c);
}

static void test_classic(void)
{
	check_three(three_packets("le-us.pcap", 0, 0), 0);
	check_three(three_packets("be-us.pcap", 1, 0), 0);
	check_three(three_packets("le-ns.pcap", 0, 1), 1);
	check_three(three_packets("be-ns.pcap", 1, 1), 1);
}

static void test_ns_scaling(void)
{
	struct out o = {0};
	uint8_t pkt[14] = {0};
	pcap_header(&o, 1, 65535, 1);
	pcap_record(&o, 5, 999999999, pkt, 14, 14);	/* truncates, no carry */
	pcap_record(&o, 6, 500, pkt, 14, 14);
	pcap_record(&o, 7, 1500, pkt, 14, 14);
	const char *path = write_file("scale-ns.pcap", o.b, o.n);
	struct capture_error err;
	struct capture_packet p;
	struct capture *c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(capture_next(c, &p, &err) == 1);
	CHECK(p.tv_sec == 5 && p.tv_usec == 999999);
	CHECK(capture_next(c, &p, &err) == 1);
	CHECK(p.tv_sec == 6 && p.tv_usec == 0);
	CHECK(capture_next(c, &p, &err) == 1);
	CHECK(p.tv_sec == 7 && p.tv_usec == 1);
	capture_close(c);
}

/* pcapng: SHB, IDB(s), EPBs. Always little-endian here. */
static void ng_shb(struct out *o)
{
	put32(o, 0x0A0D0D0A);
	put32(o, 28);
	put32(o, 0x1A2B3C4D);
	put16(o, 1);
	put16(o, 0);
	put32(o, 0xFFFFFFFF);
	put32(o, 0xFFFFFFFF);
	put32(o, 28);
}

static void ng_idb(struct out *o, uint16_t dlt, int nano)
{
	uint32_t len = 20 + (nano ? 12 : 0);
	put32(o, 1);
	put32(o, len);
	put16(o, dlt);
	put16(o, 0);
	put32(o, 65535);
	if (nano) {
		put16(o, 9);	/* if_tsresol */
		put16(o, 1);
		put8(o, 9);
		put8(o, 0), put8(o, 0), put8(o, 0);
		put16(o, 0);	/* opt_endofopt */
		put16(o, 0);
	}
	put32(o, len);
}

static void ng_epb(struct out *o, uint32_t ifid, uint64_t ts,
		   const uint8_t *data, uint32_t caplen)
{
	uint32_t pad = (4 - caplen % 4) % 4;
	uint32_t len = 32 + caplen + pad;
	put32(o, 6);
	put32(o, len);
	put32(o, ifid);
	put32(o, (uint32_t)(ts >> 32));
	put32(o, (uint32_t)ts);
	put32(o, caplen);
	put32(o, caplen);
	put_bytes(o, data, caplen);
	for (uint32_t i = 0; i < pad; i++)
		put8(o, 0);
	put32(o, len);
}

static void test_pcapng(void)
{
	struct out o = {0};
	uint8_t f[60];
	udp_frame(f, 1000, 53, 0);
	ng_shb(&o);
	ng_idb(&o, 1, 0);	/* us */
	ng_idb(&o, 1, 1);	/* ns */
	f[42] = 1;
	ng_epb(&o, 0, 1700000000ull * 1000000 + 250000, f, 60);
	f[42] = 2;
	ng_epb(&o, 1, 1700000001ull * 1000000000 + 123456789, f, 59);
	f[42] = 3;
	ng_epb(&o, 0, 1700000002ull * 1000000 + 7, f, 58);
	const char *path = write_file("two-if.pcapng", o.b, o.n);

	struct capture_error err;
	struct capture_packet p;
	struct capture *c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "  %s\n", err.reason);
		return;
	}
	CHECK(capture_next(c, &p, &err) == 1);
	CHECK(p.tv_sec == 1700000000 && p.tv_usec == 250000);
	CHECK(p.caplen == 60 && p.data[42] == 1 && p.linktype == 1);
	CHECK(capture_next(c, &p, &err) == 1);
	CHECK(p.tv_sec == 1700000001 && p.tv_usec == 123456);
	CHECK(p.caplen == 59 && p.data[42] == 2 && p.number == 2);
	CHECK(capture_next(c, &p, &err) == 1);
	CHECK(p.tv_sec == 1700000002 && p.tv_usec == 7 && p.number == 3);
	CHECK(capture_next(c, &p, &err) == 0);
	capture_close(c);

	/*
	 * Interfaces of different link types: libpcap 1.10 refuses the second
	 * IDB when it meets it. The first packet still comes through; then
	 * the input ends as damaged.
	 */
	struct out m = {0};
	ng_shb(&m);
	ng_idb(&m, 1, 0);
	ng_epb(&m, 0, 1000000, f, 60);
	ng_idb(&m, 101, 0);	/* DLT_RAW */
	ng_epb(&m, 1, 2000000, f + 14, 46);
	path = write_file("mixed-dlt.pcapng", m.b, m.n);
	c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(capture_next(c, &p, &err) == 1);
	CHECK(p.tv_sec == 1 && p.linktype == 1);
	int r = capture_next(c, &p, &err);
	CHECK(r == -1);
	if (r == -1) {
		CHECK(strstr(err.reason, "different from the type") != NULL);
		CHECK(err.packet == 2);
	}
	CHECK(capture_next(c, &p, &err) == 0);
	capture_close(c);
}

/* An unknown block type between packets is skipped (pcapng requires it);
 * a block whose length lies ends the input as damaged. */
static void test_pcapng_unknown_blocks(void)
{
	struct out o = {0};
	uint8_t f[60];
	udp_frame(f, 1000, 53, 7);
	ng_shb(&o);
	ng_idb(&o, 1, 0);
	ng_epb(&o, 0, 1000000, f, 60);
	put32(&o, 0x0BADB10C); /* a custom, unknown block of 16 bytes */
	put32(&o, 16);
	put32(&o, 0xDEADBEEF);
	put32(&o, 16);
	ng_epb(&o, 0, 2000000, f, 60);
	const char *path = write_file("unknown-block.pcapng", o.b, o.n);
	struct capture_error err;
	struct capture_packet p;
	struct capture *c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(capture_next(c, &p, &err) == 1);
	CHECK(capture_next(c, &p, &err) == 1);
	CHECK(p.tv_sec == 2 && p.data[42] == 7);
	CHECK(capture_next(c, &p, &err) == 0);
	capture_close(c);

	struct out b = {0};
	ng_shb(&b);
	ng_idb(&b, 1, 0);
	ng_epb(&b, 0, 1000000, f, 60);
	put32(&b, 0x0BADB10C);
	put32(&b, 0x7FFFFFF0); /* far beyond the file */
	put32(&b, 0);
	path = write_file("lying-block.pcapng", b.b, b.n);
	c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(capture_next(c, &p, &err) == 1);
	CHECK(capture_next(c, &p, &err) == -1);
	CHECK(err.packet == 2);
	CHECK(capture_next(c, &p, &err) == 0);
	capture_close(c);
}

/* A record longer than the header's snaplen: libpcap (so Zeek) cuts it to
 * the snaplen and goes on; one past libpcap's own bound is damage. */
static void test_over_snaplen(void)
{
	static uint8_t big[300000];
	struct out o = {0};
	pcap_header(&o, 0, 96, 1);
	pcap_record(&o, 1, 0, big, 200, 200);
	pcap_record(&o, 2, 0, big, 40, 40);
	const char *path = write_file("over-snaplen.pcap", o.b, o.n);
	struct capture_error err;
	struct capture_packet p;
	struct capture *c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK(capture_next(c, &p, &err) == 1);
		CHECK(p.tv_sec == 1 && p.caplen == 96 && p.wirelen == 200);
		CHECK(capture_next(c, &p, &err) == 1);
		CHECK(p.tv_sec == 2 && p.caplen == 40);
		CHECK(capture_next(c, &p, &err) == 0);
		uint64_t done, total;
		capture_progress(c, &done, &total);
		CHECK(done == o.n);	/* the whole record, not the cut part */
		capture_close(c);
	}
	/* Offsets after a cut record count the bytes it had in the file. */
	struct out t = {0};
	pcap_header(&t, 0, 96, 1);
	pcap_record(&t, 1, 0, big, 200, 200);
	pcap_record(&t, 2, 0, big, 40, 40);
	path = write_file("over-snaplen-cut.pcap", t.b, t.n - 1);
	c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK(capture_next(c, &p, &err) == 1);
		CHECK(capture_next(c, &p, &err) == -1);
		CHECK(err.packet == 2 && err.offset == 24 + 16 + 200);
		capture_close(c);
	}
	struct out h = {0};
	pcap_header(&h, 0, 96, 1);
	pcap_record(&h, 1, 0, big, sizeof big, sizeof big);
	pcap_record(&h, 2, 0, big, 40, 40);
	path = write_file("huge-record.pcap", h.b, h.n);
	c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK(capture_next(c, &p, &err) == -1);
		CHECK(err.packet == 1 && err.offset == 24);
		CHECK(capture_next(c, &p, &err) == 0);
		capture_close(c);
	}
}

static void test_gzip(void)
{
	/* Same bytes as le-us.pcap, detected by magic, whatever the name. */
	struct out o = {0};
	uint8_t pkt[64];
	pcap_header(&o, 0, 65535, 1);
	for (int i = 0; i < 3; i++) {
		memset(pkt, 0x11 * i, sizeof pkt);
		pkt[0] = (uint8_t)(0xA0 + i);
		pcap_record(&o, 1700000000u + (uint32_t)i, (uint32_t)(123456 + i),
			    pkt, (uint32_t)(40 + i), (uint32_t)(100 + i));
	}
	check_three(write_gz("le-us.pcap.gz", o.b, o.n), 0);
	const char *noext = write_gz("compressed-no-ext", o.b, o.n);
	check_three(noext, 0);

	struct capture_error err;
	struct capture *c = open1(noext, NULL, &err);
	CHECK(c != NULL);
	if (c) {
		uint64_t done, total;
		struct capture_packet p;
		while (capture_next(c, &p, &err) == 1)
			;
		capture_progress(c, &done, &total);
		CHECK(done == o.n);	/* decompressed bytes */
		CHECK(total == 0);
		capture_close(c);
	}

	/* A gzip stream cut short is damage, not a clean end. */
	const char *full = tmp_path("le-us.pcap.gz");
	FILE *f = fopen(full, "rb");
	uint8_t gzbytes[4096];
	size_t gn = f ? fread(gzbytes, 1, sizeof gzbytes, f) : 0;
	if (f)
		fclose(f);
	const char *cut = write_file("cut.pcap.gz", gzbytes, gn - 12);
	c = open1(cut, NULL, &err);
	CHECK(c != NULL);
	if (c) {
		struct capture_packet p;
		int r, n = 0;
		while ((r = capture_next(c, &p, &err)) == 1)
			n++;
		CHECK(r == -1);
		CHECK(n < 3);
		CHECK(strstr(err.reason, "end of file") != NULL ||
		      strstr(err.reason, "truncated") != NULL);
		CHECK_STR(err.path, cut);
		capture_close(c);
	}
}

static void test_stdin(void)
{
	int saved = dup(STDIN_FILENO);
	const char *files[2] = {tmp_path("be-ns.pcap"), tmp_path("le-us.pcap.gz")};
	for (int k = 0; k < 2; k++) {
		int fd = open(files[k], O_RDONLY);
		CHECK(fd >= 0);
		if (fd < 0)
			continue;
		dup2(fd, STDIN_FILENO);
		close(fd);
		check_three("-", k == 0);
	}
	dup2(saved, STDIN_FILENO);
	close(saved);
}


struct bad_seen {
	size_t n;
	size_t input[4];
	bool not_capture[4];
};

static void note_bad(void *ctx, const struct capture_error *e)
{
	struct bad_seen *s = ctx;
	if (s->n < 4) {
		s->input[s->n] = e->input;
		s->not_capture[s->n] = e->not_capture;
	}
	s->n++;
}

static void test_damage(void)
{
	struct capture_error err;
	struct capture_packet p;
	struct capture *c;
	uint8_t pkt[64] = {0};

	/* Truncated last packet: two good ones, then -1 naming packet 3. */
	struct out o = {0};
	pcap_header(&o, 0, 65535, 1);
	pcap_record(&o, 10, 0, pkt, 50, 50);
	pcap_record(&o, 11, 0, pkt, 50, 50);
	pcap_record(&o, 12, 0, pkt, 50, 50);
	const char *path = write_file("trunc-last.pcap", o.b, o.n - 20);
	c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK(capture_next(c, &p, &err) == 1);
		CHECK(capture_next(c, &p, &err) == 1);
		CHECK(capture_next(c, &p, &err) == -1);
		CHECK_STR(err.path, path);
		CHECK(err.packet == 3);
		CHECK(err.offset == 24 + 2 * (16 + 50));
		CHECK(strstr(err.reason, "truncated") != NULL);
		CHECK(capture_next(c, &p, &err) == 0);
		uint64_t done, total;
		capture_progress(c, &done, &total);
		CHECK(total == o.n - 20);
		capture_close(c);
	}

	/* Garbage in the middle: an impossible capture length. */
	struct out g = {0};
	pcap_header(&g, 0, 65535, 1);
	pcap_record(&g, 10, 0, pkt, 50, 50);
	put32(&g, 11), put32(&g, 0), put32(&g, 0x7fffff00), put32(&g, 60);
	put_bytes(&g, pkt, 60);
	pcap_record(&g, 12, 0, pkt, 50, 50);
	path = write_file("garbage.pcap", g.b, g.n);
	c = open1(path, NULL, &err);
	CHECK(c != NULL);
	if (c) {
		CHECK(capture_next(c, &p, &err) == 1);
		CHECK(capture_next(c, &p, &err) == -1);
		CHECK(err.packet == 2);
		CHECK(err.offset == 24 + 16 + 50);
		CHECK(strstr(err.reason, "capture length") != NULL);
		CHECK(capture_next(c, &p, &err) == 0);
		capture_close(c);
	}

	/* Files that are not captures fail at open. */
	path = write_file("trunc-header.pcap", o.b, 10);
	CHECK(open1(path, NULL, &err) == NULL);
	CHECK_STR(err.path, path);
	CHECK(strstr(err.reason, "truncated") != NULL);

	path = write_file("empty.pcap", "", 0);
	CHECK(open1(path, NULL, &err) == NULL);
	CHECK_STR(err.path, path);
	CHECK(strstr(err.reason, "empty") != NULL);

	static const char text[] = "Subject: hello\r\n\r\nnot a capture at all\r\n";
	path = write_file("mail.txt", text, sizeof text - 1);
	CHECK(open1(path, NULL, &err) == NULL);
	CHECK(strstr(err.reason, "unknown file format") != NULL);

	path = tmp_path("does-not-exist.pcap");
	CHECK(open1(path, NULL, &err) == NULL);
	CHECK(strstr(err.reason, strerror(ENOENT)) != NULL);

	/* One bad input among good ones: capture_open fails as a whole. */
	const char *two[2] = {tmp_path("le-us.pcap"), tmp_path("mail.txt")};
	CHECK(capture_open(two, 2, NULL, &err) == NULL);
	CHECK_STR(err.path, tmp_path("mail.txt"));

	/* capture_open_each reports it and reads the other to its end. */
	char p0[512], p1[512], p2[512];
	snprintf(p0, sizeof p0, "%s", tmp_path("mail.txt"));
	snprintf(p1, sizeof p1, "%s", tmp_path("le-us.pcap"));
	snprintf(p2, sizeof p2, "%s", tmp_path("does-not-exist.pcap"));
	const char *three[3] = {p0, p1, p2};
	struct bad_seen seen = {0};
	c = capture_open_each(three, 3, NULL, note_bad, &seen, &err);
	CHECK(c != NULL && capture_usable(c) == 1);
	CHECK(seen.n == 2 && seen.input[0] == 0 && seen.not_capture[0] && seen.input[1] == 2 &&
	      !seen.not_capture[1]);
	int n = 0, rc;
	while ((rc = capture_next(c, &p, &err)) == 1) {
		CHECK(p.input == 1);
		n++;
	}
	uint64_t records, packets;
	capture_counts(c, &records, &packets);
	CHECK(rc == 0 && n > 0 && packets == (uint64_t)n && records == packets);
	CHECK_STR(capture_input_path(c, 1), p1);
	capture_close(c);
	/* None usable: still a capture, of nothing. */
	const char *none[1] = {p2};
	c = capture_open_each(none, 1, NULL, NULL, NULL, &err);
	CHECK(c == NULL); /* without a report function it is capture_open */
	c = capture_open_each(none, 1, NULL, note_bad, &seen, &err);
	CHECK(c != NULL && capture_usable(c) == 0 && capture_next(c, &p, &err) == 0);
	capture_close(c);
	/* A bad filter fails the whole open. */
	c = capture_open_each(three, 3, "port nonsense", note_bad, &seen, &err);
	CHECK(c == NULL && err.bad_filter);
}

/* File a: t=1,3,3,2(backwards),5; file b: t=1,2,3,4. Tag = 0xa0|i, 0xb0|i. */

static void test_merge(void)
{
	static const uint32_t ta[5] = {1, 3, 3, 2, 5}, tb[4] = {1, 2, 3, 4};
	uint8_t f[60];
	struct out a = {0}, b = {.be = 1};
	pcap_header(&a, 0, 65535, 1);
	pcap_header(&b, 1, 65535, 1);	/* BE and ns: merge by scaled time */
	for (int i = 0; i < 5; i++) {
		udp_frame(f, 1, 2, (uint8_t)(0xa0 | i));
		pcap_record(&a, ta[i], 500, f, 60, 60);
	}
	for (int i = 0; i < 4; i++) {
		udp_frame(f, 1, 2, (uint8_t)(0xb0 | i));
		pcap_record(&b, tb[i], 500999, f, 60, 60);	/* = 500 us */
	}
	const char *paths[2] = {write_file("merge-a.pcap", a.b, a.n),
				write_file("merge-b.pcap", b.b, b.n)};
	/*
	 * Ties go to a; a's backwards packet (t=2) comes right after a's t=3
	 * pair, because once a's head is t=2 it is the earliest of the heads.
	 */
	static const uint8_t want[9] = {0xa0, 0xb0, 0xb1, 0xa1, 0xa2,
					0xa3, 0xb2, 0xb3, 0xa4};
	struct capture_error err;
	struct capture_packet p;
	struct capture *c = capture_open(paths, 2, NULL, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	for (int i = 0; i < 9; i++) {
		CHECK(capture_next(c, &p, &err) == 1);
		CHECK(p.data[42] == want[i]);
		CHECK(p.input == (want[i] >> 4 == 0xa ? 0u : 1u));
		CHECK(p.number == (uint64_t)(want[i] & 0xf) + 1);
		CHECK(p.tv_usec == 500);
	}
	CHECK(capture_next(c, &p, &err) == 0);
	uint64_t done, total;
	capture_progress(c, &done, &total);
	CHECK(done == a.n + b.n && total == a.n + b.n);
	capture_close(c);

	/* A damaged input in the merge: report it once, keep the other. */
	struct out d = {0};
	pcap_header(&d, 0, 65535, 1);
	udp_frame(f, 1, 2, 0xd0);
	pcap_record(&d, 2, 0, f, 60, 60);
	udp_frame(f, 1, 2, 0xd1);
	pcap_record(&d, 4, 0, f, 60, 60);
	const char *paths2[2] = {tmp_path("merge-a.pcap"),
				 write_file("merge-d.pcap", d.b, d.n - 1)};
	c = capture_open(paths2, 2, NULL, &err);
	CHECK(c != NULL);
	if (!c)
		return;
	int got = 0, errors = 0, r;
	uint8_t seen[8];
	while ((r = capture_next(c, &p, &err)) != 0) {
		if (r < 0) {
			errors++;
			CHECK_STR(err.path, paths2[1]);
			CHECK(err.packet == 2);
			continue;
		}
		if (got < 8)
			seen[got] = p.data[42];
		got++;
	}
	CHECK(errors == 1);
	CHECK(got == 6);
	if (got == 6) {
		CHECK(seen[0] == 0xa0 && seen[1] == 0xd0 && seen[2] == 0xa1);
		CHECK(seen[5] == 0xa4);
	}
	capture_close(c);
}

static void test_filter(void)
{
	uint8_t f[60];
	struct out o = {0};
	pcap_header(&o, 0, 65535, 1);
	static const uint16_t ports[5] = {53, 80, 53, 25, 53};
	for (int i = 0; i < 5; i++) {
		udp_frame(f, 40000, ports[i], (uint8_t)i);
		pcap_record(&o, 100 + (uint32_t)i, 0, f, 60, 60);
	}
	const char *path = write_file("filter.pcap", o.b, o.n);
	struct capture_error err;
	struct capture_packet p;
	struct capture *c = open1(path, "udp dst port 53", &err);
	CHECK(c != NULL);
	if (c) {
		for (int i = 0; i < 5; i += 2) {
			CHECK(capture_next(c, &p, &err) == 1);
			CHECK(p.data[42] == i);
			CHECK(p.number == (uint64_t)i + 1);	/* file numbering */
		}
		CHECK(capture_next(c, &p, &err) == 0);
		capture_close(c);
	}
	c = open1(path, "", &err);	/* empty filter: everything */
	CHECK(c != NULL);
	if (c) {
		int n = 0;
		while (capture_next(c, &p, &err) == 1)
			n++;
		CHECK(n == 5);
		capture_close(c);
	}
	CHECK(open1(path, "port ((", &err) == NULL);
	CHECK_STR(err.path, path);
	CHECK(strstr(err.reason, "bad filter 'port (('") != NULL);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_classic();
	test_ns_scaling();
	test_pcapng();
	test_pcapng_unknown_blocks();
	test_over_snaplen();
	test_gzip();
	test_stdin();
	test_damage();
	test_merge();
	test_filter();
	for (int i = 0; i < n_made; i++)
		unlink(made[i]);
	rmdir(tmpdir);
	return check_summary();
}
