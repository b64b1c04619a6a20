/*
 * gen_pcap: deterministic capture generator for benchmarks and golden tests.
 *
 *   gen_pcap mixed OUT.pcap [MB]   benchmark traffic, default 300 MB
 *   gen_pcap sample OUT.pcap       small varied capture (make run, goldens)
 *   gen_pcap edge OUT.pcap         edge cases for golden tests
 *
 * Output is classic pcap (little-endian, microseconds, DLT_EN10MB) with
 * correct IP/TCP/UDP/ICMP checksums except where a bad one is the point.
 * Byte-for-byte deterministic: the only randomness is our own PRNG
 * (splitmix64) with a fixed seed, timestamps start at a fixed epoch, and
 * nothing depends on the host. To regenerate a capture, run the same
 * subcommand again (`make build/tools/gen_pcap && build/tools/gen_pcap
 * sample testdata/generated/sample.pcap`); any change to this file that
 * alters output must be followed by regenerating the goldens that use it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/gen_bytes.h"

#define SNAPLEN 262144u
#define FRAME_MAX 65600u
#define MSS 1460u
#define BASE_TIME_US (1700000000ull * 1000000ull) /* 2023-11-14 22:13:20 */

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10 };
enum { ORIG = 0, RESP = 1 };

/* ---- PRNG ------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for a generator. */
static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)((rng_next(s) >> 32) % n) : 0;
}

/* True with probability pct/1000. */
static bool rng_permille(uint64_t *s, uint32_t pm)
{
	return rng_below(s, 1000) < pm;
}

/* ---- pcap writer ----------------------------------------------------- */

struct gen {
	FILE *out;
	uint64_t now;		/* microseconds since the epoch */
	uint64_t bytes;		/* bytes written to the file */
	uint64_t packets;
	uint64_t rng;
	uint32_t conn_id;	/* next connection number, for unique ports */
	uint8_t l4[FRAME_MAX];	/* transport header + payload under construction */
	uint8_t frame[FRAME_MAX];
};

static int pcap_begin(struct gen *g, const char *path)
{
	g->out = fopen(path, "wb");
	if (!g->out) {
		perror(path);
		return -1;
	}
	setvbuf(g->out, NULL, _IOFBF, 4u << 20);
	uint8_t h[24];
	le32(h, 0xa1b2c3d4);
	h[4] = 2, h[5] = 0, h[6] = 4, h[7] = 0;
	le32(h + 8, 0);
	le32(h + 12, 0);
	le32(h + 16, SNAPLEN);
	le32(h + 20, 1);	/* DLT_EN10MB */
	fwrite(h, 1, sizeof h, g->out);
	g->bytes = sizeof h;
	return 0;
}

static void pcap_write(struct gen *g, const uint8_t *p, uint32_t caplen,
		       uint32_t wirelen)
{
	uint8_t h[16];
	le32(h, (uint32_t)(g->now / 1000000));
	le32(h + 4, (uint32_t)(g->now % 1000000));
	le32(h + 8, caplen);
	le32(h + 12, wirelen);
	fwrite(h, 1, sizeof h, g->out);
	fwrite(p, 1, caplen, g->out);
	g->bytes += sizeof h + caplen;
	g->packets++;
}

static int pcap_end(struct gen *g)
{
	int bad = ferror(g->out);
	if (fclose(g->out) != 0 || bad) {
		perror("write");
		return -1;
	}
	return 0;
}

/* ---- checksums ------------------------------------------------------- */

/* ---- flows and packet builders --------------------------------------- */

struct flow {
	bool v6;
	uint8_t addr[2][16];	/* [ORIG], [RESP]; IPv4 in the first 4 bytes */
	uint16_t port[2];
	int vlan;		/* 802.1Q id, -1 for none */
};

/* Per-packet deviations from a clean packet. */
struct emit_opts {
	bool bad_csum;		/* corrupt the transport checksum */
	uint32_t caplen;	/* capture at most this many bytes (0: all) */
	uint16_t frag;		/* IPv4 flags + fragment offset field */
	uint16_t ip_id;		/* IPv4 id (0: derived from the packet count) */
};

static void flow_v4(struct flow *f, uint32_t a, uint32_t b, uint16_t pa,
		    uint16_t pb)
{
	memset(f, 0, sizeof *f);
	be32(f->addr[ORIG], a);
	be32(f->addr[RESP], b);
	f->port[ORIG] = pa;
	f->port[RESP] = pb;
	f->vlan = -1;
}

/* 2001:db8:<net>::<host> */
static void flow_v6(struct flow *f, uint16_t net_a, uint32_t host_a,
		    uint16_t net_b, uint32_t host_b, uint16_t pa, uint16_t pb)
{
	memset(f, 0, sizeof *f);
	f->v6 = true;
	for (int d = 0; d < 2; d++) {
		uint8_t *a = f->addr[d];
		be16(a, 0x2001), be16(a + 2, 0x0db8);
		be16(a + 4, d ? net_b : net_a);
		be32(a + 12, d ? host_b : host_a);
	}
	f->port[ORIG] = pa;
	f->port[RESP] = pb;
	f->vlan = -1;
}

static uint32_t pseudo_sum(const struct flow *f, int dir, uint8_t proto,
			   size_t len)
{
	size_t alen = f->v6 ? 16 : 4;
	uint32_t s = csum_add(0, f->addr[dir], alen);
	s = csum_add(s, f->addr[!dir], alen);
	return s + proto + (uint32_t)(len & 0xffff) + (uint32_t)(len >> 16);
}

/*
 * Wraps g->l4[0..len) (or a slice of it, for fragments) in IP and Ethernet
 * and writes the record. The transport checksum is already in place.
 */
static void ip_emit(struct gen *g, const struct flow *f, int dir, uint8_t proto,
		    const uint8_t *l4, size_t len, const struct emit_opts *o)
{
	uint8_t *p = g->frame;
	/* MACs: the host's from its address, the router's fixed. */
	static const uint8_t router[6] = {0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e};
	uint8_t host[6] = {0x02, 0x42, 0, 0, 0, 0};
	memcpy(host + 2, f->addr[ORIG] + (f->v6 ? 12 : 0), 4);
	memcpy(p, dir == ORIG ? router : host, 6);
	memcpy(p + 6, dir == ORIG ? host : router, 6);
	size_t n = 12;
	if (f->vlan >= 0) {
		be16(p + n, 0x8100);
		be16(p + n + 2, (uint16_t)f->vlan);
		n += 4;
	}
	be16(p + n, f->v6 ? 0x86dd : 0x0800);
	n += 2;
	uint8_t *ip = p + n;
	if (f->v6) {
		be32(ip, 0x60000000);
		be16(ip + 4, (uint16_t)len);
		ip[6] = proto;
		ip[7] = dir == ORIG ? 64 : 57;
		memcpy(ip + 8, f->addr[dir], 16);
		memcpy(ip + 24, f->addr[!dir], 16);
		n += 40;
	} else {
		uint16_t id = o && o->ip_id ? o->ip_id : (uint16_t)(g->packets * 7 + 1);
		ip[0] = 0x45, ip[1] = 0;
		be16(ip + 2, (uint16_t)(20 + len));
		be16(ip + 4, id);
		be16(ip + 6, o && o->frag ? o->frag : (proto == 6 ? 0x4000 : 0));
		ip[8] = dir == ORIG ? 64 : 52;
		ip[9] = proto;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, f->addr[dir], 4);
		memcpy(ip + 16, f->addr[!dir], 4);
		be16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		n += 20;
	}
	memcpy(p + n, l4, len);
	n += len;
	uint32_t wire = (uint32_t)n, cap = wire;
	if (wire < 60) {	/* Ethernet minimum frame, padded with zeros */
		memset(p + n, 0, 60 - n);
		wire = cap = 60;
	}
	if (o && o->caplen && o->caplen < cap)
		cap = o->caplen;
	pcap_write(g, p, cap, wire);
}

static void l4_finish(struct gen *g, const struct flow *f, int dir,
		      uint8_t proto, size_t len, const struct emit_opts *o)
{
	size_t at = proto == 6 ? 16 : proto == 17 ? 6 : 2;
	uint32_t s = (proto == 1) ? 0 : pseudo_sum(f, dir, proto, len);
	g->l4[at] = g->l4[at + 1] = 0;
	uint16_t c = csum_fold(csum_add(s, g->l4, len));
	if (proto == 17 && c == 0)
		c = 0xffff;
	if (o && o->bad_csum)
		c ^= 0x5a5a;
	be16(g->l4 + at, c);
	ip_emit(g, f, dir, proto, g->l4, len, o);
}

/* One TCP segment at an explicit sequence number. */
static void tcp_emit_at(struct gen *g, const struct flow *f, int dir,
			uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
			const uint8_t *data, size_t len, const struct emit_opts *o)
{
	uint8_t *t = g->l4;
	size_t hl = (flags & TH_SYN) ? 24 : 20;
	be16(t, f->port[dir]);
	be16(t + 2, f->port[!dir]);
	be32(t + 4, seq);
	be32(t + 8, (flags & TH_ACK) ? ack : 0);
	t[12] = (uint8_t)((hl / 4) << 4);
	t[13] = flags;
	be16(t + 14, win);
	be16(t + 18, 0);
	if (hl == 24) {	/* MSS option */
		t[20] = 2, t[21] = 4;
		be16(t + 22, MSS);
	}
	if (len)
		memcpy(t + hl, data, len);
	l4_finish(g, f, dir, 6, hl + len, o);
}

static void udp_emit(struct gen *g, const struct flow *f, int dir,
		     const uint8_t *data, size_t len, const struct emit_opts *o)
{
	uint8_t *u = g->l4;
	be16(u, f->port[dir]);
	be16(u + 2, f->port[!dir]);
	be16(u + 4, (uint16_t)(8 + len));
	memcpy(u + 8, data, len);
	l4_finish(g, f, dir, 17, 8 + len, o);
}

/* Echo request (dir ORIG) or reply (RESP); ICMPv6 for IPv6 flows. */
static void icmp_echo_emit(struct gen *g, const struct flow *f, int dir,
			   uint16_t id, uint16_t seq, size_t len)
{
	uint8_t *m = g->l4;
	m[0] = f->v6 ? (dir == ORIG ? 128 : 129) : (dir == ORIG ? 8 : 0);
	m[1] = 0;
	be16(m + 4, id);
	be16(m + 6, seq);
	for (size_t i = 0; i < len; i++)
		m[8 + i] = (uint8_t)(0x10 + i);
	l4_finish(g, f, dir, f->v6 ? 58 : 1, 8 + len, NULL);
}

/* An IP protocol Zeek has no analyzer for (and that is not a tunnel). */
static void other_emit(struct gen *g, const struct flow *f, int dir,
		       uint8_t proto, size_t len)
{
	for (size_t i = 0; i < len; i++)
		g->l4[i] = (uint8_t)(proto + i);
	ip_emit(g, f, dir, proto, g->l4, len, NULL);
}

/* A UDP datagram cut in IPv4 fragments of `chunk` bytes, sent in `order`. */
static void udp_emit_fragments(struct gen *g, const struct flow *f, int dir,
			       const uint8_t *data, size_t len, size_t chunk,
			       const int *order, int n_order, uint16_t ip_id)
{
	uint8_t *u = g->l4;
	be16(u, f->port[dir]);
	be16(u + 2, f->port[!dir]);
	be16(u + 4, (uint16_t)(8 + len));
	memcpy(u + 8, data, len);
	u[6] = u[7] = 0;
	be16(u + 6, csum_fold(csum_add(pseudo_sum(f, dir, 17, 8 + len), u, 8 + len)));
	size_t total = 8 + len;
	static uint8_t copy[FRAME_MAX];
	memcpy(copy, u, total);
	for (int k = 0; k < n_order; k++) {
		size_t off = (size_t)order[k] * chunk;
		if (off >= total)
			continue;
		size_t n = total - off < chunk ? total - off : chunk;
		struct emit_opts o = {.ip_id = ip_id};
		o.frag = (uint16_t)((off / 8) | (off + n < total ? 0x2000 : 0));
		ip_emit(g, f, dir, 17, copy + off, n, &o);
	}
}

/* ---- TCP sessions ---------------------------------------------------- */

struct tcp {
	struct flow f;
	uint32_t seq[2];	/* next sequence number each side sends */
	uint16_t win[2];
};

static void tcp_init(struct tcp *t, const struct flow *f, uint64_t *rng)
{
	t->f = *f;
	t->seq[ORIG] = (uint32_t)rng_next(rng);
	t->seq[RESP] = (uint32_t)rng_next(rng);
	t->win[ORIG] = 64240;
	t->win[RESP] = 65160;
}

/* Sends from `dir` at its next sequence number and advances it. */
static void tcp_send(struct gen *g, struct tcp *t, int dir, uint8_t flags,
		     const void *data, size_t len, const struct emit_opts *o)
{
	tcp_emit_at(g, &t->f, dir, flags, t->seq[dir], t->seq[!dir], t->win[dir],
		    data, len, o);
	t->seq[dir] += (uint32_t)len + !!(flags & TH_SYN) + !!(flags & TH_FIN);
}

static void tick(struct gen *g, uint64_t us)
{
	g->now += us;
}

/* ---- message scripts for the connection model ------------------------- */

#define B64_LINE 78u
#define B64_POOL (B64_LINE * 4096u)
#define BIN_POOL (256u * 1024u)

static uint8_t b64_pool[B64_POOL];	/* base64 text lines, CRLF-ended */
static uint8_t bin_pool[BIN_POOL];

static void pools_init(void)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint64_t s = 0x5eed0001;
	for (uint32_t i = 0; i < B64_POOL; i++) {
		uint32_t col = i % B64_LINE;
		b64_pool[i] = col == 76 ? '\r' : col == 77 ? '\n'
					  : (uint8_t)a[rng_below(&s, 64)];
	}
	for (uint32_t i = 0; i < BIN_POOL; i += 8) {
		uint64_t v = rng_next(&s);
		for (int k = 0; k < 8; k++)
			bin_pool[i + (uint32_t)k] = (uint8_t)(v >> (8 * k));
	}
}

/* One application message: prefix text, bulk bytes from a pool, suffix. */
struct msg {
	uint8_t dir;
	const char *pre;
	uint32_t pre_len;
	const uint8_t *pool;
	uint32_t pool_len;
	uint32_t bulk;
	uint32_t bulk_off;
	const char *post;
	uint32_t post_len;
};

static uint32_t msg_len(const struct msg *m)
{
	return m->pre_len + m->bulk + m->post_len;
}

static void msg_copy(const struct msg *m, uint32_t off, uint8_t *dst, uint32_t n)
{
	while (n) {
		uint32_t k;
		if (off < m->pre_len) {
			k = m->pre_len - off < n ? m->pre_len - off : n;
			memcpy(dst, m->pre + off, k);
		} else if (off < m->pre_len + m->bulk) {
			uint32_t at = (m->bulk_off + off - m->pre_len) % m->pool_len;
			uint32_t left = m->pre_len + m->bulk - off;
			k = left < n ? left : n;
			if (k > m->pool_len - at)
				k = m->pool_len - at;
			memcpy(dst, m->pool + at, k);
		} else {
			k = n;
			memcpy(dst, m->post + (off - m->pre_len - m->bulk), k);
		}
		off += k, dst += k, n -= k;
	}
}

enum conn_kind { K_TCP, K_UDP, K_ICMP, K_OTHER };
enum conn_end { END_FIN, END_RSTO, END_RSTR, END_REJ, END_S0, END_OPEN };
enum held_mode { HELD_NONE, HELD_RETX, HELD_OOO };

#define MAX_MSGS 14

struct conn {
	uint8_t kind;
	uint8_t end;
	uint16_t lossy;		/* per-mille chance of each anomaly per segment */
	uint8_t phase;
	bool done;
	struct tcp t;
	struct msg msgs[MAX_MSGS];
	uint8_t n_msgs, cur;
	uint32_t off;		/* within msgs[cur] */
	uint8_t unacked[2];	/* data segments each side sent since an ACK */
	int8_t ack_due;		/* side that owes a pure ACK, -1 none */
	uint8_t held_mode;
	bool held_ready;	/* HELD_OOO: the overtaking segment is out */
	uint32_t held_seq;
	uint16_t held_len;
	uint8_t held_flags;
	uint8_t held[MSS];
	uint16_t steps;		/* packets left for UDP/ICMP/other flows */
	uint16_t sent;		/* packets sent by UDP/ICMP flows */
	uint8_t proto;		/* for K_OTHER */
	char text[1400];	/* storage for this connection's message text */
};

/* Appends a message whose text is formatted into c->text. */
static void conn_say(struct conn *c, size_t *used, int dir, const char *fmt,
		     uint32_t n1, uint32_t n2)
{
	if (c->n_msgs >= MAX_MSGS)
		return;
	char *p = c->text + *used;
	int n = snprintf(p, sizeof c->text - *used, fmt, n1, n2);
	if (n < 0 || (size_t)n >= sizeof c->text - *used)
		n = 0;
	struct msg *m = &c->msgs[c->n_msgs++];
	memset(m, 0, sizeof *m);
	m->dir = (uint8_t)dir;
	m->pre = p;
	m->pre_len = (uint32_t)n;
	m->pool = b64_pool;
	m->pool_len = B64_POOL;
	*used += (size_t)n;
}

static uint32_t body_size(uint64_t *rng)
{
	if (rng_permille(rng, 800))
		return 1024u * (1 + rng_below(rng, 24));
	return 40960u + rng_below(rng, 600000);
}

/* An SMTP session with one message: text part and a base64 attachment. */
static void script_smtp(struct conn *c, uint32_t id, uint64_t *rng)
{
	size_t u = 0;
	uint32_t lines = body_size(rng) / B64_LINE + 1;
	conn_say(c, &u, RESP, "220 mx%u.example.net ESMTP Postfix\r\n", id % 7, 0);
	conn_say(c, &u, ORIG, "EHLO client%u.example.com\r\n", id % 997, 0);
	conn_say(c, &u, RESP,
		 "250-mx%u.example.net\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n"
		 "250-8BITMIME\r\n250 SMTPUTF8\r\n", id % 7, 0);
	conn_say(c, &u, ORIG, "MAIL FROM:<user%u@example.com>\r\n", id % 5000, 0);
	conn_say(c, &u, RESP, "250 2.1.0 Ok\r\n", 0, 0);
	conn_say(c, &u, ORIG, "RCPT TO:<rcpt%u@example.net>\r\n", id % 3001, 0);
	conn_say(c, &u, RESP, "250 2.1.5 Ok\r\n", 0, 0);
	conn_say(c, &u, ORIG, "DATA\r\n", 0, 0);
	conn_say(c, &u, RESP, "354 End data with <CR><LF>.<CR><LF>\r\n", 0, 0);
	conn_say(c, &u, ORIG,
		 "From: User <user%u@example.com>\r\n"
		 "To: <rcpt@example.net>\r\n"
		 "Subject: report %u\r\n"
		 "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
		 "Message-ID: <m%u@example.com>\r\n"
		 "MIME-Version: 1.0\r\n"
		 "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
		 "--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
		 "Hello,\r\nthe report is attached.\r\n\r\n"
		 "--b1\r\nContent-Type: application/octet-stream; name=\"r.bin\"\r\n"
		 "Content-Transfer-Encoding: base64\r\n"
		 "Content-Disposition: attachment; filename=\"r.bin\"\r\n\r\n",
		 id, id);
	struct msg *data = &c->msgs[c->n_msgs - 1];
	data->bulk = lines * B64_LINE;
	data->bulk_off = rng_below(rng, 4096) * B64_LINE;
	data->post = "\r\n--b1--\r\n.\r\n";
	data->post_len = (uint32_t)strlen(data->post);
	conn_say(c, &u, RESP, "250 2.0.0 Ok: queued as Q%u\r\n", id, 0);
	conn_say(c, &u, ORIG, "QUIT\r\n", 0, 0);
	conn_say(c, &u, RESP, "221 2.0.0 Bye\r\n", 0, 0);
}

/* One to three request/response exchanges; binary bodies on non-80 ports. */
static void script_rr(struct conn *c, uint32_t id, uint64_t *rng, bool http)
{
	size_t u = 0;
	uint32_t n = 1 + rng_below(rng, 3);
	for (uint32_t i = 0; i < n && c->n_msgs + 2 <= MAX_MSGS; i++) {
		uint32_t size = body_size(rng);
		if (http) {
			conn_say(c, &u, ORIG,
				 "GET /obj/%u/%u HTTP/1.1\r\nHost: www.example.org\r\n"
				 "User-Agent: gen_pcap\r\n\r\n", id, i);
			conn_say(c, &u, RESP,
				 "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
				 "Content-Length: %u\r\n\r\n", size, 0);
		} else {
			conn_say(c, &u, ORIG, "", 0, 0);
			c->msgs[c->n_msgs - 1].bulk = 100 + rng_below(rng, 400);
			conn_say(c, &u, RESP, "", 0, 0);
		}
		for (int k = 1; k <= 2; k++) {
			struct msg *m = &c->msgs[c->n_msgs - k];
			if (http && k == 2)
				continue;
			m->pool = bin_pool;
			m->pool_len = BIN_POOL;
			m->bulk_off = rng_below(rng, BIN_POOL);
			if (k == 1)
				m->bulk = size;
		}
	}
}

/* Sends the held segment (retransmission or the one overtaken). */
static void conn_send_held(struct gen *g, struct conn *c)
{
	int hdir = c->held_flags >> 7;
	tcp_emit_at(g, &c->t.f, hdir, c->held_flags & 0x7f, c->held_seq,
		    c->t.seq[!hdir], c->t.win[hdir], c->held, c->held_len, NULL);
	c->held_mode = HELD_NONE;
	c->held_ready = false;
}

/*
 * The next data segment of the current message; unless another segment is
 * still held, it may be held back (overtaken), lost, or retransmitted.
 */
static void conn_send_data(struct gen *g, struct conn *c, uint64_t *rng)
{
	const struct msg *m = &c->msgs[c->cur];
	int dir = m->dir;
	uint32_t len = msg_len(m);
	uint32_t n = len - c->off < MSS ? len - c->off : MSS;
	uint8_t flags = TH_ACK | (c->off + n == len ? TH_PSH : 0);
	uint8_t buf[MSS];
	msg_copy(m, c->off, buf, n);
	uint32_t seq = c->t.seq[dir];
	c->off += n;
	c->t.seq[dir] += n;
	bool more = c->off < len;

	uint32_t r = c->lossy && c->held_mode == HELD_NONE ? rng_below(rng, 1000)
							    : 1000;
	if (r < c->lossy && more) {
		/* Hold this one back: the next segment overtakes it. */
		c->held_mode = HELD_OOO;
	} else if (r < 2u * c->lossy) {
		/* Lost before the capture point: never written. */
		goto next;
	} else {
		tcp_emit_at(g, &c->t.f, dir, flags, seq, c->t.seq[!dir],
			    c->t.win[dir], buf, n, NULL);
		if (r < 3u * c->lossy)
			c->held_mode = HELD_RETX;
	}
	if (c->held_mode != HELD_NONE) {
		c->held_seq = seq;
		c->held_len = (uint16_t)n;
		c->held_flags = (uint8_t)(flags | dir << 7);
		memcpy(c->held, buf, n);
	}
next:
	if (++c->unacked[dir] >= 2 || !more) {
		c->ack_due = (int8_t)!dir;
		c->unacked[dir] = 0;
	}
	if (!more) {
		c->cur++;
		c->off = 0;
	}
}

/* Emits one packet (or none) of a TCP connection; sets done at the end. */
static void conn_step_tcp(struct gen *g, struct conn *c, uint64_t *rng)
{
	struct tcp *t = &c->t;
	switch (c->phase) {
	case 0:
		tcp_send(g, t, ORIG, TH_SYN, NULL, 0, NULL);
		c->phase = c->end == END_S0 ? 10 : 1;
		return;
	case 1:
		if (c->end == END_REJ) {
			tcp_emit_at(g, &t->f, RESP, TH_RST | TH_ACK, 0, t->seq[ORIG],
				    0, NULL, 0, NULL);
			c->done = true;
			return;
		}
		tcp_send(g, t, RESP, TH_SYN | TH_ACK, NULL, 0, NULL);
		c->phase = 2;
		return;
	case 2:
		tcp_send(g, t, ORIG, TH_ACK, NULL, 0, NULL);
		c->phase = 3;
		return;
	case 3:
		if (c->held_mode == HELD_RETX ||
		    (c->held_mode == HELD_OOO && c->held_ready)) {
			conn_send_held(g, c);
			return;
		}
		/* No ACK while a hole is open: it would cover the held bytes. */
		if (c->ack_due >= 0 && c->held_mode == HELD_NONE) {
			tcp_send(g, t, c->ack_due, TH_ACK, NULL, 0, NULL);
			c->ack_due = -1;
			return;
		}
		if (c->cur < c->n_msgs) {
			bool holding = c->held_mode == HELD_OOO;
			conn_send_data(g, c, rng);
			if (holding)
				c->held_ready = true;
			return;
		}
		c->phase = 4;
		/* fall through */
	case 4:
		switch (c->end) {
		case END_RSTO:
			tcp_send(g, t, ORIG, TH_RST | TH_ACK, NULL, 0, NULL);
			c->done = true;
			return;
		case END_RSTR:
			tcp_send(g, t, RESP, TH_RST | TH_ACK, NULL, 0, NULL);
			c->done = true;
			return;
		case END_OPEN:
			c->done = true;
			return;
		default:
			tcp_send(g, t, ORIG, TH_FIN | TH_ACK, NULL, 0, NULL);
			c->phase = 5;
			return;
		}
	case 5:
		tcp_send(g, t, RESP, TH_FIN | TH_ACK, NULL, 0, NULL);
		c->phase = 6;
		return;
	case 6:
		tcp_send(g, t, ORIG, TH_ACK, NULL, 0, NULL);
		c->done = true;
		return;
	default:	/* S0: the SYN retransmitted twice, never answered */
		tcp_emit_at(g, &t->f, ORIG, TH_SYN, t->seq[ORIG] - 1, 0, t->win[ORIG],
			    NULL, 0, NULL);
		if (++c->phase >= 12)
			c->done = true;
		return;
	}
}

static void conn_step(struct gen *g, struct conn *c, uint64_t *rng)
{
	uint8_t payload[512];
	switch (c->kind) {
	case K_TCP:
		conn_step_tcp(g, c, rng);
		return;
	case K_UDP: {
		/* Alternating query/answer; an odd count leaves one unanswered. */
		int dir = (c->sent & 1) ? RESP : ORIG;
		size_t n = dir == ORIG ? 28 + rng_below(rng, 40) : 60 + rng_below(rng, 400);
		for (size_t i = 0; i < n; i++)
			payload[i] = (uint8_t)(c->sent * 31 + i);
		udp_emit(g, &c->t.f, dir, payload, n, NULL);
		break;
	}
	case K_ICMP: {
		int dir = (c->sent & 1) ? RESP : ORIG;
		icmp_echo_emit(g, &c->t.f, dir, c->t.f.port[ORIG],
			       (uint16_t)(1 + c->sent / 2), 56);
		break;
	}
	default:
		other_emit(g, &c->t.f, ORIG, c->proto, 40 + rng_below(rng, 160));
		break;
	}
	c->sent++;
	if (--c->steps == 0)
		c->done = true;
}

/* A new connection of a random kind, for the benchmark mix. */
static void conn_new(struct gen *g, struct conn *c)
{
	uint64_t *rng = &g->rng;
	uint32_t id = g->conn_id++;
	memset(c, 0, sizeof *c);
	c->ack_due = -1;
	uint32_t k = rng_below(rng, 100);
	bool v6 = rng_permille(rng, 100);
	uint16_t sport = (uint16_t)(1024 + id % 64000);
	uint32_t host = 1 + rng_below(rng, 4000);
	uint32_t server = 1 + rng_below(rng, 250);
	uint32_t net = rng_below(rng, 3);
	static const uint32_t nets[3] = {0xc0000200, 0xc6336400, 0xcb007100};
	uint16_t dport;
	c->kind = k < 62 ? K_TCP : k < 84 ? K_UDP : k < 94 ? K_ICMP : K_OTHER;
	if (c->kind == K_TCP) {
		static const uint16_t ports[4] = {25, 80, 443, 8443};
		dport = ports[rng_below(rng, 4)];
	} else if (c->kind == K_UDP) {
		dport = rng_permille(rng, 800) ? 53 : 123;
	} else {
		dport = 0;
	}
	if (v6)
		flow_v6(&c->t.f, 1, host, 0x100 + (uint16_t)net, server, sport, dport);
	else
		flow_v4(&c->t.f, 0x0a010000 + host, nets[net] + server, sport, dport);
	if (c->kind == K_ICMP) {
		c->t.f.port[ORIG] = (uint16_t)id;
		c->steps = (uint16_t)(2 * (1 + rng_below(rng, 4)) - rng_permille(rng, 100));
		return;
	}
	if (c->kind == K_UDP) {
		c->steps = (uint16_t)(2 * (1 + rng_below(rng, 2)) - rng_permille(rng, 150));
		return;
	}
	if (c->kind == K_OTHER) {
		static const uint8_t protos[4] = {89, 112, 132, 50};
		c->proto = protos[rng_below(rng, 4)];
		c->steps = (uint16_t)(1 + rng_below(rng, 3));
		return;
	}
	tcp_init(&c->t, &c->t.f, rng);
	uint32_t e = rng_below(rng, 1000);
	c->end = e < 880 ? END_FIN : e < 920 ? END_RSTO : e < 945 ? END_RSTR
		 : e < 970 ? END_REJ : e < 985 ? END_S0 : END_OPEN;
	c->lossy = rng_permille(rng, 150) ? (uint16_t)(5 + rng_below(rng, 25)) : 0;
	if (dport == 25)
		script_smtp(c, id, rng);
	else
		script_rr(c, id, rng, dport == 80);
}

/* ---- mixed: the benchmark ------------------------------------------ */

/*
 * Ends a TCP connection's conversation after the segment in flight, so the
 * file stops near its target size: the connections alive at that moment
 * are mostly the long transfers, and finishing them would double it.
 */
static void conn_cut_short(struct conn *c)
{
	if (c->kind != K_TCP || c->cur >= c->n_msgs)
		return;
	if (c->off == 0) {
		c->n_msgs = c->cur;
		return;
	}
	struct msg *m = &c->msgs[c->cur];
	if (m->pre_len > c->off)
		m->pre_len = c->off;
	m->bulk = c->off - m->pre_len;
	m->post_len = 0;
	c->n_msgs = (uint8_t)(c->cur + 1);
	c->cur++;
	c->off = 0;
}

#define MIXED_SLOTS 4000

static int gen_mixed(struct gen *g, uint64_t target)
{
	struct conn *slots = calloc(MIXED_SLOTS, sizeof *slots);
	if (!slots) {
		perror("calloc");
		return -1;
	}
	size_t active = 0;
	bool winding_down = false;
	for (; active < MIXED_SLOTS; active++)
		conn_new(g, &slots[active]);
	while (active) {
		if (!winding_down && g->bytes >= target) {
			winding_down = true;
			for (size_t k = 0; k < active; k++)
				conn_cut_short(&slots[k]);
		}
		size_t i = rng_below(&g->rng, (uint32_t)active);
		conn_step(g, &slots[i], &g->rng);
		tick(g, rng_below(&g->rng, 60));
		if (!slots[i].done)
			continue;
		if (g->bytes < target)
			conn_new(g, &slots[i]);
		else
			slots[i] = slots[--active];
	}
	free(slots);
	return 0;
}

/* ---- sample: every conn_state once or more ---------------------------- */

/* Runs a connection of the model to its end, `gap` us between packets. */
static void conn_run(struct gen *g, struct conn *c, uint64_t gap)
{
	while (!c->done) {
		conn_step(g, c, &g->rng);
		tick(g, gap);
	}
}

static void tcp_conn(struct gen *g, struct conn *c, const struct flow *f,
		     int end, bool smtp)
{
	memset(c, 0, sizeof *c);
	c->ack_due = -1;
	c->kind = K_TCP;
	c->end = (uint8_t)end;
	tcp_init(&c->t, f, &g->rng);
	uint32_t id = g->conn_id++;
	if (smtp)
		script_smtp(c, id, &g->rng);
	else
		script_rr(c, id, &g->rng, f->port[RESP] == 80);
}

static uint16_t next_port(struct gen *g)
{
	return (uint16_t)(40000 + g->conn_id++ % 20000);
}

static int gen_sample(struct gen *g)
{
	static struct conn c;
	struct flow f;
	uint8_t buf[600];
	const uint32_t cli = 0x0a000005, cli2 = 0x0a00000c, srv = 0xc0000219,
		       web = 0xc6336450, dns = 0x08080808;

	/* SF: SMTP sessions (with attachments), HTTP-like and TLS-port ones. */
	for (int i = 0; i < 4; i++) {
		flow_v4(&f, i & 1 ? cli2 : cli, srv + (uint32_t)i, next_port(g), 25);
		tcp_conn(g, &c, &f, END_FIN, true);
		conn_run(g, &c, 900);
		tick(g, 150000);
	}
	for (int i = 0; i < 6; i++) {
		flow_v4(&f, cli, web + (uint32_t)(i % 3), next_port(g), i < 3 ? 80 : 443);
		tcp_conn(g, &c, &f, END_FIN, false);
		conn_run(g, &c, 700);
		tick(g, 90000);
	}
	/* REJ, RSTO, RSTR, S0, S1 through the model. */
	static const int ends[5] = {END_REJ, END_RSTO, END_RSTR, END_S0, END_OPEN};
	for (int k = 0; k < 5; k++) {
		for (int i = 0; i < 2; i++) {
			flow_v4(&f, cli2, web + 10 + (uint32_t)k, next_port(g),
				i ? 8080 : 25);
			tcp_conn(g, &c, &f, ends[k], i == 1 ? false : true);
			conn_run(g, &c, ends[k] == END_S0 ? 1000000 : 1200);
			tick(g, 200000);
		}
	}
	/* SH: SYN, then FIN from the originator, never an answer. */
	struct tcp t;
	flow_v4(&f, cli, web + 20, next_port(g), 22);
	tcp_init(&t, &f, &g->rng);
	tcp_send(g, &t, ORIG, TH_SYN, NULL, 0, NULL);
	tick(g, 400000);
	tcp_send(g, &t, ORIG, TH_FIN, NULL, 0, NULL);
	tick(g, 300000);
	/* OTH: the middle of a connection, no SYN seen. */
	flow_v4(&f, cli2, web + 21, next_port(g), 8443);
	tcp_init(&t, &f, &g->rng);
	memset(buf, 'x', sizeof buf);
	for (int i = 0; i < 3; i++) {
		tcp_send(g, &t, ORIG, TH_ACK | TH_PSH, buf, 200, NULL);
		tick(g, 3000);
		tcp_send(g, &t, RESP, TH_ACK | TH_PSH, buf, 500, NULL);
		tick(g, 3000);
	}
	tick(g, 200000);
	/* UDP: DNS-like exchanges, an unanswered one, NTP. */
	for (int i = 0; i < 5; i++) {
		flow_v4(&f, i & 1 ? cli2 : cli, dns, next_port(g), i == 4 ? 123 : 53);
		memset(&c, 0, sizeof c);
		c.kind = K_UDP;
		c.t.f = f;
		c.steps = (uint16_t)(i == 2 ? 1 : 2);
		conn_run(g, &c, 20000);
		tick(g, 50000);
	}
	/* ICMP echo, answered and not. */
	for (int i = 0; i < 2; i++) {
		flow_v4(&f, cli, web + 30 + (uint32_t)i, 0, 0);
		memset(&c, 0, sizeof c);
		c.kind = K_ICMP;
		c.t.f = f;
		c.t.f.port[ORIG] = (uint16_t)(0x4d00 + i);
		c.steps = (uint16_t)(i ? 1 : 6);
		conn_run(g, &c, 100000);
	}
	/* An unknown IP protocol (OSPF). */
	flow_v4(&f, cli, 0xe0000005, 0, 0);
	other_emit(g, &f, ORIG, 89, 44);
	tick(g, 100000);
	/* IPv6: TCP SF (SMTP), UDP, ICMPv6 echo. */
	flow_v6(&f, 1, 0x10, 2, 0x25, next_port(g), 25);
	tcp_conn(g, &c, &f, END_FIN, true);
	conn_run(g, &c, 800);
	tick(g, 100000);
	flow_v6(&f, 1, 0x10, 3, 0x53, next_port(g), 53);
	memset(&c, 0, sizeof c);
	c.kind = K_UDP;
	c.t.f = f;
	c.steps = 2;
	conn_run(g, &c, 15000);
	flow_v6(&f, 1, 0x10, 2, 0x1, 0, 0);
	memset(&c, 0, sizeof c);
	c.kind = K_ICMP;
	c.t.f = f;
	c.t.f.port[ORIG] = 0x6006;
	c.steps = 4;
	conn_run(g, &c, 40000);
	tick(g, 100000);
	/* VLAN 100: an SF connection tagged 802.1Q. */
	flow_v4(&f, cli, web + 40, next_port(g), 80);
	f.vlan = 100;
	tcp_conn(g, &c, &f, END_FIN, false);
	conn_run(g, &c, 600);
	return 0;
}

/* ---- edge: cases Zeek treats specially -------------------------------- */

static void tcp_handshake(struct gen *g, struct tcp *t, uint64_t gap)
{
	tcp_send(g, t, ORIG, TH_SYN, NULL, 0, NULL);
	tick(g, gap);
	tcp_send(g, t, RESP, TH_SYN | TH_ACK, NULL, 0, NULL);
	tick(g, gap);
	tcp_send(g, t, ORIG, TH_ACK, NULL, 0, NULL);
	tick(g, gap);
}

static void tcp_close(struct gen *g, struct tcp *t, uint64_t gap)
{
	tcp_send(g, t, ORIG, TH_FIN | TH_ACK, NULL, 0, NULL);
	tick(g, gap);
	tcp_send(g, t, RESP, TH_FIN | TH_ACK, NULL, 0, NULL);
	tick(g, gap);
	tcp_send(g, t, ORIG, TH_ACK, NULL, 0, NULL);
	tick(g, gap);
}

static int gen_edge(struct gen *g)
{
	struct tcp t;
	struct flow f;
	static uint8_t buf[4096];
	const uint32_t cli = 0x0a000007, srv = 0xc0000230;
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)('a' + i % 26);
	struct emit_opts bad = {.bad_csum = true};

	/* 1. Bad TCP checksums: a lone SYN, and a data segment later resent. */
	flow_v4(&f, cli, srv, 41001, 80);
	tcp_init(&t, &f, &g->rng);
	tcp_emit_at(g, &f, ORIG, TH_SYN, t.seq[ORIG], 0, 1024, NULL, 0, &bad);
	tick(g, 500000);
	flow_v4(&f, cli, srv, 41002, 80);
	tcp_init(&t, &f, &g->rng);
	tcp_handshake(g, &t, 2000);
	tcp_emit_at(g, &f, ORIG, TH_ACK | TH_PSH, t.seq[ORIG], t.seq[RESP],
		    t.win[ORIG], buf, 300, &bad);
	tick(g, 200000);
	tcp_send(g, &t, ORIG, TH_ACK | TH_PSH, buf, 300, NULL);
	tick(g, 2000);
	tcp_send(g, &t, RESP, TH_ACK | TH_PSH, buf, 900, &bad);
	tick(g, 2000);
	tcp_close(g, &t, 2000);
	/* and a UDP datagram with a bad checksum */
	flow_v4(&f, cli, srv, 41003, 53);
	udp_emit(g, &f, ORIG, buf, 40, &bad);
	tick(g, 300000);

	/* 2. Snaplen-truncated payload: data packets captured to 128 bytes. */
	flow_v4(&f, cli, srv + 1, 41010, 25);
	tcp_init(&t, &f, &g->rng);
	tcp_handshake(g, &t, 1500);
	struct emit_opts cut = {.caplen = 128};
	for (int i = 0; i < 3; i++) {
		tcp_send(g, &t, ORIG, TH_ACK, buf, MSS, &cut);
		tick(g, 800);
	}
	tcp_send(g, &t, RESP, TH_ACK, NULL, 0, NULL);
	tick(g, 1500);
	tcp_close(g, &t, 1500);
	tick(g, 300000);

	/* 3. IPv4 fragments: UDP in order, UDP out of order, TCP in 2. */
	flow_v4(&f, cli, srv + 2, 41020, 5353);
	static const int in_order[3] = {0, 1, 2}, reversed[3] = {2, 0, 1};
	udp_emit_fragments(g, &f, ORIG, buf, 2900, 1480, in_order, 3, 0x1111);
	tick(g, 10000);
	udp_emit_fragments(g, &f, RESP, buf, 2000, 1000, reversed, 3, 0x2222);
	tick(g, 300000);
	flow_v4(&f, cli, srv + 3, 41021, 80);
	tcp_init(&t, &f, &g->rng);
	tcp_handshake(g, &t, 1000);
	{
		/* build the segment, then split its IP payload at 800 bytes */
		tcp_emit_at(g, &f, ORIG, TH_ACK | TH_PSH, t.seq[ORIG], t.seq[RESP],
			    t.win[ORIG], buf, 1200, NULL);
		/* that wrote it whole; write the same segment again as fragments */
		static uint8_t seg[2048];
		size_t seglen = 20 + 1200;
		memcpy(seg, g->l4, seglen);
		struct emit_opts f1 = {.frag = 0x2000, .ip_id = 0x3333};
		struct emit_opts f2 = {.frag = 800 / 8, .ip_id = 0x3333};
		tick(g, 300000);	/* as a retransmission, fragmented */
		ip_emit(g, &f, ORIG, 6, seg, 800, &f1);
		tick(g, 200);
		ip_emit(g, &f, ORIG, 6, seg + 800, seglen - 800, &f2);
		t.seq[ORIG] += 1200;
	}
	tick(g, 1000);
	tcp_send(g, &t, RESP, TH_ACK, NULL, 0, NULL);
	tick(g, 1000);
	tcp_close(g, &t, 1000);
	tick(g, 300000);

	/* 4. Midstream: data both ways, no handshake, then FINs. */
	flow_v4(&f, cli, srv + 4, 41030, 25);
	tcp_init(&t, &f, &g->rng);
	for (int i = 0; i < 3; i++) {
		tcp_send(g, &t, RESP, TH_ACK | TH_PSH, "250 Ok\r\n", 8, NULL);
		tick(g, 4000);
		tcp_send(g, &t, ORIG, TH_ACK | TH_PSH, "NOOP\r\n", 6, NULL);
		tick(g, 4000);
	}
	tcp_close(g, &t, 3000);
	tick(g, 300000);

	/* 5. The SYN-ACK is captured before the SYN. */
	flow_v4(&f, cli, srv + 5, 41040, 80);
	tcp_init(&t, &f, &g->rng);
	tcp_emit_at(g, &f, RESP, TH_SYN | TH_ACK, t.seq[RESP], t.seq[ORIG] + 1,
		    t.win[RESP], NULL, 0, NULL);
	tick(g, 30);
	tcp_send(g, &t, ORIG, TH_SYN, NULL, 0, NULL);
	t.seq[RESP]++;
	tick(g, 1000);
	tcp_send(g, &t, ORIG, TH_ACK, NULL, 0, NULL);
	tick(g, 1000);
	tcp_send(g, &t, ORIG, TH_ACK | TH_PSH, buf, 100, NULL);
	tick(g, 1000);
	tcp_send(g, &t, RESP, TH_ACK | TH_PSH, buf, 700, NULL);
	tick(g, 1000);
	tcp_close(g, &t, 1000);
	tick(g, 300000);

	/* 6. A closed connection's 4-tuple reused by a new SYN. */
	flow_v4(&f, cli, srv + 6, 41050, 25);
	tcp_init(&t, &f, &g->rng);
	tcp_handshake(g, &t, 1000);
	tcp_send(g, &t, RESP, TH_ACK | TH_PSH, "220 hi\r\n", 8, NULL);
	tick(g, 1000);
	tcp_close(g, &t, 1000);
	tick(g, 2000000);
	tcp_init(&t, &f, &g->rng);	/* new ISNs, same ports */
	tcp_handshake(g, &t, 1000);
	tcp_send(g, &t, RESP, TH_ACK | TH_PSH, "220 again\r\n", 11, NULL);
	tick(g, 1000);
	tcp_close(g, &t, 1000);
	tick(g, 300000);

	/* 7. Zero window: receiver closes its window, probes, reopens. */
	flow_v4(&f, cli, srv + 7, 41060, 80);
	tcp_init(&t, &f, &g->rng);
	tcp_handshake(g, &t, 1000);
	tcp_send(g, &t, RESP, TH_ACK | TH_PSH, buf, MSS, NULL);
	tick(g, 500);
	tcp_send(g, &t, RESP, TH_ACK | TH_PSH, buf, MSS, NULL);
	tick(g, 500);
	t.win[ORIG] = 0;
	tcp_send(g, &t, ORIG, TH_ACK, NULL, 0, NULL);
	for (int i = 0; i < 3; i++) {
		tick(g, 200000u << i);
		/* 1-byte window probe, answered with window 0 again */
		tcp_emit_at(g, &f, RESP, TH_ACK, t.seq[RESP], t.seq[ORIG],
			    t.win[RESP], buf, 1, NULL);
		tick(g, 300);
		tcp_send(g, &t, ORIG, TH_ACK, NULL, 0, NULL);
	}
	tick(g, 100000);
	t.win[ORIG] = 64240;
	tcp_send(g, &t, ORIG, TH_ACK, NULL, 0, NULL);	/* window update */
	tick(g, 300);
	tcp_send(g, &t, RESP, TH_ACK | TH_PSH, buf, 500, NULL);
	tick(g, 300);
	tcp_send(g, &t, ORIG, TH_ACK, NULL, 0, NULL);
	tick(g, 1000);
	tcp_close(g, &t, 1000);
	tick(g, 300000);

	/* 8. One segment retransmitted 12 times with backoff, then acked. */
	flow_v4(&f, cli, srv + 8, 41070, 25);
	tcp_init(&t, &f, &g->rng);
	tcp_handshake(g, &t, 1000);
	uint32_t seq = t.seq[ORIG];
	for (int i = 0; i <= 12; i++) {
		tcp_emit_at(g, &f, ORIG, TH_ACK | TH_PSH, seq, t.seq[RESP],
			    t.win[ORIG], (const uint8_t *)"EHLO x\r\n", 8, NULL);
		tick(g, 200000u * (1u << (i < 6 ? i : 6)));
	}
	t.seq[ORIG] += 8;
	tcp_send(g, &t, RESP, TH_ACK, NULL, 0, NULL);
	tick(g, 1000);
	tcp_close(g, &t, 1000);
	return 0;
}


/* ---- tls: many TLS 1.2 connections with a full certificate chain ------- */

#define TLS_CHAIN_MAX 3
#define TLS_CERT_MAX 8192
#define TLS_MSS 1448

struct tls_chain {
	uint8_t der[TLS_CHAIN_MAX][TLS_CERT_MAX];
	size_t len[TLS_CHAIN_MAX];
	size_t n;
};

static int read_der(const char *dir, const char *name, uint8_t *out, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		return -1;
	}
	*len = fread(out, 1, TLS_CERT_MAX, fp);
	int bad = ferror(fp) || *len == 0 || *len == TLS_CERT_MAX;
	fclose(fp);
	if (bad)
		fprintf(stderr, "gen_pcap: %s: unusable certificate\n", path);
	return bad ? -1 : 0;
}

/* Sends a byte stream as MSS-sized segments. */
static void tcp_stream(struct gen *g, struct tcp *t, int dir, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t k = n < TLS_MSS ? n : TLS_MSS;
		tcp_send(g, t, dir, TH_ACK | TH_PSH, p, k, NULL);
		tick(g, 40);
		p += k;
		n -= k;
	}
}

/* Appends a record header + body to m (body already at m->b + at + 5). */
static size_t tls_put(uint8_t *b, size_t at, uint8_t type, const void *body, size_t n)
{
	b[at] = type;
	be16(b + at + 1, 0x0303);
	be16(b + at + 3, (uint16_t)n);
	memcpy(b + at + 5, body, n);
	return at + 5 + n;
}

static size_t hs_put(uint8_t *b, size_t at, uint8_t type, const uint8_t *body, size_t n)
{
	b[at] = type;
	b[at + 1] = (uint8_t)(n >> 16);
	be16(b + at + 2, (uint16_t)n);
	memcpy(b + at + 4, body, n);
	return at + 4 + n;
}

static void tls_session(struct gen *g, const struct flow *f, const struct tls_chain *ch,
			uint32_t id)
{
	static uint8_t hs[4 * TLS_CERT_MAX], rec[4 * TLS_CERT_MAX + 64], body[4 * TLS_CERT_MAX];
	struct tcp t;
	tcp_init(&t, f, &g->rng);
	tcp_handshake(g, &t, 200);

	/* ClientHello with SNI */
	char sni[64];
	int sn = snprintf(sni, sizeof sni, "host%u.example.org", (unsigned)(id % 50));
	size_t b = 0;
	be16(body, 0x0303), b = 2;
	for (int i = 0; i < 32; i++)
		body[b++] = (uint8_t)rng_next(&g->rng);
	body[b++] = 0;
	be16(body + b, 4), b += 2;
	be16(body + b, 0xC02F), be16(body + b + 2, 0x009C), b += 4;
	body[b++] = 1, body[b++] = 0;
	be16(body + b, (uint16_t)(sn + 9)), b += 2;
	be16(body + b, 0), be16(body + b + 2, (uint16_t)(sn + 5)), b += 4;
	be16(body + b, (uint16_t)(sn + 3)), body[b + 2] = 0, b += 3;
	be16(body + b, (uint16_t)sn), b += 2;
	memcpy(body + b, sni, (size_t)sn), b += (size_t)sn;
	size_t h = hs_put(hs, 0, 1, body, b);
	size_t r = tls_put(rec, 0, 22, hs, h);
	tcp_stream(g, &t, ORIG, rec, r);
	tick(g, 300);

	/* ServerHello, Certificate (the chain), ServerHelloDone in one record */
	b = 0;
	be16(body, 0x0303), b = 2;
	for (int i = 0; i < 32; i++)
		body[b++] = (uint8_t)rng_next(&g->rng);
	body[b++] = 0;
	be16(body + b, 0xC02F), b += 2;
	body[b++] = 0;
	be16(body + b, 0), b += 2;
	h = hs_put(hs, 0, 2, body, b);
	size_t total = 0;
	for (size_t k = 0; k < ch->n; k++)
		total += 3 + ch->len[k];
	b = 0;
	body[b++] = (uint8_t)(total >> 16), be16(body + b, (uint16_t)total), b += 2;
	for (size_t k = 0; k < ch->n; k++) {
		body[b++] = (uint8_t)(ch->len[k] >> 16);
		be16(body + b, (uint16_t)ch->len[k]), b += 2;
		memcpy(body + b, ch->der[k], ch->len[k]), b += ch->len[k];
	}
	h = hs_put(hs, h, 11, body, b);
	h = hs_put(hs, h, 14, body, 0);
	r = tls_put(rec, 0, 22, hs, h);
	tcp_stream(g, &t, RESP, rec, r);
	tick(g, 300);

	/* ClientKeyExchange, ChangeCipherSpec, encrypted Finished */
	memcpy(body, bin_pool, 66);
	body[0] = 65;
	h = hs_put(hs, 0, 16, body, 66);
	r = tls_put(rec, 0, 22, hs, h);
	r = tls_put(rec, r, 20, "\x01", 1);
	r = tls_put(rec, r, 22, bin_pool + 100, 40);
	tcp_stream(g, &t, ORIG, rec, r);
	tick(g, 300);
	r = tls_put(rec, 0, 20, "\x01", 1);
	r = tls_put(rec, r, 22, bin_pool + 200, 40);
	tcp_stream(g, &t, RESP, rec, r);
	tick(g, 300);

	/* Application data: a request, then a response of 8-40 KB. */
	r = tls_put(rec, 0, 23, bin_pool + 300, 400);
	tcp_stream(g, &t, ORIG, rec, r);
	tick(g, 500);
	size_t resp = 8192 + rng_below(&g->rng, 32768);
	for (size_t off = 0; off < resp;) {
		size_t k = resp - off < 16000 ? resp - off : 16000;
		r = tls_put(rec, 0, 23, bin_pool + (off % (BIN_POOL - 16384)), k);
		tcp_stream(g, &t, RESP, rec, r);
		off += k;
	}
	tcp_close(g, &t, 100);
}

static int gen_tls(struct gen *g, const char *certdir, long n)
{
	static struct tls_chain ch;
	static const char *const names[TLS_CHAIN_MAX] = {"leaf-rsa.der", "inter.der", "root.der"};
	for (size_t k = 0; k < TLS_CHAIN_MAX; k++)
		if (read_der(certdir, names[k], ch.der[k], &ch.len[k]) < 0)
			return -1;
	ch.n = TLS_CHAIN_MAX;
	struct flow f;
	for (long i = 0; i < n; i++) {
		uint32_t cli = 0x0a010000u + (uint32_t)(i % 200), srv = 0xc0000201u + (uint32_t)(i % 50);
		flow_v4(&f, cli, srv, next_port(g), 443);
		tls_session(g, &f, &ch, (uint32_t)i);
		tick(g, 2000);
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_pcap mixed OUT.pcap [MB]\n"
			"       gen_pcap sample OUT.pcap\n"
			"       gen_pcap edge OUT.pcap\n"
			"       gen_pcap tls OUT.pcap CERTDIR [CONNECTIONS]\n");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	static struct gen g;
	g.now = BASE_TIME_US;
	g.rng = 0x736d74706c6f67ull;	/* "smtplog" */
	pools_init();
	int r;
	if (strcmp(argv[1], "mixed") == 0 && argc <= 4) {
		long mb = argc == 4 ? strtol(argv[3], NULL, 10) : 300;
		if (mb <= 0)
			return usage();
		if (pcap_begin(&g, argv[2]) < 0)
			return 1;
		r = gen_mixed(&g, (uint64_t)mb << 20);
	} else if (strcmp(argv[1], "sample") == 0 && argc == 3) {
		if (pcap_begin(&g, argv[2]) < 0)
			return 1;
		r = gen_sample(&g);
	} else if (strcmp(argv[1], "edge") == 0 && argc == 3) {
		if (pcap_begin(&g, argv[2]) < 0)
			return 1;
		r = gen_edge(&g);
	} else if (strcmp(argv[1], "tls") == 0 && (argc == 4 || argc == 5)) {
		long n = argc == 5 ? strtol(argv[4], NULL, 10) : 1000;
		if (n <= 0)
			return usage();
		if (pcap_begin(&g, argv[2]) < 0)
			return 1;
		r = gen_tls(&g, argv[3], n);
	} else {
		return usage();
	}
	if (pcap_end(&g) < 0 || r < 0)
		return 1;
	fprintf(stderr, "gen_pcap: %s: %llu packets, %llu bytes\n", argv[2],
		(unsigned long long)g.packets, (unsigned long long)g.bytes);
	return 0;
}
