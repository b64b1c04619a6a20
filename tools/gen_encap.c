/*
 * gen_encap: a capture re-sent through a UDP overlay, the way mirrored
 * cloud traffic arrives. Every Ethernet frame of IN becomes the payload of
 * a VXLAN or Geneve datagram between two tunnel endpoints, 10.99.0.1 and
 * 10.99.0.2, with the original timestamps:
 *
 *   gen_encap vxlan|geneve IN.pcap OUT.pcap
 *
 * The direction decides the endpoint, as two VTEPs would: a frame whose
 * TCP/UDP destination port is the first frame's goes from .1 (source port
 * 49152) to .2's tunnel port, any other from .2 (49153) to .1's, so that
 * each direction is its own outer UDP flow. VXLAN carries VNI 4242; Geneve
 * carries it with one 8-byte option (class 0x0103, type 0x80), so that the
 * option length is exercised. UDP checksums are 0, which UDP over IPv4
 * allows (RFC 768) and VXLAN asks for (RFC 7348); the IPv4 header checksum
 * is computed. A frame that IN cut short stays cut, with its wire length.
 *
 * Used by tests/encap.sh: smtplog must give the same smtp.log, files.log
 * and extracted files for OUT as for IN, plus the tunnel lines.
 */
/* libpcap's headers use the BSD u_int types. */
#define _DEFAULT_SOURCE

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/gen_bytes.h"

#define VNI 4242u
#define OUTER_MAX 14 + 20 + 8 + 16
#define SNAPLEN 262144u

/* The L4 destination port of an Ethernet/IP frame; -1 when there is none. */
static long dst_port(const uint8_t *f, size_t n)
{
	if (n < 14)
		return -1;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	size_t l4;
	uint8_t proto;
	if (type == 0x0800 && n >= 14 + 20) {
		l4 = 14 + (size_t)(f[14] & 0x0f) * 4;
		proto = f[14 + 9];
	} else if (type == 0x86dd && n >= 14 + 40) {
		l4 = 14 + 40;
		proto = f[14 + 6];
	} else {
		return -1;
	}
	if ((proto != 6 && proto != 17) || n < l4 + 4)
		return -1;
	return (long)(f[l4 + 2] << 8 | f[l4 + 3]);
}

/* The outer headers for a frame of `inner` wire bytes; returns their length. */
static size_t outer_headers(uint8_t *o, bool geneve, bool forward, uint32_t inner)
{
	size_t tun = geneve ? 16 : 8;
	memset(o, 0, OUTER_MAX);
	/* Ethernet: locally administered MACs of the two VTEPs. */
	static const uint8_t mac1[6] = {0x02, 0, 0, 0, 0x99, 1}, mac2[6] = {0x02, 0, 0, 0, 0x99, 2};
	memcpy(o, forward ? mac2 : mac1, 6);
	memcpy(o + 6, forward ? mac1 : mac2, 6);
	be16(o + 12, 0x0800);
	uint8_t *ip = o + 14;
	ip[0] = 0x45;
	be16(ip + 2, (uint16_t)(20 + 8 + tun + inner));
	ip[6] = 0x40;	/* DF */
	ip[8] = 64;
	ip[9] = 17;
	static const uint8_t a1[4] = {10, 99, 0, 1}, a2[4] = {10, 99, 0, 2};
	memcpy(ip + 12, forward ? a1 : a2, 4);
	memcpy(ip + 16, forward ? a2 : a1, 4);
	be16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	uint8_t *udp = ip + 20;
	be16(udp, forward ? 49152 : 49153);
	be16(udp + 2, geneve ? 6081 : 4789);
	be16(udp + 4, (uint16_t)(8 + tun + inner));
	uint8_t *t = udp + 8;
	if (geneve) {
		t[0] = 2;		/* version 0, options of 2 words */
		be16(t + 2, 0x6558);	/* transparent Ethernet bridging */
		t[4] = (uint8_t)(VNI >> 16), t[5] = (uint8_t)(VNI >> 8), t[6] = (uint8_t)VNI;
		be16(t + 8, 0x0103);	/* option class */
		t[10] = 0x80;		/* type, critical bit */
		t[11] = 1;		/* 1 word of data */
		be32(t + 12, 0x12345678);
	} else {
		t[0] = 0x08;		/* I: the VNI is valid */
		t[4] = (uint8_t)(VNI >> 16), t[5] = (uint8_t)(VNI >> 8), t[6] = (uint8_t)VNI;
	}
	return 14 + 20 + 8 + tun;
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[1], "vxlan") && strcmp(argv[1], "geneve"))) {
		fprintf(stderr, "usage: gen_encap vxlan|geneve IN.pcap OUT.pcap\n");
		return 2;
	}
	bool geneve = !strcmp(argv[1], "geneve");
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *in = pcap_open_offline(argv[2], err);
	if (!in) {
		fprintf(stderr, "gen_encap: %s\n", err);
		return 1;
	}
	if (pcap_datalink(in) != DLT_EN10MB) {
		fprintf(stderr, "gen_encap: %s: not an Ethernet capture\n", argv[2]);
		pcap_close(in);
		return 1;
	}
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, (int)SNAPLEN);
	pcap_dumper_t *out = dead ? pcap_dump_open(dead, argv[3]) : NULL;
	if (!out) {
		fprintf(stderr, "gen_encap: %s: %s\n", argv[3], dead ? pcap_geterr(dead) : "no memory");
		pcap_close(in);
		if (dead)
			pcap_close(dead);
		return 1;
	}
	static uint8_t frame[OUTER_MAX + SNAPLEN];
	struct pcap_pkthdr *h;
	const u_char *data;
	long server_port = -2;
	int rc, n = 0;
	while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
		long port = dst_port(data, h->caplen);
		if (server_port == -2)
			server_port = port;
		bool forward = port == server_port;
		size_t o = outer_headers(frame, geneve, forward, h->len);
		size_t cap = h->caplen < SNAPLEN ? h->caplen : SNAPLEN;
		memcpy(frame + o, data, cap);
		struct pcap_pkthdr oh = *h;
		oh.caplen = (bpf_u_int32)(o + cap);
		oh.len = (bpf_u_int32)(o + h->len);
		pcap_dump((u_char *)out, &oh, frame);
		n++;
	}
	if (rc == -1)
		fprintf(stderr, "gen_encap: %s: %s\n", argv[2], pcap_geterr(in));
	pcap_dump_close(out);
	pcap_close(dead);
	pcap_close(in);
	if (rc == -1)
		return 1;
	fprintf(stderr, "gen_encap: %d frames in %s\n", n, argv[1]);
	return 0;
}
