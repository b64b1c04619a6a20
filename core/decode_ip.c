/*
 * IPv4 and IPv6, with Zeek's drop rules (core spec 7.4, 7.5): what is too
 * short, lies about its lengths or fails its checksum never reaches
 * connection tracking; a snaplen-cut payload does.
 */
#include <string.h>

#include "core/cursor.h"
#include "core/decode_int.h"

static enum decode_result drop(const char **weird, const char *why)
{
	if (weird)
		*weird = why;
	return DECODE_DROP;
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

/* Walks IPv6 extension headers. On return *proto is the last next-header,
 * *hdr_len the bytes up to the transport header. A fragment header fills
 * *frag (and *frag_at, its offset) instead of being skipped silently. */
struct v6_walk {
	uint8_t proto;
	size_t hdr_len;
	bool fragment;
	size_t frag_at;		/* offset of the fragment header */
	size_t prev_next_at;	/* offset of the next-header byte naming the fragment header */
	uint32_t frag_off;
	bool frag_more;
	uint32_t frag_id;
	bool routed;
	struct sl_addr final_dst;
};

static bool walk_v6(const uint8_t *ip, size_t cap, struct v6_walk *v)
{
	struct cursor c = cur_make(ip, cap);
	cur_skip(&c, 6);
	v->proto = cur_u8(&c);
	cur_skip(&c, 33);
	size_t next_at = 6;
	for (;;) {
		size_t at = (size_t)(c.p - ip);
		switch (v->proto) {
		case 0:	  /* hop-by-hop */
		case 60:  /* destination options */
		case 43:  /* routing */
		case 135: /* mobility */
		case 51: { /* AH */
			uint8_t next = cur_u8(&c);
			uint8_t hl = cur_u8(&c);
			size_t len = v->proto == 51 ? ((size_t)hl + 2) * 4 : ((size_t)hl + 1) * 8;
			if (c.err || cur_left(&c) + 2 < len)
				return false;
			/* Routing type 0 with segments left: Zeek takes the final
			 * destination as the connection's responder. */
			if (v->proto == 43 && hl >= 2 && c.p[0] == 0 && c.p[1] > 0) {
				memcpy(v->final_dst.b, ip + at + len - 16, 16);
				v->routed = true;
			}
			cur_skip(&c, len - 2);
			next_at = at;
			v->proto = next;
			break;
		}
		case 44: { /* fragment */
			uint8_t next = cur_u8(&c);
			cur_skip(&c, 1);
			uint16_t off = cur_be16(&c);
			uint32_t id = cur_be32(&c);
			if (c.err)
				return false;
			v->fragment = true;
			v->frag_at = at;
			v->prev_next_at = next_at;
			v->frag_off = (uint32_t)(off & 0xfff8);
			v->frag_more = off & 1;
			v->frag_id = id;
			v->proto = next;
			v->hdr_len = (size_t)(c.p - ip);
			return true;	/* what follows is fragment payload */
		}
		default:
			v->hdr_len = at;
			return true;
		}
	}
}

static enum decode_result finish(struct packet *pkt, const uint8_t *ip, size_t cap,
				 size_t hdr_len, uint32_t total_len, uint8_t proto,
				 const char **weird)
{
	if (total_len < hdr_len)
		return drop(weird, "bogus_IP_header_lengths");
	pkt->ip_hdr = ip;
	pkt->ip_hdr_len = (uint32_t)hdr_len;
	pkt->ip_len = total_len;
	pkt->proto = proto;
	size_t avail = cap - hdr_len;
	size_t payload = total_len - hdr_len;
	pkt->l4.p = ip + hdr_len;
	pkt->l4.n = avail < payload ? avail : payload;
	pkt->l4_len = (uint32_t)payload;
	if (proto == 50)
		return DECODE_NOT_IP;	/* ESP: Zeek makes no connection */
	if (proto == 135)
		return DECODE_NOT_IP;	/* mobility header message */
	if (proto == 59)
		return drop(weird, "ipv6_no_next");
	return DECODE_OK;
}

static enum decode_result decode_v4(const struct decode_opts *opts, struct frag_table *frags,
				    struct packet *pkt, const uint8_t *ip, size_t cap,
				    size_t link_len, bool reassembled, const char **weird)
{
	uint32_t total = (uint32_t)ip[2] << 8 | ip[3];
	size_t hdr_len = (size_t)(ip[0] & 0x0f) * 4;
	if (total == 0) {
		if (weird)
			*weird = "ip_hdr_len_zero";
		if (!opts->ignore_checksums)
			return DECODE_DROP;
		total = (uint32_t)cap;
	}
	if (!reassembled && pkt->wirelen < total + link_len)
		return drop(weird, "truncated_IP_len");
	if (hdr_len > total)
		return drop(weird, "invalid_IP_header_size");
	if (hdr_len > cap)
		return drop(weird, "internally_truncated_header");
	if (hdr_len < 20)
		return drop(weird, "IPv4_min_header_size");
	pkt->ip_version = 4;
	pkt->src = sl_addr_from_v4(ip + 12);
	pkt->dst = sl_addr_from_v4(ip + 16);
	if (!reassembled && !checksum_ignored(opts, &pkt->src) &&
	    cksum_fold(cksum_add(0, ip, hdr_len)) != 0xffff)
		return drop(weird, "bad_IP_checksum");

	uint16_t frag = (uint16_t)(ip[6] << 8 | ip[7]);
	bool more = frag & 0x2000;
	uint32_t offset = (uint32_t)(frag & 0x1fff) * 8;
	if (!reassembled && (more || offset)) {
		if (cap < total) {
			if (weird)
				*weird = "incompletely_captured_fragment";
			if (offset != 0)
				return DECODE_DROP;
		} else {
			struct frag_info fi = {
				.version = 4,
				.hdr = ip,
				.hdr_len = hdr_len,
				.id = (uint32_t)(ip[4] << 8 | ip[5]) | (uint32_t)ip[9] << 16,
				.offset = offset,
				.more = more,
				.data = ip + hdr_len,
				.len = total - hdr_len,
			};
			size_t n = 0;
			const uint8_t *whole = frag_add(frags, pkt->ts, &pkt->src, &pkt->dst, &fi, &n, weird);
			if (!whole)
				return DECODE_PENDING;
			pkt->ip_reassembled = true;
			return decode_v4(opts, frags, pkt, whole, n, 0, true, weird);
		}
	}
	if (cap > total)
		cap = total;	/* Ethernet padding is not payload */
	return finish(pkt, ip, cap, hdr_len, total, ip[9], weird);
}

static enum decode_result decode_v6(const struct decode_opts *opts, struct frag_table *frags,
				    struct packet *pkt, const uint8_t *ip, size_t cap,
				    size_t link_len, bool reassembled, const char **weird)
{
	if (cap < 40)
		return drop(weird, "truncated_IP");
	uint32_t total = ((uint32_t)ip[4] << 8 | ip[5]) + 40;
	if (!reassembled && pkt->wirelen < total + link_len)
		return drop(weird, "truncated_IP_len");
	struct v6_walk v;
	memset(&v, 0, sizeof v);
	if (!walk_v6(ip, cap < total ? cap : total, &v))
		return drop(weird, "internally_truncated_header");
	pkt->ip_version = 6;
	pkt->src = sl_addr_from_v6(ip + 8);
	pkt->dst = v.routed ? v.final_dst : sl_addr_from_v6(ip + 24);
	if (v.fragment && !reassembled) {
		if (cap < total) {
			if (weird)
				*weird = "incompletely_captured_fragment";
			if (v.frag_off != 0)
				return DECODE_DROP;
		} else {
			struct frag_info fi = {
				.version = 6,
				.hdr = ip,
				.hdr_len = v.frag_at,
				.next_hdr_at = v.prev_next_at,
				.next_proto = v.proto,
				.id = v.frag_id,
				.offset = v.frag_off,
				.more = v.frag_more,
				.data = ip + v.hdr_len,
				.len = total - v.hdr_len,
			};
			size_t n = 0;
			const uint8_t *whole = frag_add(frags, pkt->ts, &pkt->src, &pkt->dst, &fi, &n, weird);
			if (!whole)
				return DECODE_PENDING;
			pkt->ip_reassembled = true;
			return decode_v6(opts, frags, pkt, whole, n, 0, true, weird);
		}
	}
	if (cap > total)
		cap = total;
	return finish(pkt, ip, cap, v.hdr_len, total, v.proto, weird);
}

enum decode_result decode_ip(const struct decode_opts *opts, struct frag_table *frags,
			     struct packet *pkt, const uint8_t *ip, size_t cap,
			     size_t link_len, const char **weird)
{
	if (cap < 20)
		return drop(weird, "truncated_IP");
	switch (ip[0] >> 4) {
	case 4:
		return decode_v4(opts, frags, pkt, ip, cap, link_len, false, weird);
	case 6:
		return decode_v6(opts, frags, pkt, ip, cap, link_len, false, weird);
	default:
		return drop(weird, "unknown_ip_version");
	}
}
