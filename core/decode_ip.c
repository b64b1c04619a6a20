/*
 * IPv4 and IPv6, with Zeek's drop rules (core spec 7.4, 7.5): what is too
 * short, lies about its lengths or fails its header checksum never reaches
 * connection tracking; a snaplen-cut payload does, because Zeek checks the
 * lengths against the wire length.
 */
#include <string.h>

#include "core/cursor.h"
#include "core/decode_int.h"

#define IP6_HDR_LEN 40

enum {
	PROTO_HOPOPTS = 0,
	PROTO_ROUTING = 43,
	PROTO_FRAGMENT = 44,
	PROTO_ESP = 50,
	PROTO_AH = 51,
	PROTO_NONE = 59,
	PROTO_DSTOPTS = 60,
	PROTO_MOBILITY = 135,
};

static enum decode_result drop(const char **weird, const char *why)
{
	if (weird)
		*weird = why;
	return DECODE_DROP;
}

static void note(const char **weird, const char *why)
{
	if (weird)
		*weird = why;
}

static bool checksum_ignored(const struct decode_opts *o, const struct sl_addr *src)
{
	if (o->ignore_checksums)
		return true;
	for (size_t i = 0; i < o->n_ignore_nets; i++)
		if (sl_subnet_contains(&o->ignore_nets[i], src))
			return true;
	return false;
}

/*
 * Fills the network fields from a header of hdr_len bytes, given the
 * length the header claims (`total`, 0 when an offloading NIC left the
 * IPv4 length at 0) and what is captured after the link layer (`cap`).
 */
static enum decode_result finish(struct packet *pkt, const uint8_t *ip, size_t cap,
				 size_t hdr_len, uint32_t total, uint8_t proto,
				 const char **weird)
{
	pkt->ip_hdr = ip;
	pkt->ip_hdr_len = (uint32_t)hdr_len;
	pkt->ip_len = total;
	pkt->proto = proto;
	/* Zeek: the captured rest, clamped to the payload length unless that
	 * is 0 (then Ethernet padding stays, as it does in Zeek). */
	uint32_t payload = total > hdr_len ? total - (uint32_t)hdr_len : 0;
	size_t avail = cap - hdr_len;
	pkt->l4.p = ip + hdr_len;
	pkt->l4.n = payload && avail > payload ? payload : avail;
	pkt->l4_len = payload;
	if (proto == PROTO_NONE)
		return drop(weird, "ipv6_no_next");
	return DECODE_OK;
}

/* ---- IPv6 extension header chain (Zeek's IPv6_Hdr_Chain) ---- */

struct v6_chain {
	size_t len;		/* bytes of all headers in the chain */
	uint8_t last;		/* type of the last header in the chain */
	uint8_t next;		/* its next-header value: the transport protocol */
	size_t frag_at;		/* offset of the fragment header, when last is one */
	size_t next_at;		/* offset of the next-header byte naming that fragment header */
	bool has_home;		/* destination option 201: the real source */
	bool has_final;		/* routing header with segments left: the real destination */
	uint8_t home[16];
	uint8_t final[16];
};

static bool is_ext_header(uint8_t t)
{
	switch (t) {
	case PROTO_HOPOPTS:
	case PROTO_ROUTING:
	case PROTO_DSTOPTS:
	case PROTO_FRAGMENT:
	case PROTO_AH:
	case PROTO_ESP:
	case PROTO_MOBILITY:
		return true;
	default:
		return false;
	}
}

static void routing_header(struct v6_chain *ch, struct cursor h)
{
	if (ch->has_final)
		return;		/* only the first one counts ("multiple_routing_headers") */
	size_t len = cur_left(&h);
	cur_skip(&h, 1);
	uint8_t units = cur_u8(&h);
	uint8_t type = cur_u8(&h);
	uint8_t segleft = cur_u8(&h);
	bool take = false;
	if (type == 0)
		take = segleft > 0 && units >= 2 && units % 2 == 0;
	else if (type == 2)
		take = segleft > 0 && units == 2;
	if (!take || len < 16 + 4)
		return;
	/* The last address of the header is where the packet is going. */
	cur_skip(&h, len - 16 - 4);
	struct bytes a = cur_take(&h, 16);
	if (!h.err) {
		memcpy(ch->final, a.p, 16);
		ch->has_final = true;
	}
}

static void destination_options(struct v6_chain *ch, struct cursor h)
{
	cur_skip(&h, 2);
	while (cur_left(&h) > 0) {
		uint8_t type = cur_u8(&h);
		if (type == 0)
			continue;	/* Pad1 */
		uint8_t olen;
		if (!cur_peek_u8(&h, 0, &olen) || cur_left(&h) < 1 + (size_t)olen)
			return;		/* "bad_ipv6_dest_opt_len" */
		cur_skip(&h, 1);
		struct bytes v = cur_take(&h, olen);
		if (type == 201 && olen == 16 && !ch->has_home) {	/* Home Address */
			memcpy(ch->home, v.p, 16);
			ch->has_home = true;
		}
	}
}

/*
 * Walks the chain over the `cap` captured bytes. As in Zeek, a header that
 * is not all there ends the chain without being part of it; its type then
 * stands as the transport protocol.
 */
static void walk_v6(const uint8_t *ip, size_t cap, struct v6_chain *ch)
{
	memset(ch, 0, sizeof *ch);
	struct cursor c = cur_make(ip, cap);
	uint8_t type = 41;	/* the IPv6 header itself comes first */
	size_t prev_next_at = 0;
	for (;;) {
		size_t at = (size_t)(c.p - ip);
		uint8_t b0 = 0, b1 = 0, next = 0;
		if (!cur_peek_u8(&c, 1, &b1))
			return;	/* not even a length byte */
		(void)cur_peek_u8(&c, 0, &b0);
		size_t hlen, next_at = at;
		switch (type) {
		case 41:
			(void)cur_peek_u8(&c, 6, &next);
			hlen = IP6_HDR_LEN;
			next_at = at + 6;
			break;
		case PROTO_FRAGMENT:
			next = b0;
			hlen = 8;
			break;
		case PROTO_AH:
			next = b0;
			hlen = 8 + 4 * (size_t)b1;
			break;
		case PROTO_ESP:
			next = PROTO_NONE;
			hlen = 8;	/* the encrypted payload begins here */
			break;
		default:	/* hop-by-hop, routing, destination options, mobility */
			next = b0;
			hlen = 8 + 8 * (size_t)b1;
			break;
		}
		if (hlen > cur_left(&c))
			return;
		struct cursor h = cur_make(c.p, hlen);
		if (type == PROTO_ROUTING)
			routing_header(ch, h);
		else if (type == PROTO_DSTOPTS)
			destination_options(ch, h);
		else if (type == PROTO_FRAGMENT) {
			ch->frag_at = at;
			ch->next_at = prev_next_at;
		}
		prev_next_at = next_at;
		cur_skip(&c, hlen);
		ch->len = (size_t)(c.p - ip);
		ch->last = type;
		ch->next = next;
		if (type == PROTO_FRAGMENT || type == PROTO_ESP || type == PROTO_MOBILITY ||
		    !is_ext_header(next))
			return;
		type = next;
	}
}

/* ---- IPv4 ---- */

static enum decode_result decode_v4(const struct decode_opts *opts, struct frag_table *frags,
				    struct packet *pkt, const uint8_t *ip, size_t cap,
				    size_t link_len, const char **weird)
{
	struct cursor c = cur_make(ip, cap);
	size_t hdr_len = (size_t)(cur_u8(&c) & 0x0f) * 4;
	cur_skip(&c, 1);
	uint32_t total_field = cur_be16(&c);
	uint32_t id = cur_be16(&c);
	uint16_t frag = cur_be16(&c);
	cur_skip(&c, 1);
	uint8_t proto = cur_u8(&c);
	cur_skip(&c, 2);
	struct bytes src = cur_take(&c, 4);
	struct bytes dst = cur_take(&c, 4);
	if (c.err)
		return drop(weird, "truncated_IP");

	uint32_t total = total_field;
	if (total == 0) {
		/* Segmentation offload zeroes the length; -C copes with it. */
		note(weird, "ip_hdr_len_zero");
		if (!opts->ignore_checksums)
			return DECODE_DROP;
		total = (uint32_t)(pkt->caplen - link_len);
	}
	if ((uint64_t)pkt->wirelen < (uint64_t)total + link_len)
		return drop(weird, "truncated_IP_len");
	if (hdr_len > total)
		return drop(weird, "invalid_IP_header_size");
	if (hdr_len > cap)
		return drop(weird, "internally_truncated_header");
	if (hdr_len < 20)
		return drop(weird, "IPv4_min_header_size");
	pkt->ip_version = 4;
	pkt->src = sl_addr_from_v4(src.p);
	pkt->hdr_src = pkt->src;
	pkt->dst = sl_addr_from_v4(dst.p);
	if (!checksum_ignored(opts, &pkt->src) && cksum_fold(cksum_add(0, ip, hdr_len)) != 0xffff)
		return drop(weird, "bad_IP_checksum");

	if (frag & 0x3fff) {
		uint32_t offset = (uint32_t)(frag & 0x1fff) * 8;
		if (cap < total) {
			/* Reassembly is doomed; Zeek keeps only a first fragment,
			 * useful in header-only traces. */
			note(weird, "incompletely_captured_fragment");
			if (offset != 0)
				return DECODE_DROP;
		} else {
			struct frag_info fi = {
				.version = 4,
				.hdr = ip,
				.hdr_len = hdr_len,
				.proto = proto,
				.id = id,
				.offset = offset,
				.more = frag & 0x2000,
				.dont_fragment = frag & 0x4000,
				.data = ip + hdr_len,
				.len = total_field > hdr_len ? total_field - hdr_len : 0,
			};
			if (total_field < hdr_len) {
				note(weird, "fragment_protocol_inconsistency");
				return DECODE_PENDING;
			}
			size_t n = 0;
			const uint8_t *whole =
				frag_add(frags, pkt->ts, &pkt->src, &pkt->dst, &fi, &n, weird);
			if (!whole)
				return DECODE_PENDING;
			/* The first fragment's header, its length made the whole's. */
			struct cursor r = cur_make(whole, n);
			size_t rhdr = (size_t)(cur_u8(&r) & 0x0f) * 4;
			cur_skip(&r, 1);
			uint32_t rtotal = cur_be16(&r);
			cur_skip(&r, 5);
			uint8_t rproto = cur_u8(&r);
			if (r.err || rhdr > rtotal || rhdr > n)
				return drop(weird, "invalid_IP_header_size");
			pkt->ip_reassembled = true;
			return finish(pkt, whole, n < rtotal ? n : rtotal, rhdr, rtotal, rproto, weird);
		}
	}
	return finish(pkt, ip, cap, hdr_len, total_field, proto, weird);
}

/* ---- IPv6 ---- */

static enum decode_result v6_payload(struct packet *pkt, const uint8_t *ip, size_t cap,
				     const struct v6_chain *ch, uint32_t total, const char **weird)
{
	if (ch->last == PROTO_ESP)
		return DECODE_NOT_IP;	/* encrypted: Zeek makes no connection */
	if (ch->last == PROTO_MOBILITY)
		return DECODE_NOT_IP;	/* a Mobile IPv6 message, no transport */
	if (total < ch->len)
		return drop(weird, "bogus_IP_header_lengths");
	return finish(pkt, ip, cap, ch->len, total, ch->next, weird);
}

static void v6_addrs(struct packet *pkt, const uint8_t *ip, const struct v6_chain *ch)
{
	struct cursor c = cur_make(ip, IP6_HDR_LEN);
	cur_skip(&c, 8);
	struct bytes src = cur_take(&c, 16);
	struct bytes dst = cur_take(&c, 16);
	pkt->ip_version = 6;
	pkt->src = sl_addr_from_v6(ch->has_home ? ch->home : src.p);
	pkt->hdr_src = sl_addr_from_v6(src.p);
	pkt->dst = sl_addr_from_v6(ch->has_final ? ch->final : dst.p);
}

static enum decode_result decode_v6(struct frag_table *frags, struct packet *pkt,
				    const uint8_t *ip, size_t cap, size_t link_len,
				    const char **weird)
{
	if (cap < IP6_HDR_LEN)
		return drop(weird, "truncated_IP");
	struct cursor c = cur_make(ip, cap);
	cur_skip(&c, 4);
	uint32_t total = (uint32_t)cur_be16(&c) + IP6_HDR_LEN;
	if ((uint64_t)pkt->wirelen < (uint64_t)total + link_len)
		return drop(weird, "truncated_IP_len");
	struct v6_chain ch;
	walk_v6(ip, cap, &ch);
	if (ch.len > total)
		return drop(weird, "invalid_IP_header_size");
	v6_addrs(pkt, ip, &ch);

	if (ch.last == PROTO_FRAGMENT) {
		struct cursor f = cur_make(ip + ch.frag_at, 8);
		uint8_t next = cur_u8(&f);
		cur_skip(&f, 1);
		uint16_t offlg = cur_be16(&f);
		uint32_t id = cur_be32(&f);
		uint32_t offset = offlg & 0xfff8;
		if (cap < total) {
			note(weird, "incompletely_captured_fragment");
			if (offset != 0)
				return DECODE_DROP;
			return v6_payload(pkt, ip, cap, &ch, total, weird);
		}
		struct frag_info fi = {
			.version = 6,
			.hdr = ip,
			.hdr_len = ch.frag_at,
			.next_hdr_at = ch.next_at,
			.proto = next,
			.id = id,
			.offset = offset,
			.more = offlg & 1,
			.data = ip + ch.len,
			.len = total - ch.len,
		};
		size_t n = 0;
		const uint8_t *whole = frag_add(frags, pkt->ts, &pkt->src, &pkt->dst, &fi, &n, weird);
		if (!whole)
			return DECODE_PENDING;
		/* The table wrote the payload length and the next-header byte:
		 * the chain now runs on into the reassembled payload. */
		struct cursor r = cur_make(whole, n);
		cur_skip(&r, 4);
		uint32_t rtotal = (uint32_t)cur_be16(&r) + IP6_HDR_LEN;
		if (r.err || n < IP6_HDR_LEN)
			return drop(weird, "truncated_IP");
		size_t rcap = n < rtotal ? n : rtotal;
		walk_v6(whole, rcap, &ch);
		if (ch.len > rtotal)
			return drop(weird, "invalid_IP_header_size");
		v6_addrs(pkt, whole, &ch);
		pkt->ip_reassembled = true;
		if (ch.last == PROTO_FRAGMENT)
			return drop(weird, "fragment_protocol_inconsistency");	/* nested */
		return v6_payload(pkt, whole, rcap, &ch, rtotal, weird);
	}
	return v6_payload(pkt, ip, cap, &ch, total, weird);
}

enum decode_result decode_ip(const struct decode_opts *opts, struct frag_table *frags,
			     struct packet *pkt, const uint8_t *ip, size_t cap,
			     size_t link_len, const char **weird)
{
	struct cursor c = cur_make(ip, cap);
	if (cap < 20)
		return drop(weird, "truncated_IP");
	switch (cur_u8(&c) >> 4) {
	case 4:
		return decode_v4(opts, frags, pkt, ip, cap, link_len, weird);
	case 6:
		return decode_v6(frags, pkt, ip, cap, link_len, weird);
	default:
		return drop(weird, "unknown_ip_version");
	}
}
