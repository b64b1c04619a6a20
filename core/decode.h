/*
 * Packet decoding: link layer, then IPv4/IPv6 (with fragment reassembly),
 * up to the transport header. Every read goes through struct cursor.
 */
#ifndef SMTPLOG_CORE_DECODE_H
#define SMTPLOG_CORE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/packet.h"

enum decode_result {
	DECODE_OK = 0,		/* pkt is an IP packet ready for connection tracking */
	DECODE_NOT_IP,		/* ARP, LLDP, ...: nothing for conn.log, not damage */
	DECODE_PENDING,		/* a fragment was stored; the datagram is not complete */
	DECODE_DROP,		/* dropped the way Zeek drops it; *weird names why */
};

struct decode_opts {
	bool ignore_checksums;	/* -C: no IPv4 header checksum check; ip_len 0 fixed up */
	/* ignore_checksums_nets: sources whose IPv4 header checksum is not checked. */
	const struct sl_subnet *ignore_nets;
	size_t n_ignore_nets;
};

struct frag_table;

/* Fragment reassembly state, bounded in memory. Owned by the engine. */
struct frag_table *frag_table_new(void);
void frag_table_free(struct frag_table *t);
/* Drops fragments older than Zeek's fragment timeout at network time now. */
void frag_table_expire(struct frag_table *t, double now);

/*
 * Decodes a captured frame. On DECODE_OK the packet's network fields are
 * filled. On DECODE_DROP, *weird (if not NULL) is set to Zeek's weird name
 * (a static string, e.g. "truncated_IP"). `data`, `caplen`, `wirelen`,
 * `ts` and `linktype` of *pkt must be set by the caller before the call.
 */
enum decode_result decode_packet(const struct decode_opts *opts,
				 struct frag_table *frags, struct packet *pkt,
				 const char **weird);

/*
 * The next A-MSDU subframe of the frame in *pkt (pkt->amsdu_rest not
 * empty), decoded into pkt's network fields as decode_packet does; the
 * link-layer fields stay. Zeek goes on to the next subframe only while
 * the ones before were analysed.
 */
enum decode_result decode_amsdu_next(const struct decode_opts *opts, struct frag_table *frags,
				     struct packet *pkt, const char **weird);

/* Transport headers, parsed from pkt->l4. */
struct tcp_header {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;		/* TCP_FIN .. TCP_CWR */
	uint16_t window;	/* raw, unscaled */
	uint8_t hdr_len;	/* data offset * 4 */
	int wscale;		/* window-scale option, -1 when absent */
	struct bytes payload;	/* captured payload */
	uint32_t payload_len;	/* payload length per the IP header */
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

enum l4_result {
	L4_OK = 0,
	L4_TRUNCATED,		/* header not all there ("truncated_header" et al.) */
	L4_BAD_HEADER_LEN,	/* TCP data offset < 20 ("bad_TCP_header_len") */
};

/* Ports only need the first 4 bytes: the connection exists before the
 * rest of the header is validated. False when fewer than 4 bytes. */
bool l4_ports(const struct packet *pkt, uint16_t *sport, uint16_t *dport);

enum l4_result tcp_parse(const struct packet *pkt, struct tcp_header *out);

struct udp_header {
	uint16_t sport, dport;
	uint16_t length;	/* UDP length field */
	uint16_t checksum;	/* 0 = none (IPv4) */
	struct bytes payload;
};
enum l4_result udp_parse(const struct packet *pkt, struct udp_header *out);

struct icmp_header {
	uint8_t type, code;
	struct bytes payload;	/* after the 8-byte header */
};
enum l4_result icmp_parse(const struct packet *pkt, struct icmp_header *out);

/*
 * Transport checksum of the whole segment (pseudo-header included) for
 * TCP, UDP, ICMP and ICMPv6. Only meaningful when the packet is fully
 * captured (l4.n == l4_len); callers skip the check otherwise, as Zeek does.
 */
bool l4_checksum_ok(const struct packet *pkt);

/* ICMP "ports": the responder's is the counterpart of `type` in the
 * table of `proto` (1: ICMPv4, 58: ICMPv6), or, for a type without one
 * (*one_way), the code. Zeek's ICMP4_counterpart / ICMP6_counterpart. */
uint16_t icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool *one_way);

#endif
