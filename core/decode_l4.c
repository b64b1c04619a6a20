/* Transport headers and checksums. */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/cursor.h"
#include "core/decode_int.h"

/*
 * The one's-complement sum is byte-order independent (RFC 1071): words
 * are summed in host order, eight bytes at a time with end-around carry,
 * and only the folded result would need swapping. Every caller compares
 * it with 0xffff, which reads the same either way.
 */
uint64_t cksum_add(uint64_t sum, const uint8_t *p, size_t n)
{
#ifdef __SSE2__
	/* 16-bit words widened into 32-bit lanes: a lane cannot overflow
	 * before 512 KiB, far more than an IP datagram. */
	__m128i zero = _mm_setzero_si128(), acc = zero;
	while (n >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		acc = _mm_add_epi32(acc, _mm_unpacklo_epi16(v, zero));
		acc = _mm_add_epi32(acc, _mm_unpackhi_epi16(v, zero));
		p += 16;
		n -= 16;
	}
	uint32_t lanes[4];
	_mm_storeu_si128((__m128i *)(void *)lanes, acc);
	uint64_t part = (uint64_t)lanes[0] + lanes[1] + lanes[2] + lanes[3];
#else
	/* 32-bit words into four 64-bit accumulators: no carries to chase
	 * and four independent chains for the CPU to overlap. */
	uint64_t a = 0, b = 0, c = 0, d = 0;
	while (n >= 16) {
		uint32_t w[4];
		memcpy(w, p, 16);
		a += w[0];
		b += w[1];
		c += w[2];
		d += w[3];
		p += 16;
		n -= 16;
	}
	uint64_t part = (a & 0xffffffffu) + (a >> 32) + (b & 0xffffffffu) + (b >> 32) +
			(c & 0xffffffffu) + (c >> 32) + (d & 0xffffffffu) + (d >> 32);
#endif
	sum += part;
	sum += sum < part;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		sum += w;
		sum += sum < w;
		p += 8;
		n -= 8;
	}
	uint64_t tail = 0;
	memcpy(&tail, p, n);	/* zero padding keeps the word alignment */
	sum += tail;
	sum += sum < tail;
	return sum;
}

uint16_t cksum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
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
	/* An IP length of 0 (segmentation offload, -C) leaves only what was
	 * captured, as in Zeek's TCP analyzer. */
	uint32_t seg_len = pkt->l4_len ? pkt->l4_len : (uint32_t)pkt->l4.n;
	if (out->hdr_len > seg_len || out->hdr_len > pkt->l4.n)
		return L4_TRUNCATED;
	/* Options: only the window scale matters here. Parsed like Zeek's
	 * SYN options: a kind without room for its length, a zero length or
	 * one running past the header ends the list; the last scale wins. */
	struct cursor o = cur_make(pkt->l4.p + 20, (size_t)out->hdr_len - 20);
	while (cur_left(&o) > 0) {
		uint8_t kind = cur_u8(&o);
		if (kind == 0)
			break;
		if (kind == 1)
			continue;
		uint8_t len = 0, value = 0;
		if (!cur_peek_u8(&o, 0, &len) || len == 0 || (size_t)len - 1 > cur_left(&o))
			break;
		if (kind == 3 && len >= 3 && cur_peek_u8(&o, 1, &value))
			out->wscale = value;
		cur_skip(&o, (size_t)len - 1);
	}
	out->payload_len = seg_len - out->hdr_len;
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
	if (pkt->ip_version == 4 && pkt->proto == 17) {
		/* A zero UDP checksum over IPv4 means "none sent". */
		struct cursor c = cur_make(pkt->l4.p, len);
		cur_skip(&c, 6);
		if (cur_be16(&c) == 0 && !c.err)
			return true;
	}
	if (pkt->proto != 1) {
		/* Pseudo-header: ICMPv4 has none, whichever IP carries it (Zeek
		 * decides by the protocol alone). */
		size_t alen = pkt->ip_version == 4 ? 4 : 16, off = 16 - alen;
		uint8_t pseudo[40];
		memcpy(pseudo, pkt->src.b + off, alen);
		memcpy(pseudo + alen, pkt->dst.b + off, alen);
		uint8_t *tail = pseudo + 2 * alen;
		tail[0] = (uint8_t)(len >> 24);
		tail[1] = (uint8_t)(len >> 16);
		tail[2] = (uint8_t)(len >> 8);
		tail[3] = (uint8_t)len;
		tail[4] = tail[5] = tail[6] = 0;
		tail[7] = pkt->proto;
		sum = cksum_add(sum, pseudo, 2 * alen + 8);
	}
	sum = cksum_add(sum, pkt->l4.p, len);
	return cksum_fold(sum) == 0xffff;
}

uint16_t icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool *one_way)
{
	static const uint8_t v4[][2] = {{8, 0}, {0, 8}, {13, 14}, {14, 13}, {15, 16},
					{16, 15}, {10, 9}, {9, 10}, {17, 18}, {18, 17}};
	static const uint8_t v6[][2] = {{128, 129}, {129, 128}, {133, 134}, {134, 133},
					{135, 136}, {136, 135}, {130, 131}, {131, 130},
					{139, 140}, {140, 139}, {144, 145}, {145, 144}};
	const uint8_t(*t)[2] = proto == 1 ? v4 : v6;
	size_t n = proto == 1 ? sizeof v4 / 2 : sizeof v6 / 2;
	for (size_t i = 0; i < n; i++)
		if (t[i][0] == type) {
			*one_way = false;
			return t[i][1];
		}
	*one_way = true;
	return code;
}
