/*
 * Seed corpora for the fuzz targets, cut out of captures (tests/fuzz/seeds.sh
 * runs it on testdata/):
 *
 *	seedgen OUTDIR CAPTURE...
 *
 * writes, into OUTDIR/<target>/seed-<hash>:
 *   packet  single packets, and each capture's first packets together
 *           (fuzz_packet.c's format)
 *   smtp    every TCP connection to an SMTP port or that talks SMTP,
 *   tls     and every one to a TLS port or that starts with a TLS record,
 *           as the reassembled streams the engine delivered, gaps included
 *           (fuzz_stream.h's format)
 *   mime    the DATA bodies of those SMTP streams
 *   b64, qp the base64 and quoted-printable parts of those bodies
 *   escape  lines of the SMTP streams (header values, addresses, ...)
 *   x509    the certificates of the TLS handshakes
 * A seed's name is a hash of its bytes, so running it again changes nothing.
 *
 * The streams come from the engine itself, through a recording analyzer
 * attached to every TCP connection: what the fuzz targets see is then
 * exactly what an analyzer sees in a real run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/analyzer.h"
#include "core/buf.h"
#include "core/capture.h"
#include "core/engine.h"
#include "core/outdir.h"
#include "core/uid.h"
#include "proto/scripts.h"
#include "output/tsv.h"
#include "tests/fuzz/fuzz_links.h"

#define SEED_MAX         (64 * 1024)   /* larger seeds are cut: the targets' -max_len */
#define STREAM_MAX       (1024 * 1024) /* what one direction records */
#define PACKETS_SINGLE   16            /* single-packet seeds per capture */
#define PACKETS_TOGETHER 48            /* packets in the one multi-packet seed */
#define LINES_PER_STREAM 24            /* escape seeds per SMTP stream */

static const char *out_root;
static unsigned long n_written;

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* Writes prefix + body as one seed of `target` (cut to SEED_MAX). */
static void seed_write(const char *target, const uint8_t *prefix, size_t pn, const uint8_t *p,
		       size_t n)
{
	if (pn + n > SEED_MAX)
		n = SEED_MAX - pn;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", out_root, target);
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	uint64_t h = fnv1a(p, n, fnv1a(prefix, pn, 0xcbf29ce484222325ull));
	snprintf(path, sizeof path, "%s/%s/seed-%016llx", out_root, target, (unsigned long long)h);
	FILE *f = fopen(path, "wb");
	if (!f || (pn && fwrite(prefix, 1, pn, f) != pn) || (n && fwrite(p, 1, n, f) != n) ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	n_written++;
}

/* ---- text helpers for the SMTP side ---- */

static bool starts_with_ci(const uint8_t *p, size_t n, const char *word)
{
	size_t k = strlen(word);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		uint8_t c = p[i];
		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 32);
		if (c != (uint8_t)word[i])
			return false;
	}
	return true;
}

/* The next line of p[0..n) from *at: its start and length without CRLF. */
static bool next_line(const uint8_t *p, size_t n, size_t *at, const uint8_t **line, size_t *len)
{
	if (*at >= n)
		return false;
	const uint8_t *s = p + *at, *nl = memchr(s, '\n', n - *at);
	size_t k = nl ? (size_t)(nl - s) : n - *at;
	*at += k + (nl ? 1 : 0);
	*line = s;
	*len = k && s[k - 1] == '\r' ? k - 1 : k;
	return true;
}

/* The parts of a body whose Content-Transfer-Encoding is base64 or
 * quoted-printable: from the blank line after that header to the next
 * boundary line ("--..."). */
static void parts_write(const uint8_t *body, size_t n)
{
	size_t at = 0, len;
	const uint8_t *line;
	const char *kind = NULL;
	bool in_part = false;
	size_t start = 0;
	while (next_line(body, n, &at, &line, &len)) {
		size_t off = (size_t)(line - body);
		if (in_part && len >= 2 && line[0] == '-' && line[1] == '-') {
			uint8_t head[2] = {0x40, 0x10}; /* b64: piece, room */
			if (!strcmp(kind, "b64"))
				seed_write(kind, head, 2, body + start, off - start);
			else
				seed_write(kind, head + 1, 1, body + start, off - start);
			in_part = false;
			kind = NULL;
		}
		if (!in_part && starts_with_ci(line, len, "CONTENT-TRANSFER-ENCODING:")) {
			const uint8_t *v = line + 26;
			size_t vn = len - 26;
			while (vn && (*v == ' ' || *v == '\t'))
				v++, vn--;
			if (starts_with_ci(v, vn, "BASE64"))
				kind = "b64";
			else if (starts_with_ci(v, vn, "QUOTED-PRINTABLE"))
				kind = "qp";
		}
		if (!in_part && kind && len == 0) {
			in_part = true;
			start = at;
		}
	}
}

/* DATA bodies in a client stream: after a "DATA" line, up to "." alone. */
static void bodies_write(const uint8_t *p, size_t n)
{
	size_t at = 0, len;
	const uint8_t *line;
	while (next_line(p, n, &at, &line, &len)) {
		if (len != 4 || !starts_with_ci(line, len, "DATA"))
			continue;
		size_t start = at, end = n;
		while (next_line(p, n, &at, &line, &len))
			if (len == 1 && line[0] == '.') {
				end = (size_t)(line - p);
				break;
			}
		const uint8_t mode = 0; /* DATA mode */
		seed_write("mime", &mode, 1, p + start, end - start);
		parts_write(p + start, end - start);
	}
}

static void lines_write(const uint8_t *p, size_t n)
{
	size_t at = 0, len;
	const uint8_t *line;
	for (int k = 0; k < LINES_PER_STREAM && next_line(p, n, &at, &line, &len); k++) {
		const uint8_t mode = (uint8_t)(k & 1); /* TSV container or not */
		seed_write("escape", &mode, 1, line, len);
	}
}

/* ---- certificates out of a TLS stream ---- */

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* The handshake bytes of one direction's records, up to a
 * ChangeCipherSpec (after which they are encrypted). */
static void handshake_bytes(const uint8_t *p, size_t n, struct buf *hs)
{
	size_t at = 0;
	while (at + 5 <= n) {
		uint8_t type = p[at];
		size_t len = (size_t)p[at + 3] << 8 | p[at + 4];
		if (type < 20 || type > 24 || at + 5 + len > n || type == 20)
			return;
		if (type == 22)
			buf_append(hs, p + at + 5, len);
		at += 5 + len;
	}
}

static void certs_write(const uint8_t *p, size_t n)
{
	struct buf hs;
	buf_init(&hs, STREAM_MAX);
	handshake_bytes(p, n, &hs);
	size_t at = 0;
	while (at + 4 <= hs.len) {
		const uint8_t *m = hs.data + at;
		size_t len = be24(m + 1);
		if (at + 4 + len > hs.len)
			break;
		/* Certificate (11) before TLS 1.3: a 3-byte list of 3-byte-length entries. */
		if (m[0] == 11 && len >= 3) {
			size_t end = 4 + len, c = 7;
			while (c + 3 <= end) {
				size_t cl = be24(m + c);
				if (c + 3 + cl > end)
					break;
				if (cl)
					seed_write("x509", NULL, 0, m + c + 3, cl);
				c += 3 + cl;
			}
		}
		at += 4 + len;
	}
	buf_free(&hs);
}

/* ---- the recording analyzer ---- */

struct recorder {
	struct analyzer_ctx *ctx;
	struct buf stream; /* fuzz_stream.h's format, config bytes first */
	struct buf dir[2]; /* each direction's bytes: [0] client, [1] server */
	bool gap;
};

static void *rec_create(struct analyzer_ctx *ctx)
{
	struct recorder *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->ctx = ctx;
	buf_init(&r->stream, SEED_MAX);
	buf_init(&r->dir[0], STREAM_MAX);
	buf_init(&r->dir[1], STREAM_MAX);
	buf_append(&r->stream, "\0\0", 2);
	return r;
}

static void rec_chunk(struct recorder *r, uint8_t head, const uint8_t *p, size_t n)
{
	uint8_t h[3] = {head, (uint8_t)(n >> 8), (uint8_t)n};
	/* A stream seed stops before the chunk that would not fit whole. */
	if (r->stream.len + 3 + (p ? n : 0) > SEED_MAX)
		r->stream.err = true;
	buf_append(&r->stream, h, 3);
	if (p)
		buf_append(&r->stream, p, n);
}

static void rec_deliver(void *state, bool is_orig, const uint8_t *data, size_t len)
{
	struct recorder *r = state;
	buf_append(&r->dir[!is_orig], data, len);
	for (size_t at = 0; at < len; at += 0xffff) {
		size_t k = len - at < 0xffff ? len - at : 0xffff;
		rec_chunk(r, is_orig ? 0 : 1, data + at, k);
	}
}

static void rec_gap(void *state, bool is_orig, uint64_t len)
{
	struct recorder *r = state;
	r->gap = true;
	rec_chunk(r, (is_orig ? 0 : 1) | 2, NULL, len > 0xffff ? 0xffff : (size_t)len);
}

static bool is_port(uint16_t p, const uint16_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == p)
			return true;
	return false;
}

static void rec_destroy(void *state)
{
	static const uint16_t smtp_ports[] = {25, 587, 2525};
	static const uint16_t tls_ports[] = {443, 465, 563, 636, 853,  989,  990,
					     992, 993, 994, 995, 5061, 5223, 8443};
	struct recorder *r = state;
	const uint8_t *c = r->dir[0].data, *s = r->dir[1].data;
	size_t cn = r->dir[0].len, sn = r->dir[1].len;
	uint16_t port = analyzer_conn(r->ctx)->resp_p;
	bool smtp = is_port(port, smtp_ports, 3) || starts_with_ci(s, sn, "220") ||
		    starts_with_ci(c, cn, "EHLO") || starts_with_ci(c, cn, "HELO");
	bool tls = is_port(port, tls_ports, sizeof tls_ports / sizeof tls_ports[0]) ||
		   (cn && c[0] == 0x16) || (sn && s[0] == 0x16);
	if (cn + sn > 0 && r->stream.len > 2) {
		/* A stream cut at SEED_MAX is still a good seed. */
		if (smtp)
			seed_write("smtp", NULL, 0, r->stream.data, r->stream.len);
		if (tls)
			seed_write("tls", NULL, 0, r->stream.data, r->stream.len);
	}
	if (smtp && cn) {
		bodies_write(c, cn);
		lines_write(c, cn);
	}
	if (tls) {
		certs_write(c, cn);
		certs_write(s, sn);
	}
	buf_free(&r->stream);
	buf_free(&r->dir[0]);
	buf_free(&r->dir[1]);
	free(r);
}

/* Every port: the recorder rides on every TCP connection. */
static uint16_t all_ports[65535];

static struct analyzer recorder = {
    .name = "RECORD",
    .script = SCRIPT_SMTP,
    .tcp_ports = all_ports,
    .n_tcp_ports = 65535,
    .create = rec_create,
    .deliver = rec_deliver,
    .gap = rec_gap,
    .destroy = rec_destroy,
};

/* ---- packets ---- */

static int link_index(int linktype)
{
	for (size_t i = 0; i < FUZZ_N_LINKS; i++)
		if (fuzz_links[i] == linktype)
			return (int)i;
	return -1;
}

/* One packet in fuzz_packet.c's format; dt from the time since the last. */
static void packet_append(struct buf *b, const struct capture_packet *cp, double dt_secs)
{
	unsigned dt = 0;
	while (dt < 255 && (dt + 1) * (dt + 1) / 100.0 <= dt_secs)
		dt++;
	size_t n = cp->caplen > 0xffff ? 0xffff : cp->caplen;
	uint8_t h[3] = {(uint8_t)dt, (uint8_t)(n >> 8), (uint8_t)n};
	buf_append(b, h, 3);
	buf_append(b, cp->data, n);
}

static int capture_seeds(const char *path, struct outdir *dir, const struct uid_gen *uids)
{
	struct capture_error err;
	memset(&err, 0, sizeof err);
	struct capture *cap = capture_open(&path, 1, NULL, &err);
	if (!cap) {
		fprintf(stderr, "seedgen: %s: %s (skipped)\n", path, err.reason);
		return 0;
	}
	struct config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.ignore_checksums = true;
	cfg.scripts = SCRIPT_SMTP;
	const struct analyzer *const table[] = {&recorder, NULL};
	struct engine *e = engine_new(&cfg, uids, table, &tsv_writer_ops, dir);
	if (!e) {
		capture_close(cap);
		return -1;
	}
	struct buf together;
	buf_init(&together, SEED_MAX);
	struct capture_packet cp;
	uint64_t n = 0;
	double last = 0;
	int rc, link = -1;
	while ((rc = capture_next(cap, &cp, &err)) != 0) {
		if (rc < 0)
			continue;
		double t = (double)cp.tv_sec + (double)cp.tv_usec / 1e6;
		if (n == 0) {
			link = link_index(cp.linktype);
			uint8_t head[3] = {0, 0, (uint8_t)(link < 0 ? 0 : link)};
			buf_append(&together, head, 3);
		}
		if (link >= 0 && cp.linktype == fuzz_links[link]) {
			if (n < PACKETS_SINGLE) {
				struct buf one;
				buf_init(&one, SEED_MAX);
				uint8_t head[3] = {0, 0, (uint8_t)link};
				buf_append(&one, head, 3);
				packet_append(&one, &cp, 0);
				seed_write("packet", NULL, 0, one.data, one.len);
				buf_free(&one);
			}
			if (n < PACKETS_TOGETHER && together.len + 3 + cp.caplen <= SEED_MAX)
				packet_append(&together, &cp, n ? t - last : 0);
		}
		last = t;
		n++;
		engine_packet(e, &cp);
	}
	if (link >= 0 && n > 1)
		seed_write("packet", NULL, 0, together.data, together.len);
	buf_free(&together);
	struct engine_close_report rep;
	engine_finish(e);
	engine_close_logs(e, &rep);
	engine_free(e);
	capture_close(cap);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: seedgen OUTDIR CAPTURE...\n");
		return 1;
	}
	out_root = argv[1];
	for (size_t i = 0; i < 65535; i++)
		all_ports[i] = (uint16_t)(i + 1);
	/* The engine needs a folder; the recorder writes no log into it. */
	char tmp[] = "/tmp/smtplog-seedgen-XXXXXX";
	const uint32_t zero[UID_SEED_WORDS] = {0};
	struct uid_gen uids;
	struct outdir *dir = NULL;
	if (!mkdtemp(tmp) || uid_gen_init_seeds(&uids, zero) != 0 ||
	    !(dir = outdir_open(tmp, true))) {
		perror("seedgen");
		return 1;
	}
	int rc = 0;
	for (int i = 2; i < argc && rc == 0; i++)
		rc = capture_seeds(argv[i], dir, &uids);
	outdir_close(dir);
	rmdir(tmp);
	printf("seedgen: %lu seeds from %d captures\n", n_written, argc - 2);
	return rc ? 1 : 0;
}
