/* Transport headers and checksums. */
#include <string.h>

#include "core/cursor.h"
#include "core/decode_int.h"

uint64_t cksum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	/* Sum 32-bit big-endian words into 64 bits: carries fold later. */
	while (n >= 4) {
		sum += (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		n -= 2;
	}
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t cksum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

bool l4_ports(const struct packet *pkt, uint16_t *sport, uint16_t *dport)
{
	struct cursor c = cur_make(pkt->l4.p, pkt->l4.n);
	*sport = cur_be16(&c);
	*dport = cur_be16(&c);
	return !c.err;
}

enum l4_result tcp_parse(const struct packet *pkt, struct tcp_header *out)
{
	memset(out, 0, sizeof *out);
	out->wscale = -1;
	struct cursor c = cur_make(pkt->l4.p, pkt->l4.n);
	out->sport = cur_be16(&c);
	out->dport = cur_be16(&c);
	out->seq = cur_be32(&c);
	out->ack = cur_be32(&c);
	uint8_t off = cur_u8(&c);
	out->flags = cur_u8(&c);
	out->window = cur_be16(&c);
	cur_skip(&c, 4);
	if (c.err)
		return L4_TRUNCATED;
	out->hdr_len = (uint8_t)((off >> 4) * 4);
	if (out->hdr_len < 20)
		return L4_BAD_HEADER_LEN;
	if (out->hdr_len > pkt->l4_len || out->hdr_len > pkt->l4.n)
		return L4_TRUNCATED;
	/* Options: only the window scale matters here (Zeek's SYN parsing). */
	struct cursor o = cur_make(pkt->l4.p + 20, (size_t)out->hdr_len - 20);
	while (cur_left(&o) > 0) {
		uint8_t kind = cur_u8(&o);
		if (kind == 0)
			break;
		if (kind == 1)
			continue;
		if (cur_left(&o) < 1)
			break;
		uint8_t len = o.p[0];
		if (len == 0 || (size_t)len - 1 > cur_left(&o))
			break;
		if (kind == 3 && len >= 3)
			out->wscale = o.p[1];
		cur_skip(&o, (size_t)len - 1);
	}
	out->payload_len = pkt->l4_len - out->hdr_len;
	out->payload.p = pkt->l4.p + out->hdr_len;
	out->payload.n = pkt->l4.n - out->hdr_len;
	if (out->payload.n > out->payload_len)
		out->payload.n = out->payload_len;
	return L4_OK;
}

enum l4_result udp_parse(const struct packet *pkt, struct udp_header *out)
{
	struct cursor c = cur_make(pkt->l4.p, pkt->l4.n);
	out->sport = cur_be16(&c);
	out->dport = cur_be16(&c);
	out->length = cur_be16(&c);
	out->checksum = cur_be16(&c);
	out->payload.p = c.p;
	out->payload.n = cur_left(&c);
	return c.err ? L4_TRUNCATED : L4_OK;
}

enum l4_result icmp_parse(const struct packet *pkt, struct icmp_header *out)
{
	struct cursor c = cur_make(pkt->l4.p, pkt->l4.n);
	out->type = cur_u8(&c);
	out->code = cur_u8(&c);
	cur_skip(&c, 6);
	out->payload.p = c.p;
	out->payload.n = cur_left(&c);
	return c.err ? L4_TRUNCATED : L4_OK;
}

bool l4_checksum_ok(const struct packet *pkt)
{
	size_t len = pkt->l4.n;
	uint64_t sum = 0;
	if (!(pkt->ip_version == 4 && pkt->proto == 1)) {
		/* Pseudo-header (ICMPv4 has none). */
		size_t alen = pkt->ip_version == 4 ? 4 : 16, off = 16 - alen;
		sum = cksum_add(sum, pkt->src.b + off, alen);
		sum = cksum_add(sum, pkt->dst.b + off, alen);
		sum += (uint32_t)len;
		sum += pkt->proto;
	}
	sum = cksum_add(sum, pkt->l4.p, len);
	return cksum_fold(sum) == 0xffff;
}
