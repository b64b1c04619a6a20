/*
 * Tunnels: each header decoder on good, lying and truncated input (every
 * prefix of every good header, for the sanitizers and for the weird it
 * must give), then whole packets through the engine: IP-in-IP of both
 * families, GRE, PPTP, VXLAN, Teredo (its delayed confirmation and
 * protocol detection), nesting past Tunnel::max_depth, one inner flow over
 * two tunnels (tunnel_parents), and tunnel.log's DISCOVER, CLOSE, EXPIRE.
 */
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/capture.h"
#include "core/engine.h"
#include "core/outdir.h"
#include "core/tunnel.h"
#include "output/tsv.h"
#include "tests/check.h"

static struct bytes B(const uint8_t *p, size_t n)
{
	struct bytes b = {p, n};
	return b;
}

/* ---- decoders ---- */

static void test_gre(void)
{
	struct tunnel_inner in;
	const char *w = NULL;
	uint8_t plain[4 + 20] = {0x00, 0x00, 0x08, 0x00, 0x45};
	CHECK(tunnel_decode_gre(B(plain, sizeof plain), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.next == TUNNEL_NEXT_IP && in.frame.p == plain + 4 && in.frame.n == 20);
	/* Key and sequence present: 12 bytes of header. */
	uint8_t keyed[12 + 20] = {0x30, 0x00, 0x08, 0x00};
	CHECK(tunnel_decode_gre(B(keyed, sizeof keyed), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.frame.p == keyed + 12);
	for (size_t n = 0; n < 4; n++) {
		w = NULL;
		CHECK(tunnel_decode_gre(B(keyed, n), &in, &w) == TUNNEL_WEIRD);
		CHECK(w && !strcmp(w, "truncated_GRE"));
	}
	w = NULL;
	CHECK(tunnel_decode_gre(B(keyed, 11), &in, &w) == TUNNEL_WEIRD);
	CHECK(w && !strcmp(w, "truncated_GRE"));

	uint8_t bad[8] = {0x00, 0x02, 0x08, 0x00};
	CHECK(tunnel_decode_gre(B(bad, sizeof bad), &in, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "unknown_gre_version"));
	uint8_t routing[8] = {0x40, 0x00, 0x08, 0x00};
	CHECK(tunnel_decode_gre(B(routing, sizeof routing), &in, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "gre_routing"));
	uint8_t flags[8] = {0x00, 0x08, 0x08, 0x00};
	CHECK(tunnel_decode_gre(B(flags, sizeof flags), &in, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "unknown_gre_flags"));

	/* Transparent Ethernet bridging needs more than an Ethernet header. */
	uint8_t teb[4 + 15] = {0x00, 0x00, 0x65, 0x58};
	CHECK(tunnel_decode_gre(B(teb, sizeof teb), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.next == TUNNEL_NEXT_ETHERNET && in.frame.n == 15);
	CHECK(tunnel_decode_gre(B(teb, 18), &in, &w) == TUNNEL_WEIRD);

	/* ERSPAN I (no sequence): the Ethernet frame right after GRE. */
	uint8_t e1[4 + 20] = {0x00, 0x00, 0x88, 0xbe};
	CHECK(tunnel_decode_gre(B(e1, sizeof e1), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.frame.p == e1 + 4 && in.next == TUNNEL_NEXT_ETHERNET);
	/* ERSPAN II: sequence number, then 8 bytes of ERSPAN header. */
	uint8_t e2[8 + 8 + 20] = {0x10, 0x00, 0x88, 0xbe};
	CHECK(tunnel_decode_gre(B(e2, sizeof e2), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.frame.p == e2 + 16);
	/* ERSPAN III: 12 bytes, and 8 more when its O bit is set. */
	uint8_t e3[4 + 12 + 8 + 20] = {0x00, 0x00, 0x22, 0xeb};
	CHECK(tunnel_decode_gre(B(e3, sizeof e3), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.frame.p == e3 + 16);
	e3[4 + 11] = 0x01;
	CHECK(tunnel_decode_gre(B(e3, sizeof e3), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.frame.p == e3 + 24);
	CHECK(tunnel_decode_gre(B(e3, 4 + 12 + 8 + 14), &in, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "truncated_GRE"));
	for (size_t n = 0; n < sizeof e3; n++)
		(void)tunnel_decode_gre(B(e3, n), &in, &w);

	/* Aruba: 802.11 in GRE. */
	uint8_t aruba[4 + 30] = {0x00, 0x00, 0x90, 0x00};
	CHECK(tunnel_decode_gre(B(aruba, sizeof aruba), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.next == TUNNEL_NEXT_IEEE802_11);
	CHECK(tunnel_decode_gre(B(aruba, 4), &in, &w) == TUNNEL_WEIRD);

	/* PPTP: enhanced GRE (version 1, key), then PPP. */
	uint8_t pptp[8 + 4 + 20] = {0x20, 0x01, 0x88, 0x0b, 0, 24, 0, 1, 0xff, 0x03, 0x00, 0x21,
				    0x45, 0, 0, 20};
	CHECK(tunnel_decode_gre(B(pptp, sizeof pptp), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.gre_version == 1 && !in.pptp_v6 && in.frame.p == pptp + 12 && in.frame.n == 20);
	CHECK(tunnel_check_inner_ip(in.frame, false, &w) == TUNNEL_FORWARD);
	CHECK(tunnel_check_inner_ip(B(pptp + 12, 19), false, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "invalid_inner_IP_version"));	/* Zeek's name for a short IPv4 */
	uint8_t padded[21] = {0x45, 0, 0, 20};
	CHECK(tunnel_check_inner_ip(B(padded, 21), false, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "inner_IP_payload_length_mismatch"));
	uint8_t longer[20] = {0x45, 0, 0, 40};
	CHECK(tunnel_check_inner_ip(B(longer, 20), false, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "truncated_inner_IP"));
	CHECK(tunnel_check_inner_ip(B(longer, 20), true, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "truncated_inner_IP"));
	pptp[11] = 0x57;
	CHECK(tunnel_decode_gre(B(pptp, sizeof pptp), &in, &w) == TUNNEL_FORWARD && in.pptp_v6);
	pptp[11] = 0x2b;
	CHECK(tunnel_decode_gre(B(pptp, sizeof pptp), &in, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "non_ip_packet_in_encap"));
	pptp[2] = 0x08;
	CHECK(tunnel_decode_gre(B(pptp, sizeof pptp), &in, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "egre_protocol_type"));
}

static void test_vxlan_geneve(void)
{
	struct tunnel_inner in;
	const char *w = NULL;
	bool conf;
	uint8_t vx[8 + 20] = {0x08, 0, 0, 0, 0, 0, 42, 0};
	CHECK(tunnel_decode_vxlan(B(vx, sizeof vx), &in, &conf, &w) == TUNNEL_FORWARD);
	CHECK(conf && in.next == TUNNEL_NEXT_ETHERNET && in.frame.p == vx + 8);
	CHECK(tunnel_decode_vxlan(B(vx, 8), &in, &conf, &w) == TUNNEL_WEIRD && conf);
	CHECK(!strcmp(w, "vxlan_empty_packet"));
	for (size_t n = 0; n < 8; n++) {
		CHECK(tunnel_decode_vxlan(B(vx, n), &in, &conf, &w) == TUNNEL_VIOLATION);
		CHECK(!conf);
	}
	vx[0] = 0;
	CHECK(tunnel_decode_vxlan(B(vx, sizeof vx), &in, &conf, &w) == TUNNEL_VIOLATION);

	/* Geneve with two words of options, carrying Ethernet. */
	uint8_t ge[8 + 8 + 20] = {0x02, 0, 0x65, 0x58};
	CHECK(tunnel_decode_geneve(B(ge, sizeof ge), &in, &conf, &w) == TUNNEL_FORWARD);
	CHECK(conf && in.next == TUNNEL_NEXT_ETHERNET && in.frame.p == ge + 16);
	CHECK(tunnel_decode_geneve(B(ge, 16), &in, &conf, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "geneve_empty_packet"));
	for (size_t n = 0; n < 16; n++) {
		CHECK(tunnel_decode_geneve(B(ge, n), &in, &conf, &w) == TUNNEL_VIOLATION);
		CHECK(!conf);
	}
	ge[2] = 0x08, ge[3] = 0x00;
	CHECK(tunnel_decode_geneve(B(ge, sizeof ge), &in, &conf, &w) == TUNNEL_FORWARD);
	CHECK(in.next == TUNNEL_NEXT_IP);
	ge[2] = 0x08, ge[3] = 0x06;	/* ARP: confirmed, nothing to track */
	CHECK(tunnel_decode_geneve(B(ge, sizeof ge), &in, &conf, &w) == TUNNEL_FORWARD);
	CHECK(in.next == TUNNEL_NEXT_NONE);
	ge[0] = 0x40;
	CHECK(tunnel_decode_geneve(B(ge, sizeof ge), &in, &conf, &w) == TUNNEL_WEIRD);
	CHECK(!strcmp(w, "geneve_invalid_version"));
}

static void test_gtp(void)
{
	struct tunnel_inner in;
	const char *w = NULL;
	/* G-PDU, version 1, PT set, no options. */
	uint8_t g[8 + 20] = {0x30, 0xff, 0, 20, 0, 0, 0, 1, 0x45};
	CHECK(tunnel_decode_gtpv1(B(g, sizeof g), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.frame.p == g + 8 && in.next == TUNNEL_NEXT_IP);
	for (size_t n = 0; n < 8; n++)
		CHECK(tunnel_decode_gtpv1(B(g, n), &in, &w) == TUNNEL_VIOLATION);
	CHECK(tunnel_decode_gtpv1(B(g, 27), &in, &w) == TUNNEL_VIOLATION);	/* < 20 of IP */
	/* Sequence flag: 4 optional bytes; the extension flag: a chain. */
	uint8_t o[12 + 4 + 20] = {0x36, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x85, 1, 0xaa, 0xbb, 0,
				  0x45};
	CHECK(tunnel_decode_gtpv1(B(o, sizeof o), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.frame.p == o + 16);
	for (size_t n = 0; n < 16; n++)
		CHECK(tunnel_decode_gtpv1(B(o, n), &in, &w) == TUNNEL_VIOLATION);
	o[12] = 0;	/* an extension of length 0 cannot be parsed */
	CHECK(tunnel_decode_gtpv1(B(o, sizeof o), &in, &w) == TUNNEL_VIOLATION);
	g[8] = 0x25;
	CHECK(tunnel_decode_gtpv1(B(g, sizeof g), &in, &w) == TUNNEL_VIOLATION);	/* not IP */
	g[0] = 0x20;	/* GTP' */
	CHECK(tunnel_decode_gtpv1(B(g, sizeof g), &in, &w) == TUNNEL_STOP);
	g[0] = 0x30, g[1] = 16;	/* signalling */
	CHECK(tunnel_decode_gtpv1(B(g, sizeof g), &in, &w) == TUNNEL_STOP);
	g[0] = 0x50;	/* version 2 */
	CHECK(tunnel_decode_gtpv1(B(g, sizeof g), &in, &w) == TUNNEL_VIOLATION);
	CHECK(tunnel_udp_port_type(2152) == TUNNEL_GTPV1 && tunnel_udp_port_type(53) == TUNNEL_NONE);
	CHECK(!strcmp(tunnel_service_name(TUNNEL_GENEVE), "geneve"));
}


static void test_ayiya(void)
{
	struct tunnel_inner in;
	const char *w = NULL;
	bool conf = false;
	/* Identity 1 << 4 = 16 bytes, signature 5 * 4 bytes, forward, IPv6. */
	uint8_t a[8 + 16 + 20 + 40] = {0x41, 0x52, 0x11, 41};
	a[44] = 0x60;
	CHECK(tunnel_decode_ayiya(B(a, sizeof a), &in, &conf, &w) == TUNNEL_FORWARD && conf);
	CHECK(in.frame.p == a + 44 && in.frame.n == 40 && in.next == TUNNEL_NEXT_IP);
	for (size_t n = 0; n < 44; n++) {
		conf = false;
		CHECK(tunnel_decode_ayiya(B(a, n), &in, &conf, &w) == TUNNEL_VIOLATION && !conf);
	}
	conf = false, w = NULL;
	CHECK(tunnel_decode_ayiya(B(a, 44), &in, &conf, &w) == TUNNEL_WEIRD && conf);
	CHECK(w && !strcmp(w, "ayiya_empty_packet"));
	CHECK(tunnel_udp_detect(B(a, 3)) == TUNNEL_AYIYA && tunnel_udp_port_type(5072) == TUNNEL_AYIYA);
	a[3] = 17;	/* nothing is registered under UDP's number */
	CHECK(tunnel_decode_ayiya(B(a, sizeof a), &in, &conf, &w) == TUNNEL_FORWARD);
	CHECK(in.next == TUNNEL_NEXT_NONE);
	a[2] = 0x12;	/* opcode 2 is not "forward": no confirmation either */
	conf = false;
	CHECK(tunnel_decode_ayiya(B(a, sizeof a), &in, &conf, &w) == TUNNEL_STOP && !conf);
}

/* An IPv6 header at p: next header nh, payload length plen, source in
 * Teredo's 2001:0::/32. */
static void ip6_at(uint8_t *p, uint8_t nh, uint16_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8), p[5] = (uint8_t)plen;
	p[6] = nh;
	p[8] = 0x20, p[9] = 0x01;
}

static void test_teredo(void)
{
	struct tunnel_inner in;
	const char *w = NULL;
	uint8_t t[64 + 48];
	ip6_at(t, 59, 0);	/* a bare bubble */
	CHECK(tunnel_decode_teredo(B(t, 40), &in, &w) == TUNNEL_FORWARD && !w);
	CHECK(in.frame.p == t && in.frame.n == 40 && in.next == TUNNEL_NEXT_IP);
	CHECK(tunnel_udp_detect(B(t, 40)) == TUNNEL_TEREDO);
	/* Trailing bytes: weird after a bubble, a violation after a packet. */
	CHECK(tunnel_decode_teredo(B(t, 44), &in, &w) == TUNNEL_FORWARD);
	CHECK(w && !strcmp(w, "Teredo_bubble_with_payload"));
	ip6_at(t, 17, 0);
	w = NULL;
	CHECK(tunnel_decode_teredo(B(t, 44), &in, &w) == TUNNEL_VIOLATION && !w);
	ip6_at(t, 17, 8);	/* says 8 bytes of payload, has 4 */
	CHECK(tunnel_decode_teredo(B(t, 44), &in, &w) == TUNNEL_VIOLATION);
	/* Authentication (id 2, auth 3 bytes), then the origin indication. */
	uint8_t h[4 + 2 + 3 + 9 + 8] = {0x00, 0x01, 2, 3};
	h[18] = 0x00, h[19] = 0x00;
	memcpy(t, h, sizeof h);
	ip6_at(t + sizeof h, 59, 0);
	CHECK(tunnel_decode_teredo(B(t, sizeof h + 40), &in, &w) == TUNNEL_FORWARD);
	CHECK(in.frame.p == t + sizeof h && in.frame.n == 40);
	CHECK(tunnel_udp_detect(B(t, sizeof h + 40)) == TUNNEL_TEREDO);
	for (size_t n = 0; n < sizeof h + 40; n++) {
		w = NULL;
		CHECK(tunnel_decode_teredo(B(t, n), &in, &w) == TUNNEL_VIOLATION);
		CHECK(w != NULL);	/* every prefix is one of the truncations */
	}
	/* Two origin indications, or authentication after one: refused. */
	uint8_t o2[16 + 40] = {0};
	ip6_at(o2 + 16, 59, 0);
	w = NULL;
	CHECK(tunnel_decode_teredo(B(o2, sizeof o2), &in, &w) == TUNNEL_VIOLATION && !w);
	o2[8] = 0x00, o2[9] = 0x01;
	CHECK(tunnel_decode_teredo(B(o2, sizeof o2), &in, &w) == TUNNEL_VIOLATION);
	/* A DNS query with ID 0x0100 and 40 bytes is not Teredo. */
	uint8_t dns[40] = {0x01, 0x00, 0x01, 0x00, 0x00, 0x01};
	CHECK(tunnel_udp_detect(B(dns, sizeof dns)) == TUNNEL_NONE);
	CHECK(tunnel_udp_detect(B(dns, 2)) == TUNNEL_NONE);
	CHECK(tunnel_udp_port_type(3544) == TUNNEL_TEREDO);
}

/* ---- whole packets through the engine ---- */

struct run {
	char dir[64];
	struct config cfg;
	struct outdir *out;
	struct engine *e;
	char lines[8][1024];
	int n;
	char tunnel[8][256];	/* tunnel.log's lines, without ts */
	int n_tunnel;
};

static void start_with(struct run *r, const struct config *cfg)
{
	memset(r, 0, sizeof *r);
	if (cfg)
		r->cfg = *cfg;
	strcpy(r->dir, "/tmp/smtplog-test-tunnel-XXXXXX");
	CHECK(mkdtemp(r->dir) != NULL);
	r->cfg.scripts |= SCRIPT_CONN;
	r->cfg.bare = true;
	r->cfg.ignore_checksums = true;	/* the frames below carry none */
	r->out = outdir_open(r->dir, true);
	struct uid_gen uids;
	uint32_t seeds[UID_SEED_WORDS] = {0};
	CHECK(uid_gen_init_seeds(&uids, seeds) == 0);
	r->e = engine_new(&r->cfg, &uids, NULL, &tsv_writer_ops, r->out);
	CHECK(r->out && r->e);
}

static void start(struct run *r)
{
	start_with(r, NULL);
}

static void finish(struct run *r)
{
	CHECK(engine_finish(r->e) == 0);
	struct engine_close_report rep;
	CHECK(engine_close_logs(r->e, &rep) == 0);
	engine_free(r->e);
	outdir_close(r->out);
	char path[128];
	snprintf(path, sizeof path, "%s/conn.log", r->dir);
	FILE *fp = fopen(path, "r");
	char line[1024];
	while (fp && fgets(line, sizeof line, fp))
		if (line[0] != '#' && r->n < 8) {
			line[strcspn(line, "\n")] = 0;
			snprintf(r->lines[r->n++], sizeof r->lines[0], "%s", line);
		}
	if (fp)
		fclose(fp);
	unlink(path);
	snprintf(path, sizeof path, "%s/tunnel.log", r->dir);
	fp = fopen(path, "r");
	while (fp && fgets(line, sizeof line, fp))
		if (line[0] != '#' && r->n_tunnel < 8) {
			line[strcspn(line, "\n")] = 0;
			const char *tab = strchr(line, '\t');
			snprintf(r->tunnel[r->n_tunnel++], sizeof r->tunnel[0], "%.255s", tab ? tab + 1 : line);
		}
	if (fp)
		fclose(fp);
	unlink(path);
	rmdir(r->dir);
}

/* Field i (0-based) of line l. */
static const char *field(const struct run *r, int l, int i)
{
	static char out[256];
	out[0] = 0;
	if (l >= r->n)
		return "(no line)";
	const char *p = r->lines[l];
	for (int k = 0; k < i && p; k++) {
		p = strchr(p, '\t');
		if (p)
			p++;
	}
	if (!p)
		return "(no field)";
	size_t n = strcspn(p, "\t");
	snprintf(out, sizeof out, "%.*s", (int)n, p);
	return out;
}

enum { F_UID = 1, F_ORIG_H = 2, F_RESP_P = 5, F_PROTO = 6, F_SERVICE = 7, F_HISTORY = 15,
       F_OPKTS = 16, F_RPKTS = 18, F_PARENTS = 20 };

struct pkt {
	uint8_t b[1024];
	size_t n;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Wraps what is in *p in an IP header (v4: a, b are the last bytes of
 * 10.0.<level>.x; v6: of 2001:db8::x). */
static void wrap_ip(struct pkt *p, bool v6, uint8_t proto, uint8_t a, uint8_t b)
{
	size_t h = v6 ? 40 : 20;
	memmove(p->b + h, p->b, p->n);
	memset(p->b, 0, h);
	if (v6) {
		p->b[0] = 0x60;
		put16(p->b + 4, (uint16_t)p->n);
		p->b[6] = proto;
		p->b[7] = 64;
		p->b[8] = 0x20, p->b[9] = 0x01, p->b[10] = 0x0d, p->b[11] = 0xb8, p->b[23] = a;
		p->b[24] = 0x20, p->b[25] = 0x01, p->b[26] = 0x0d, p->b[27] = 0xb8, p->b[39] = b;
	} else {
		p->b[0] = 0x45;
		put16(p->b + 2, (uint16_t)(p->n + 20));
		p->b[8] = 64;
		p->b[9] = proto;
		p->b[12] = 10, p->b[15] = a;
		p->b[16] = 10, p->b[19] = b;
	}
	p->n += h;
}

static void wrap(struct pkt *p, const uint8_t *hdr, size_t n)
{
	memmove(p->b + n, p->b, p->n);
	memcpy(p->b, hdr, n);
	p->n += n;
}

/* A UDP datagram sp -> dp with 4 bytes of data (checksum 0). */
static void udp_dgram(struct pkt *p, uint16_t sp, uint16_t dp)
{
	memset(p, 0, sizeof *p);
	put16(p->b, sp);
	put16(p->b + 2, dp);
	put16(p->b + 4, 12);
	memcpy(p->b + 8, "ping", 4);
	p->n = 12;
}

static void send_raw(struct run *r, double t, const struct pkt *p)
{
	struct capture_packet cp = {
		.tv_sec = (int64_t)t,
		.tv_usec = 0,
		.caplen = (uint32_t)p->n,
		.wirelen = (uint32_t)p->n,
		.data = p->b,
		.linktype = DLT_RAW,
	};
	CHECK(engine_packet(r->e, &cp) == 0);
}

/* Inner UDP 10.0.0.1:1000 -> 10.0.0.2:53 (or the IPv6 pair), in one IP tunnel. */
static void ip_in_ip(bool outer_v6, bool inner_v6)
{
	struct run r;
	start(&r);
	struct pkt p;
	udp_dgram(&p, 1000, 53);
	wrap_ip(&p, inner_v6, 17, 1, 2);
	wrap_ip(&p, outer_v6, inner_v6 ? 41 : 4, 100, 200);
	send_raw(&r, 10, &p);
	send_raw(&r, 11, &p);
	finish(&r);
	CHECK(r.n == 1);	/* no line for the outer IP flow */
	CHECK(!strcmp(field(&r, 0, F_ORIG_H), inner_v6 ? "2001:db8::1" : "10.0.0.1"));
	CHECK(!strcmp(field(&r, 0, F_OPKTS), "2"));
	/* The tunnel's UID was drawn first, then the connection's. */
	char tun[32];
	snprintf(tun, sizeof tun, "%s", field(&r, 0, F_PARENTS));
	CHECK(tun[0] == 'C' && strcmp(tun, field(&r, 0, F_UID)) != 0);
}

static void test_engine_ip_in_ip(void)
{
	ip_in_ip(false, false);
	ip_in_ip(false, true);
	ip_in_ip(true, false);
	ip_in_ip(true, true);
}

static void test_engine_depth(void)
{
	for (int levels = 3; levels <= 5; levels++) {
		struct run r;
		start(&r);
		struct pkt p;
		udp_dgram(&p, 1000, 53);
		wrap_ip(&p, false, 17, 1, 2);
		for (int l = 0; l < levels; l++)
			wrap_ip(&p, false, 4, (uint8_t)(10 + l), (uint8_t)(20 + l));
		send_raw(&r, 10, &p);
		finish(&r);
		/* Tunnel::max_depth = 4 encapsulations are decapsulated. */
		CHECK(r.n == (levels <= TUNNEL_MAX_DEPTH ? 1 : 0));
	}
}

static void test_engine_gre_and_changes(void)
{
	struct run r;
	start(&r);
	struct pkt p;
	static const uint8_t gre[4] = {0, 0, 0x08, 0x00};
	udp_dgram(&p, 1000, 53);
	wrap_ip(&p, false, 17, 1, 2);
	wrap(&p, gre, 4);
	wrap_ip(&p, false, 47, 100, 200);
	send_raw(&r, 10, &p);
	/* The same inner flow through another tunnel: one connection, two parents. */
	udp_dgram(&p, 1000, 53);
	wrap_ip(&p, false, 17, 1, 2);
	wrap_ip(&p, false, 4, 101, 201);
	send_raw(&r, 11, &p);
	/* PPTP whose IP packet is shorter than the payload: no connection. */
	static const uint8_t pptp[12] = {0x20, 0x01, 0x88, 0x0b, 0, 0, 0, 1, 0xff, 0x03, 0x00, 0x21};
	udp_dgram(&p, 2000, 53);
	wrap_ip(&p, false, 17, 1, 3);
	p.b[p.n++] = 0;	/* one byte of padding */
	wrap(&p, pptp, 12);
	wrap_ip(&p, false, 47, 100, 200);
	send_raw(&r, 12, &p);
	/* Truncated GRE: a weird, nothing else. */
	struct pkt t = {.n = 2};
	wrap_ip(&t, false, 47, 100, 200);
	send_raw(&r, 13, &t);
	finish(&r);
	CHECK(r.n == 1);
	CHECK(!strcmp(field(&r, 0, F_OPKTS), "2"));
	const char *parents = field(&r, 0, F_PARENTS);
	CHECK(strchr(parents, ',') != NULL);
}

/* The same inner flow through IP-in-IP tunnels of `tunnels` outer pairs
 * in turn, under Tunnel::max_changes_per_connection (given: max). */
static void changes_run(struct run *r, bool given, unsigned max, int tunnels)
{
	struct config cfg = {0};
	cfg.tunnel.max_changes_given = given;
	cfg.tunnel.max_changes = max;
	start_with(r, &cfg);
	for (int k = 0; k < tunnels; k++) {
		struct pkt p;
		udp_dgram(&p, 1000, 53);
		wrap_ip(&p, false, 17, 1, 2);
		wrap_ip(&p, false, 4, 100, (uint8_t)(150 + k));
		send_raw(r, 10 + k, &p);
	}
	finish(r);
}

static size_t count_uids(const char *set)
{
	if (!*set || !strcmp(set, "-"))
		return 0;
	size_t n = 1;
	for (const char *p = set; *p; p++)
		n += *p == ',';
	return n;
}

static void test_engine_max_changes(void)
{
	struct run r;
	/* Zeek's 5: six tunnels make five changes, a seventh is refused. */
	changes_run(&r, false, 0, 7);
	CHECK(r.n == 1 && count_uids(field(&r, 0, F_PARENTS)) == 6);
	CHECK(strchr(field(&r, 0, F_HISTORY), 'X') != NULL);
	changes_run(&r, false, 0, 6);
	CHECK(count_uids(field(&r, 0, F_PARENTS)) == 6);
	CHECK(strchr(field(&r, 0, F_HISTORY), 'X') == NULL);
	/* 2: the third tunnel is the first refused. */
	changes_run(&r, true, 2, 4);
	CHECK(count_uids(field(&r, 0, F_PARENTS)) == 3);
	CHECK(strchr(field(&r, 0, F_HISTORY), 'X') != NULL);
	/* 0: no limit; past the inline parents the set grows. */
	changes_run(&r, true, 0, 9);
	CHECK(count_uids(field(&r, 0, F_PARENTS)) == 9);
	CHECK(strchr(field(&r, 0, F_HISTORY), 'X') == NULL);
	CHECK(!strcmp(field(&r, 0, F_OPKTS), "9"));
}

static void test_engine_vxlan(void)
{
	struct run r;
	start(&r);
	struct pkt p;
	udp_dgram(&p, 1000, 53);
	wrap_ip(&p, false, 17, 1, 2);
	static const uint8_t eth[14] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00};
	wrap(&p, eth, sizeof eth);
	static const uint8_t vx[8] = {0x08, 0, 0, 0, 0, 0, 1, 0};
	wrap(&p, vx, sizeof vx);
	uint8_t udp[8] = {0x30, 0x39, 0x12, 0xb5};	/* 12345 -> 4789 */
	put16(udp + 4, (uint16_t)(p.n + 8));
	wrap(&p, udp, sizeof udp);
	wrap_ip(&p, false, 17, 100, 200);
	send_raw(&r, 10, &p);
	/* A second datagram on the flow without the I flag: a violation, which
	 * stops decapsulation on it but leaves the service. */
	p.b[28] = 0;
	send_raw(&r, 11, &p);
	p.b[28] = 0x08;
	send_raw(&r, 12, &p);
	finish(&r);
	CHECK(r.n == 2);
	int outer = strcmp(field(&r, 0, F_RESP_P), "4789") == 0 ? 0 : 1, inner = 1 - outer;
	CHECK(!strcmp(field(&r, outer, F_SERVICE), "vxlan"));
	CHECK(!strcmp(field(&r, outer, F_OPKTS), "3"));
	CHECK(!strcmp(field(&r, outer, F_PARENTS), "-"));
	char uid[32];
	snprintf(uid, sizeof uid, "%s", field(&r, outer, F_UID));
	CHECK(!strcmp(field(&r, inner, F_PARENTS), uid));
	CHECK(!strcmp(field(&r, inner, F_OPKTS), "1"));
}


/* A datagram with UDP header sp -> dp around what is in *p, in IPv4
 * 10.0.0.a -> 10.0.0.b. */
static void wrap_udp(struct pkt *p, uint16_t sp, uint16_t dp, uint8_t a, uint8_t b)
{
	uint8_t udp[8] = {0};
	put16(udp, sp);
	put16(udp + 2, dp);
	put16(udp + 4, (uint16_t)(p->n + 8));
	wrap(p, udp, sizeof udp);
	wrap_ip(p, false, 17, a, b);
}

/* An IPv6 UDP datagram in Teredo, behind an origin indication (which
 * protocol detection needs for addresses outside 2001:0::/32), between
 * 10.0.0.1:40000 and 10.0.0.9:tport. */
static void teredo_dgram(struct pkt *p, bool reply, uint16_t tport)
{
	udp_dgram(p, reply ? 53 : 1000, reply ? 1000 : 53);
	wrap_ip(p, true, 17, reply ? 2 : 1, reply ? 1 : 2);
	static const uint8_t origin[8] = {0, 0, 0x12, 0x34, 1, 2, 3, 4};
	wrap(p, origin, sizeof origin);
	if (reply)
		wrap_udp(p, tport, 40000, 9, 1);
	else
		wrap_udp(p, 40000, tport, 1, 9);
}

static int line_with_port(const struct run *r, const char *port)
{
	for (int l = 0; l < r->n; l++)
		if (!strcmp(field(r, l, F_RESP_P), port))
			return l;
	return -1;
}

static void test_engine_teredo(void)
{
	for (int variant = 0; variant < 3; variant++) {
		struct config cfg = {0};
		cfg.scripts = SCRIPT_TUNNELS;
		cfg.tunnel.teredo_confirm_at_once = variant == 2;
		struct run r;
		start_with(&r, &cfg);
		/* Variant 1 answers: with the delay, only both sides confirm. */
		uint16_t port = variant == 1 ? 3544 : 32900;	/* 32900: found by detection */
		struct pkt p;
		teredo_dgram(&p, false, port);
		send_raw(&r, 10, &p);
		if (variant == 1) {
			teredo_dgram(&p, true, port);
			send_raw(&r, 11, &p);
		}
		finish(&r);
		CHECK(r.n == 2);
		char pstr[8];
		snprintf(pstr, sizeof pstr, "%u", port);
		int outer = line_with_port(&r, pstr), inner = line_with_port(&r, "53");
		CHECK(outer >= 0 && inner >= 0);
		CHECK(!strcmp(field(&r, outer, F_SERVICE), variant ? "teredo" : "-"));
		char uid[32];
		snprintf(uid, sizeof uid, "%s", field(&r, outer, F_UID));
		CHECK(!strcmp(field(&r, inner, F_PARENTS), uid));
		/* DISCOVER with the first inner connection, CLOSE with the outer one. */
		CHECK(r.n_tunnel == 2);
		char want[256];
		snprintf(want, sizeof want, "%s\t10.0.0.1\t40000\t10.0.0.9\t%u\tTunnel::TEREDO\tTunnel::DISCOVER",
			 uid, port);
		CHECK(!strcmp(r.tunnel[0], want));
		CHECK(strstr(r.tunnel[1], "Tunnel::CLOSE") != NULL);
	}
}

/* An IP tunnel has no connection to close it: it expires, once no new
 * connection named it for Tunnel::expiration_interval. */
static void test_engine_tunnel_expire(void)
{
	struct config cfg = {0};
	cfg.scripts = SCRIPT_TUNNELS;
	cfg.tunnel.expiration_interval = 20;	/* under UDP's inactivity timeout */
	struct run r;
	start_with(&r, &cfg);
	struct pkt p;
	udp_dgram(&p, 1000, 53);
	wrap_ip(&p, false, 17, 1, 2);
	wrap_ip(&p, false, 4, 100, 200);
	send_raw(&r, 10, &p);
	send_raw(&r, 25, &p);	/* not a new connection: the entry is not read */
	send_raw(&r, 35, &p);	/* the sweep after 30 finds it idle */
	udp_dgram(&p, 1001, 53);	/* a new connection: discovered again */
	wrap_ip(&p, false, 17, 1, 2);
	wrap_ip(&p, false, 4, 100, 200);
	send_raw(&r, 40, &p);
	finish(&r);
	CHECK(r.n_tunnel == 3);
	CHECK(strstr(r.tunnel[0], "\t10.0.0.100\t0\t10.0.0.200\t0\tTunnel::IP\tTunnel::DISCOVER"));
	CHECK(strstr(r.tunnel[1], "Tunnel::EXPIRE") != NULL);
	CHECK(strstr(r.tunnel[2], "Tunnel::DISCOVER") != NULL);
	/* The IP tunnel keeps its UID (ip_tunnel_timeout is 24 hrs). */
	CHECK(strncmp(r.tunnel[0], r.tunnel[2], strcspn(r.tunnel[0], "\t")) == 0);
}

int main(void)
{
	test_engine_max_changes();
	test_gre();
	test_vxlan_geneve();
	test_gtp();
	test_ayiya();
	test_teredo();
	test_engine_ip_in_ip();
	test_engine_depth();
	test_engine_gre_and_changes();
	test_engine_vxlan();
	test_engine_teredo();
	test_engine_tunnel_expire();
	return check_summary();
}
