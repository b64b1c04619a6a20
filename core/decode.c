/*
 * Link layers, as Zeek's packet analyzers peel them. Each layer reads its
 * header through a cursor, records what conn.log may need (MACs, VLAN ids)
 * and hands the rest on by an identifier (ethertype, PPP protocol, AF...).
 * Like Zeek, every layer has its own dispatch table: an identifier the
 * layer does not know is "not IP", even when another layer would take it
 * (VN-Tag only leads to VLAN, PPPoE only to IP, and so on).
 */
#include <pcap/dlt.h>
#include <string.h>

#include "core/cursor.h"
#include "core/decode_int.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif

/* The layers that dispatch on an identifier, named after Zeek's analyzers. */
enum layer {
	LAYER_ETHERNET,
	LAYER_VLAN,
	LAYER_VNTAG,
	LAYER_PPP,	/* DLT_PPP, DLT_PPP_SERIAL */
	LAYER_PPPOE,
	LAYER_SLL,	/* Linux cooked v1 and v2, 802.11, SNAP: IP and ARP only */
	LAYER_NULL,
	LAYER_NFLOG,
};

struct link_walk {
	const struct decode_opts *opts;
	struct frag_table *frags;
	struct packet *pkt;
	const char **weird;
};

static enum decode_result drop(struct link_walk *w, const char *why)
{
	if (w->weird)
		*w->weird = why;
	return DECODE_DROP;
}

static enum decode_result to_ip(struct link_walk *w, struct cursor c)
{
	size_t link_len = (size_t)(c.p - w->pkt->data);
	return decode_ip(w->opts, w->frags, w->pkt, c.p, cur_left(&c), link_len, w->weird);
}

static void set_l2(struct packet *pkt, const uint8_t *dst, const uint8_t *src)
{
	pkt->has_l2_addr = true;
	if (dst)
		memcpy(pkt->l2_dst, dst, 6);
	else
		memset(pkt->l2_dst, 0, 6);	/* Zeek's L2_EMPTY_ADDR */
	memcpy(pkt->l2_src, src, 6);
}

/* Bytes at a position already known to be inside the cursor. */
static uint8_t byte_at(const struct cursor *c, size_t at)
{
	uint8_t v = 0;
	(void)cur_peek_u8(c, at, &v);
	return v;
}

static uint16_t be16_at(const struct cursor *c, size_t at)
{
	return (uint16_t)(byte_at(c, at) << 8 | byte_at(c, at + 1));
}

static enum decode_result ethernet(struct link_walk *w, struct cursor c);
static enum decode_result vlan(struct link_walk *w, struct cursor c);
static enum decode_result mpls(struct link_walk *w, struct cursor c);
static enum decode_result pppoe(struct link_walk *w, struct cursor c);
static enum decode_result pbb(struct link_walk *w, struct cursor c);
static enum decode_result vntag(struct link_walk *w, struct cursor c);
static enum decode_result snap(struct link_walk *w, struct cursor c);
static enum decode_result llc(struct link_walk *w, struct cursor c);

/* Zeek's ForwardPacket: the dispatch maps of scripts/base/packet-protocols. */
static enum decode_result forward(struct link_walk *w, enum layer from, uint32_t id,
				  struct cursor c)
{
	switch (from) {
	case LAYER_ETHERNET:
	case LAYER_VLAN:
		switch (id) {
		case 0x0800:
		case 0x86DD:
			return to_ip(w, c);
		case 0x8100:
			return vlan(w, c);
		case 0x88A8:
		case 0x9100:
			/* Only an Ethernet header leads to these two. */
			return from == LAYER_ETHERNET ? vlan(w, c) : DECODE_NOT_IP;
		case 0x8847:
			return mpls(w, c);
		case 0x88E7:
			return pbb(w, c);
		case 0x8864:
			return pppoe(w, c);
		case 0x8926:
			return vntag(w, c);
		default:
			return DECODE_NOT_IP;	/* ARP, LLDP, IPX... */
		}
	case LAYER_VNTAG:
		if (id == 0x8100 || id == 0x88A8 || id == 0x9100)
			return vlan(w, c);
		return DECODE_NOT_IP;
	case LAYER_PPP:
		if (id == 0x0021 || id == 0x0057)
			return to_ip(w, c);
		if (id == 0x0281)
			return mpls(w, c);
		return DECODE_NOT_IP;
	case LAYER_PPPOE:
		if (id == 0x0021 || id == 0x0057)
			return to_ip(w, c);
		return DECODE_NOT_IP;
	case LAYER_SLL:
		if (id == 0x0800 || id == 0x86DD)
			return to_ip(w, c);
		return DECODE_NOT_IP;
	case LAYER_NULL:
		/* AF_INET, then AF_INET6 as NetBSD/OpenBSD, FreeBSD and Darwin number it. */
		if (id == 2 || id == 24 || id == 28 || id == 30)
			return to_ip(w, c);
		return DECODE_NOT_IP;
	case LAYER_NFLOG:
		if (id == 2 || id == 10)	/* Linux AF_INET, AF_INET6 */
			return to_ip(w, c);
		return DECODE_NOT_IP;
	}
	return DECODE_NOT_IP;
}

/* 802.3 frame (length instead of ethertype): SNAP, Novell raw or LLC. */
static enum decode_result ieee802_3(struct link_walk *w, struct cursor c, uint16_t length,
				    const char *trunc)
{
	if (cur_left(&c) < 2)
		return drop(w, trunc);
	if (cur_left(&c) > length)
		c.end = c.p + length;	/* the length field trims the trailer */
	uint8_t a = byte_at(&c, 0), b = byte_at(&c, 1);
	if (a == 0xAA && b == 0xAA)
		return snap(w, c);
	if (a == 0xFF && b == 0xFF)
		return DECODE_NOT_IP;	/* Novell raw 802.3: IPX */
	return llc(w, c);
}

static enum decode_result llc(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) < 3)
		return drop(w, "truncated_llc_header");
	size_t hlen = (byte_at(&c, 2) & 0x03) == 0x03 ? 3 : 4;
	if (cur_left(&c) < hlen)
		return drop(w, "truncated_llc_header");
	return DECODE_NOT_IP;	/* Zeek dispatches plain LLC by DSAP to nothing */
}

static enum decode_result snap(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) < 3)
		return drop(w, "truncated_snap_llc_header");
	size_t hlen = (byte_at(&c, 2) & 0x03) == 0x03 ? 3 : 4;
	if (cur_left(&c) < hlen + 5)
		return drop(w, "truncated_snap_header");
	cur_skip(&c, hlen);
	uint32_t oui = (uint32_t)cur_u8(&c) << 16;
	oui |= cur_be16(&c);
	uint16_t type = cur_be16(&c);
	if (oui != 0)
		return DECODE_NOT_IP;
	return forward(w, LAYER_SLL, type, c);
}

static enum decode_result ethernet(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 16)
		return drop(w, "truncated_ethernet_frame");
	if (byte_at(&c, 12) == 0x89 && byte_at(&c, 13) == 0x03) {	/* Cisco FabricPath */
		if (cur_left(&c) <= 16 + 14)
			return drop(w, "truncated_link_header_cfp");
		cur_skip(&c, 16);
	}
	struct bytes macs = cur_take(&c, 12);
	set_l2(w->pkt, macs.p, macs.p + 6);
	uint16_t type = cur_be16(&c);
	if (type >= 1536)
		return forward(w, LAYER_ETHERNET, type, c);
	if (type <= 1500)
		return ieee802_3(w, c, type, "truncated_ethernet_frame");
	return drop(w, "undefined_ether_type");
}

static enum decode_result vlan(struct link_walk *w, struct cursor c)
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
		return forward(w, LAYER_VLAN, type, c);
	if (type <= 1500)
		return ieee802_3(w, c, type, "truncated_VLAN_header");
	return drop(w, "undefined_vlan_protocol");
}

/* The label stack says nothing about its payload: Zeek assumes IP. */
static enum decode_result mpls(struct link_walk *w, struct cursor c)
{
	for (;;) {
		if (cur_left(&c) <= 4)
			return drop(w, "truncated_link_header");
		bool bottom = byte_at(&c, 2) & 0x01;
		cur_skip(&c, 4);
		if (bottom)
			return to_ip(w, c);
	}
}

static enum decode_result pppoe(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 8)
		return drop(w, "truncated_pppoe_header");
	cur_skip(&c, 4);
	size_t payload = cur_be16(&c);
	uint16_t proto = cur_be16(&c);
	/* The length counts the 2-byte PPP protocol, which is already read. */
	payload = payload >= 2 ? payload - 2 : 0;
	if (payload < cur_left(&c))
		c.end = c.p + payload;
	return forward(w, LAYER_PPPOE, proto, c);
}

/* 802.1ah: B-DA, B-SA, B-TAG... I-TAG, then the customer's Ethernet frame. */
static enum decode_result pbb(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 18)
		return drop(w, "truncated_PBB_header");
	cur_skip(&c, 4);	/* the I-TAG's TCI and service id */
	return ethernet(w, c);
}

static enum decode_result vntag(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 6)
		return drop(w, "truncated_vntag_header");
	cur_skip(&c, 4);
	uint16_t type = cur_be16(&c);
	return forward(w, LAYER_VNTAG, type, c);
}

/* One 802.11 payload: LLC/SNAP with a zero OUI, then an ethertype. */
static enum decode_result ieee802_11_inner(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) < 8)
		return drop(w, "truncated_802_11_llc_header");
	static const uint8_t snap_hdr[6] = {0xAA, 0xAA, 0x03, 0, 0, 0};
	struct bytes h = cur_take(&c, 6);
	if (memcmp(h.p, snap_hdr, sizeof snap_hdr) != 0)
		return DECODE_NOT_IP;
	uint16_t type = cur_be16(&c);
	return forward(w, LAYER_SLL, type, c);
}

/*
 * One A-MSDU subframe (its 14-byte header, then LLC/SNAP): Zeek analyses
 * every subframe as a packet of its own, so what follows it is left in
 * pkt->amsdu_rest for the engine to decode next (decode_amsdu_next).
 */
static enum decode_result amsdu_subframe(struct link_walk *w, struct cursor c)
{
	w->pkt->amsdu_rest.n = 0;
	if (cur_left(&c) < 14)
		return drop(w, "truncated_802_11_amsdu_header");
	size_t sub = be16_at(&c, 12);
	if (cur_left(&c) < sub + 14)
		return drop(w, "truncated_802_11_amsdu_packet");
	cur_skip(&c, 14);
	struct cursor after = c;
	cur_skip(&after, sub);
	/* Subframes are padded to 4 bytes, except (so it may be missing) the last. */
	if (cur_left(&after) >= sub % 4)
		cur_skip(&after, sub % 4);
	w->pkt->amsdu_rest.p = after.p;
	w->pkt->amsdu_rest.n = cur_left(&after);
	c.end = c.p + sub;
	enum decode_result r = ieee802_11_inner(w, c);
	if (r == DECODE_NOT_IP)
		return drop(w, "invalid_802_11_amsdu_inner_packet");
	return r;
}

enum decode_result decode_amsdu_next(const struct decode_opts *opts, struct frag_table *frags,
				     struct packet *pkt, const char **weird)
{
	struct link_walk w = {opts, frags, pkt, weird};
	struct cursor c = cur_make(pkt->amsdu_rest.p, pkt->amsdu_rest.n);
	pkt->ip_version = 0;
	pkt->proto = 0;
	pkt->ip_len = pkt->ip_hdr_len = 0;
	pkt->ip_hdr = NULL;
	pkt->ip_reassembled = false;
	pkt->l4.p = NULL;
	pkt->l4.n = 0;
	pkt->l4_len = 0;
	return amsdu_subframe(&w, c);
}

static enum decode_result ieee802_11(struct link_walk *w, struct cursor c)
{
	size_t hdr = 24;
	if (cur_left(&c) <= hdr)
		return drop(w, "truncated_802_11_header");
	uint8_t fc = byte_at(&c, 0), flags = byte_at(&c, 1);
	if (!((fc >> 2) & 0x02) || ((fc >> 4) & 0x04))
		return DECODE_NOT_IP;	/* management/control, or a subtype without data */
	if ((flags & 0x03) == 0x03)
		hdr += 6;		/* To DS and From DS: a fourth address */
	if (cur_left(&c) <= hdr)
		return drop(w, "truncated_802_11_header");
	bool amsdu = false;
	if ((fc >> 4) & 0x08) {	/* QoS data */
		amsdu = (byte_at(&c, hdr) & 0x80) == 0x80;
		if (flags & 0x40)
			return DECODE_NOT_IP;	/* protected: encrypted payload */
		hdr += 2;
	}
	if (cur_left(&c) <= hdr)
		return drop(w, "truncated_802_11_header");
	/* SA and DA by the DS bits, as Zeek picks them. */
	const uint8_t *f = c.p;
	switch (flags & 0x03) {
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
	if (!amsdu)
		return ieee802_11_inner(w, c);
	return amsdu_subframe(w, c);
}

static enum decode_result radiotap(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 3)
		return drop(w, "truncated_radiotap_header");
	size_t len = (size_t)byte_at(&c, 3) << 8 | byte_at(&c, 2);
	if (len >= cur_left(&c))
		return drop(w, "truncated_radiotap_header");
	cur_skip(&c, len);
	return ieee802_11(w, c);
}

static enum decode_result null_loopback(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 4)
		return drop(w, "null_analyzer_failed");
	/* Zeek reads the family little-endian whatever the capture's host was. */
	uint32_t af = cur_le32(&c);
	return forward(w, LAYER_NULL, af, c);
}

static enum decode_result linux_sll(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 16)
		return drop(w, "truncated_Linux_SLL_header");
	cur_skip(&c, 6);	/* packet type, ARPHRD type, address length */
	struct bytes addr = cur_take(&c, 8);
	uint16_t type = cur_be16(&c);
	set_l2(w->pkt, NULL, addr.p);
	return forward(w, LAYER_SLL, type, c);
}

static enum decode_result linux_sll2(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 20)
		return drop(w, "truncated_Linux_SLL2_header");
	uint16_t type = cur_be16(&c);
	cur_skip(&c, 10);	/* reserved, interface, ARPHRD type, packet type, address length */
	struct bytes addr = cur_take(&c, 8);
	set_l2(w->pkt, NULL, addr.p);
	return forward(w, LAYER_SLL, type, c);
}

static enum decode_result ppp(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 2)
		return drop(w, "truncated_ppp_header");
	if (byte_at(&c, 0) == 0xff && byte_at(&c, 1) == 0x03) {	/* HDLC-like framing */
		if (cur_left(&c) <= 4)
			return drop(w, "truncated_ppp_hdlc_header");
		cur_skip(&c, 2);
	}
	uint16_t proto = cur_be16(&c);
	return forward(w, LAYER_PPP, proto, c);
}

static enum decode_result ppp_serial(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 4)
		return drop(w, "truncated_ppp_serial_header");
	cur_skip(&c, 2);	/* address and control */
	uint16_t proto = cur_be16(&c);
	return forward(w, LAYER_PPP, proto, c);
}

static enum decode_result fddi(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 13 + 8)
		return drop(w, "FDDI_analyzer_failed");
	cur_skip(&c, 13 + 8);	/* FDDI header and LLC/SNAP, payload taken as IP */
	return to_ip(w, c);
}

/* TLV lengths and types are in the reading host's order (libpcap swaps them). */
static uint16_t host16(struct cursor *c)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return cur_be16(c);
#else
	return cur_le16(c);
#endif
}

static enum decode_result nflog(struct link_walk *w, struct cursor c)
{
	if (cur_left(&c) <= 4)
		return drop(w, "truncated_nflog_header");
	uint8_t family = cur_u8(&c);
	if (cur_u8(&c) != 0)
		return drop(w, "unknown_nflog_version");
	cur_skip(&c, 2);	/* resource id */
	for (;;) {
		if (cur_left(&c) <= 4)
			return drop(w, "nflog_no_pcap_payload");
		uint16_t len = host16(&c);
		uint16_t type = host16(&c);
		if (type == 9)	/* NFULA_PAYLOAD: the packet follows */
			return forward(w, LAYER_NFLOG, family, c);
		if (len < 4)
			return drop(w, "nflog_bad_tlv_len");
		size_t skip = ((size_t)len + 3) & ~(size_t)3;	/* TLVs are 32-bit aligned */
		if (skip - 4 > cur_left(&c))
			return drop(w, "nflog_bad_tlv_len");
		cur_skip(&c, skip - 4);
	}
}

enum decode_result decode_packet(const struct decode_opts *opts, struct frag_table *frags,
				 struct packet *pkt, const char **weird)
{
	if (pkt->caplen == 0 || pkt->wirelen == 0) {
		if (weird)
			*weird = "empty_pcap_header";
		return DECODE_DROP;
	}
	struct link_walk w = {opts, frags, pkt, weird};
	struct cursor c = cur_make(pkt->data, pkt->caplen);
	switch (pkt->linktype) {
	case DLT_EN10MB:
		return ethernet(&w, c);
	case DLT_NULL:
		return null_loopback(&w, c);
	case DLT_PPP:
		return ppp(&w, c);
	case DLT_PPP_SERIAL:
		return ppp_serial(&w, c);
	case DLT_FDDI:
		return fddi(&w, c);
	case DLT_IEEE802_11:
		return ieee802_11(&w, c);
	case DLT_IEEE802_11_RADIO:
		return radiotap(&w, c);
	case DLT_LINUX_SLL:
		return linux_sll(&w, c);
	case DLT_LINUX_SLL2:
		return linux_sll2(&w, c);
	case DLT_NFLOG:
		return nflog(&w, c);
	default:
		/*
		 * Zeek's root analyzer takes any other link type as raw IP:
		 * DLT_RAW (12, 14 on OpenBSD), LINKTYPE_RAW (101), DLT_IPV4,
		 * DLT_IPV6. DLT_LOOP (108) has no analyzer in Zeek either, so
		 * its 4-byte family header is read as an IP header and the
		 * packet ends as unknown_ip_version, exactly as in Zeek.
		 */
		return to_ip(&w, c);
	}
}
