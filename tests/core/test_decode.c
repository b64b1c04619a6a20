/*
 * Packet decoding: hand-built frames for every link type, IPv4/IPv6 edge
 * cases, fragments, transport headers and checksums. Every malformed case
 * must come back as a clean result; the truncation sweeps and the random
 * frames at the end are there for the sanitizers.
 */
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "core/decode.h"
#include "core/decode_int.h"
#include "tests/check.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif

static const uint8_t MAC_A[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t MAC_B[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
static const uint8_t IP_A[4] = {10, 0, 0, 1};
static const uint8_t IP_B[4] = {192, 168, 1, 2};
static const uint8_t IP6_A[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t IP6_B[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static struct decode_opts OPTS;		/* checksums checked */
static struct decode_opts OPTS_C = {.ignore_checksums = true};

/* ---- frame building ---- */

struct frame {
	uint8_t b[70000];
	size_t n;
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put8(struct frame *f, uint8_t v)
{
	f->b[f->n++] = v;
}

static void put16(struct frame *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static void put32(struct frame *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

/* A reference checksum, one 16-bit word at a time (RFC 1071). */
static uint16_t ref_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void ether(struct frame *f, uint16_t type)
{
	put(f, MAC_B, 6);	/* destination */
	put(f, MAC_A, 6);	/* source */
	put16(f, type);
}

/* An IPv4 header at the end of f with a correct checksum. */
static void ip4(struct frame *f, uint8_t proto, uint16_t payload_len, uint16_t id,
		uint16_t frag)
{
	size_t at = f->n;
	put8(f, 0x45);
	put8(f, 0);
	put16(f, (uint16_t)(20 + payload_len));
	put16(f, id);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put(f, IP_A, 4);
	put(f, IP_B, 4);
	uint16_t s = (uint16_t)~ref_sum(0, f->b + at, 20);
	f->b[at + 10] = (uint8_t)(s >> 8);
	f->b[at + 11] = (uint8_t)s;
}

static void ip6(struct frame *f, uint8_t next, uint16_t payload_len)
{
	put32(f, 0x60000000);
	put16(f, payload_len);
	put8(f, next);
	put8(f, 64);
	put(f, IP6_A, 16);
	put(f, IP6_B, 16);
}

/* A TCP header (no checksum yet) plus `plen` bytes of payload 'a', 'b'... */
static void tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags, size_t plen)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1000);
	put32(f, 0);
	put8(f, 5 << 4);
	put8(f, flags);
	put16(f, 8192);
	put32(f, 0);
	for (size_t i = 0; i < plen; i++)
		put8(f, (uint8_t)('a' + i % 26));
}

static void udp(struct frame *f, uint16_t sport, uint16_t dport, size_t plen)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, (uint16_t)(8 + plen));
	put16(f, 0);
	for (size_t i = 0; i < plen; i++)
		put8(f, (uint8_t)i);
}

/* Fills in the transport checksum at `cksum_at` of a segment at l4. */
static void l4_fix(struct frame *f, size_t l4, size_t cksum_at, int version, uint8_t proto)
{
	size_t len = f->n - l4;
	uint32_t sum = 0;
	if (proto != 1) {
		const uint8_t *s = version == 4 ? IP_A : IP6_A, *d = version == 4 ? IP_B : IP6_B;
		size_t alen = version == 4 ? 4 : 16;
		sum = ref_sum(0, s, alen);
		sum += ref_sum(0, d, alen);
		sum += proto + (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	}
	f->b[l4 + cksum_at] = f->b[l4 + cksum_at + 1] = 0;
	uint16_t c = (uint16_t)~ref_sum(sum, f->b + l4, len);
	if (proto == 17 && c == 0)
		c = 0xffff;
	f->b[l4 + cksum_at] = (uint8_t)(c >> 8);
	f->b[l4 + cksum_at + 1] = (uint8_t)c;
}

/* ---- running the decoder ---- */

static struct frag_table *FRAGS;
static const char *W;

static enum decode_result run_full(const struct decode_opts *o, int dlt, const struct frame *f,
				   size_t caplen, size_t wirelen, double ts, struct packet *p)
{
	memset(p, 0, sizeof *p);
	p->ts = ts;
	p->caplen = (uint32_t)caplen;
	p->wirelen = (uint32_t)wirelen;
	p->linktype = dlt;
	p->data = f->b;
	p->vlan = p->inner_vlan = -1;
	W = NULL;
	return decode_packet(o, FRAGS, p, &W);
}

/* Network time for run(): fragments expire, so time must not go backwards. */
static double CLOCK = 1.0;

static enum decode_result run(int dlt, const struct frame *f, struct packet *p)
{
	CLOCK += 0.001;
	return run_full(&OPTS, dlt, f, f->n, f->n, CLOCK, p);
}

static bool is_v4(const struct sl_addr *a, const uint8_t v4[4])
{
	struct sl_addr want = sl_addr_from_v4(v4);
	return memcmp(a->b, want.b, 16) == 0;
}

static bool is_v6(const struct sl_addr *a, const uint8_t v6[16])
{
	return memcmp(a->b, v6, 16) == 0;
}

static bool weird_is(const char *want)
{
	return W && strcmp(W, want) == 0;
}

/* An Ethernet/IPv4/TCP frame with a correct checksum and 10 payload bytes. */
static void tcp_frame(struct frame *f)
{
	f->n = 0;
	ether(f, 0x0800);
	ip4(f, 6, 30, 1, 0);
	size_t l4 = f->n;
	tcp(f, 1234, 25, TCP_SYN, 10);
	l4_fix(f, l4, 16, 4, 6);
}

/* Appends an IPv4/UDP datagram with checksum. */
static void udp4_datagram(struct frame *f, size_t plen)
{
	ip4(f, 17, (uint16_t)(8 + plen), 7, 0);
	size_t l4 = f->n;
	udp(f, 5353, 53, plen);
	l4_fix(f, l4, 6, 4, 17);
}

/* ---- link layers ---- */

static void test_ethernet(void)
{
	struct frame f;
	struct packet p;
	tcp_frame(&f);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK);
	CHECK(p.ip_version == 4 && p.proto == 6);
	CHECK(is_v4(&p.src, IP_A) && is_v4(&p.dst, IP_B));
	CHECK(p.has_l2_addr && !memcmp(p.l2_src, MAC_A, 6) && !memcmp(p.l2_dst, MAC_B, 6));
	CHECK(p.vlan == -1 && p.inner_vlan == -1);
	CHECK(p.ip_len == 50 && p.ip_hdr_len == 20 && p.l4_len == 30 && p.l4.n == 30);
	CHECK(p.ip_hdr == f.b + 14 && p.l4.p == f.b + 34);
	uint16_t sp, dp;
	CHECK(l4_ports(&p, &sp, &dp) && sp == 1234 && dp == 25);
	CHECK(l4_checksum_ok(&p));

	/* Ethernet padding past the IP length is not payload. */
	memset(f.b + f.n, 0, 8);
	f.n += 8;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.l4.n == 30);

	/* Too short for a header: exactly 16 bytes is still too short. */
	f.n = 16;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("truncated_ethernet_frame"));

	/* ARP is not IP; 1501..1535 is no ethertype. */
	f.n = 0;
	ether(&f, 0x0806);
	memset(f.b + f.n, 0, 28);
	f.n += 28;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_NOT_IP);
	f.b[12] = 0x05;
	f.b[13] = 0xE0;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("undefined_ether_type"));

	/* Empty pcap record. */
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, 0, 60, 1, &p) == DECODE_DROP &&
	      weird_is("empty_pcap_header"));
}

static void test_vlan(void)
{
	struct frame f;
	struct packet p;
	f.n = 0;
	ether(&f, 0x8100);
	put16(&f, 0x2000 | 100);	/* PCP 1, id 100 */
	put16(&f, 0x0800);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.vlan == 100 && p.inner_vlan == -1);
	CHECK(p.proto == 17 && l4_checksum_ok(&p));

	/* QinQ: 802.1ad outer, 802.1Q inner. */
	f.n = 0;
	ether(&f, 0x88A8);
	put16(&f, 10);
	put16(&f, 0x8100);
	put16(&f, 20);
	put16(&f, 0x0800);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.vlan == 10 && p.inner_vlan == 20);

	/* 0x9100 outer works too; a third tag overwrites the inner id. */
	f.n = 0;
	ether(&f, 0x9100);
	put16(&f, 1);
	put16(&f, 0x8100);
	put16(&f, 2);
	put16(&f, 0x8100);
	put16(&f, 3);
	put16(&f, 0x0800);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.vlan == 1 && p.inner_vlan == 3);

	/* Zeek's VLAN analyzer knows 0x8100 but not 0x88A8 inside a tag. */
	f.n = 0;
	ether(&f, 0x8100);
	put16(&f, 1);
	put16(&f, 0x88A8);
	put16(&f, 2);
	put16(&f, 0x0800);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_NOT_IP);

	/* Truncated tag. */
	f.n = 0;
	ether(&f, 0x8100);
	put16(&f, 1);
	put16(&f, 0x0800);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("truncated_VLAN_header"));
	f.n = 0;
	ether(&f, 0x8100);
	put16(&f, 1);
	put16(&f, 1520);
	put32(&f, 0);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("undefined_vlan_protocol"));
}

static void test_mpls_pppoe_pbb_vntag_cfp(void)
{
	struct frame f;
	struct packet p;

	/* MPLS: two labels, bottom of stack on the second. */
	f.n = 0;
	ether(&f, 0x8847);
	put32(&f, (100u << 12) | 64);
	put32(&f, (200u << 12) | 0x100 | 64);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.proto == 17);
	f.n = 18 + 4;	/* stack never ends */
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("truncated_link_header"));
	/* Zeek registers only 0x8847 (unicast) on Ethernet. */
	f.n = 0;
	ether(&f, 0x8848);
	put32(&f, (200u << 12) | 0x100 | 64);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_NOT_IP);

	/* PPPoE session; the length field trims trailing bytes. */
	f.n = 0;
	ether(&f, 0x8864);
	put8(&f, 0x11);
	put8(&f, 0);
	put16(&f, 0x1234);
	size_t len_at = f.n;
	put16(&f, 0);
	put16(&f, 0x0021);
	size_t ip_at = f.n;
	udp4_datagram(&f, 4);
	size_t plen = f.n - ip_at + 2;
	f.b[len_at] = (uint8_t)(plen >> 8);
	f.b[len_at + 1] = (uint8_t)plen;
	put32(&f, 0xdeadbeef);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.proto == 17 && p.l4.n == 12);
	f.b[len_at + 7 - 4] = 0;	/* protocol 0x0000: not IP */
	f.b[ip_at - 1] = 0x00;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_NOT_IP);
	f.n = 14 + 8;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("truncated_pppoe_header"));

	/* 802.1ah PBB: the inner frame's MACs are the ones kept. */
	static const uint8_t mac_c[6] = {2, 2, 2, 2, 2, 2}, mac_d[6] = {4, 4, 4, 4, 4, 4};
	f.n = 0;
	ether(&f, 0x88E7);
	put32(&f, 0x00000100);	/* I-TAG */
	put(&f, mac_d, 6);
	put(&f, mac_c, 6);
	put16(&f, 0x0800);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.proto == 17);
	CHECK(!memcmp(p.l2_src, mac_c, 6) && !memcmp(p.l2_dst, mac_d, 6));
	f.n = 14 + 18;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("truncated_PBB_header"));

	/* VN-Tag leads only to VLAN in Zeek. */
	f.n = 0;
	ether(&f, 0x8926);
	put32(&f, 0x80010002);
	put16(&f, 0x8100);
	put16(&f, 33);
	put16(&f, 0x0800);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.vlan == 33);
	f.n = 0;
	ether(&f, 0x8926);
	put32(&f, 0x80010002);
	put16(&f, 0x0800);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_NOT_IP);

	/* Cisco FabricPath: a 16-byte outer header, then the real frame. */
	f.n = 0;
	put(&f, MAC_B, 6);
	put(&f, MAC_A, 6);
	put16(&f, 0x8903);
	put16(&f, 0);
	ether(&f, 0x0800);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.proto == 17);
	CHECK(!memcmp(p.l2_src, MAC_A, 6));
	f.n = 30;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("truncated_link_header_cfp"));

	/* 802.3 with LLC/SNAP carrying IPv4; plain LLC is not IP. */
	f.n = 0;
	put(&f, MAC_B, 6);
	put(&f, MAC_A, 6);
	size_t l_at = f.n;
	put16(&f, 0);
	put8(&f, 0xAA);
	put8(&f, 0xAA);
	put8(&f, 0x03);
	put8(&f, 0);
	put16(&f, 0);
	put16(&f, 0x0800);
	udp4_datagram(&f, 4);
	size_t l = f.n - 14;
	f.b[l_at] = (uint8_t)(l >> 8);
	f.b[l_at + 1] = (uint8_t)l;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.proto == 17);
	f.b[14] = f.b[15] = 0x42;	/* STP */
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_NOT_IP);
	f.b[14] = f.b[15] = 0xFF;	/* Novell raw */
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_NOT_IP);
	f.b[14] = f.b[15] = 0xAA;
	f.b[l_at] = 0;
	f.b[l_at + 1] = 5;	/* length cuts into the SNAP header */
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("truncated_snap_header"));
}

static void test_cooked_raw_null_ppp(void)
{
	struct frame f;
	struct packet p;
	static const uint8_t zero[6] = {0};

	/* Linux cooked v1: source address at 6, no destination. */
	f.n = 0;
	put16(&f, 0);
	put16(&f, 1);
	put16(&f, 6);
	put(&f, MAC_A, 6);
	put16(&f, 0);
	put16(&f, 0x0800);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_LINUX_SLL, &f, &p) == DECODE_OK && p.proto == 17);
	CHECK(p.has_l2_addr && !memcmp(p.l2_src, MAC_A, 6) && !memcmp(p.l2_dst, zero, 6));
	f.b[14] = 0x88;	/* 0x8847: SLL knows only IP and ARP */
	f.b[15] = 0x47;
	CHECK(run(DLT_LINUX_SLL, &f, &p) == DECODE_NOT_IP);
	f.n = 16;
	CHECK(run(DLT_LINUX_SLL, &f, &p) == DECODE_DROP && weird_is("truncated_Linux_SLL_header"));

	/* Linux cooked v2: protocol first, address at 12. */
	f.n = 0;
	put16(&f, 0x86DD);
	put16(&f, 0);
	put32(&f, 3);
	put16(&f, 1);
	put8(&f, 0);
	put8(&f, 6);
	put(&f, MAC_A, 6);
	put16(&f, 0);
	ip6(&f, 59, 0);
	CHECK(run(DLT_LINUX_SLL2, &f, &p) == DECODE_DROP && weird_is("ipv6_no_next"));
	CHECK(p.ip_version == 6 && !memcmp(p.l2_src, MAC_A, 6));
	f.n = 20;
	CHECK(run(DLT_LINUX_SLL2, &f, &p) == DECODE_DROP && weird_is("truncated_Linux_SLL2_header"));

	/* Raw IP under every number libpcap may hand out, and unknown ones. */
	static const int raw[] = {DLT_RAW, 12, 14, 101, 228, 229, 147};
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
		f.n = 0;
		udp4_datagram(&f, 4);
		CHECK(run(raw[i], &f, &p) == DECODE_OK && p.proto == 17 && !p.has_l2_addr);
	}

	/* BSD null: the family is read little-endian. */
	f.n = 0;
	put32(&f, 0x02000000);	/* AF_INET, LE */
	udp4_datagram(&f, 4);
	CHECK(run(DLT_NULL, &f, &p) == DECODE_OK && p.proto == 17);
	f.b[0] = 0;
	f.b[3] = 2;	/* big-endian 2 reads as 0x02000000 */
	CHECK(run(DLT_NULL, &f, &p) == DECODE_NOT_IP);
	static const uint8_t af6[] = {24, 28, 30};
	for (size_t i = 0; i < 3; i++) {
		f.n = 0;
		put8(&f, af6[i]);
		put8(&f, 0);
		put16(&f, 0);
		ip6(&f, 17, 8);
		size_t l4 = f.n;
		udp(&f, 1, 2, 0);
		l4_fix(&f, l4, 6, 6, 17);
		CHECK(run(DLT_NULL, &f, &p) == DECODE_OK && p.ip_version == 6 && p.proto == 17);
		CHECK(l4_checksum_ok(&p));
	}
	f.n = 4;
	CHECK(run(DLT_NULL, &f, &p) == DECODE_DROP && weird_is("null_analyzer_failed"));

	/* DLT_LOOP has no analyzer in Zeek: its header is read as IP. */
	f.n = 0;
	put32(&f, 2);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_LOOP, &f, &p) == DECODE_DROP && weird_is("unknown_ip_version"));

	/* PPP, plain and in HDLC-like framing; PPP serial. */
	f.n = 0;
	put16(&f, 0x0021);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_PPP, &f, &p) == DECODE_OK && p.proto == 17);
	f.n = 0;
	put8(&f, 0xff);
	put8(&f, 0x03);
	put16(&f, 0x0021);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_PPP, &f, &p) == DECODE_OK && p.proto == 17);
	CHECK(run(DLT_PPP_SERIAL, &f, &p) == DECODE_OK && p.proto == 17);
	f.b[2] = 0xc0;	/* LCP */
	f.b[3] = 0x21;
	CHECK(run(DLT_PPP, &f, &p) == DECODE_NOT_IP);
	f.n = 4;
	CHECK(run(DLT_PPP, &f, &p) == DECODE_DROP && weird_is("truncated_ppp_hdlc_header"));
	f.n = 2;
	CHECK(run(DLT_PPP, &f, &p) == DECODE_DROP && weird_is("truncated_ppp_header"));
	f.n = 4;
	CHECK(run(DLT_PPP_SERIAL, &f, &p) == DECODE_DROP && weird_is("truncated_ppp_serial_header"));
	/* PPP to MPLS. */
	f.n = 0;
	put16(&f, 0x0281);
	put32(&f, 0x100 | 64);
	udp4_datagram(&f, 4);
	CHECK(run(DLT_PPP, &f, &p) == DECODE_OK && p.proto == 17);
}

/* An 802.11 data frame with the given flags byte and addresses 1..4. */
static void wifi(struct frame *f, uint8_t fc, uint8_t flags, bool qos)
{
	static const uint8_t a1[6] = {1, 1, 1, 1, 1, 1}, a2[6] = {2, 2, 2, 2, 2, 2};
	static const uint8_t a3[6] = {3, 3, 3, 3, 3, 3}, a4[6] = {4, 4, 4, 4, 4, 4};
	put8(f, fc);
	put8(f, flags);
	put16(f, 0);
	put(f, a1, 6);
	put(f, a2, 6);
	put(f, a3, 6);
	put16(f, 0);
	if ((flags & 3) == 3)
		put(f, a4, 6);
	if (qos)
		put16(f, 0);
	static const uint8_t snap[] = {0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00};
	put(f, snap, sizeof snap);
	udp4_datagram(f, 4);
}

static void test_80211(void)
{
	struct frame f;
	struct packet p;
	/* Source and destination by the DS bits: {flags, src addr, dst addr}. */
	static const uint8_t ds[4][3] = {{0, 2, 1}, {1, 2, 3}, {2, 3, 1}, {3, 4, 3}};
	for (int i = 0; i < 4; i++) {
		f.n = 0;
		wifi(&f, 0x08, ds[i][0], false);
		CHECK(run(DLT_IEEE802_11, &f, &p) == DECODE_OK && p.proto == 17);
		CHECK(p.has_l2_addr && p.l2_src[0] == ds[i][1] && p.l2_dst[0] == ds[i][2]);
	}
	f.n = 0;
	wifi(&f, 0x88, 0x01, true);	/* QoS data */
	CHECK(run(DLT_IEEE802_11, &f, &p) == DECODE_OK && p.proto == 17);
	f.n = 0;
	wifi(&f, 0x88, 0x41, true);	/* QoS, protected */
	CHECK(run(DLT_IEEE802_11, &f, &p) == DECODE_NOT_IP);
	f.n = 0;
	wifi(&f, 0x80, 0x00, false);	/* beacon */
	CHECK(run(DLT_IEEE802_11, &f, &p) == DECODE_NOT_IP);
	f.n = 0;
	wifi(&f, 0x48, 0x01, false);	/* null data */
	CHECK(run(DLT_IEEE802_11, &f, &p) == DECODE_NOT_IP);
	f.n = 24;
	CHECK(run(DLT_IEEE802_11, &f, &p) == DECODE_DROP && weird_is("truncated_802_11_header"));
	f.n = 0;
	wifi(&f, 0x08, 0x00, false);
	f.n = 28;
	CHECK(run(DLT_IEEE802_11, &f, &p) == DECODE_DROP && weird_is("truncated_802_11_llc_header"));

	/* Radiotap around it. */
	f.n = 0;
	put8(&f, 0);
	put8(&f, 0);
	put8(&f, 12);
	put8(&f, 0);
	put32(&f, 0);
	put32(&f, 0);
	wifi(&f, 0x08, 0x02, false);
	CHECK(run(DLT_IEEE802_11_RADIO, &f, &p) == DECODE_OK && p.proto == 17);
	CHECK(p.l2_src[0] == 3 && p.l2_dst[0] == 1);
	f.b[2] = 0xff;
	CHECK(run(DLT_IEEE802_11_RADIO, &f, &p) == DECODE_DROP && weird_is("truncated_radiotap_header"));

	/* A-MSDU: each subframe is decoded in turn (decode_amsdu_next). */
	f.n = 0;
	put8(&f, 0x88);
	put8(&f, 0x01);
	put16(&f, 0);
	for (int i = 0; i < 18; i++)
		put8(&f, (uint8_t)i);
	put16(&f, 0);
	put16(&f, 0x8000);	/* QoS control (little-endian): A-MSDU present */
	put(&f, MAC_B, 6);
	put(&f, MAC_A, 6);
	size_t sublen_at = f.n;
	put16(&f, 0);
	size_t sub = f.n;
	static const uint8_t snap[] = {0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00};
	put(&f, snap, sizeof snap);
	udp4_datagram(&f, 4);
	f.b[sublen_at + 1] = (uint8_t)(f.n - sub);
	CHECK(run(DLT_IEEE802_11, &f, &p) == DECODE_OK && p.proto == 17);
	CHECK(p.amsdu_rest.n == 0);	/* the only subframe */
	/* A second subframe after the first one's padding to 4 bytes. */
	size_t first_len = f.n - sub;
	while ((f.n - sub) % 4)
		put8(&f, 0xee);
	put(&f, MAC_B, 6);
	put(&f, MAC_A, 6);
	size_t sublen2_at = f.n;
	put16(&f, 0);
	size_t sub2 = f.n;
	put(&f, snap, sizeof snap);
	udp4_datagram(&f, 9);
	f.b[sublen2_at + 1] = (uint8_t)(f.n - sub2);
	CHECK(run(DLT_IEEE802_11, &f, &p) == DECODE_OK && p.proto == 17);
	CHECK(p.amsdu_rest.n == f.n - (sublen2_at - 12));
	const char *w = NULL;
	CHECK(decode_amsdu_next(&OPTS, FRAGS, &p, &w) == DECODE_OK && p.proto == 17);
	CHECK(p.l4.n == 8 + 9 && p.amsdu_rest.n == 0);
	CHECK(p.has_l2_addr);	/* the 802.11 addresses stay */
	/* A cut second subframe: its own weird. */
	for (size_t cut = 1; cut < f.n - (sub + first_len); cut++) {
		struct frame g = f;
		g.n = f.n - cut;
		if (run(DLT_IEEE802_11, &g, &p) == DECODE_OK && p.amsdu_rest.n > 0) {
			w = NULL;
			CHECK(decode_amsdu_next(&OPTS, FRAGS, &p, &w) == DECODE_DROP && w != NULL);
		}
	}
	f.b[sublen_at] = 0x10;
	CHECK(run(DLT_IEEE802_11, &f, &p) == DECODE_DROP && weird_is("truncated_802_11_amsdu_packet"));
}

static void test_nflog(void)
{
	struct frame f;
	struct packet p;
	f.n = 0;
	put8(&f, 2);	/* AF_INET */
	put8(&f, 0);
	put16(&f, 0);
	/* A prefix TLV (host order, little-endian here), length 7 padded to 8. */
	put8(&f, 7);
	put8(&f, 0);
	put8(&f, 10);
	put8(&f, 0);
	put32(&f, 0x41424300);
	put8(&f, 4 + 28);
	put8(&f, 0);
	put8(&f, 9);
	put8(&f, 0);
	udp4_datagram(&f, 4);
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	CHECK(run(DLT_NFLOG, &f, &p) == DECODE_OK && p.proto == 17);
#endif
	f.b[1] = 1;
	CHECK(run(DLT_NFLOG, &f, &p) == DECODE_DROP && weird_is("unknown_nflog_version"));
}

/* ---- IPv4 ---- */

static void test_ipv4_lengths_and_checksums(void)
{
	struct frame f;
	struct packet p;

	/* Bad header checksum: dropped unless -C or the source is ignored. */
	tcp_frame(&f);
	f.b[14 + 8] ^= 1;	/* TTL */
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("bad_IP_checksum"));
	CHECK(run_full(&OPTS_C, DLT_EN10MB, &f, f.n, f.n, 1, &p) == DECODE_OK);
	struct sl_subnet nets[1];
	CHECK(sl_subnet_parse("10.0.0.0/8", &nets[0]));
	struct decode_opts with_nets = {.ignore_nets = nets, .n_ignore_nets = 1};
	CHECK(run_full(&with_nets, DLT_EN10MB, &f, f.n, f.n, 1, &p) == DECODE_OK);

	/* TCP checksum: good, then a flipped payload byte. */
	tcp_frame(&f);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && l4_checksum_ok(&p));
	f.b[f.n - 1] ^= 0x20;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && !l4_checksum_ok(&p));

	/* Total length 0 (segmentation offload). */
	tcp_frame(&f);
	f.b[16] = f.b[17] = 0;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("ip_hdr_len_zero"));
	CHECK(run_full(&OPTS_C, DLT_EN10MB, &f, f.n, f.n, 1, &p) == DECODE_OK);
	CHECK(p.ip_len == 0 && p.l4_len == 0 && p.l4.n == 30);
	struct tcp_header th;
	CHECK(tcp_parse(&p, &th) == L4_OK && th.payload_len == 10 && th.payload.n == 10);

	/* Captured fewer than 20 bytes of IP. */
	tcp_frame(&f);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, 14 + 19, f.n, 1, &p) == DECODE_DROP &&
	      weird_is("truncated_IP"));
	/* The wire length is shorter than the IP length claims. */
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n - 1, 1, &p) == DECODE_DROP &&
	      weird_is("truncated_IP_len"));
	/* Snaplen cut: accepted, the lengths still say the full size. */
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, 14 + 20 + 24, f.n, 1, &p) == DECODE_OK);
	CHECK(p.l4.n == 24 && p.l4_len == 30 && p.ip_len == 50);
	CHECK(tcp_parse(&p, &th) == L4_OK && th.payload.n == 4 && th.payload_len == 10);
	/* Header not all captured (options). */
	f.b[14] = 0x46;
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, 14 + 22, f.n, 1, &p) == DECODE_DROP &&
	      weird_is("internally_truncated_header"));
	/* IHL says more than the total length. */
	tcp_frame(&f);
	f.b[16] = 0;
	f.b[17] = 22;
	f.b[14] = 0x46;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("invalid_IP_header_size"));
	/* IHL below 5. */
	tcp_frame(&f);
	f.b[14] = 0x44;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("IPv4_min_header_size"));
	/* Neither 4 nor 6. */
	tcp_frame(&f);
	f.b[14] = 0x55;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("unknown_ip_version"));

	/* Tunnels and other protocols pass as ordinary IP packets. */
	static const uint8_t protos[] = {4, 41, 47, 2, 89, 132, 50};
	for (size_t i = 0; i < sizeof protos; i++) {
		f.n = 0;
		ether(&f, 0x0800);
		ip4(&f, protos[i], 8, 1, 0);
		put32(&f, 0);
		put32(&f, 0);
		CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.proto == protos[i]);
	}
	/* Protocol 59 gets ipv6_no_next even over IPv4, as in Zeek. */
	f.n = 0;
	ether(&f, 0x0800);
	ip4(&f, 59, 0, 1, 0);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("ipv6_no_next"));
}

/* ---- transport headers ---- */

static void test_transport(void)
{
	struct frame f;
	struct packet p;
	struct tcp_header th;

	tcp_frame(&f);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK);
	CHECK(tcp_parse(&p, &th) == L4_OK);
	CHECK(th.sport == 1234 && th.dport == 25 && th.seq == 1000 && th.flags == TCP_SYN);
	CHECK(th.hdr_len == 20 && th.wscale == -1 && th.window == 8192);
	CHECK_BYTES(th.payload.p, th.payload.n, "abcdefghij");

	/* Data offset below 5. */
	f.b[34 + 12] = 4 << 4;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && tcp_parse(&p, &th) == L4_BAD_HEADER_LEN);
	/* Options past the segment. */
	f.b[34 + 12] = 15 << 4;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && tcp_parse(&p, &th) == L4_TRUNCATED);
	/* Fewer than 20 bytes: ports still readable from 4. */
	f.n = 0;
	ether(&f, 0x0800);
	ip4(&f, 6, 6, 1, 0);
	put16(&f, 80);
	put16(&f, 81);
	put16(&f, 0);
	uint16_t sp, dp;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && l4_ports(&p, &sp, &dp) && sp == 80);
	CHECK(tcp_parse(&p, &th) == L4_TRUNCATED);
	p.l4.n = 3;
	CHECK(!l4_ports(&p, &sp, &dp));

	/* Window scale among other options; the last one wins. */
	f.n = 0;
	ether(&f, 0x0800);
	ip4(&f, 6, 32, 1, 0);
	size_t l4 = f.n;
	tcp(&f, 1, 2, TCP_SYN, 0);
	f.b[l4 + 12] = 8 << 4;
	static const uint8_t opts[] = {2, 4, 5, 0xb4, 1, 3, 3, 7, 1, 1, 1, 0};
	put(&f, opts, sizeof opts);
	l4_fix(&f, l4, 16, 4, 6);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && tcp_parse(&p, &th) == L4_OK);
	CHECK(th.wscale == 7 && th.hdr_len == 32 && th.payload_len == 0 && l4_checksum_ok(&p));
	/* A zero option length ends the list. */
	f.b[l4 + 20 + 1] = 0;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && tcp_parse(&p, &th) == L4_OK);
	CHECK(th.wscale == -1);
	/* A scale option whose length runs past the header is ignored. */
	f.b[l4 + 20 + 1] = 4;
	f.b[l4 + 20 + 9] = 3;
	f.b[l4 + 20 + 10] = 4;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && tcp_parse(&p, &th) == L4_OK);
	CHECK(th.wscale == 7);

	/* UDP: zero checksum over IPv4 is "none"; a wrong one is not. */
	f.n = 0;
	ether(&f, 0x0800);
	udp4_datagram(&f, 5);
	struct udp_header uh;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && l4_checksum_ok(&p));
	CHECK(udp_parse(&p, &uh) == L4_OK && uh.length == 13 && uh.payload.n == 5 && uh.dport == 53);
	f.b[34 + 6] = f.b[34 + 7] = 0;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && l4_checksum_ok(&p));
	f.b[34 + 7] = 1;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && !l4_checksum_ok(&p));
	p.l4.n = 7;
	CHECK(udp_parse(&p, &uh) == L4_TRUNCATED);

	/* UDP over IPv6: the checksum is mandatory. */
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 17, 8 + 3);
	l4 = f.n;
	udp(&f, 1, 2, 3);
	l4_fix(&f, l4, 6, 6, 17);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && l4_checksum_ok(&p));
	f.b[l4 + 6] = f.b[l4 + 7] = 0;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && !l4_checksum_ok(&p));

	/* ICMPv4 (no pseudo-header) and ICMPv6 (with one). */
	f.n = 0;
	ether(&f, 0x0800);
	ip4(&f, 1, 8 + 5, 1, 0);
	l4 = f.n;
	put8(&f, 8);
	put8(&f, 0);
	put16(&f, 0);
	put32(&f, 0x00010002);
	put(&f, "hello", 5);
	l4_fix(&f, l4, 2, 4, 1);
	struct icmp_header ih;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && l4_checksum_ok(&p));
	CHECK(icmp_parse(&p, &ih) == L4_OK && ih.type == 8 && ih.payload.n == 5);
	f.b[l4 + 8] ^= 1;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && !l4_checksum_ok(&p));
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 58, 8);
	l4 = f.n;
	put8(&f, 128);
	put8(&f, 0);
	put16(&f, 0);
	put32(&f, 0x00010001);
	l4_fix(&f, l4, 2, 6, 58);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && l4_checksum_ok(&p));
	CHECK(icmp_parse(&p, &ih) == L4_OK && ih.type == 128);
	f.b[l4 + 4] ^= 1;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && !l4_checksum_ok(&p));
	p.l4.n = 7;
	CHECK(icmp_parse(&p, &ih) == L4_TRUNCATED);
}

/* ---- IPv6 ---- */

static void test_ipv6(void)
{
	struct frame f;
	struct packet p;

	/* Hop-by-hop (8), destination options (16), then TCP. */
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 0, 8 + 16 + 20);
	put8(&f, 60);
	put8(&f, 0);
	put8(&f, 1);	/* PadN */
	put8(&f, 4);
	put32(&f, 0);
	put8(&f, 6);
	put8(&f, 1);
	put8(&f, 1);
	put8(&f, 12);
	for (int i = 0; i < 12; i++)
		put8(&f, 0);
	size_t l4 = f.n;
	tcp(&f, 5, 6, TCP_ACK, 0);
	l4_fix(&f, l4, 16, 6, 6);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.ip_version == 6 && p.proto == 6);
	CHECK(p.ip_hdr_len == 64 && p.ip_len == 84 && p.l4_len == 20 && p.l4.n == 20);
	CHECK(is_v6(&p.src, IP6_A) && is_v6(&p.dst, IP6_B) && l4_checksum_ok(&p));
	/* The destination options header is cut by the capture: the chain
	 * stops before it and its type stands as the protocol, as in Zeek. */
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, 14 + 40 + 8 + 10, f.n, 1, &p) == DECODE_OK);
	CHECK(p.proto == 60 && p.ip_hdr_len == 48);
	/* An extension header longer than the payload length. */
	f.b[14 + 5] = 10;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("invalid_IP_header_size"));

	/* Routing type 0 with segments left: the last address is the responder. */
	static const uint8_t final[16] = {0xfe, 0x80, [15] = 9};
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 43, 8 + 32 + 8);
	put8(&f, 17);
	put8(&f, 4);	/* two addresses */
	put8(&f, 0);
	put8(&f, 2);	/* segments left */
	put32(&f, 0);
	put(&f, IP6_A, 16);
	put(&f, final, 16);
	udp(&f, 1, 2, 0);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.proto == 17 && is_v6(&p.dst, final));
	f.b[14 + 40 + 3] = 0;	/* no segments left: the header's destination stays */
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && is_v6(&p.dst, IP6_B));

	/* Home address destination option: the real source. */
	static const uint8_t home[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 7};
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 60, 24 + 8);
	put8(&f, 17);
	put8(&f, 2);
	put8(&f, 1);	/* PadN of 2 */
	put8(&f, 0);
	put8(&f, 201);
	put8(&f, 16);
	put(&f, home, 16);
	put8(&f, 0);	/* Pad1, Pad1 */
	put8(&f, 0);
	udp(&f, 1, 2, 0);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && is_v6(&p.src, home));
	/* ignore_checksums_nets looks at the header's own source. */
	CHECK(is_v6(&p.hdr_src, IP6_A));

	/* ICMPv4 carried by IPv6: no pseudo-header, as over IPv4 (Zeek
	 * decides by the protocol alone). */
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 1, 8 + 4);
	l4 = f.n;
	put8(&f, 8);	/* echo request */
	put8(&f, 0);
	put16(&f, 0);
	put32(&f, 0x00010001);
	put32(&f, 0x61626364);
	l4_fix(&f, l4, 2, 6, 1);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.proto == 1 && l4_checksum_ok(&p));
	/* The same summed with a pseudo-header is bad. */
	{
		uint32_t sum = ref_sum(0, IP6_A, 16) + ref_sum(0, IP6_B, 16) + 1 + 12;
		f.b[l4 + 2] = f.b[l4 + 3] = 0;
		uint16_t c = (uint16_t)~ref_sum(sum, f.b + l4, 12);
		f.b[l4 + 2] = (uint8_t)(c >> 8);
		f.b[l4 + 3] = (uint8_t)c;
	}
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && !l4_checksum_ok(&p));

	/* AH then TCP; ESP ends everything; no next header is dropped. */
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 51, 24 + 20);
	put8(&f, 6);
	put8(&f, 4);	/* (4 + 2) * 4 = 24 bytes */
	put16(&f, 0);
	for (int i = 0; i < 20; i++)
		put8(&f, 0);
	tcp(&f, 1, 2, TCP_SYN, 0);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.proto == 6 && p.ip_hdr_len == 64);
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 0, 8 + 16);
	put8(&f, 50);
	put8(&f, 0);
	put32(&f, 0x01040000);
	put16(&f, 0);
	put32(&f, 0x1000);
	put32(&f, 1);
	put32(&f, 0xabcdef01);
	put32(&f, 0);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_NOT_IP);
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 59, 0);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_DROP && weird_is("ipv6_no_next"));

	/* Lengths. */
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 17, 8);
	udp(&f, 1, 2, 0);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, 14 + 39, f.n, 1, &p) == DECODE_DROP &&
	      weird_is("truncated_IP"));
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n - 1, 1, &p) == DECODE_DROP &&
	      weird_is("truncated_IP_len"));
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n - 4, f.n, 1, &p) == DECODE_OK &&
	      p.l4.n == 4 && p.l4_len == 8 && p.ip_len == 48);
}

/* ---- fragments ---- */

/* Fragment `i` of a UDP datagram whose payload is `whole` (n bytes). */
static void frag4(struct frame *f, const uint8_t *whole, size_t off, size_t len, bool more,
		  uint16_t id)
{
	f->n = 0;
	ether(f, 0x0800);
	ip4(f, 17, (uint16_t)len, id, (uint16_t)((more ? 0x2000 : 0) | off / 8));
	put(f, whole + off, len);
}

static void make_udp_payload(uint8_t *whole, size_t n)
{
	whole[0] = 0x30;
	whole[1] = 0x39;
	whole[2] = 0;
	whole[3] = 53;
	whole[4] = (uint8_t)(n >> 8);
	whole[5] = (uint8_t)n;
	whole[6] = whole[7] = 0;
	for (size_t i = 8; i < n; i++)
		whole[i] = (uint8_t)(i * 7);
}

static void test_fragments_v4(void)
{
	static uint8_t whole[3000];
	make_udp_payload(whole, sizeof whole);
	struct frame f;
	struct packet p;

	/* In order: 0..1200, 1200..2400, 2400..3000. */
	frag4(&f, whole, 0, 1200, true, 77);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING);
	frag4(&f, whole, 1200, 1200, true, 77);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING);
	frag4(&f, whole, 2400, 600, false, 77);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK);
	CHECK(p.ip_reassembled && p.proto == 17 && p.ip_len == 3020 && p.l4_len == 3000);
	CHECK(p.l4.n == 3000 && !memcmp(p.l4.p, whole, 3000));
	CHECK(is_v4(&p.src, IP_A) && is_v4(&p.dst, IP_B) && l4_checksum_ok(&p));
	uint16_t sp, dp;
	CHECK(l4_ports(&p, &sp, &dp) && sp == 12345 && dp == 53);
	CHECK(p.has_l2_addr && !memcmp(p.l2_src, MAC_A, 6));

	/* Out of order, last first. A completed datagram is gone from the
	 * table, so the same id starts afresh. */
	frag4(&f, whole, 2400, 600, false, 77);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING);
	frag4(&f, whole, 0, 1200, true, 77);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING);
	frag4(&f, whole, 1200, 1200, true, 77);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && p.l4.n == 3000 &&
	      !memcmp(p.l4.p, whole, 3000));

	/* Overlap with the same bytes: fragment_overlap. */
	frag4(&f, whole, 0, 1600, true, 78);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING);
	frag4(&f, whole, 1200, 1200, true, 78);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING && weird_is("fragment_overlap"));
	frag4(&f, whole, 2400, 600, false, 78);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && !memcmp(p.l4.p, whole, 3000));

	/* Overlap with different bytes: the first data wins. */
	frag4(&f, whole, 0, 1600, true, 79);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING);
	frag4(&f, whole, 1200, 1200, true, 79);
	memset(f.b + 34, 0xEE, 400);	/* offsets 1200..1600 disagree */
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING && weird_is("fragment_inconsistency"));
	frag4(&f, whole, 2400, 600, false, 79);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_OK && !memcmp(p.l4.p, whole, 3000));

	/* Two last fragments disagreeing on the size. */
	frag4(&f, whole, 2400, 600, false, 80);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING);
	frag4(&f, whole, 2400, 400, false, 80);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING && weird_is("fragment_size_inconsistency"));

	/* A fragment not fully captured: a later one is dropped, a first one
	 * goes on as an ordinary packet. */
	frag4(&f, whole, 1200, 1200, true, 81);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, 100, f.n, 1, &p) == DECODE_DROP &&
	      weird_is("incompletely_captured_fragment"));
	frag4(&f, whole, 0, 1200, true, 81);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, 100, f.n, 1, &p) == DECODE_OK);
	CHECK(!p.ip_reassembled && p.proto == 17 && p.l4.n == 66 && p.l4_len == 1200);

	/* Timeout: frag_timeout (5 min) after the first fragment it is gone. */
	double t0 = CLOCK + 1000;
	frag4(&f, whole, 0, 1200, true, 82);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n, t0, &p) == DECODE_PENDING);
	frag4(&f, whole, 1200, 1800, false, 82);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n, t0 + 300, &p) == DECODE_PENDING);
	frag4(&f, whole, 0, 1200, true, 82);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n, t0 + 301, &p) == DECODE_OK);
	/* ... but not one second earlier. */
	frag4(&f, whole, 0, 1200, true, 83);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n, t0 + 1000, &p) == DECODE_PENDING);
	frag4(&f, whole, 1200, 1800, false, 83);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n, t0 + 1299, &p) == DECODE_OK);
	/* A packet from the past does not bring an expired datagram back. */
	frag4(&f, whole, 0, 1200, true, 86);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n, t0 + 10, &p) == DECODE_PENDING);
	frag4(&f, whole, 1200, 1800, false, 86);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n, t0 + 1300, &p) == DECODE_PENDING);
	CLOCK = t0 + 1300;

	/* Zero-length and header-only oddities. */
	f.n = 0;
	ether(&f, 0x0800);
	ip4(&f, 17, 0, 84, 0x2000);
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING);

	/* Fragments reaching past 64 KiB are refused, with a weird. */
	f.n = 0;
	ether(&f, 0x0800);
	ip4(&f, 17, 1000, 85, 0x1fff);
	memset(f.b + f.n, 1, 1000);
	f.n += 1000;
	CHECK(run(DLT_EN10MB, &f, &p) == DECODE_PENDING && weird_is("excessively_large_fragment"));
}

static void test_fragments_v6(void)
{
	static uint8_t whole[2000];
	make_udp_payload(whole, sizeof whole);
	struct frame f;
	struct packet p;
	/* Hop-by-hop before the fragment header: it belongs to the
	 * unfragmentable part and must name UDP after reassembly. */
	for (int order = 0; order < 2; order++) {
		for (int k = 0; k < 2; k++) {
			int part = order ? 1 - k : k;
			size_t off = part ? 1232 : 0, len = part ? 2000 - 1232 : 1232;
			f.n = 0;
			ether(&f, 0x86DD);
			ip6(&f, 0, (uint16_t)(8 + 8 + len));
			put8(&f, 44);
			put8(&f, 0);
			put16(&f, 0x0104);
			put32(&f, 0);
			put8(&f, 17);
			put8(&f, 0);
			put16(&f, (uint16_t)(off | (part ? 0 : 1)));
			put32(&f, 0xcafe0000u + (uint32_t)order);
			put(&f, whole + off, len);
			enum decode_result r = run(DLT_EN10MB, &f, &p);
			if (r != (k ? DECODE_OK : DECODE_PENDING))
				fprintf(stderr, "v6 frag order %d k %d: r %d weird %s\n", order, k, r, W ? W : "-");
			CHECK(r == (k ? DECODE_OK : DECODE_PENDING));
		}
		CHECK(p.ip_reassembled && p.ip_version == 6 && p.proto == 17);
		CHECK(p.ip_hdr_len == 48 && p.ip_len == 48 + 2000 && p.l4_len == 2000);
		CHECK(p.l4.n == 2000 && !memcmp(p.l4.p, whole, 2000));
		CHECK(is_v6(&p.src, IP6_A) && is_v6(&p.dst, IP6_B));
	}

	/* A first fragment not fully captured goes on; its protocol is the
	 * fragment header's next header. */
	f.n = 0;
	ether(&f, 0x86DD);
	ip6(&f, 44, 8 + 1000);
	put8(&f, 17);
	put8(&f, 0);
	put16(&f, 1);
	put32(&f, 5);
	put(&f, whole, 1000);
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, 14 + 48 + 20, f.n, 1, &p) == DECODE_OK);
	CHECK(p.proto == 17 && p.l4.n == 20 && p.l4_len == 1000);
	f.b[14 + 40 + 2] = 0x10;	/* offset 4096: dropped */
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, 14 + 48 + 20, f.n, 1, &p) == DECODE_DROP &&
	      weird_is("incompletely_captured_fragment"));
}

static void test_fragment_memory(void)
{
	/* 20000 datagrams that never complete: far more than the table's
	 * 16 MiB; the oldest make way and nothing leaks (ASan). */
	static uint8_t whole[1400];
	make_udp_payload(whole, sizeof whole);
	struct frame f;
	struct packet p;
	int pending = 0;
	for (uint32_t i = 0; i < 20000; i++) {
		frag4(&f, whole, 0, 1400, true, (uint16_t)i);
		f.b[14 + 12] = (uint8_t)(i >> 16);	/* vary the source too */
		f.b[14 + 10] = f.b[14 + 11] = 0;
		uint16_t s = (uint16_t)~ref_sum(0, f.b + 14, 20);
		f.b[14 + 10] = (uint8_t)(s >> 8);
		f.b[14 + 11] = (uint8_t)s;
		pending += run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n, CLOCK + i * 0.001, &p) ==
			   DECODE_PENDING;
	}
	CHECK(pending == 20000);
	/* The newest still completes. */
	frag4(&f, whole, 1400 - 8, 8, false, 19999);
	f.b[14 + 12] = 0;
	f.b[14 + 10] = f.b[14 + 11] = 0;
	uint16_t s = (uint16_t)~ref_sum(0, f.b + 14, 20);
	f.b[14 + 10] = (uint8_t)(s >> 8);
	f.b[14 + 11] = (uint8_t)s;
	CLOCK += 30;
	CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n, CLOCK, &p) == DECODE_OK);
	CHECK(p.l4.n == 1400);

	/* Many tiny holes in one datagram: bounded, no crash. */
	for (uint32_t off = 0; off < 4000; off += 16) {
		frag4(&f, whole, 0, 8, true, 4242);
		f.b[14 + 6] = (uint8_t)(0x20 | (off / 8) >> 8);
		f.b[14 + 7] = (uint8_t)(off / 8);
		f.b[14 + 10] = f.b[14 + 11] = 0;
		s = (uint16_t)~ref_sum(0, f.b + 14, 20);
		f.b[14 + 10] = (uint8_t)(s >> 8);
		f.b[14 + 11] = (uint8_t)s;
		CHECK(run_full(&OPTS, DLT_EN10MB, &f, f.n, f.n, CLOCK, &p) == DECODE_PENDING);
	}
	frag_table_expire(FRAGS, 1e9);
}

/* ---- checksums ---- */

static void test_cksum(void)
{
	uint8_t buf[300];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	int bad = 0;
	for (size_t n = 0; n < sizeof buf; n += 2) {
		/* Append the complement: the folded sum must be 0xffff. */
		uint8_t tmp[sizeof buf + 2];
		memcpy(tmp, buf, n);
		uint16_t c = (uint16_t)~ref_sum(0, tmp, n);
		tmp[n] = (uint8_t)(c >> 8);
		tmp[n + 1] = (uint8_t)c;
		bad += cksum_fold(cksum_add(0, tmp, n + 2)) != 0xffff;
		/* And a one-bit change is seen. */
		if (n) {
			tmp[n / 2] ^= 4;
			bad += cksum_fold(cksum_add(0, tmp, n + 2)) == 0xffff;
		}
	}
	CHECK(bad == 0);
	/* Odd lengths: compare with the reference by adding the padding ourselves. */
	for (size_t n = 1; n < 100; n += 2) {
		uint16_t want = ref_sum(0, buf, n);
		uint16_t got = cksum_fold(cksum_add(0, buf, n));
		/* Host-order sums differ from the big-endian reference by a byte swap. */
		uint16_t got_be = (uint16_t)(got >> 8 | got << 8);
		CHECK(got == want || got_be == want);
	}
}

/* ---- robustness sweeps ---- */

static uint64_t rng = 88172645463325252u;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void parse_everything(struct packet *p)
{
	struct tcp_header th;
	struct udp_header uh;
	struct icmp_header ih;
	uint16_t a, b;
	(void)l4_ports(p, &a, &b);
	(void)tcp_parse(p, &th);
	(void)udp_parse(p, &uh);
	(void)icmp_parse(p, &ih);
	if (p->l4.n == p->l4_len)
		(void)l4_checksum_ok(p);
}

static void test_sweeps(void)
{
	static const int dlts[] = {DLT_EN10MB, DLT_NULL, DLT_RAW, DLT_PPP, DLT_PPP_SERIAL,
				   DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_IEEE802_11,
				   DLT_IEEE802_11_RADIO, DLT_NFLOG, DLT_FDDI, DLT_LOOP, 101};
	struct packet p;
	int crashes_avoided = 0;

	/* Every prefix of a few valid frames, on a heap copy so ASan sees
	 * any read past the captured length. */
	struct frame *src = malloc(sizeof *src);
	void (*builders[])(struct frame *) = {tcp_frame};
	for (size_t bi = 0; bi < 1; bi++) {
		builders[bi](src);
		for (size_t n = 0; n <= src->n; n++) {
			uint8_t *copy = malloc(n ? n : 1);
			memcpy(copy, src->b, n);
			memset(&p, 0, sizeof p);
			p.caplen = (uint32_t)n;
			p.wirelen = (uint32_t)src->n;
			p.linktype = DLT_EN10MB;
			p.data = copy;
			p.vlan = p.inner_vlan = -1;
			if (decode_packet(&OPTS, FRAGS, &p, &W) == DECODE_OK)
				parse_everything(&p);
			free(copy);
			crashes_avoided++;
		}
	}
	free(src);

	/* Random frames, mostly well-formed starts with random tails. */
	for (int iter = 0; iter < 60000; iter++) {
		size_t n = rnd() % 200;
		uint8_t *copy = malloc(n ? n : 1);
		for (size_t i = 0; i < n; i++)
			copy[i] = (uint8_t)rnd();
		int dlt = dlts[rnd() % (sizeof dlts / sizeof dlts[0])];
		/* Bias towards plausible headers so the deeper layers are reached. */
		if (n > 20 && dlt == DLT_EN10MB) {
			static const uint16_t types[] = {0x0800, 0x86DD, 0x8100, 0x88A8, 0x8847,
							 0x8864, 0x88E7, 0x8926, 0x8903, 40};
			uint16_t t = types[rnd() % 10];
			copy[12] = (uint8_t)(t >> 8);
			copy[13] = (uint8_t)t;
			if (n > 34)
				copy[14] = (rnd() & 1) ? 0x45 : 0x60;
		} else if (n > 0 && (dlt == DLT_RAW || dlt == 101)) {
			copy[0] = (rnd() & 1) ? (uint8_t)(0x40 | (rnd() % 16)) : 0x60;
			if (n > 6 && copy[0] == 0x60) {
				static const uint8_t nh[] = {0, 43, 44, 50, 51, 60, 135, 6, 17, 58};
				copy[6] = nh[rnd() % 10];
			}
		}
		memset(&p, 0, sizeof p);
		p.ts = CLOCK + iter * 0.01;
		p.caplen = (uint32_t)n;
		p.wirelen = (uint32_t)(n + (rnd() % 3 == 0 ? rnd() % 100 : 0));
		p.linktype = dlt;
		p.data = copy;
		p.vlan = p.inner_vlan = -1;
		W = NULL;
		enum decode_result r = decode_packet(&OPTS_C, FRAGS, &p, &W);
		if (r == DECODE_OK) {
			CHECK(p.l4.n <= p.caplen);
			parse_everything(&p);
		}
		if (r == DECODE_DROP && !W) {
			CHECK(!"a drop without a weird");
			break;
		}
		free(copy);
		crashes_avoided++;
	}
	CHECK(crashes_avoided > 60000);
}

int main(void)
{
	FRAGS = frag_table_new();
	CHECK(FRAGS != NULL);
	test_ethernet();
	test_vlan();
	test_mpls_pppoe_pbb_vntag_cfp();
	test_cooked_raw_null_ppp();
	test_80211();
	test_nflog();
	test_ipv4_lengths_and_checksums();
	test_transport();
	test_ipv6();
	test_fragments_v4();
	test_fragments_v6();
	test_fragment_memory();
	test_cksum();
	test_sweeps();
	frag_table_free(FRAGS);
	return check_summary();
}
