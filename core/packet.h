/*
 * One packet as decoded for connection tracking. A view, never an owner:
 * it lives on the read loop's stack and its pointers are valid until the
 * next packet is read (or the next fragment is reassembled).
 */
#ifndef SMTPLOG_CORE_PACKET_H
#define SMTPLOG_CORE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/value.h"

struct encap_stack;

struct packet {
	/* From the capture. ts = tv_sec + tv_usec / 1e6, computed as Zeek does. */
	double ts;
	uint32_t caplen;
	uint32_t wirelen;
	int linktype;			/* DLT_* of the capture */
	const uint8_t *data;		/* the captured frame, caplen bytes */

	/* Link layer, filled by decode. */
	bool has_l2_addr;		/* Ethernet-like link with MACs */
	uint8_t l2_src[6];
	uint8_t l2_dst[6];
	int vlan;			/* outer 802.1Q id, -1 when absent */
	int inner_vlan;			/* inner (QinQ) id, -1 when absent */

	/* Network layer. */
	uint8_t ip_version;		/* 4 or 6 */
	struct sl_addr src;		/* v6: the Home Address option's, if any */
	struct sl_addr dst;		/* v6: a routing header's final one, if any */
	/* The IP header's own source, which ignore_checksums_nets is matched
	 * against (Zeek's transport analyzers read it from the raw header). */
	struct sl_addr hdr_src;
	uint8_t proto;			/* transport protocol after IPv6 extension headers */
	uint32_t ip_len;		/* v4: total-length field; v6: payload length + 40 */
	const uint8_t *ip_hdr;		/* start of the (outermost relevant) IP header */
	uint32_t ip_hdr_len;		/* v4 IHL*4; v6 40 + extension headers */
	bool ip_reassembled;		/* payload comes from fragment reassembly */

	/*
	 * Transport header + payload. `l4.n` is what was captured, clamped to
	 * the IP length; `l4_len` is the length the IP header claims (larger
	 * when the snaplen cut the packet).
	 */
	struct bytes l4;
	uint32_t l4_len;

	/* The tunnels this packet came out of (core/tunnel.h); NULL when it
	 * was not encapsulated. Borrowed from the decapsulating call. */
	const struct encap_stack *encap;

	/* 802.11 A-MSDU: the subframes after the one decoded, each of which
	 * Zeek analyses as a packet of its own (decode_amsdu_next). */
	struct bytes amsdu_rest;
};

#endif
