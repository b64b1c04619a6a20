/*
 * gen_hostile: pathological captures for the bounded-memory tests
 * (tests/limits.sh). Each one is streamed out packet by packet, so even
 * the multi-gigabyte ones take no memory here and can be piped straight
 * into smtplog instead of being stored:
 *
 *   gen_hostile KIND[-benign] OUT.pcap|- [SIZE] [CERTDIR]
 *
 *   synflood   SIZE SYNs to 192.0.2.25:25 from distinct addresses and
 *              ports, one a microsecond, never answered (default 2000000)
 *   longline   SMTP: after the greeting the client sends SIZE bytes
 *              without a newline as its first command (default 2 GiB)
 *   longbody   SMTP: the same inside DATA, as one body line (default 2 GiB)
 *   mimedepth  SMTP: a mail whose multipart MIME is nested SIZE levels
 *              deep (default 5000)
 *   bigboundary SMTP: 100 nested multipart levels (MIME::max_depth), each
 *              with a SIZE-byte boundary (default 8 MiB)
 *   rcpt       SMTP: a mail with SIZE RCPT TO commands, every address
 *              distinct (default 1000000)
 *   rcptdup    SMTP: SIZE RCPT TO commands that repeat one 1000-byte
 *              address (default 200000)
 *   bigheader  SMTP: a mail with a SIZE-byte Subject folded over 76-byte
 *              lines, a SIZE/2-byte unfolded header line, and SIZE/32
 *              small headers (default 8 MiB)
 *   tlsbig     TLS on 443: after a normal ServerHello the server starts a
 *              handshake message claiming 16 MiB and sends SIZE bytes of
 *              handshake records of 65535 bytes (default 1 GiB)
 *   tlscerts   TLS on 443: one Certificate message with SIZE certificates
 *              (default 20000, about 14 MiB; split over several messages
 *              past the 16 MiB a message can hold)
 *   tlsconns   SIZE TLS connections, 100 a second, each with its own
 *              certificate (default 100000)
 *   optmail    SMTP, for the NAME=VALUE tests (tests/options.sh): one mail
 *              with SIZE recipients in RCPT TO, To: and Cc:, SIZE Received
 *              headers of distinct addresses, a Subject folded to about
 *              200 bytes and four nested multiparts; then, on a second
 *              connection, SIZE RCPT TO without MAIL FROM (each refused)
 *              before a valid mail "after invalid" (default 30, at most 250)
 *   holes      SMTP: after EHLO the client sends SIZE one-byte segments in
 *              shuffled order, each one byte past a hole that is never
 *              filled, while the server keeps acknowledging up to the
 *              first hole (default 1000000)
 *
 * Worst cases for the scanners of wire bytes, each with a KIND-benign twin
 * of the same size and structure whose bytes the scanner passes over at
 * once (tests/limits.sh compares their CPU times; details at each gen_*):
 *   ipscan     Received / X-Originating-IP values that are an IP address
 *              prefix at every offset (default 4 MiB)
 *   rcptset    SIZE RCPT TO cycling through 999 recipients (200000)
 *   toset      To: headers repeating 560 quoted, commaed addresses (4 MiB)
 *   mimebound  100 nested 8 KiB boundaries, near-miss body lines (4 MiB)
 *   decoders   quoted-printable and base64 full of errors (4 MiB)
 *   lines      one SIZE-byte command line (4 MiB)
 *   mimeheader parameter-heavy folded MIME headers (4 MiB)
 *   magic      files of 4 KiB of blanks (4 MiB)
 *   escape     smtp.log values that need escaping (4 MiB)
 *   dpd        SIZE/990 DPD connections with CR LF buffers (2 MiB)
 *   tlsext     ClientHellos of 16,377 extensions (4 MiB)
 *   tlsrec     TLS records sent one byte per segment (64 KiB)
 *   x509name   certificates with 1,900-RDN subjects (4 MiB)
 *   imapxmpp   IMAP and XMPP token runs (4 MiB)
 *   pop3       POP3 AUTH arguments the method search walks (4 MiB)
 *
 * SIZE takes a K, M or G suffix (powers of 1024). CERTDIR (default
 * testdata/certs) holds the DER certificates the TLS kinds send; copies
 * are made distinct by changing three bytes of the serial number (or of
 * the signature, for short serials). Output is classic pcap (DLT_EN10MB,
 * microseconds) with correct sequence numbers, acknowledgements and
 * IP/TCP checksums, and byte-for-byte deterministic: timestamps start at
 * a fixed epoch and ISNs come from a fixed-seed PRNG.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/gen_bytes.h"

#define SNAPLEN 262144u
#define FRAME_MAX 2048u
#define MSS 1460u
#define ACK_EVERY (64u * 1024)	/* the receiver acknowledges this often */
#define BASE_TIME_US (1700000000ull * 1000000ull) /* 2023-11-14 22:13:20 */
#define CLIENT_NET 0x0a000000u	/* 10.0.0.0/8 */
#define SERVER_ADDR 0xc0000219u	/* 192.0.2.25 */

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10 };
enum { ORIG = 0, RESP = 1 };

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- pcap writer ----------------------------------------------------- */

struct gen {
	FILE *out;
	uint64_t now;		/* microseconds since the epoch */
	uint64_t bytes;		/* bytes written */
	uint64_t packets;
	uint64_t rng;
	uint8_t frame[FRAME_MAX];
};

static void be24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16), p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)v;
}

static int pcap_begin(struct gen *g, const char *path)
{
	g->out = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	if (!g->out) {
		perror(path);
		return -1;
	}
	setvbuf(g->out, NULL, _IOFBF, 1u << 20);
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

static void pcap_write(struct gen *g, const uint8_t *p, uint32_t len)
{
	uint8_t h[16];
	le32(h, (uint32_t)(g->now / 1000000));
	le32(h + 4, (uint32_t)(g->now % 1000000));
	le32(h + 8, len);
	le32(h + 12, len);
	fwrite(h, 1, sizeof h, g->out);
	fwrite(p, 1, len, g->out);
	g->bytes += sizeof h + len;
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

static void tick(struct gen *g, uint64_t us)
{
	g->now += us;
}

/* ---- IPv4 + TCP ------------------------------------------------------ */

/* A TCP connection: addresses, ports, the next sequence number of each
 * side, and per side the bytes not yet sent as a full segment. */
struct tcp {
	uint32_t addr[2];
	uint16_t port[2];
	uint32_t seq[2];
	uint32_t unacked[2];	/* bytes sent since the peer last acknowledged */
	uint32_t pend_n[2];
	uint32_t seg_max;	/* payload bytes per segment: MSS unless changed */
	uint8_t pend[2][MSS];
};

static void tcp_init(struct gen *g, struct tcp *t, uint32_t client, uint16_t cport,
		     uint32_t server, uint16_t sport)
{
	memset(t, 0, sizeof *t);
	t->addr[ORIG] = client, t->addr[RESP] = server;
	t->port[ORIG] = cport, t->port[RESP] = sport;
	t->seq[ORIG] = (uint32_t)rng_next(&g->rng);
	t->seq[RESP] = (uint32_t)rng_next(&g->rng);
	t->seg_max = MSS;
}

/* One segment from `dir` at its next sequence number, acknowledging
 * everything the peer sent; advances the sequence number. */
static void tcp_segment(struct gen *g, struct tcp *t, int dir, uint8_t flags,
			const uint8_t *data, size_t len)
{
	uint8_t *p = g->frame;
	static const uint8_t router[6] = {0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e};
	uint8_t host[6] = {0x02, 0x42, 0, 0, 0, 0};
	be32(host + 2, t->addr[ORIG]);
	memcpy(p, dir == ORIG ? router : host, 6);
	memcpy(p + 6, dir == ORIG ? host : router, 6);
	be16(p + 12, 0x0800);
	uint8_t *ip = p + 14, *th = ip + 20;
	size_t hl = (flags & TH_SYN) ? 24 : 20;
	size_t l4 = hl + len;
	ip[0] = 0x45, ip[1] = 0;
	be16(ip + 2, (uint16_t)(20 + l4));
	be16(ip + 4, (uint16_t)(g->packets * 7 + 1));
	be16(ip + 6, 0x4000);
	ip[8] = dir == ORIG ? 64 : 52;
	ip[9] = 6;
	ip[10] = ip[11] = 0;
	be32(ip + 12, t->addr[dir]);
	be32(ip + 16, t->addr[!dir]);
	be16(ip + 10, csum_fold(csum_add(0, ip, 20)));

	bool ack = !(flags & TH_SYN) || dir == RESP;
	be16(th, t->port[dir]);
	be16(th + 2, t->port[!dir]);
	be32(th + 4, t->seq[dir]);
	be32(th + 8, ack ? t->seq[!dir] : 0);
	th[12] = (uint8_t)((hl / 4) << 4);
	th[13] = (uint8_t)(flags | (ack ? TH_ACK : 0));
	be16(th + 14, 65535);
	th[16] = th[17] = th[18] = th[19] = 0;
	if (hl == 24) {	/* MSS option */
		th[20] = 2, th[21] = 4;
		be16(th + 22, MSS);
	}
	if (len)
		memcpy(th + hl, data, len);
	uint32_t s = csum_add(0, ip + 12, 8) + 6 + (uint32_t)l4;
	be16(th + 16, csum_fold(csum_add(s, th, l4)));

	size_t n = 14 + 20 + l4;
	if (n < 60) {	/* Ethernet minimum frame, padded with zeros */
		memset(p + n, 0, 60 - n);
		n = 60;
	}
	pcap_write(g, p, (uint32_t)n);
	t->seq[dir] += (uint32_t)len + !!(flags & (TH_SYN | TH_FIN));
	t->unacked[!dir] = 0;
	t->unacked[dir] += (uint32_t)len;
}

/* Sends what `dir` has pending as one segment. */
static void tcp_flush(struct gen *g, struct tcp *t, int dir)
{
	if (!t->pend_n[dir])
		return;
	tcp_segment(g, t, dir, TH_PSH, t->pend[dir], t->pend_n[dir]);
	t->pend_n[dir] = 0;
	tick(g, 5);
	if (t->unacked[dir] >= ACK_EVERY) {
		tcp_segment(g, t, !dir, 0, NULL, 0);
		tick(g, 5);
	}
}

/* Queues bytes from `dir`; full segments go out at once. Before the first
 * byte of a new turn the peer's pending bytes are flushed, so the two
 * directions never interleave within a turn. */
static void tcp_write(struct gen *g, struct tcp *t, int dir, const void *data, size_t len)
{
	const uint8_t *p = data;
	tcp_flush(g, t, !dir);
	while (len) {
		size_t k = t->seg_max - t->pend_n[dir];
		if (k > len)
			k = len;
		memcpy(t->pend[dir] + t->pend_n[dir], p, k);
		t->pend_n[dir] += (uint32_t)k;
		p += k, len -= k;
		if (t->pend_n[dir] == t->seg_max)
			tcp_flush(g, t, dir);
	}
}

static void tcp_puts(struct gen *g, struct tcp *t, int dir, const char *s)
{
	tcp_write(g, t, dir, s, strlen(s));
}

/* Writes `len` copies of byte `c`. */
static void tcp_fill(struct gen *g, struct tcp *t, int dir, uint8_t c, uint64_t len)
{
	static uint8_t block[64 * 1024];
	memset(block, c, sizeof block);
	while (len) {
		size_t k = len < sizeof block ? (size_t)len : sizeof block;
		tcp_write(g, t, dir, block, k);
		len -= k;
	}
}

static void tcp_handshake(struct gen *g, struct tcp *t)
{
	tcp_segment(g, t, ORIG, TH_SYN, NULL, 0);
	tick(g, 200);
	tcp_segment(g, t, RESP, TH_SYN, NULL, 0);
	tick(g, 200);
	tcp_segment(g, t, ORIG, 0, NULL, 0);
	tick(g, 200);
}

static void tcp_close(struct gen *g, struct tcp *t)
{
	tcp_flush(g, t, ORIG);
	tcp_flush(g, t, RESP);
	tcp_segment(g, t, ORIG, TH_FIN, NULL, 0);
	tick(g, 200);
	tcp_segment(g, t, RESP, TH_FIN, NULL, 0);
	tick(g, 200);
	tcp_segment(g, t, ORIG, 0, NULL, 0);
	tick(g, 200);
}

/* ---- (a) SYN flood ---------------------------------------------------- */

static int gen_synflood(struct gen *g, uint64_t n)
{
	struct tcp t;
	for (uint64_t i = 0; i < n; i++) {
		/* 10.0.0.1 upwards, 16M addresses; ports spread over 1024..65023 */
		uint32_t client = CLIENT_NET + 1 + (uint32_t)(i % 0xfffffeu);
		uint16_t port = (uint16_t)(1024 + (i * 7919) % 64000);
		tcp_init(g, &t, client, port, SERVER_ADDR, 25);
		tcp_segment(g, &t, ORIG, TH_SYN, NULL, 0);
		tick(g, 1);
	}
	return 0;
}

/* ---- SMTP ------------------------------------------------------------- */

static void smtp_open(struct gen *g, struct tcp *t)
{
	tcp_init(g, t, CLIENT_NET + 0x010203, 40000, SERVER_ADDR, 25);
	tcp_handshake(g, t);
	tcp_puts(g, t, RESP, "220 mx.example.net ESMTP ready\r\n");
	tcp_puts(g, t, ORIG, "EHLO client.example.com\r\n");
	tcp_puts(g, t, RESP, "250-mx.example.net\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
}

static void smtp_say(struct gen *g, struct tcp *t, const char *cmd, const char *reply)
{
	tcp_puts(g, t, ORIG, cmd);
	tcp_puts(g, t, RESP, reply);
}

static void smtp_envelope(struct gen *g, struct tcp *t)
{
	smtp_say(g, t, "MAIL FROM:<alice@example.com>\r\n", "250 2.1.0 Ok\r\n");
	smtp_say(g, t, "RCPT TO:<bob@example.net>\r\n", "250 2.1.5 Ok\r\n");
	smtp_say(g, t, "DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
}

static void smtp_finish(struct gen *g, struct tcp *t)
{
	tcp_puts(g, t, ORIG, "\r\n.\r\n");
	tcp_puts(g, t, RESP, "250 2.0.0 Ok: queued\r\n");
	smtp_say(g, t, "QUIT\r\n", "221 2.0.0 Bye\r\n");
	tcp_close(g, t);
}

static int gen_longline(struct gen *g, uint64_t n)
{
	struct tcp t;
	smtp_open(g, &t);
	tcp_puts(g, &t, ORIG, "NOOP ");
	tcp_fill(g, &t, ORIG, 'A', n);
	tcp_puts(g, &t, ORIG, "\r\n");
	tcp_puts(g, &t, RESP, "500 5.5.2 Error: line too long\r\n");
	smtp_say(g, &t, "QUIT\r\n", "221 2.0.0 Bye\r\n");
	tcp_close(g, &t);
	return 0;
}

static int gen_longbody(struct gen *g, uint64_t n)
{
	struct tcp t;
	smtp_open(g, &t);
	smtp_envelope(g, &t);
	tcp_puts(g, &t, ORIG, "From: alice@example.com\r\nTo: bob@example.net\r\n"
			      "Subject: one long line\r\n\r\n");
	tcp_fill(g, &t, ORIG, 'A', n);
	smtp_finish(g, &t);
	return 0;
}

static int gen_mimedepth(struct gen *g, uint64_t depth)
{
	struct tcp t;
	char line[160];
	if (depth == 0)
		depth = 1;
	smtp_open(g, &t);
	smtp_envelope(g, &t);
	tcp_puts(g, &t, ORIG, "From: alice@example.com\r\nTo: bob@example.net\r\n"
			      "Subject: nested\r\nMIME-Version: 1.0\r\n");
	for (uint64_t i = 0; i < depth; i++) {
		snprintf(line, sizeof line,
			 "Content-Type: multipart/mixed; boundary=\"b%llu\"\r\n\r\n"
			 "preamble %llu\r\n--b%llu\r\n",
			 (unsigned long long)i, (unsigned long long)i, (unsigned long long)i);
		tcp_puts(g, &t, ORIG, line);
	}
	tcp_puts(g, &t, ORIG, "Content-Type: text/plain\r\n\r\nthe innermost part\r\n");
	for (uint64_t i = depth; i-- > 0;) {
		snprintf(line, sizeof line, "--b%llu--\r\n", (unsigned long long)i);
		tcp_puts(g, &t, ORIG, line);
	}
	smtp_finish(g, &t);
	return 0;
}

/* MIME::max_depth (100) levels of multipart, each with a SIZE-byte
 * boundary that its part delimiter repeats. */
static int gen_bigboundary(struct gen *g, uint64_t n)
{
	struct tcp t;
	char line[160];
	smtp_open(g, &t);
	smtp_envelope(g, &t);
	tcp_puts(g, &t, ORIG, "From: alice@example.com\r\nTo: bob@example.net\r\n"
			      "Subject: long boundaries\r\nMIME-Version: 1.0\r\n");
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof line, "Content-Type: multipart/mixed; boundary=\"%d-", i);
		tcp_puts(g, &t, ORIG, line);
		tcp_fill(g, &t, ORIG, 'q', n);
		snprintf(line, sizeof line, "\"\r\n\r\npreamble %d\r\n--%d-", i, i);
		tcp_puts(g, &t, ORIG, line);
		tcp_fill(g, &t, ORIG, 'q', n);
		tcp_puts(g, &t, ORIG, "\r\n");
	}
	tcp_puts(g, &t, ORIG, "Content-Type: text/plain\r\n\r\nthe innermost part\r\n");
	smtp_finish(g, &t);
	return 0;
}

/* RCPT TO commands in pipelined batches, each answered by a batch of 250s.
 * dup: the same 1000-byte address every time. */
static int gen_rcpt(struct gen *g, uint64_t n, bool dup)
{
	struct tcp t;
	enum { BATCH = 50 };
	static char addr[1100];
	char line[1200];
	if (dup) {
		memset(addr, 'r', 1000 - strlen("@example.net"));
		strcpy(addr + 1000 - strlen("@example.net"), "@example.net");
	}
	smtp_open(g, &t);
	smtp_say(g, &t, "MAIL FROM:<alice@example.com>\r\n", "250 2.1.0 Ok\r\n");
	for (uint64_t i = 0; i < n; i += BATCH) {
		uint64_t k = n - i < BATCH ? n - i : BATCH;
		for (uint64_t j = 0; j < k; j++) {
			if (dup)
				snprintf(line, sizeof line, "RCPT TO:<%s>\r\n", addr);
			else
				snprintf(line, sizeof line, "RCPT TO:<user%llu@example.net>\r\n",
					 (unsigned long long)(i + j));
			tcp_puts(g, &t, ORIG, line);
		}
		for (uint64_t j = 0; j < k; j++)
			tcp_puts(g, &t, RESP, "250 2.1.5 Ok\r\n");
	}
	smtp_say(g, &t, "DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
	tcp_puts(g, &t, ORIG, "From: alice@example.com\r\nSubject: many recipients\r\n\r\nhi\r\n");
	smtp_finish(g, &t);
	return 0;
}

static void smtp_open_port(struct gen *g, struct tcp *t, uint16_t port)
{
	tcp_init(g, t, CLIENT_NET + 0x010203, port, SERVER_ADDR, 25);
	tcp_handshake(g, t);
	tcp_puts(g, t, RESP, "220 mx.example.net ESMTP ready\r\n");
	tcp_puts(g, t, ORIG, "EHLO client.example.com\r\n");
	tcp_puts(g, t, RESP, "250-mx.example.net\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
}

/* The SMTP and MIME options' limits, each crossed by n (at most 250, so
 * that the Received addresses stay distinct in 10.1.0.0/24). */
static int gen_optmail(struct gen *g, uint64_t n)
{
	struct tcp t;
	char line[160];
	if (n > 250)
		n = 250;
	smtp_open_port(g, &t, 40001);
	smtp_say(g, &t, "MAIL FROM:<alice@example.com>\r\n", "250 2.1.0 Ok\r\n");
	for (uint64_t i = 0; i < n; i++) {
		snprintf(line, sizeof line, "RCPT TO:<user%llu@example.net>\r\n",
			 (unsigned long long)i);
		smtp_say(g, &t, line, "250 2.1.5 Ok\r\n");
	}
	smtp_say(g, &t, "DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
	for (uint64_t i = 0; i < n; i++) {
		snprintf(line, sizeof line, "Received: from h%llu (h%llu [10.1.0.%llu]) by mx\r\n",
			 (unsigned long long)i, (unsigned long long)i, (unsigned long long)i + 1);
		tcp_puts(g, &t, ORIG, line);
	}
	const char *hdr[] = {"To: ", "Cc: "};
	const char *who[] = {"to", "cc"};
	for (int h = 0; h < 2; h++) {
		tcp_puts(g, &t, ORIG, hdr[h]);
		for (uint64_t i = 0; i < n; i++) {
			snprintf(line, sizeof line, "%s%s%llu@example.net", i ? ", " : "", who[h],
				 (unsigned long long)i);
			tcp_puts(g, &t, ORIG, line);
		}
		tcp_puts(g, &t, ORIG, "\r\n");
	}
	tcp_puts(g, &t, ORIG, "From: alice@example.com\r\nSubject: folded subject 0123456789\r\n");
	for (int i = 1; i <= 5; i++) {
		snprintf(line, sizeof line, " continuation line %d of the subject, 0123456789\r\n", i);
		tcp_puts(g, &t, ORIG, line);
	}
	tcp_puts(g, &t, ORIG, "MIME-Version: 1.0\r\n");
	for (int i = 0; i < 4; i++) {
		snprintf(line, sizeof line,
			 "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n"
			 "Content-Type: text/plain\r\n\r\npart at level %d\r\n--b%d\r\n",
			 i, i, i, i);
		tcp_puts(g, &t, ORIG, line);
	}
	tcp_puts(g, &t, ORIG, "Content-Type: text/plain\r\n\r\nthe innermost part\r\n");
	for (int i = 4; i-- > 0;) {
		snprintf(line, sizeof line, "--b%d--\r\n", i);
		tcp_puts(g, &t, ORIG, line);
	}
	smtp_finish(g, &t);

	smtp_open_port(g, &t, 40002);
	for (uint64_t i = 0; i < n; i++)
		smtp_say(g, &t, "RCPT TO:<early@example.net>\r\n",
			 "503 5.5.1 Error: need MAIL command\r\n");
	smtp_envelope(g, &t);
	tcp_puts(g, &t, ORIG, "From: alice@example.com\r\nSubject: after invalid\r\n\r\nhi\r\n");
	smtp_finish(g, &t);
	return 0;
}

static int gen_bigheader(struct gen *g, uint64_t n)
{
	struct tcp t;
	char line[128];
	smtp_open(g, &t);
	smtp_envelope(g, &t);
	tcp_puts(g, &t, ORIG, "From: alice@example.com\r\nTo: bob@example.net\r\nSubject: big");
	/* folded continuation lines of 76 bytes: CRLF, a space, 73 x */
	static const char fold[] = "\r\n xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	for (uint64_t k = 0; k < n; k += sizeof fold - 1)
		tcp_puts(g, &t, ORIG, fold);
	tcp_puts(g, &t, ORIG, "\r\nX-Long: ");
	tcp_fill(g, &t, ORIG, 'y', n / 2);
	tcp_puts(g, &t, ORIG, "\r\n");
	for (uint64_t k = 0; k < n / 32; k++) {
		snprintf(line, sizeof line, "X-Many-%llu: v\r\n", (unsigned long long)k);
		tcp_puts(g, &t, ORIG, line);
	}
	tcp_puts(g, &t, ORIG, "\r\nbody\r\n");
	smtp_finish(g, &t);
	return 0;
}

/* Out-of-order data that never becomes deliverable: one-byte segments at
 * every other sequence number above a hole, in shuffled order (the
 * bit-reversal permutation), and duplicate ACKs at the hole. */
static int gen_holes(struct gen *g, uint64_t n)
{
	struct tcp t;
	smtp_open(g, &t);
	tcp_flush(g, &t, RESP);
	tcp_segment(g, &t, ORIG, 0, NULL, 0);
	uint32_t hole = t.seq[ORIG];
	int bits = 0;
	while (bits < 31 && (1ull << bits) < n)
		bits++;
	for (uint64_t k = 0, i = 0; k < (1ull << bits); k++) {
		uint64_t j = 0;
		for (int b = 0; b < bits; b++)
			j |= ((k >> b) & 1) << (bits - 1 - b);
		if (j >= n)
			continue;
		t.seq[ORIG] = hole + 1 + 2 * (uint32_t)j;
		tcp_segment(g, &t, ORIG, TH_PSH, (const uint8_t *)"x", 1);
		tick(g, 5);
		if (i++ % 64 == 63) {
			t.seq[ORIG] = hole;	/* what the server acknowledges */
			tcp_segment(g, &t, RESP, 0, NULL, 0);
			tick(g, 5);
		}
	}
	return 0;
}

/* ---- TLS -------------------------------------------------------------- */

#define MAX_CERTS 8
#define HS_MAX 0xffffffu	/* a handshake message's 24-bit length */

struct certs {
	uint8_t *der[MAX_CERTS];
	size_t len[MAX_CERTS];
	size_t mut[MAX_CERTS];	/* offset of the three bytes made distinct */
	int n;
};

/* Offset of the last three bytes of the serial number when it has at
 * least four (so the sign and length stay), else of the signature's last
 * three bytes. Assumes short-form or two-byte lengths, as real certs. */
static size_t cert_mut_offset(const uint8_t *d, size_t n)
{
	size_t i = 0;
	for (int level = 0; level < 2; level++) {	/* Certificate, TBSCertificate */
		if (i + 2 > n || d[i] != 0x30)
			return n - 3;
		i += d[i + 1] < 0x80 ? 2 : 2 + (d[i + 1] & 0x7fu);
	}
	if (i + 2 <= n && d[i] == 0xa0)	/* [0] version */
		i += 2 + d[i + 1];
	if (i + 2 > n || d[i] != 0x02 || d[i + 1] < 4 || i + 2 + d[i + 1] > n)
		return n - 3;
	return i + 2 + d[i + 1] - 3;
}

static int certs_load(struct certs *c, const char *dir)
{
	static const char *names[] = {"leaf-rsa.der", "leaf-ec.der", "inter.der", "root.der",
				      "expired.der"};
	char path[4096];
	memset(c, 0, sizeof *c);
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[k]);
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		uint8_t buf[65536];
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		if (n < 16 || n == sizeof buf)
			continue;
		c->der[c->n] = malloc(n);
		if (!c->der[c->n])
			return -1;
		memcpy(c->der[c->n], buf, n);
		c->len[c->n] = n;
		c->mut[c->n] = cert_mut_offset(buf, n);
		c->n++;
	}
	if (c->n == 0) {
		fprintf(stderr, "gen_hostile: no certificates (*.der) in %s\n", dir);
		return -1;
	}
	return 0;
}

/* The i-th distinct certificate, in a buffer valid until the next call. */
static const uint8_t *cert_get(const struct certs *c, uint64_t i, size_t *len)
{
	static uint8_t out[65536];
	int k = (int)(i % (uint64_t)c->n);
	uint32_t v = (uint32_t)(i / (uint64_t)c->n);
	memcpy(out, c->der[k], c->len[k]);
	uint8_t *m = out + c->mut[k];
	m[0] ^= (uint8_t)(v >> 16), m[1] ^= (uint8_t)(v >> 8), m[2] ^= (uint8_t)v;
	*len = c->len[k];
	return out;
}

/* A TLS 1.2 record stream for one direction: handshake bytes are cut
 * into records of at most `rec_max` bytes. */
struct tls_out {
	struct tcp *t;
	int dir;
	uint8_t type;
	size_t rec_max;
	uint8_t rec[5 + 65535];
	size_t n;
};

static void tls_rec_flush(struct gen *g, struct tls_out *o)
{
	if (!o->n)
		return;
	o->rec[0] = o->type;
	be16(o->rec + 1, 0x0303);
	be16(o->rec + 3, (uint16_t)o->n);
	tcp_write(g, o->t, o->dir, o->rec, 5 + o->n);
	o->n = 0;
}

static void tls_out_write(struct gen *g, struct tls_out *o, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len) {
		size_t k = o->rec_max - o->n;
		if (k > len)
			k = len;
		memcpy(o->rec + 5 + o->n, p, k);
		o->n += k, p += k, len -= k;
		if (o->n == o->rec_max)
			tls_rec_flush(g, o);
	}
}

static void tls_out_init(struct tls_out *o, struct tcp *t, int dir, uint8_t type, size_t rec_max)
{
	o->t = t, o->dir = dir, o->type = type, o->rec_max = rec_max, o->n = 0;
}

static void hs_header(struct gen *g, struct tls_out *o, uint8_t type, uint32_t len)
{
	uint8_t h[4] = {type};
	be24(h + 1, len);
	tls_out_write(g, o, h, 4);
}

static void tls_client_hello(struct gen *g, struct tcp *t)
{
	static const char sni[] = "mail.example.net";
	uint8_t b[256];
	size_t n = 0;
	be16(b, 0x0303), n = 2;
	for (int i = 0; i < 32; i++)
		b[n++] = (uint8_t)(0x40 + i);		/* random */
	b[n++] = 0;					/* session id */
	be16(b + n, 4), n += 2;
	be16(b + n, 0xc02f), be16(b + n + 2, 0x009c), n += 4;	/* ciphers */
	b[n++] = 1, b[n++] = 0;				/* compression: null */
	size_t ext_at = n;
	n += 2;
	be16(b + n, 0), n += 2;				/* server_name */
	be16(b + n, (uint16_t)(sizeof sni - 1 + 5)), n += 2;
	be16(b + n, (uint16_t)(sizeof sni - 1 + 3)), n += 2;
	b[n++] = 0;
	be16(b + n, (uint16_t)(sizeof sni - 1)), n += 2;
	memcpy(b + n, sni, sizeof sni - 1), n += sizeof sni - 1;
	be16(b + n, 10), be16(b + n + 2, 4), be16(b + n + 4, 2), be16(b + n + 6, 23), n += 8;
	be16(b + ext_at, (uint16_t)(n - ext_at - 2));
	struct tls_out o;
	tls_out_init(&o, t, ORIG, 22, 16384);
	hs_header(g, &o, 1, (uint32_t)n);
	tls_out_write(g, &o, b, n);
	tls_rec_flush(g, &o);
}

static void tls_server_hello(struct gen *g, struct tls_out *o)
{
	uint8_t b[128];
	size_t n = 0;
	be16(b, 0x0303), n = 2;
	for (int i = 0; i < 32; i++)
		b[n++] = (uint8_t)(0x80 + i);
	b[n++] = 0;					/* session id */
	be16(b + n, 0xc02f), n += 2;			/* ECDHE-RSA-AES128-GCM-SHA256 */
	b[n++] = 0;
	be16(b + n, 0), n += 2;				/* no extensions */
	hs_header(g, o, 2, (uint32_t)n);
	tls_out_write(g, o, b, n);
}

/* The rest of a TLS 1.2 full handshake after the server's Certificate:
 * ServerHelloDone, the client's key exchange, both ChangeCipherSpecs
 * and encrypted Finished messages (ssl.log then says established). */
static void tls_finish_handshake(struct gen *g, struct tcp *t, struct tls_out *srv)
{
	hs_header(g, srv, 14, 0);
	tls_rec_flush(g, srv);
	struct tls_out cli;
	tls_out_init(&cli, t, ORIG, 22, 16384);
	uint8_t kx[1 + 65] = {65, 0x04};
	for (size_t i = 2; i < sizeof kx; i++)
		kx[i] = (uint8_t)i;
	hs_header(g, &cli, 16, sizeof kx);
	tls_out_write(g, &cli, kx, sizeof kx);
	tls_rec_flush(g, &cli);
	uint8_t fin[40];
	for (size_t i = 0; i < sizeof fin; i++)
		fin[i] = (uint8_t)(0xa5 ^ i);
	for (int dir = ORIG; dir <= RESP; dir++) {
		struct tls_out o;
		tls_out_init(&o, t, dir, 20, 16384);
		tls_out_write(g, &o, "\x01", 1);
		tls_rec_flush(g, &o);
		tls_out_init(&o, t, dir, 22, 16384);
		tls_out_write(g, &o, fin, sizeof fin);
		tls_rec_flush(g, &o);
	}
	tls_out_init(&cli, t, ORIG, 23, 16384);
	tls_out_write(g, &cli, fin, sizeof fin);
	tls_rec_flush(g, &cli);
}

static int gen_tlsbig(struct gen *g, uint64_t n)
{
	struct tcp t;
	struct tls_out o;
	tcp_init(g, &t, CLIENT_NET + 0x010204, 40001, SERVER_ADDR, 443);
	tcp_handshake(g, &t);
	tls_client_hello(g, &t);
	tls_out_init(&o, &t, RESP, 22, 65535);	/* records as long as they can claim */
	tls_server_hello(g, &o);
	hs_header(g, &o, 11, HS_MAX);		/* a Certificate claiming 16 MiB */
	static uint8_t block[65536];
	memset(block, 0x5a, sizeof block);
	while (n) {
		size_t k = n < sizeof block ? (size_t)n : sizeof block;
		tls_out_write(g, &o, block, k);
		n -= k;
	}
	tls_rec_flush(g, &o);
	tcp_close(g, &t);
	return 0;
}

/* One Certificate message with certs [first, first + n), cut short when
 * the 16 MiB message length would not hold them. Returns how many. */
static uint64_t tls_certificate(struct gen *g, struct tls_out *o, const struct certs *c,
				uint64_t first, uint64_t n)
{
	uint64_t total = 0, k = 0;
	for (; k < n; k++) {
		size_t len;
		cert_get(c, first + k, &len);
		if (3 + total + 3 + len > HS_MAX)
			break;
		total += 3 + len;
	}
	hs_header(g, o, 11, (uint32_t)(3 + total));
	uint8_t l3[3];
	be24(l3, (uint32_t)total);
	tls_out_write(g, o, l3, 3);
	for (uint64_t i = 0; i < k; i++) {
		size_t len;
		const uint8_t *d = cert_get(c, first + i, &len);
		be24(l3, (uint32_t)len);
		tls_out_write(g, o, l3, 3);
		tls_out_write(g, o, d, len);
	}
	return k;
}

static int gen_tlscerts(struct gen *g, uint64_t n, const struct certs *c)
{
	struct tcp t;
	struct tls_out o;
	tcp_init(g, &t, CLIENT_NET + 0x010205, 40002, SERVER_ADDR, 443);
	tcp_handshake(g, &t);
	tls_client_hello(g, &t);
	tls_out_init(&o, &t, RESP, 22, 16384);
	tls_server_hello(g, &o);
	for (uint64_t done = 0; done < n;)
		done += tls_certificate(g, &o, c, done, n - done);
	tls_finish_handshake(g, &t, &o);
	tcp_close(g, &t);
	return 0;
}

static int gen_tlsconns(struct gen *g, uint64_t n, const struct certs *c)
{
	struct tcp t;
	struct tls_out o;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t client = CLIENT_NET + 1 + (uint32_t)(i % 0xfffffeu);
		tcp_init(g, &t, client, (uint16_t)(1024 + i % 64000), SERVER_ADDR, 443);
		tcp_handshake(g, &t);
		tls_client_hello(g, &t);
		tls_out_init(&o, &t, RESP, 22, 16384);
		tls_server_hello(g, &o);
		tls_certificate(g, &o, c, i, 1);
		tls_finish_handshake(g, &t, &o);
		tcp_close(g, &t);
		tick(g, 10000);	/* 100 a second: ~500 within Zeek's 5 s close delay */
	}
	return 0;
}

/* ---- scanner worst cases ----------------------------------------------
 * Each kind comes in two flavours of the same size and structure: the
 * hostile one feeds a scanner of wire bytes the input that would cost it
 * most (rescans from every offset, near-misses, lists of duplicates), the
 * benign one ("KIND-benign") bytes it passes over at once. tests/limits.sh
 * bounds the hostile run's CPU time as a multiple of the benign run's. */

/* len bytes of unit repeated, from its first byte. */
static void tcp_repeat(struct gen *g, struct tcp *t, int dir, const char *unit, uint64_t len)
{
	static uint8_t block[64 * 1024];
	size_t ul = strlen(unit), bl = sizeof block / ul * ul;
	for (size_t i = 0; i < bl; i++)
		block[i] = (uint8_t)unit[i % ul];
	while (len) {
		size_t k = len < bl ? (size_t)len : bl;
		tcp_write(g, t, dir, block, k);
		len -= k;
	}
}

static void smtp_mail_begin(struct gen *g, struct tcp *t, const char *subject)
{
	char line[160];
	smtp_open(g, t);
	smtp_envelope(g, t);
	snprintf(line, sizeof line,
		 "From: alice@example.com\r\nTo: bob@example.net\r\nSubject: %s\r\n", subject);
	tcp_puts(g, t, ORIG, line);
}

/* Received and X-Originating-IP values of SIZE bytes in all, each ending
 * in a bracketed address: hostile, seven hextets and an 'x' over and over
 * (no match anywhere, but a prefix of one at every offset). */
static int gen_ipscan(struct gen *g, uint64_t n, bool benign)
{
	const char *unit = benign ? "zzzz zzzz zzzz zzzz zzzz zzzz zzzzx"
				  : "1111:1111:1111:1111:1111:1111:1111x";
	struct tcp t;
	smtp_mail_begin(g, &t, "ip scan");
	uint64_t xo = n / 8, left = n - xo;
	while (left) {
		uint64_t k = left < (1u << 20) ? left : (1u << 20);
		tcp_puts(g, &t, ORIG, "Received: from relay (");
		tcp_repeat(g, &t, ORIG, unit, k);
		tcp_puts(g, &t, ORIG, " [203.0.113.7]) by mx.example.net\r\n");
		left -= k;
	}
	tcp_puts(g, &t, ORIG, "X-Originating-IP: ");
	tcp_repeat(g, &t, ORIG, unit, xo);
	tcp_puts(g, &t, ORIG, " [198.51.100.9]\r\n\r\nbody\r\n");
	smtp_finish(g, &t);
	return 0;
}

/* SIZE RCPT TO commands: hostile, 999 addresses of one length that
 * differ only near the end, in turn (the set holds 999; an add that
 * searched it would compare with all of them); benign, one address SIZE
 * times. */
static int gen_rcptset(struct gen *g, uint64_t n, bool benign)
{
	struct tcp t;
	enum { BATCH = 50 };
	char line[100];
	smtp_open(g, &t);
	smtp_say(g, &t, "MAIL FROM:<alice@example.com>\r\n", "250 2.1.0 Ok\r\n");
	for (uint64_t i = 0; i < n; i += BATCH) {
		uint64_t k = n - i < BATCH ? n - i : BATCH;
		for (uint64_t j = 0; j < k; j++) {
			snprintf(line, sizeof line,
				 "RCPT TO:<recipient.with.a.long.shared.prefix.%03u@example.net>\r\n",
				 benign ? 0 : (unsigned)((i + j) % 999));
			tcp_puts(g, &t, ORIG, line);
		}
		for (uint64_t j = 0; j < k; j++)
			tcp_puts(g, &t, RESP, "250 2.1.5 Ok\r\n");
	}
	smtp_say(g, &t, "DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
	tcp_puts(g, &t, ORIG, "From: alice@example.com\r\nSubject: recipient set\r\n\r\nhi\r\n");
	smtp_finish(g, &t);
	return 0;
}

/* To: headers of SIZE bytes in all, each 560 quoted phrases with commas
 * and distinct addresses (9,520 bytes, under max_find_all_string_length):
 * hostile, the same 560 in every header (each add finds its address among
 * the 560 members); benign, new ones in every header (the set is full at
 * 1,000 in the second header, and adds stop there). */
static int gen_toset(struct gen *g, uint64_t n, bool benign)
{
	struct tcp t;
	char entry[40];
	smtp_open(g, &t);
	smtp_envelope(g, &t);
	tcp_puts(g, &t, ORIG, "From: alice@example.com\r\nSubject: address lists\r\n");
	for (uint64_t done = 0; done < n;) {
		tcp_puts(g, &t, ORIG, "To: ");
		for (unsigned j = 0; j < 560; j++) {
			int k = snprintf(entry, sizeof entry, "%s\"p,q\" a%06u@b", j ? ", " : "",
					 (unsigned)((benign ? done / 9520 * 560 : 0) + j) % 1000000);
			tcp_write(g, &t, ORIG, entry, (size_t)k);
			done += (uint64_t)k;
		}
		tcp_puts(g, &t, ORIG, "\r\n");
	}
	tcp_puts(g, &t, ORIG, "\r\nbody\r\n");
	smtp_finish(g, &t);
	return 0;
}

/* MIME::max_depth multipart levels whose 8 KiB boundaries share their
 * first 1024 bytes (what the parser keeps of a long one) and differ in
 * length, then SIZE bytes of body lines: hostile, "--" and those bytes
 * and more, so that every level has to check the whole of its boundary
 * (by digest) and finds it different near the end; benign, the same lines
 * starting "-x". */
static int gen_mimebound(struct gen *g, uint64_t n, bool benign)
{
	enum { KEEP = 1024, BOUND = 8192, LINE = BOUND + 300 };
	struct tcp t;
	char head[160];
	smtp_mail_begin(g, &t, "almost boundaries");
	tcp_puts(g, &t, ORIG, "MIME-Version: 1.0\r\n");
	/* q{1024} r{...} z: no boundary is a prefix of another */
	for (int i = 0; i < 100; i++) {
		uint64_t r = BOUND - KEEP - 100 + (uint64_t)i;
		tcp_puts(g, &t, ORIG, "Content-Type: multipart/mixed; boundary=\"");
		tcp_fill(g, &t, ORIG, 'q', KEEP);
		tcp_fill(g, &t, ORIG, 'r', r);
		snprintf(head, sizeof head, "z\"\r\n\r\npreamble %d\r\n--", i);
		tcp_puts(g, &t, ORIG, head);
		tcp_fill(g, &t, ORIG, 'q', KEEP);
		tcp_fill(g, &t, ORIG, 'r', r);
		tcp_puts(g, &t, ORIG, "z\r\n");
	}
	tcp_puts(g, &t, ORIG, "Content-Type: text/plain\r\n\r\n");
	static char line[LINE + 2];
	memcpy(line, benign ? "-x" : "--", 2);
	memset(line + 2, 'q', KEEP);
	memset(line + 2 + KEEP, 's', LINE - 2 - KEEP);
	memcpy(line + LINE, "\r\n", 2);
	for (uint64_t done = 0; done < n; done += sizeof line)
		tcp_write(g, &t, ORIG, line, sizeof line);
	smtp_finish(g, &t);
	return 0;
}

/* A quoted-printable part and a base64 part of SIZE/2 bytes each:
 * hostile, control bytes and '=' without hex digits (QP) and a junk byte
 * after every character (base64); benign, plain text and clean base64. */
static int gen_decoders(struct gen *g, uint64_t n, bool benign)
{
	struct tcp t;
	smtp_mail_begin(g, &t, "decoders");
	tcp_puts(g, &t, ORIG,
		 "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
		 "--b\r\nContent-Type: text/plain\r\n"
		 "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	const char *qp = benign ? "Some plain text" : "\x01=zq\x7f=G=1=";
	const char *b64 = benign ? "QUJDREVG" : "Q*U*J*D*";
	char line[80];
	for (int part = 0; part < 2; part++) {
		const char *unit = part ? b64 : qp;
		size_t ul = strlen(unit), k = 0;
		while (k + ul <= 72) {
			memcpy(line + k, unit, ul);
			k += ul;
		}
		if (part == 0 && !benign)
			line[k++] = 'x'; /* no soft line break */
		memcpy(line + k, "\r\n", 2);
		for (uint64_t done = 0; done < n / 2; done += k + 2)
			tcp_write(g, &t, ORIG, line, k + 2);
		if (part == 0)
			tcp_puts(g, &t, ORIG,
				 "--b\r\nContent-Type: application/octet-stream\r\n"
				 "Content-Transfer-Encoding: base64\r\n\r\n");
	}
	tcp_puts(g, &t, ORIG, "--b--\r\n");
	smtp_finish(g, &t);
	return 0;
}

/* One SIZE-byte command line in full segments (hostile: it grows in the
 * line buffer segment by segment) or the same bytes as 1000-byte NOOP
 * lines (benign). */
static int gen_lines(struct gen *g, uint64_t n, bool benign)
{
	struct tcp t;
	smtp_open(g, &t);
	if (benign) {
		static char line[1000];
		memcpy(line, "NOOP ", 5);
		memset(line + 5, 'A', sizeof line - 7);
		memcpy(line + sizeof line - 2, "\r\n", 2);
		uint64_t k = 0;
		for (uint64_t done = 0; done < n; done += sizeof line, k++)
			tcp_write(g, &t, ORIG, line, sizeof line);
		while (k--)
			tcp_puts(g, &t, RESP, "250 2.0.0 Ok\r\n");
	} else {
		tcp_puts(g, &t, ORIG, "NOOP ");
		tcp_fill(g, &t, ORIG, 'A', n - 7);
		tcp_puts(g, &t, ORIG, "\r\n");
		tcp_puts(g, &t, RESP, "500 5.5.2 Error: line too long\r\n");
	}
	smtp_say(g, &t, "QUIT\r\n", "221 2.0.0 Bye\r\n");
	tcp_close(g, &t);
	return 0;
}

/* SIZE bytes of MIME parts with an 8 KiB header block each, folded over
 * 76-byte lines: hostile, Content-Type with hundreds of parameters and
 * nested comments and a Content-Disposition full of "filename" and
 * "name" (parsed); benign, the same bytes under X- names (not parsed). */
static int gen_mimeheader(struct gen *g, uint64_t n, bool benign)
{
	struct tcp t;
	smtp_mail_begin(g, &t, "parsed headers");
	tcp_puts(g, &t, ORIG,
		 "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
	const char *x = benign ? "X-" : "";
	char line[128];
	for (uint64_t done = 0; done < n; done += 2 * 4096 + 64) {
		snprintf(line, sizeof line, "--b\r\n%sContent-Type: text/plain; charset=us-ascii", x);
		tcp_puts(g, &t, ORIG, line);
		for (int k = 0; k < 4096 / 64; k++)
			tcp_puts(g, &t, ORIG,
				 ";\r\n\ta=b; c=\"d\\\"e\" (((x) y) z); f=(g)h; i=j; k=l; m=n;pq=r");
		snprintf(line, sizeof line, "\r\n%sContent-Disposition: attachment", x);
		tcp_puts(g, &t, ORIG, line);
		for (int k = 0; k < 4096 / 64; k++)
			tcp_puts(g, &t, ORIG,
				 ";\r\n\tfilename name= filename*=name %41%%4 name*  =\"q'r's\"x");
		tcp_puts(g, &t, ORIG, "\r\n\r\npart\r\n");
	}
	tcp_puts(g, &t, ORIG, "--b--\r\n");
	smtp_finish(g, &t);
	return 0;
}

/* SIZE/4096 parts of 4096 bytes each, one file apiece, for MIME-type
 * detection: hostile, blanks and line ends (every offset is one the
 * markup rules' prologue reaches, and each rule tries it); benign,
 * control bytes every rule rejects at once. */
static int gen_magic(struct gen *g, uint64_t n, bool benign)
{
	struct tcp t;
	smtp_mail_begin(g, &t, "mime types");
	tcp_puts(g, &t, ORIG,
		 "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
	char line[80];
	for (uint64_t done = 0; done < n; done += 4096) {
		tcp_puts(g, &t, ORIG, "--b\r\nContent-Type: application/octet-stream\r\n\r\n");
		for (unsigned k = 0, sent = 0; sent < 4096; k++) {
			size_t len = 70;
			for (size_t i = 0; i < len; i++)
				line[i] = benign ? 1 : (k + i) % 3 ? ' ' : '\t';
			memcpy(line + len, "\r\n", 2);
			tcp_write(g, &t, ORIG, line, len + 2);
			sent += (unsigned)len + 2;
		}
	}
	tcp_puts(g, &t, ORIG, "--b--\r\n");
	smtp_finish(g, &t);
	return 0;
}

/* Mails with seven header values that smtp.log shows (Subject, From,
 * Reply-To, Message-ID, In-Reply-To, Date, X-Mailer), each 4,000 bytes
 * (under Log::default_max_field_string_bytes), SIZE bytes in all:
 * hostile, backslashes, tabs and valid UTF-8 that a bad byte at the end
 * of each run makes escaped after all; benign, printable ASCII. */
static int gen_escape(struct gen *g, uint64_t n, bool benign)
{
	static const char *const names[] = {"Subject", "From", "Reply-To", "Message-ID",
					    "In-Reply-To", "Date", "X-Mailer"};
	enum { VALUE = 4000 };
	struct tcp t;
	smtp_open(g, &t);
	static char v[VALUE];
	static const char unit[] = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xff\\\t";
	for (size_t i = 0; i < VALUE; i++)
		v[i] = benign ? (char)('a' + i % 26) : unit[i % (sizeof unit - 1)];
	char line[32];
	for (uint64_t done = 0; done < n;) {
		smtp_envelope(g, &t);
		tcp_puts(g, &t, ORIG, "To: bob@example.net\r\n");
		for (size_t k = 0; k < sizeof names / sizeof names[0]; k++, done += VALUE) {
			snprintf(line, sizeof line, "%s: ", names[k]);
			tcp_puts(g, &t, ORIG, line);
			tcp_write(g, &t, ORIG, v, VALUE);
			tcp_puts(g, &t, ORIG, "\r\n");
		}
		tcp_puts(g, &t, ORIG, "\r\nbody\r\n.\r\n");
		tcp_puts(g, &t, RESP, "250 2.0.0 Ok: queued\r\n");
	}
	smtp_say(g, &t, "QUIT\r\n", "221 2.0.0 Bye\r\n");
	tcp_close(g, &t);
	return 0;
}

/* SIZE/990 connections to port 2525 (no SMTP port: dynamic protocol
 * detection decides), the server greeting like SMTP and the client
 * sending 99 segments of 10 bytes, all of them buffered and looked at
 * again for each: hostile, CR LF only (every line start begins a run of
 * whitespace); benign, letters. */
static int gen_dpd(struct gen *g, uint64_t n, bool benign)
{
	struct tcp t;
	const char *seg = benign ? "xxxxxxxxxx" : "\r\n\r\n\r\n\r\n\r\n";
	uint64_t conns = n / 990 ? n / 990 : 1;
	for (uint64_t i = 0; i < conns; i++) {
		tcp_init(g, &t, CLIENT_NET + 1 + (uint32_t)i, (uint16_t)(1024 + i % 64000),
			 SERVER_ADDR, 2525);
		tcp_handshake(g, &t);
		tcp_puts(g, &t, RESP, "220 mx.example.net ESMTP\r\n");
		tcp_flush(g, &t, RESP);
		for (int k = 0; k < 99; k++) {
			tcp_puts(g, &t, ORIG, seg);
			tcp_flush(g, &t, ORIG);
		}
		tcp_close(g, &t);
		tick(g, 1000);
	}
	return 0;
}

/* A ClientHello whose extensions fill the 64 KiB they can: hostile,
 * server_name and 16,377 empty extensions; benign, server_name and one
 * padding extension of the same size. SIZE/64K connections. */
static void tls_client_hello_ext(struct gen *g, struct tcp *t, bool benign)
{
	static const char sni[] = "mail.example.net";
	static uint8_t b[70000];
	size_t n = 0;
	be16(b, 0x0303), n = 2;
	for (int i = 0; i < 32; i++)
		b[n++] = (uint8_t)(0x40 + i);
	b[n++] = 0;
	be16(b + n, 4), n += 2;
	be16(b + n, 0xc02f), be16(b + n + 2, 0x009c), n += 4;
	b[n++] = 1, b[n++] = 0;
	size_t ext_at = n;
	n += 2;
	be16(b + n, 0), n += 2;
	be16(b + n, (uint16_t)(sizeof sni - 1 + 5)), n += 2;
	be16(b + n, (uint16_t)(sizeof sni - 1 + 3)), n += 2;
	b[n++] = 0;
	be16(b + n, (uint16_t)(sizeof sni - 1)), n += 2;
	memcpy(b + n, sni, sizeof sni - 1), n += sizeof sni - 1;
	size_t room = 65535 - (n - ext_at - 2);
	room -= room % 4;
	if (benign) {
		be16(b + n, 21), be16(b + n + 2, (uint16_t)(room - 4)), n += 4;
		memset(b + n, 0, room - 4), n += room - 4;
	} else {
		for (size_t k = 0; k < room / 4; k++) {
			be16(b + n, (uint16_t)(0x4000 + k % 0x1000)), be16(b + n + 2, 0);
			n += 4;
		}
	}
	be16(b + ext_at, (uint16_t)(n - ext_at - 2));
	struct tls_out o;
	tls_out_init(&o, t, ORIG, 22, 16384);
	hs_header(g, &o, 1, (uint32_t)n);
	tls_out_write(g, &o, b, n);
	tls_rec_flush(g, &o);
}

static int gen_tlsext(struct gen *g, uint64_t n, bool benign)
{
	struct tcp t;
	struct tls_out o;
	uint64_t conns = n >> 16 ? n >> 16 : 1;
	for (uint64_t i = 0; i < conns; i++) {
		tcp_init(g, &t, CLIENT_NET + 1 + (uint32_t)i, (uint16_t)(1024 + i % 64000),
			 SERVER_ADDR, 443);
		tcp_handshake(g, &t);
		tls_client_hello_ext(g, &t, benign);
		tls_out_init(&o, &t, RESP, 22, 16384);
		tls_server_hello(g, &o);
		hs_header(g, &o, 14, 0);
		tls_rec_flush(g, &o);
		tcp_close(g, &t);
		tick(g, 10000);
	}
	return 0;
}

/* The server's ServerHello, Certificate (distinct certificates, SIZE
 * bytes in all) and ServerHelloDone in records of 65535 bytes, sent one
 * byte per TCP segment: hostile, to a TLS parser that buffers them;
 * benign, after five bytes that make the parser give up. */
static int gen_tlsrec(struct gen *g, uint64_t n, const struct certs *c, bool benign)
{
	struct tcp t;
	struct tls_out o;
	tcp_init(g, &t, CLIENT_NET + 0x010206, 40003, SERVER_ADDR, 443);
	tcp_handshake(g, &t);
	tls_client_hello(g, &t);
	tcp_flush(g, &t, ORIG);
	t.seg_max = 1;
	if (benign)
		tcp_write(g, &t, RESP, "\0\0\0\0\0", 5);
	tls_out_init(&o, &t, RESP, 22, 65535);
	tls_server_hello(g, &o);
	uint64_t k = 0, total = 0;
	while (k < 1000) {
		size_t len;
		cert_get(c, k, &len);
		if (total + len + 3 > n)
			break;
		total += len + 3;
		k++;
	}
	tls_certificate(g, &o, c, 0, k ? k : 1);
	tls_rec_flush(g, &o);
	t.seg_max = MSS;
	tls_finish_handshake(g, &t, &o);
	tcp_close(g, &t);
	return 0;
}

/* A DER length at p; returns its size. */
static size_t der_len(uint8_t *p, size_t len)
{
	if (len < 0x80) {
		p[0] = (uint8_t)len;
		return 1;
	}
	if (len < 0x100) {
		p[0] = 0x81, p[1] = (uint8_t)len;
		return 2;
	}
	if (len < 0x10000) {
		p[0] = 0x82, be16(p + 1, (uint16_t)len);
		return 3;
	}
	p[0] = 0x83, be24(p + 1, (uint32_t)len);
	return 4;
}

/* Tag, length and contents of the DER element at d[i..n): sets *hl to the
 * header size and returns the contents' size, or SIZE_MAX. */
static size_t der_elem(const uint8_t *d, size_t n, size_t i, size_t *hl)
{
	if (i + 2 > n)
		return SIZE_MAX;
	size_t len = d[i + 1], h = 2;
	if (len & 0x80) {
		size_t k = len & 0x7f;
		if (k == 0 || k > 3 || i + 2 + k > n)
			return SIZE_MAX;
		len = 0;
		for (size_t j = 0; j < k; j++)
			len = len << 8 | d[i + 2 + j];
		h += k;
	}
	if (i + h + len > n)
		return SIZE_MAX;
	*hl = h;
	return len;
}

/* Appends tag + length + contents. */
static size_t der_put(uint8_t *out, uint8_t tag, const uint8_t *p, size_t len)
{
	size_t k = 0;
	out[k++] = tag;
	k += der_len(out + k, len);
	memmove(out + k, p, len);
	return k + len;
}

/* The first certificate of c with its subject replaced (signature left
 * as it was: nobody checks it): hostile, 1,900 RDNs of one common name
 * each; benign, one common name as long as all of them. */
static int cert_big_name(const struct certs *c, bool benign, struct certs *out)
{
	static uint8_t name[40000], tbs[60000], cert[64000];
	const uint8_t *d = c->der[0];
	size_t n = c->len[0], hl, i = 0;
	/* Certificate SEQUENCE, TBSCertificate SEQUENCE */
	if (der_elem(d, n, 0, &hl) == SIZE_MAX)
		return -1;
	size_t tbs_at = hl, tbs_hl, tbs_len = der_elem(d, n, tbs_at, &tbs_hl);
	if (tbs_len == SIZE_MAX)
		return -1;
	size_t body = tbs_at + tbs_hl, end = body + tbs_len;
	enum { RDNS = 1900, RDN = 17 };
	size_t nn = 0;
	if (benign) {
		static uint8_t v[RDNS * RDN];
		memset(v, 'x', sizeof v);
		size_t vl = RDNS * RDN - 17; /* the same DER size as the hostile name */
		static uint8_t atv[RDNS * RDN], set[RDNS * RDN];
		size_t k = 0;
		k += der_put(atv, 0x06, (const uint8_t *)"\x55\x04\x03", 3);
		k += der_put(atv + k, 0x0c, v, vl);
		size_t s = der_put(set, 0x30, atv, k);
		nn = der_put(name, 0x31, set, s);
	} else {
		for (unsigned r = 0; r < RDNS; r++) {
			uint8_t atv[32], seq[32];
			char val[8];
			snprintf(val, sizeof val, "x%05u", r);
			size_t k = der_put(atv, 0x06, (const uint8_t *)"\x55\x04\x03", 3);
			k += der_put(atv + k, 0x0c, (const uint8_t *)val, 6);
			size_t s = der_put(seq, 0x30, atv, k);
			nn += der_put(name + nn, 0x31, seq, s);
		}
	}
	/* TBSCertificate: [0] version, serial, signature, issuer, validity,
	 * subject, ...: copy all but the subject. */
	size_t tn = 0, field = 0;
	bool versioned = d[body] == 0xa0;
	for (i = body; i < end;) {
		size_t len = der_elem(d, end, i, &hl);
		if (len == SIZE_MAX)
			return -1;
		if (field == (versioned ? 5u : 4u)) {
			uint8_t hdr[8];
			hdr[0] = 0x30;
			size_t h = 1 + der_len(hdr + 1, nn);
			memcpy(tbs + tn, hdr, h);
			memcpy(tbs + tn + h, name, nn);
			tn += h + nn;
		} else {
			memcpy(tbs + tn, d + i, hl + len);
			tn += hl + len;
		}
		i += hl + len;
		field++;
	}
	size_t cn = der_put(cert, 0x30, tbs, tn);
	memcpy(cert + cn, d + end, n - end); /* signature algorithm and value */
	cn += n - end;
	static uint8_t whole[65000];
	size_t wn = der_put(whole, 0x30, cert, cn);
	memset(out, 0, sizeof *out);
	out->der[0] = malloc(wn);
	if (!out->der[0])
		return -1;
	memcpy(out->der[0], whole, wn);
	out->len[0] = wn;
	out->mut[0] = cert_mut_offset(whole, wn);
	out->n = 1;
	return 0;
}

/* SIZE bytes of distinct certificates with huge subjects in one
 * Certificate message (see cert_big_name). */
static int gen_x509name(struct gen *g, uint64_t n, const struct certs *c, bool benign)
{
	struct certs big;
	if (cert_big_name(c, benign, &big) < 0) {
		fprintf(stderr, "gen_hostile: cannot rewrite %zu-byte certificate\n", c->len[0]);
		return -1;
	}
	uint64_t k = n / big.len[0] ? n / big.len[0] : 1;
	int r = gen_tlscerts(g, k, &big);
	free(big.der[0]);
	return r;
}

/* An IMAP (143) and an XMPP (5222) connection, SIZE/2 bytes each, every
 * segment a whole run of tokens as both parsers want: hostile, one-byte
 * capability words and tokens padded with blanks (the slowest bytes to
 * skip); benign, one long word and one long token per segment. */
static int gen_imapxmpp(struct gen *g, uint64_t n, bool benign)
{
	struct tcp t;
	static char seg[MSS];
	tcp_init(g, &t, CLIENT_NET + 0x010207, 40004, SERVER_ADDR, 143);
	tcp_handshake(g, &t);
	tcp_puts(g, &t, RESP, "* OK IMAP4rev1 ready\r\n");
	tcp_puts(g, &t, ORIG, "a1 CAPABILITY\r\n");
	size_t k = 0;
	k += (size_t)snprintf(seg, sizeof seg, "* CAPABILITY ");
	while (k < 1400) {
		if (benign)
			seg[k++] = 'W';
		else
			seg[k++] = 'w', seg[k++] = ' ';
	}
	memcpy(seg + k, "\r\n", 2);
	for (uint64_t done = 0; done < n / 2; done += k + 2) {
		tcp_write(g, &t, RESP, seg, k + 2);
		tcp_flush(g, &t, RESP);
	}
	tcp_puts(g, &t, RESP, "a1 OK done\r\n");
	tcp_close(g, &t);

	tcp_init(g, &t, CLIENT_NET + 0x010208, 40005, SERVER_ADDR, 5222);
	tcp_handshake(g, &t);
	tcp_puts(g, &t, ORIG,
		 "<?xml version='1.0'?><stream:stream xmlns='jabber:client' to='example.net' "
		 "version='1.0'>");
	tcp_flush(g, &t, ORIG);
	tcp_puts(g, &t, RESP,
		 "<?xml version='1.0'?><stream:stream xmlns='jabber:client' from='example.net' "
		 "id='x' version='1.0'>");
	k = 0;
	if (benign) {
		k += (size_t)snprintf(seg, sizeof seg, "<iq ");
		memset(seg + k, 'x', 1400 - k - 1);
		k = 1400;
		seg[k - 1] = '>';
	} else {
		while (k + 40 <= 1400) {
			memcpy(seg + k, "<iq>", 4);
			memset(seg + k + 4, ' ', 36);
			k += 40;
		}
	}
	for (uint64_t done = 0; done < n / 2; done += k) {
		tcp_write(g, &t, ORIG, seg, k);
		tcp_flush(g, &t, ORIG);
	}
	tcp_close(g, &t);
	return 0;
}

/* A POP3 connection on 8110 (found by its signatures), SIZE bytes of
 * client lines, each answered -ERR: "AUTH" and an argument the search for
 * LOGIN, PLAIN and CRAM-MD5 walks. Hostile, near misses of all three at
 * every offset, and long runs of blanks for the line splitter; benign, one
 * long word. */
static int gen_pop3(struct gen *g, uint64_t n, bool benign)
{
	struct tcp t;
	static char seg[MSS];
	tcp_init(g, &t, CLIENT_NET + 0x010209, 40006, SERVER_ADDR, 8110);
	tcp_handshake(g, &t);
	tcp_puts(g, &t, RESP, "+OK POP3 ready\r\n");
	tcp_puts(g, &t, ORIG, "CAPA\r\n");
	tcp_puts(g, &t, RESP, "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n");
	size_t k = (size_t)snprintf(seg, sizeof seg, "AUTH ");
	static const char near[] = "LOGIPLAICRAM-MD LOGI PLAI CRAM-M    ";
	while (k < 1400) {
		seg[k] = benign ? 'W' : near[k % (sizeof near - 1)];
		k++;
	}
	memcpy(seg + k, "\r\n", 2);
	for (uint64_t done = 0; done < n; done += k + 2) {
		tcp_write(g, &t, ORIG, seg, k + 2);
		tcp_flush(g, &t, ORIG);
		tcp_puts(g, &t, RESP, "-ERR no such method\r\n");
	}
	tcp_puts(g, &t, ORIG, "QUIT\r\n");
	tcp_puts(g, &t, RESP, "+OK bye\r\n");
	tcp_close(g, &t);
	return 0;
}

/* ---- main ------------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr,
		"usage: gen_hostile KIND[-benign] OUT.pcap|- [SIZE[K|M|G]] [CERTDIR]\n"
		"kinds (default SIZE): synflood (2000000 SYNs), longline (2G bytes),\n"
		"  longbody (2G bytes), mimedepth (5000 levels), rcpt (1000000),\n"
		"  rcptdup (200000), bigheader (8M bytes), tlsbig (1G bytes),\n"
		"  tlscerts (20000 certs), tlsconns (100000 connections),\n"
		"  holes (1000000 segments), bigboundary (8M bytes), optmail (30);\n"
		"with a -benign twin: ipscan (4M bytes), rcptset (200000), toset (4M),\n"
		"  mimebound (4M), decoders (4M), lines (4M), mimeheader (4M),\n"
		"  magic (4M), escape (4M), dpd (2M), tlsext (4M), tlsrec (64K),\n"
		"  x509name (4M), imapxmpp (4M), pop3 (4M)\n");
	return 1;
}

static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	int shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end || v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

enum kind {
	K_SYNFLOOD, K_LONGLINE, K_LONGBODY, K_MIMEDEPTH, K_RCPT, K_RCPTDUP, K_BIGHEADER,
	K_TLSBIG, K_TLSCERTS, K_TLSCONNS, K_HOLES, K_BIGBOUNDARY, K_OPTMAIL,
	/* the scanner worst cases, each with a -benign twin */
	K_IPSCAN, K_RCPTSET, K_TOSET, K_MIMEBOUND, K_DECODERS, K_LINES, K_MIMEHEADER,
	K_MAGIC, K_ESCAPE, K_DPD, K_TLSEXT, K_TLSREC, K_X509NAME, K_IMAPXMPP, K_POP3,
};

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		uint64_t size;
		bool certs; /* sends the certificates of CERTDIR */
	} kinds[] = {
	    [K_SYNFLOOD] = {"synflood", 2000000, false},
	    [K_LONGLINE] = {"longline", 2ull << 30, false},
	    [K_LONGBODY] = {"longbody", 2ull << 30, false},
	    [K_MIMEDEPTH] = {"mimedepth", 5000, false},
	    [K_RCPT] = {"rcpt", 1000000, false},
	    [K_RCPTDUP] = {"rcptdup", 200000, false},
	    [K_BIGHEADER] = {"bigheader", 8u << 20, false},
	    [K_TLSBIG] = {"tlsbig", 1u << 30, false},
	    [K_TLSCERTS] = {"tlscerts", 20000, true},
	    [K_TLSCONNS] = {"tlsconns", 100000, true},
	    [K_HOLES] = {"holes", 1000000, false},
	    [K_BIGBOUNDARY] = {"bigboundary", 8u << 20, false},
	    [K_OPTMAIL] = {"optmail", 30, false},
	    [K_IPSCAN] = {"ipscan", 4u << 20, false},
	    [K_RCPTSET] = {"rcptset", 200000, false},
	    [K_TOSET] = {"toset", 4u << 20, false},
	    [K_MIMEBOUND] = {"mimebound", 4u << 20, false},
	    [K_DECODERS] = {"decoders", 4u << 20, false},
	    [K_LINES] = {"lines", 4u << 20, false},
	    [K_MIMEHEADER] = {"mimeheader", 4u << 20, false},
	    [K_MAGIC] = {"magic", 4u << 20, false},
	    [K_ESCAPE] = {"escape", 4u << 20, false},
	    [K_DPD] = {"dpd", 2u << 20, false},
	    [K_TLSEXT] = {"tlsext", 4u << 20, false},
	    [K_TLSREC] = {"tlsrec", 64u << 10, true},
	    [K_X509NAME] = {"x509name", 4u << 20, true},
	    [K_IMAPXMPP] = {"imapxmpp", 4u << 20, false},
	    [K_POP3] = {"pop3", 4u << 20, false},
	};
	if (argc < 3 || argc > 5)
		return usage();
	int kind = -1;
	bool benign = false;
	for (int k = 0; k < (int)(sizeof kinds / sizeof kinds[0]); k++) {
		size_t l = strlen(kinds[k].name);
		if (strncmp(argv[1], kinds[k].name, l) != 0)
			continue;
		if (argv[1][l] == '\0') {
			kind = k;
		} else if (k >= K_IPSCAN && strcmp(argv[1] + l, "-benign") == 0) {
			kind = k;
			benign = true;
		}
	}
	if (kind < 0)
		return usage();
	uint64_t size = kinds[kind].size;
	if (argc >= 4 && !parse_size(argv[3], &size))
		return usage();
	const char *certdir = argc == 5 ? argv[4] : "testdata/certs";

	static struct gen g;
	static struct certs c;
	g.now = BASE_TIME_US;
	g.rng = 0x686f7374696c65ull;	/* "hostile" */
	if (kinds[kind].certs && certs_load(&c, certdir) < 0)
		return 1;
	if (pcap_begin(&g, argv[2]) < 0)
		return 1;
	int r;
	switch ((enum kind)kind) {
	case K_SYNFLOOD: r = gen_synflood(&g, size); break;
	case K_LONGLINE: r = gen_longline(&g, size); break;
	case K_LONGBODY: r = gen_longbody(&g, size); break;
	case K_MIMEDEPTH: r = gen_mimedepth(&g, size); break;
	case K_RCPT: r = gen_rcpt(&g, size, false); break;
	case K_RCPTDUP: r = gen_rcpt(&g, size, true); break;
	case K_BIGHEADER: r = gen_bigheader(&g, size); break;
	case K_TLSBIG: r = gen_tlsbig(&g, size); break;
	case K_TLSCERTS: r = gen_tlscerts(&g, size, &c); break;
	case K_TLSCONNS: r = gen_tlsconns(&g, size, &c); break;
	case K_HOLES: r = gen_holes(&g, size); break;
	case K_BIGBOUNDARY: r = gen_bigboundary(&g, size); break;
	case K_OPTMAIL: r = gen_optmail(&g, size); break;
	case K_IPSCAN: r = gen_ipscan(&g, size, benign); break;
	case K_RCPTSET: r = gen_rcptset(&g, size, benign); break;
	case K_TOSET: r = gen_toset(&g, size, benign); break;
	case K_MIMEBOUND: r = gen_mimebound(&g, size, benign); break;
	case K_DECODERS: r = gen_decoders(&g, size, benign); break;
	case K_LINES: r = gen_lines(&g, size, benign); break;
	case K_MIMEHEADER: r = gen_mimeheader(&g, size, benign); break;
	case K_MAGIC: r = gen_magic(&g, size, benign); break;
	case K_ESCAPE: r = gen_escape(&g, size, benign); break;
	case K_DPD: r = gen_dpd(&g, size, benign); break;
	case K_TLSEXT: r = gen_tlsext(&g, size, benign); break;
	case K_TLSREC: r = gen_tlsrec(&g, size, &c, benign); break;
	case K_X509NAME: r = gen_x509name(&g, size, &c, benign); break;
	case K_IMAPXMPP: r = gen_imapxmpp(&g, size, benign); break;
	default: r = gen_pop3(&g, size, benign); break;
	}
	if (pcap_end(&g) < 0 || r < 0)
		return 1;
	fprintf(stderr, "gen_hostile: %s %s: %llu packets, %llu bytes\n", argv[1], argv[2],
		(unsigned long long)g.packets, (unsigned long long)g.bytes);
	for (int k = 0; k < c.n; k++)
		free(c.der[k]);
	return 0;
}
