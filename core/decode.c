/*
 * Link layers, as Zeek's packet analyzers peel them: each step reads
 * through a cursor, records what conn.log may need (MACs, VLAN ids) and
 * hands the rest to the next layer, until an IP datagram is reached.
 */
#define _DEFAULT_SOURCE
#include <pcap/dlt.h>
#include <string.h>

#include "core/cursor.h"
#include "core/decode_int.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

/* What the next layer is, by Zeek's dispatch keys. */
enum next_layer {
	NEXT_NONE,	/* not IP: ARP, LLDP, management frames... */
	NEXT_IP,
	NEXT_ETHERNET,
	NEXT_ETHERTYPE,	/* an ethertype follows (value in *type) */
	NEXT_DROP,	/* truncated: weird set */
};

struct link_walk {
	struct packet *pkt;
	const uint8_t *frame;	/* start of the captured frame */
	const char **weird;
};

static enum decode_result drop(struct link_walk *w, const char *why)
{
	if (w->weird)
		*w->weird = why;
	return DECODE_DROP;
}

static enum decode_result by_ethertype(struct link_walk *w, uint32_t type, struct cursor c,
				       const struct decode_opts *opts, struct frag_table *frags);

static enum decode_result to_ip(struct link_walk *w, struct cursor c,
				const struct decode_opts *opts, struct frag_table *frags)
{
	size_t link_len = (size_t)(c.p - w->frame);
	return decode_ip(opts, frags, w->pkt, c.p, cur_left(&c), link_len, w->weird);
}

static void set_l2(struct packet *pkt, const uint8_t *dst, const uint8_t *src)
{
	pkt->has_l2_addr = true;
	memcpy(pkt->l2_dst, dst, 6);
	if (src)
		memcpy(pkt->l2_src, src, 6);
	else
		memset(pkt->l2_src, 0, 6);
}

/* 802.2 LLC with SNAP, after an 802.3 length field. */
static enum decode_result llc_frame(struct link_walk *w, struct cursor c, uint16_t length,
				    const struct decode_opts *opts, struct frag_table *frags)
{
	if (cur_left(&c) < 2)
		return drop(w, "truncated_ethernet_frame");
	if (cur_left(&c) > length)
		c.end = c.p + length;
	if (c.p[0] != 0xAA || c.p[1] != 0xAA)
		return DECODE_NOT_IP;	/* plain LLC and Novell carry no IP here */
	if (cur_left(&c) < 3)
		return drop(w, "truncated_snap_llc_header");
	size_t llc_len = (c.p[2] & 0x03) == 0x03 ? 3 : 4;
	if (cur_left(&c) < llc_len + 5)
		return drop(w, "truncated_snap_header");
	cur_skip(&c, llc_len);
	uint32_t oui = (uint32_t)cur_u8(&c) << 16;
	oui |= cur_be16(&c);
	uint16_t type = cur_be16(&c);
	if (oui != 0)
		return DECODE_NOT_IP;
	if (type == 0x0800 || type == 0x86DD)
		return to_ip(w, c, opts, frags);
	return DECODE_NOT_IP;
}

static enum decode_result ethernet(struct link_walk *w, struct cursor c,
				   const struct decode_opts *opts, struct frag_table *frags)
{
	if (cur_left(&c) <= 16)
		return drop(w, "truncated_ethernet_frame");
	if (c.p[12] == 0x89 && c.p[13] == 0x03) {	/* Cisco FabricPath */
		if (cur_left(&c) <= 16 + 14)
			return drop(w, "truncated_link_header_cfp");
		cur_skip(&c, 16);
	}
	set_l2(w->pkt, c.p, c.p + 6);
	cur_skip(&c, 12);
	uint16_t type = cur_be16(&c);
	if (type >= 1536)
		return by_ethertype(w, type, c, opts, frags);
	if (type <= 1500)
		return llc_frame(w, c, type, opts, frags);
	return drop(w, "undefined_ether_type");
}

static enum decode_result vlan(struct link_walk *w, struct cursor c,
			       const struct decode_opts *opts, struct frag_table *frags)
{
	if (cur_left(&c) <= 4)
		return drop(w, "truncated_VLAN_header");
	uint16_t tci = cur_be16(&c);
	uint16_t type = cur_be16(&c);
	if (w->pkt->vlan < 0)
		w->pkt->vlan = tci & 0xfff;
	else
		w->pkt->inner_vlan = tci & 0xfff;	/* a third tag overwrites, as in Zeek */
	if (type >= 1536)
		return by_ethertype(w, type, c, opts, frags);
	if (type <= 1500)
		return llc_frame(w, c, type, opts, frags);
	return drop(w, "undefined_vlan_protocol");
}

static enum decode_result mpls(struct link_walk *w, struct cursor c,
			       const struct decode_opts *opts, struct frag_table *frags)
{
	for (;;) {
		if (cur_left(&c) <= 4)
			return drop(w, "truncated_link_header");
		bool bottom = c.p[2] & 0x01;
		cur_skip(&c, 4);
		if (bottom)
			break;
	}
	return to_ip(w, c, opts, frags);
}

static enum decode_result ppp_protocol(struct link_walk *w, uint16_t proto, struct cursor c,
				       const struct decode_opts *opts, struct frag_table *frags)
{
	if (proto == 0x0021 || proto == 0x0057)
		return to_ip(w, c, opts, frags);
	if (proto == 0x0281)
		return mpls(w, c, opts, frags);
	return DECODE_NOT_IP;
}

static enum decode_result pppoe(struct link_walk *w, struct cursor c,
				const struct decode_opts *opts, struct frag_table *frags)
{
	size_t len = cur_left(&c);
	if (len <= 8)
		return drop(w, "truncated_pppoe_header");
	size_t payload = (size_t)c.p[4] << 8 | c.p[5];
	uint16_t proto = (uint16_t)(c.p[6] << 8 | c.p[7]);
	payload = payload >= 2 ? payload - 2 : 0;
	cur_skip(&c, 8);
	if (payload < cur_left(&c))
		c.end = c.p + payload;
	return ppp_protocol(w, proto, c, opts, frags);
}

static enum decode_result by_ethertype(struct link_walk *w, uint32_t type, struct cursor c,
				       const struct decode_opts *opts, struct frag_table *frags)
{
	switch (type) {
	case 0x0800:
	case 0x86DD:
		return to_ip(w, c, opts, frags);
	case 0x8100:
	case 0x88A8:
	case 0x9100:
		return vlan(w, c, opts, frags);
	case 0x8847:
	case 0x8848:
		return mpls(w, c, opts, frags);
	case 0x8864:
		return pppoe(w, c, opts, frags);
	case 0x88E7:	/* 802.1ah PBB: the customer frame follows the I-TAG */
		if (cur_left(&c) <= 18)
			return drop(w, "truncated_PBB_header");
		cur_skip(&c, 4);
		return ethernet(w, c, opts, frags);
	case 0x8926:	/* VN-Tag */
		if (cur_left(&c) <= 6)
			return drop(w, "truncated_vntag_header");
		cur_skip(&c, 4);
		return by_ethertype(w, cur_be16(&c), c, opts, frags);
	default:
		return DECODE_NOT_IP;
	}
}

static enum decode_result ieee802_11(struct link_walk *w, struct cursor c,
				     const struct decode_opts *opts, struct frag_table *frags)
{
	size_t len = cur_left(&c), hdr = 24;
	if (len <= hdr)
		return drop(w, "truncated_802_11_header");
	const uint8_t *f = c.p;
	uint8_t fc = f[0];
	if (!((fc >> 2) & 0x02) || ((fc >> 4) & 0x04))
		return DECODE_NOT_IP;	/* not a data frame, or no data in it */
	if ((f[1] & 0x03) == 0x03)
		hdr += 6;
	if (len <= hdr)
		return drop(w, "truncated_802_11_header");
	bool amsdu = false;
	if ((fc >> 4) & 0x08) {	/* QoS data */
		amsdu = (f[hdr] & 0x80) == 0x80;
		if (f[1] & 0x40)
			return DECODE_NOT_IP;	/* protected */
		hdr += 2;
	}
	if (len <= hdr)
		return drop(w, "truncated_802_11_header");
	switch (f[1] & 0x03) {
	case 0x00:
		set_l2(w->pkt, f + 4, f + 10);
		break;
	case 0x01:
		set_l2(w->pkt, f + 16, f + 10);
		break;
	case 0x02:
		set_l2(w->pkt, f + 4, f + 16);
		break;
	default:
		set_l2(w->pkt, f + 16, f + 24);
	}
	cur_skip(&c, hdr);
	if (amsdu) {
		/* Only the first subframe is analysed: one frame is one packet. */
		if (cur_left(&c) < 14)
			return drop(w, "truncated_802_11_amsdu_header");
		size_t sub = (size_t)c.p[12] << 8 | c.p[13];
		cur_skip(&c, 14);
		if (cur_left(&c) < sub)
			return drop(w, "truncated_802_11_amsdu_packet");
		c.end = c.p + sub;
	}
	if (cur_left(&c) < 8)
		return drop(w, "truncated_802_11_llc_header");
	static const uint8_t snap[6] = {0xAA, 0xAA, 0x03, 0, 0, 0};
	if (memcmp(c.p, snap, 6) != 0)
		return DECODE_NOT_IP;
	cur_skip(&c, 6);
	return by_ethertype(w, cur_be16(&c), c, opts, frags);
}

enum decode_result decode_packet(const struct decode_opts *opts, struct frag_table *frags,
				 struct packet *pkt, const char **weird)
{
	if (pkt->caplen == 0 || pkt->wirelen == 0) {
		if (weird)
			*weird = "empty_pcap_header";
		return DECODE_DROP;
	}
	struct link_walk w = {pkt, pkt->data, weird};
	struct cursor c = cur_make(pkt->data, pkt->caplen);
	switch (pkt->linktype) {
	case DLT_EN10MB:
		return ethernet(&w, c, opts, frags);
	case DLT_NULL:
	case DLT_LOOP: {
		if (cur_left(&c) <= 4)
			return drop(&w, "null_analyzer_failed");
		/* libpcap already brought DLT_NULL's host-order family into
		 * our order; Zeek reads it little-endian, so do we. */
		uint32_t af = pkt->linktype == DLT_LOOP ? cur_be32(&c) : cur_le32(&c);
		if (af == 2 || af == 24 || af == 28 || af == 30)
			return to_ip(&w, c, opts, frags);
		return DECODE_NOT_IP;
	}
	case DLT_RAW:
	case 14:	/* DLT_RAW as OpenBSD numbers it */
	case DLT_IPV4:
	case DLT_IPV6:
		return to_ip(&w, c, opts, frags);
	case DLT_LINUX_SLL: {
		if (cur_left(&c) <= 16)
			return drop(&w, "truncated_Linux_SLL_header");
		set_l2(pkt, (const uint8_t[6]){0}, c.p + 6);
		cur_skip(&c, 14);
		return by_ethertype(&w, cur_be16(&c), c, opts, frags);
	}
	case DLT_LINUX_SLL2: {
		if (cur_left(&c) <= 20)
			return drop(&w, "truncated_Linux_SLL2_header");
		uint16_t type = (uint16_t)(c.p[0] << 8 | c.p[1]);
		set_l2(pkt, (const uint8_t[6]){0}, c.p + 12);
		cur_skip(&c, 20);
		return by_ethertype(&w, type, c, opts, frags);
	}
	case DLT_PPP: {
		if (cur_left(&c) <= 2)
			return drop(&w, "truncated_ppp_header");
		if (c.p[0] == 0xff && c.p[1] == 0x03) {
			if (cur_left(&c) <= 4)
				return drop(&w, "truncated_ppp_hdlc_header");
			cur_skip(&c, 2);
		}
		uint16_t proto = cur_be16(&c);
		return ppp_protocol(&w, proto, c, opts, frags);
	}
	case DLT_PPP_SERIAL: {
		if (cur_left(&c) <= 4)
			return drop(&w, "truncated_ppp_serial_header");
		cur_skip(&c, 2);
		uint16_t proto = cur_be16(&c);
		return ppp_protocol(&w, proto, c, opts, frags);
	}
	case DLT_IEEE802_11:
		return ieee802_11(&w, c, opts, frags);
	case DLT_IEEE802_11_RADIO: {
		if (cur_left(&c) <= 3)
			return drop(&w, "truncated_radiotap_header");
		size_t rt = (size_t)c.p[3] << 8 | c.p[2];
		if (rt >= cur_left(&c))
			return drop(&w, "truncated_radiotap_header");
		cur_skip(&c, rt);
		return ieee802_11(&w, c, opts, frags);
	}
	default:
		return drop(&w, "unknown_link_type");
	}
}
