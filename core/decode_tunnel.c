/*
 * Tunnel headers, read as Zeek 9's packet analyzers read them (GRE,
 * IPTunnel, VXLAN, Geneve, GTPv1, AYIYA, Teredo): the same length checks in the same
 * order, so that the same packets stop with the same weird. Every read
 * goes through the cursor.
 */
#include "core/cursor.h"
#include "core/tunnel.h"

static enum tunnel_result weird_is(const char **weird, const char *why)
{
	if (weird)
		*weird = why;
	return TUNNEL_WEIRD;
}

static uint8_t byte_at(struct bytes b, size_t at)
{
	struct cursor c = cur_make(b.p, b.n);
	uint8_t v = 0;
	(void)cur_peek_u8(&c, at, &v);
	return v;
}

static uint16_t be16_at(struct bytes b, size_t at)
{
	return (uint16_t)(byte_at(b, at) << 8 | byte_at(b, at + 1));
}

static struct bytes tail(struct bytes b, size_t from)
{
	struct bytes t = {b.p + from, b.n - from};
	return t;
}

/* RFC 1701's optional fields that Zeek counts; routing is refused later. */
static size_t gre_header_len(uint16_t flags)
{
	size_t len = 4;
	if (flags & 0x8000)
		len += 4;	/* checksum and reserved */
	if (flags & 0x2000)
		len += 4;	/* key */
	if (flags & 0x1000)
		len += 4;	/* sequence */
	if (flags & 0x0080)
		len += 4;	/* acknowledgement (enhanced GRE) */
	return len;
}

/* The protocol types Zeek takes for Aruba's 802.11-in-GRE. */
static bool gre_is_aruba(uint16_t t)
{
	return ((t & 0x8200) == 0x8200 && (t & 0x0F) == 0) ||
	       ((t & 0x8300) == 0x8300 && (t & 0x0F) == 0 && t <= 0x8370) || t == 0x9000;
}

enum tunnel_result tunnel_decode_gre(struct bytes in, struct tunnel_inner *inner,
				     const char **weird)
{
	if (in.n < 4)
		return weird_is(weird, "truncated_GRE");
	uint16_t flags = be16_at(in, 0), type = be16_at(in, 2);
	uint8_t version = flags & 0x0007;
	size_t gre_len = gre_header_len(flags);
	size_t pptp_len = version == 1 ? 4 : 0;
	size_t eth_len = 0, erspan_len = 0;
	enum tunnel_next next = TUNNEL_NEXT_IP;
	if (version != 0 && version != 1)
		return weird_is(weird, "unknown_gre_version");
	if (version == 0) {
		if (type == 0x6558) {	/* transparent Ethernet bridging */
			if (in.n <= gre_len + 14)
				return weird_is(weird, "truncated_GRE");
			eth_len = 14;
			next = TUNNEL_NEXT_ETHERNET;
		} else if (type == 0x88be) {	/* ERSPAN I, or II with a sequence */
			if (in.n <= gre_len + 14)
				return weird_is(weird, "truncated_GRE");
			eth_len = 14;
			next = TUNNEL_NEXT_ETHERNET;
			if (flags & 0x1000) {
				erspan_len = 8;
				if (in.n < gre_len + eth_len + erspan_len)
					return weird_is(weird, "truncated_GRE");
			}
		} else if (type == 0x22eb) {	/* ERSPAN III */
			if (in.n <= gre_len + 14 + 12)
				return weird_is(weird, "truncated_GRE");
			erspan_len = 12;
			eth_len = 14;
			next = TUNNEL_NEXT_ETHERNET;
			/* The O bit ends the 12 bytes: an 8-byte platform subheader. */
			if (byte_at(in, gre_len + erspan_len - 1) & 0x01) {
				if (in.n <= gre_len + erspan_len + 8 + eth_len)
					return weird_is(weird, "truncated_GRE");
				erspan_len += 8;
			}
		} else if (gre_is_aruba(type)) {
			if (in.n <= gre_len)
				return weird_is(weird, "truncated_GRE");
			next = TUNNEL_NEXT_IEEE802_11;
		}
		/* Anything else is handed on as IP, as Zeek's IPTunnel does. */
	} else if (type != 0x880b) {
		return weird_is(weird, "egre_protocol_type");	/* enhanced GRE is PPTP only */
	}
	if (flags & 0x4000)
		return weird_is(weird, "gre_routing");
	if (flags & 0x0078)
		return weird_is(weird, "unknown_gre_flags");
	if (in.n < gre_len + pptp_len + eth_len + erspan_len)
		return weird_is(weird, "truncated_GRE");
	if (version == 1) {
		uint16_t ppp = be16_at(in, gre_len + 2);
		if (ppp != 0x0021 && ppp != 0x0057)
			return weird_is(weird, "non_ip_packet_in_encap");
		/* The IP packet is checked against this after the depth check. */
		inner->gre_version = 1;
		inner->pptp_v6 = ppp == 0x0057;
		inner->next = TUNNEL_NEXT_IP;
	} else {
		inner->gre_version = 0;
		inner->pptp_v6 = false;
		inner->next = next;
	}
	inner->frame = tail(in, gre_len + pptp_len + erspan_len);
	return TUNNEL_FORWARD;
}

enum tunnel_result tunnel_check_inner_ip(struct bytes ip, bool v6, const char **weird)
{
	struct cursor c = cur_make(ip.p, ip.n);
	uint32_t total;
	if (v6) {
		if (ip.n < 40)
			return weird_is(weird, "truncated_inner_IP");
		uint8_t vfc = cur_u8(&c);
		cur_skip(&c, 3);
		total = (uint32_t)cur_be16(&c) + 40;
		if ((vfc & 0xF0) != 0x60)
			return weird_is(weird, "invalid_inner_IP_version");
	} else {
		/* Zeek calls a short IPv4 packet a bad version, not a truncation. */
		if (ip.n < 20)
			return weird_is(weird, "invalid_inner_IP_version");
		uint8_t v = cur_u8(&c);
		cur_skip(&c, 1);
		total = cur_be16(&c);
		if ((v >> 4) != 4)
			return weird_is(weird, "invalid_inner_IP_version");
	}
	if (ip.n < total)
		return weird_is(weird, "truncated_inner_IP");
	if (ip.n > total)
		return weird_is(weird, "inner_IP_payload_length_mismatch");
	return TUNNEL_FORWARD;
}

enum tunnel_result tunnel_decode_vxlan(struct bytes in, struct tunnel_inner *inner,
				       bool *confirm, const char **weird)
{
	*confirm = false;
	if (in.n < 8 || !(byte_at(in, 0) & 0x08))
		return TUNNEL_VIOLATION;	/* truncated, or the I flag not set */
	*confirm = true;
	if (in.n == 8)
		return weird_is(weird, "vxlan_empty_packet");
	inner->frame = tail(in, 8);
	inner->next = TUNNEL_NEXT_ETHERNET;
	inner->gre_version = 0;
	inner->pptp_v6 = false;
	return TUNNEL_FORWARD;
}

enum tunnel_result tunnel_decode_geneve(struct bytes in, struct tunnel_inner *inner,
					bool *confirm, const char **weird)
{
	*confirm = false;
	if (in.n < 8)
		return TUNNEL_VIOLATION;
	uint8_t b0 = byte_at(in, 0);
	if (b0 >> 6 != 0)
		return weird_is(weird, "geneve_invalid_version");
	size_t hdr = 8 + (size_t)(b0 & 0x3F) * 4;	/* options in 4-byte words */
	if (hdr > in.n)
		return TUNNEL_VIOLATION;
	uint16_t type = be16_at(in, 2);
	*confirm = true;
	if (in.n == hdr)
		return weird_is(weird, "geneve_empty_packet");
	inner->frame = tail(in, hdr);
	inner->gre_version = 0;
	inner->pptp_v6 = false;
	switch (type) {
	case 0x6558:
		inner->next = TUNNEL_NEXT_ETHERNET;
		break;
	case 0x0800:
	case 0x86DD:
		inner->next = TUNNEL_NEXT_IP;
		break;
	default:
		inner->next = TUNNEL_NEXT_NONE;	/* ARP, or nothing Zeek dispatches */
	}
	return TUNNEL_FORWARD;
}

/*
 * Zeek parses the GTPv1 header with binpac: a header that does not fit
 * throws, which the analyzer reports as a violation. Only a G-PDU with
 * the protocol-type flag carries a packet; it must be IP, and (checked by
 * the caller with tunnel_check_inner_ip's rules) fill the rest exactly.
 */
enum tunnel_result tunnel_decode_gtpv1(struct bytes in, struct tunnel_inner *inner,
				       const char **weird)
{
	(void)weird;
	struct cursor c = cur_make(in.p, in.n);
	uint8_t flags = cur_u8(&c);
	uint8_t msg_type = cur_u8(&c);
	cur_skip(&c, 6);	/* length, TEID */
	bool has_opt = flags & 0x07, e_flag = flags & 0x04;
	if (has_opt)
		cur_skip(&c, 4);	/* sequence, N-PDU, next extension type */
	if (e_flag) {
		/* Extension headers until one names no next: length in 4-byte
		 * words, including its length and next-type bytes. */
		for (;;) {
			uint8_t units = cur_u8(&c);
			if (c.err || units == 0)
				return TUNNEL_VIOLATION;
			cur_skip(&c, (size_t)units * 4 - 2);
			uint8_t next = cur_u8(&c);
			if (c.err)
				return TUNNEL_VIOLATION;
			if (next == 0)
				break;
		}
	}
	if (c.err)
		return TUNNEL_VIOLATION;
	if ((flags & 0xE0) >> 5 != 1)
		return TUNNEL_VIOLATION;	/* "GTPv1 bad Version" */
	if (!(flags & 0x10) || msg_type != 255)
		return TUNNEL_STOP;	/* GTP' or signalling: no packet inside */
	struct bytes pkt = {c.p, cur_left(&c)};
	if (pkt.n < 20)
		return TUNNEL_VIOLATION;	/* "Truncated GTPv1" */
	uint8_t v = byte_at(pkt, 0) >> 4;
	if (v != 4 && v != 6)
		return TUNNEL_VIOLATION;	/* "non-IP packet in GTPv1" */
	inner->frame = pkt;
	inner->next = TUNNEL_NEXT_IP;
	inner->gre_version = 0;
	inner->pptp_v6 = false;
	return TUNNEL_FORWARD;
}

/*
 * AYIYA: an 8-byte header, then the identity (1 << its nibble bytes) and
 * the signature (its nibble times 4 bytes). Only the "forward" opcode
 * carries a packet; any other is the end of parsing, not an error.
 */
enum tunnel_result tunnel_decode_ayiya(struct bytes in, struct tunnel_inner *inner,
				       bool *confirm, const char **weird)
{
	if (in.n < 8)
		return TUNNEL_VIOLATION;	/* "Truncated AYIYA" */
	uint8_t b0 = byte_at(in, 0), b1 = byte_at(in, 1);
	size_t hdr = 8 + ((size_t)1 << (b0 >> 4)) + (size_t)(b1 >> 4) * 4;
	if (hdr > in.n)
		return TUNNEL_VIOLATION;
	if ((byte_at(in, 2) & 0x0F) != 1)
		return TUNNEL_STOP;
	uint8_t next_header = byte_at(in, 3);
	*confirm = true;
	if (in.n == hdr)
		return weird_is(weird, "ayiya_empty_packet");
	inner->frame = tail(in, hdr);
	/* The next header picks the IP analyzer (4 or 41); nothing else is
	 * registered under AYIYA. */
	inner->next = next_header == 4 || next_header == 41 ? TUNNEL_NEXT_IP : TUNNEL_NEXT_NONE;
	inner->gre_version = 0;
	inner->pptp_v6 = false;
	return TUNNEL_FORWARD;
}

/*
 * Teredo (RFC 4380): an optional authentication header, then an optional
 * origin indication, then an IPv6 packet. The truncation weirds are
 * reported only by a confirmed analyzer (the caller's choice); every
 * refusal is the analyzer's violation. The IPv6 packet must fill the rest
 * exactly, except for a bubble (no next header, no payload), after which
 * trailing bytes are only weird.
 */
enum tunnel_result tunnel_decode_teredo(struct bytes in, struct tunnel_inner *inner,
					const char **weird)
{
	bool origin = false, auth = false;
	size_t at = 0;
	for (;;) {
		size_t left = in.n - at;
		if (left < 2) {
			*weird = "truncated_Teredo";
			return TUNNEL_VIOLATION;
		}
		uint16_t tag = be16_at(in, at);
		if (tag == 0) {
			if (origin)
				return TUNNEL_VIOLATION;
			if (left < 8) {
				*weird = "truncated_Teredo_origin_indication";
				return TUNNEL_VIOLATION;
			}
			origin = true;
			at += 8;
		} else if (tag == 1) {
			if (origin || auth)
				return TUNNEL_VIOLATION;
			if (left < 4) {
				*weird = "truncated_Teredo_authentication";
				return TUNNEL_VIOLATION;
			}
			size_t total = 4 + (size_t)byte_at(in, at + 2) + byte_at(in, at + 3) + 8 + 1;
			if (left < total) {
				*weird = "truncated_Teredo_authentication";
				return TUNNEL_VIOLATION;
			}
			auth = true;
			at += total;
		} else if (tag >> 12 == 6) {
			if (left < 40) {
				*weird = "truncated_IPv6_in_Teredo";
				return TUNNEL_VIOLATION;
			}
			break;
		} else {
			return TUNNEL_VIOLATION;
		}
	}
	struct bytes ip = tail(in, at);
	size_t total = (size_t)be16_at(ip, 4) + 40;
	if (ip.n < total)
		return TUNNEL_VIOLATION;	/* "Truncated Teredo or invalid inner IP version" */
	if (ip.n > total) {
		if (byte_at(ip, 6) != 59 || total != 40)
			return TUNNEL_VIOLATION;	/* "Teredo payload length" */
		*weird = "Teredo_bubble_with_payload";
	}
	inner->frame = ip;
	inner->next = TUNNEL_NEXT_IP;
	inner->gre_version = 0;
	inner->pptp_v6 = false;
	return TUNNEL_FORWARD;
}

/* Zeek's Teredo DetectProtocol: a bare bubble whose source or destination
 * is in 2001:0::/32 (its pattern), or the headers it walks by hand. */
static bool in_teredo_prefix(struct bytes in, size_t addr_at)
{
	return be16_at(in, addr_at) == 0x2001 && be16_at(in, addr_at + 2) == 0;
}

static bool looks_teredo(struct bytes in)
{
	size_t n = in.n;
	uint8_t b0 = byte_at(in, 0), b1 = byte_at(in, 1);
	if (n < 40 || (n > 8 && b0 >> 4 != 6 && (b0 != 0 || (b1 != 0 && b1 != 1))))
		return false;
	if (b0 >> 4 == 6 && (in_teredo_prefix(in, 8) || in_teredo_prefix(in, 24)))
		return true;
	size_t at = 0;
	uint16_t val = b1;
	if (val == 1) {
		size_t skip = 13 + (size_t)byte_at(in, 2) + byte_at(in, 3);
		if (n < skip || n - skip < 40)
			return false;
		at = skip;
		val = be16_at(in, at);
	}
	if (val != 0)
		return false;
	at += 8;
	return n - at >= 40 && byte_at(in, at) >> 4 == 6;
}

enum tunnel_type tunnel_udp_detect(struct bytes payload)
{
	/* In the order the packet-protocols scripts register them. */
	if (payload.n >= 3 && byte_at(payload, 1) == 0x52 && byte_at(payload, 2) == 0x11)
		return TUNNEL_AYIYA;
	if (looks_teredo(payload))
		return TUNNEL_TEREDO;
	return TUNNEL_NONE;
}

enum tunnel_type tunnel_udp_port_type(uint16_t port)
{
	switch (port) {
	case 4789:
		return TUNNEL_VXLAN;
	case 6081:
		return TUNNEL_GENEVE;
	case 4754:
		return TUNNEL_GRE;
	case 2152:
	case 2123:
		return TUNNEL_GTPV1;
	case 3544:
		return TUNNEL_TEREDO;
	case 5072:
		return TUNNEL_AYIYA;
	default:
		return TUNNEL_NONE;
	}
}

const char *tunnel_service_name(enum tunnel_type t)
{
	switch (t) {
	case TUNNEL_AYIYA:
		return "ayiya";
	case TUNNEL_TEREDO:
		return "teredo";
	case TUNNEL_GTPV1:
		return "gtpv1";
	case TUNNEL_VXLAN:
		return "vxlan";
	case TUNNEL_GENEVE:
		return "geneve";
	default:
		return "";
	}
}
