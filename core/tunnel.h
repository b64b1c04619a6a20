/*
 * Tunnels, as Zeek 9 decapsulates them: the header decoders of IP-in-IP,
 * GRE (plain, PPTP's enhanced GRE, ERSPAN I/II/III, transparent Ethernet
 * bridging, Aruba), VXLAN, Geneve, GTPv1-U, AYIYA and Teredo, and the
 * encapsulation stack an inner packet carries back into decoding and
 * connection tracking.
 *
 * The decoders are pure: they read a tunnel header through a cursor and say
 * where the encapsulated frame is and how decoding resumes, or which of
 * Zeek's weirds stops it. The engine (engine.c, engine_tunnel.c) keeps the
 * state: UIDs, the IP tunnel table, confirmations.
 */
#ifndef SMTPLOG_CORE_TUNNEL_H
#define SMTPLOG_CORE_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/value.h"
#include "core/bytes.h"
#include "core/uid.h"

struct conn;

/* Zeek's Tunnel::max_depth: encapsulations deeper than this are not
 * decapsulated ("exceeded_tunnel_max_depth"). The default, and the most
 * the option may ask for (the stack lives on the C stack). */
#define TUNNEL_MAX_DEPTH 4
#define TUNNEL_DEPTH_LIMIT 8

/* Zeek's Tunnel::max_changes_per_connection: tunnel_changed events per
 * connection, after which the change is refused with a weird and an X. */
#define TUNNEL_MAX_CHANGES 5

/* Zeek's Tunnel::ip_tunnel_timeout (24 hrs): an IP tunnel's UID is kept
 * while the address pair is seen at least this often. */
#define TUNNEL_IP_TIMEOUT (24.0 * 3600.0)

/* tunnel.log's Tunnel::expiration_interval (1 hr): a tunnel no new
 * connection named for this long is logged as expired. */
#define TUNNEL_EXPIRATION_INTERVAL 3600.0

/* Tunnel::Type, in Zeek's enum order. */
enum tunnel_type {
	TUNNEL_NONE,
	TUNNEL_IP,
	TUNNEL_AYIYA,
	TUNNEL_TEREDO,
	TUNNEL_SOCKS,
	TUNNEL_GTPV1,
	TUNNEL_HTTP,
	TUNNEL_GRE,
	TUNNEL_VXLAN,
	TUNNEL_GENEVE,
};

/* One level of an encapsulation (Zeek's EncapsulatingConn): its type, the
 * UID Zeek gives it (the IP tunnel's own, or the outer UDP connection's)
 * and its conn_id (the first packet's addresses with ports 0, or the UDP
 * connection's endpoints). `carrier` is that UDP connection, valid while
 * the packet is processed. */
struct encap_level {
	enum tunnel_type type;
	char uid[UID_TEXT_MAX];
	struct sl_addr orig_h, resp_h;
	uint16_t orig_p, resp_p;
	struct conn *carrier;
};

/* The levels a packet came through, outermost first. Lives on the stack of
 * the engine call that decapsulated the packet. */
struct encap_stack {
	size_t depth;
	struct encap_level level[TUNNEL_DEPTH_LIMIT];
};

/* How decoding resumes on the encapsulated frame. */
enum tunnel_next {
	TUNNEL_NEXT_IP,		/* an IP header (Zeek's DLT_RAW) */
	TUNNEL_NEXT_ETHERNET,	/* an Ethernet frame */
	TUNNEL_NEXT_IEEE802_11,	/* an 802.11 frame (Aruba's GRE) */
	TUNNEL_NEXT_NONE,	/* a frame nothing analyses (ARP in Geneve, ...) */
};

enum tunnel_result {
	TUNNEL_FORWARD,		/* *inner is set: decode it */
	TUNNEL_WEIRD,		/* stopped with Zeek's weird *weird */
	TUNNEL_VIOLATION,	/* the analyzer's protocol violation: stopped */
	TUNNEL_STOP,		/* stopped without a word (not G-PDU data, ...) */
};

struct tunnel_inner {
	struct bytes frame;
	enum tunnel_next next;
	uint8_t gre_version;	/* GRE: 1 is PPTP, whose inner IP is checked first */
	bool pptp_v6;		/* PPTP: the PPP protocol said IPv6 */
};

/* GRE, carried by IP protocol 47 or UDP port 4754. */
enum tunnel_result tunnel_decode_gre(struct bytes payload, struct tunnel_inner *inner,
				     const char **weird);

/* Zeek's IP::ParsePacket of the IP packet after enhanced GRE: its version
 * must match `v6` and its length fill the payload exactly. TUNNEL_FORWARD,
 * or TUNNEL_WEIRD with invalid_inner_IP_version, truncated_inner_IP or
 * inner_IP_payload_length_mismatch. */
enum tunnel_result tunnel_check_inner_ip(struct bytes ip, bool v6, const char **weird);

/* VXLAN (UDP 4789): TUNNEL_VIOLATION for a short header or one without
 * the I flag, TUNNEL_WEIRD "vxlan_empty_packet" for a bare header. A
 * forward or the empty weird come after Zeek's confirmation (*confirm). */
enum tunnel_result tunnel_decode_vxlan(struct bytes payload, struct tunnel_inner *inner,
				       bool *confirm, const char **weird);

/* Geneve (UDP 6081), dispatched by its protocol type. */
enum tunnel_result tunnel_decode_geneve(struct bytes payload, struct tunnel_inner *inner,
					bool *confirm, const char **weird);

/* GTPv1 (UDP 2152, 2123): only G-PDUs (message type 255) carry packets. */
enum tunnel_result tunnel_decode_gtpv1(struct bytes payload, struct tunnel_inner *inner,
				       const char **weird);

/* AYIYA (UDP 5072, or detected): TUNNEL_VIOLATION for a header that
 * does not fit, TUNNEL_STOP for an opcode other than forward, else
 * confirmed (*confirm) and forwarded, or "ayiya_empty_packet". */
enum tunnel_result tunnel_decode_ayiya(struct bytes payload, struct tunnel_inner *inner,
				       bool *confirm, const char **weird);

/* Teredo (UDP 3544, or detected). TUNNEL_VIOLATION, with *weird set when
 * it is one of the truncation weirds Zeek reports once confirmed; or
 * TUNNEL_FORWARD of the IPv6 packet, with *weird "Teredo_bubble_with_payload"
 * for a bubble followed by bytes. */
enum tunnel_result tunnel_decode_teredo(struct bytes payload, struct tunnel_inner *inner,
					const char **weird);

/* The UDP responder ports Zeek's packet analysis forwards to a tunnel
 * decoder (the packet-protocols scripts' register_for_ports). */
enum tunnel_type tunnel_udp_port_type(uint16_t resp_port);

/* What UDP's protocol detection finds in a datagram on any other port:
 * AYIYA's or Teredo's DetectProtocol, in their registration order. */
enum tunnel_type tunnel_udp_detect(struct bytes payload);

/* Lower-case analyzer name Zeek puts in conn.log's service on confirmation. */
const char *tunnel_service_name(enum tunnel_type t);

#endif
