/*
 * The input format of the stream targets (SMTP, TLS) and the TCP
 * connection that carries it into the engine, so that an analyzer is fed
 * exactly as in a real run (attachment, reassembly, gaps, end of data).
 *
 *   input  = config-lo config-hi chunk*      (config: fuzz_engine.h)
 *   chunk  = head len-hi len-lo byte[len]   (a short last chunk takes what is left)
 *   head   bit 0: 0 = client to server, 1 = server to client
 *          bit 1: no data: a hole of len bytes in that direction's
 *                 sequence space (a content gap once the peer acks past it)
 *          bit 2: that side sends a RST after the chunk
 *
 * The connection is 10.0.0.1:40000 -> 10.0.0.2:<port>, with a three-way
 * handshake first and a FIN from each side last. tests/fuzz/seedgen.c
 * writes this format from captures.
 */
#ifndef SMTPLOG_TESTS_FUZZ_STREAM_H
#define SMTPLOG_TESTS_FUZZ_STREAM_H

#include <pcap/dlt.h>

#include "tests/fuzz/fuzz_engine.h"

#define FUZZ_CHUNK_DIR 0x01
#define FUZZ_CHUNK_GAP 0x02
#define FUZZ_CHUNK_RST 0x04
/* Data per TCP segment (an Ethernet MSS). */
#define FUZZ_SEG_MAX 1460

struct fuzz_flow {
	struct engine *e;
	uint16_t resp_port;
	uint32_t next_seq[2]; /* [0] client, [1] server */
	int64_t usec;         /* the packet clock, 1 ms a packet */
	uint8_t frame[14 + 20 + 20 + FUZZ_SEG_MAX];
};

static void fuzz_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void fuzz_put32(uint8_t *p, uint32_t v)
{
	fuzz_put16(p, (uint16_t)(v >> 16));
	fuzz_put16(p + 2, (uint16_t)v);
}

/* One Ethernet/IPv4/TCP segment from side `dir`, acknowledging everything
 * the peer sent. Checksums are left zero: the engine runs with -C. */
static void fuzz_flow_send(struct fuzz_flow *f, int dir, uint8_t flags, const uint8_t *p, size_t n)
{
	uint8_t *fr = f->frame, *ip = fr + 14, *th = ip + 20;
	memset(fr, 0, 14 + 20 + 20);
	fr[5] = dir ? 2 : 1;
	fr[11] = dir ? 1 : 2;
	fuzz_put16(fr + 12, 0x0800);
	ip[0] = 0x45;
	fuzz_put16(ip + 2, (uint16_t)(20 + 20 + n));
	ip[8] = 64;
	ip[9] = 6;
	const uint8_t client[4] = {10, 0, 0, 1}, server[4] = {10, 0, 0, 2};
	memcpy(ip + 12, dir ? server : client, 4);
	memcpy(ip + 16, dir ? client : server, 4);
	fuzz_put16(th, dir ? f->resp_port : 40000);
	fuzz_put16(th + 2, dir ? 40000 : f->resp_port);
	fuzz_put32(th + 4, f->next_seq[dir]);
	fuzz_put32(th + 8, (flags & 0x10) ? f->next_seq[!dir] : 0);
	th[12] = 5 << 4;
	th[13] = flags;
	fuzz_put16(th + 14, 65535);
	if (n)
		memcpy(th + 20, p, n);
	f->next_seq[dir] += (uint32_t)n + ((flags & 0x03) ? 1 : 0); /* SYN, FIN */
	struct capture_packet cp = {
	    .tv_sec = 1700000000 + f->usec / 1000000,
	    .tv_usec = f->usec % 1000000,
	    .caplen = (uint32_t)(54 + n),
	    .wirelen = (uint32_t)(54 + n),
	    .data = fr,
	    .linktype = DLT_EN10MB,
	};
	f->usec += 1000;
	engine_packet(f->e, &cp);
}

enum { FUZZ_FIN = 0x01, FUZZ_SYN = 0x02, FUZZ_RST = 0x04, FUZZ_PSH = 0x08, FUZZ_ACK = 0x10 };

/* Runs one stream input through a fresh engine with these analyzers. */
static void fuzz_stream_run(const struct analyzer *const *analyzers, uint16_t port,
			    const uint8_t *data, size_t size)
{
	if (size < 2)
		return;
	struct config cfg;
	/* No checksums are computed here: always -C. */
	fuzz_config(&cfg, (data[0] | (unsigned)data[1] << 8) & ~FUZZ_CFG_CHECKSUMS);
	static struct fuzz_flow f; /* static: the frame is too big for a small stack */
	memset(&f, 0, sizeof f);
	f.e = fuzz_engine_new(&cfg, analyzers);
	f.resp_port = port;
	f.next_seq[0] = 1000;
	f.next_seq[1] = 5000;
	fuzz_flow_send(&f, 0, FUZZ_SYN, NULL, 0);
	fuzz_flow_send(&f, 1, FUZZ_SYN | FUZZ_ACK, NULL, 0);
	fuzz_flow_send(&f, 0, FUZZ_ACK, NULL, 0);
	size_t at = 2;
	while (at < size) {
		uint8_t head = data[at++];
		size_t len = 0;
		for (int k = 0; k < 2 && at < size; k++)
			len = len << 8 | data[at++];
		int dir = head & FUZZ_CHUNK_DIR;
		if (head & FUZZ_CHUNK_GAP) {
			f.next_seq[dir] += (uint32_t)len;
		} else {
			if (len > size - at)
				len = size - at;
			do {
				size_t n = len < FUZZ_SEG_MAX ? len : FUZZ_SEG_MAX;
				fuzz_flow_send(&f, dir, FUZZ_PSH | FUZZ_ACK, data + at, n);
				at += n;
				len -= n;
			} while (len > 0);
		}
		if (head & FUZZ_CHUNK_RST)
			fuzz_flow_send(&f, dir, FUZZ_RST | FUZZ_ACK, NULL, 0);
	}
	fuzz_flow_send(&f, 0, FUZZ_FIN | FUZZ_ACK, NULL, 0);
	fuzz_flow_send(&f, 1, FUZZ_FIN | FUZZ_ACK, NULL, 0);
	fuzz_flow_send(&f, 0, FUZZ_ACK, NULL, 0);
	fuzz_engine_end(f.e);
}

#endif
