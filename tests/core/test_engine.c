/*
 * End to end through core/engine.h: hand-built Ethernet/IPv4 packets in,
 * conn.log (TSV, in a temporary folder) out.
 */
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/outdir.h"
#include "core/uid.h"
#include "output/tsv.h"
#include "tests/check.h"

static uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* One run: an engine writing into its own temporary folder. */
struct run {
	char dir[64];
	struct config cfg;
	struct outdir *out;
	struct engine *e;
	uint8_t frame[2048];
	char lines[16][1024];
	int n_lines;
};

static void run_start(struct run *r, bool bare)
{
	memset(r, 0, sizeof *r);
	strcpy(r->dir, "/tmp/smtplog-test-engine-XXXXXX");
	if (!mkdtemp(r->dir)) {
		perror("mkdtemp");
		exit(1);
	}
	r->cfg.scripts = SCRIPT_CONN;
	r->cfg.bare = bare;
	r->out = outdir_open(r->dir, true);
	struct uid_gen uids;
	CHECK(uid_gen_init_random(&uids) == 0);
	r->e = engine_new(&r->cfg, &uids, NULL, &tsv_writer_ops, r->out);
	CHECK(r->out && r->e);
}

/* 10.0.0.<a>:<sp> -> 10.0.0.<b>:<dp>, IPv4 over Ethernet. proto 6/17/1. */
static void send_ip(struct run *r, double t, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp,
		    uint8_t proto, uint32_t seq, uint32_t ack, uint8_t flags, const char *data,
		    bool bad_cksum)
{
	uint8_t *f = r->frame;
	memset(f, 0, 14 + 60);
	f[5] = a;
	f[11] = b;
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14, *l4 = ip + 20;
	size_t dn = strlen(data), ln;
	uint8_t src[4] = {10, 0, 0, a}, dst[4] = {10, 0, 0, b};
	if (proto == 6) {
		put16(l4, sp);
		put16(l4 + 2, dp);
		put32(l4 + 4, seq);
		put32(l4 + 8, ack);
		l4[12] = 5 << 4;
		l4[13] = flags;
		put16(l4 + 14, 8192);
		ln = 20;
	} else if (proto == 17) {
		put16(l4, sp);
		put16(l4 + 2, dp);
		put16(l4 + 4, (uint16_t)(8 + dn));
		ln = 8;
	} else {
		l4[0] = (uint8_t)sp;	/* type */
		l4[1] = 0;
		put16(l4 + 4, 77);
		put16(l4 + 6, 1);
		ln = 8;
	}
	memcpy(l4 + ln, data, dn);
	ln += dn;
	uint16_t ck;
	if (proto == 1) {
		ck = (uint16_t)~ref_sum(l4, ln, 0);
		put16(l4 + 2, ck);
	} else {
		uint8_t ph[12] = {0};
		memcpy(ph, src, 4);
		memcpy(ph + 4, dst, 4);
		ph[9] = proto;
		put16(ph + 10, (uint16_t)ln);
		ck = (uint16_t)~ref_sum(l4, ln, ref_sum(ph, 12, 0));
		put16(l4 + (proto == 6 ? 16 : 6), ck);
		if (bad_cksum)
			l4[proto == 6 ? 16 : 6] ^= 0x5a;
	}
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + ln));
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	put16(ip + 10, (uint16_t)~ref_sum(ip, 20, 0));
	struct capture_packet cp = {
		.tv_sec = (int64_t)t,
		.tv_usec = (int64_t)((t - (double)(int64_t)t) * 1e6 + 0.5),
		.caplen = (uint32_t)(34 + ln),
		.wirelen = (uint32_t)(34 + ln),
		.data = f,
		.linktype = DLT_EN10MB,
	};
	CHECK(engine_packet(r->e, &cp) == 0);
}

static void tcp(struct run *r, double t, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp,
		uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
	send_ip(r, t, a, sp, b, dp, 6, seq, ack, flags, data, false);
}

static void udp(struct run *r, double t, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp,
		const char *data)
{
	send_ip(r, t, a, sp, b, dp, 17, 0, 0, 0, data, false);
}

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };

/* Finishes the run and reads conn.log back (without # lines). */
static void run_end(struct run *r)
{
	CHECK(engine_finish(r->e) == 0);
	const char *failed = NULL;
	CHECK(engine_close_logs(r->e, &failed) == 0);
	engine_free(r->e);
	outdir_close(r->out);
	char path[128];
	snprintf(path, sizeof path, "%s/conn.log", r->dir);
	FILE *fp = fopen(path, "r");
	char line[1024];
	while (fp && fgets(line, sizeof line, fp))
		if (line[0] != '#' && r->n_lines < 16) {
			line[strcspn(line, "\n")] = 0;
			snprintf(r->lines[r->n_lines++], sizeof r->lines[0], "%s", line);
		}
	if (fp)
		fclose(fp);
	unlink(path);
	rmdir(r->dir);
}

/*
 * The columns that matter here, space separated: id.orig_h id.orig_p
 * id.resp_h id.resp_p proto duration orig_bytes resp_bytes conn_state
 * missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes.
 * (ts, uid, service, local_*, tunnel_parents and ip_proto are left out.)
 */
static const char *cols(const struct run *r, int i)
{
	static char out[512];
	static const int want[] = {2, 3, 4, 5, 6, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19};
	out[0] = 0;
	if (i >= r->n_lines)
		return "(no line)";
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s", r->lines[i]);
	char *fields[32];
	int nf = 0;
	for (char *s = tmp, *tab; nf < 32; s = tab + 1) {
		fields[nf++] = s;
		if (!(tab = strchr(s, '\t')))
			break;
		*tab = 0;
	}
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		if (want[k] >= nf)
			return "(short line)";
		if (k)
			strcat(out, " ");
		strcat(out, fields[want[k]]);
	}
	return out;
}

static void test_handshake_data_fin(void)
{
	struct run r;
	run_start(&r, false);
	tcp(&r, 100.0, 1, 40000, 2, 25, 100, 0, SYN, "");
	tcp(&r, 100.1, 2, 25, 1, 40000, 500, 101, SYN | ACK, "");
	tcp(&r, 100.2, 1, 40000, 2, 25, 101, 501, ACK, "");
	tcp(&r, 100.3, 1, 40000, 2, 25, 101, 501, PSH | ACK, "hello");
	tcp(&r, 100.35, 2, 25, 1, 40000, 501, 106, ACK, "");
	tcp(&r, 100.4, 2, 25, 1, 40000, 501, 106, PSH | ACK, "hi\r\n");
	tcp(&r, 100.5, 1, 40000, 2, 25, 106, 505, ACK, "");
	tcp(&r, 100.6, 1, 40000, 2, 25, 106, 505, FIN | ACK, "");
	tcp(&r, 100.7, 2, 25, 1, 40000, 505, 107, FIN | ACK, "");
	tcp(&r, 100.8, 1, 40000, 2, 25, 107, 506, ACK, "");
	run_end(&r);
	CHECK(r.n_lines == 1);
	/* The duration ends at the second FIN (core spec 3.2). */
	CHECK_STR(cols(&r, 0), "10.0.0.1 40000 10.0.0.2 25 tcp 0.700000 5 4 SF 0 ShADadFf 6 245 4 164");
	CHECK(strncmp(r.lines[0], "100.000000\tC", 12) == 0);
}

static void test_rej_and_s0(void)
{
	struct run r;
	run_start(&r, false);
	tcp(&r, 10.0, 1, 40001, 2, 8081, 100, 0, SYN, "");
	tcp(&r, 10.25, 2, 8081, 1, 40001, 0, 101, RST | ACK, "");
	tcp(&r, 11.0, 1, 40002, 2, 8082, 700, 0, SYN, "");	/* never answered */
	run_end(&r);
	CHECK(r.n_lines == 2);
	/* At the end, the attempt timer (do_expire) runs first and logs the
	 * S0; the REJ waits for its close timer, so comes in the key flush. */
	CHECK_STR(cols(&r, 0), "10.0.0.1 40002 10.0.0.2 8082 tcp - - - S0 0 S 1 40 0 0");
	CHECK_STR(cols(&r, 1), "10.0.0.1 40001 10.0.0.2 8081 tcp 0.250000 0 0 REJ 0 Sr 1 40 1 40");
}

static void test_synack_first_flip(void)
{
	struct run r;
	run_start(&r, false);
	/* Neither port is a likely server port: no flip at creation. */
	tcp(&r, 20.0, 2, 5555, 1, 40003, 500, 101, SYN | ACK, "");
	tcp(&r, 20.1, 1, 40003, 2, 5555, 101, 501, ACK, "");
	tcp(&r, 20.2, 1, 40003, 2, 5555, 101, 501, PSH | ACK, "abc");
	run_end(&r);
	CHECK(r.n_lines == 1);
	/* Delayed flip (core spec 3.4 case 2): history replaced by ^h, then A.
	 * Orig PARTIAL, resp SYN_ACK_SENT: OTH. */
	CHECK_STR(cols(&r, 0), "10.0.0.1 40003 10.0.0.2 5555 tcp 0.200000 3 0 OTH 0 ^hAD 2 83 1 40");
}

static void test_bad_checksum_only(void)
{
	struct run r;
	run_start(&r, false);
	/* seq 0 matches the never-set start_seq (0), so the retry is not a
	 * reuse: one connection, one scaled C. */
	send_ip(&r, 30.0, 1, 40004, 2, 8083, 6, 0, 0, SYN, "", true);
	send_ip(&r, 30.5, 1, 40004, 2, 8083, 6, 0, 0, SYN, "", true);
	run_end(&r);
	CHECK(r.n_lines == 1);
	CHECK_STR(cols(&r, 0), "10.0.0.1 40004 10.0.0.2 8083 tcp - - - OTH 0 C 0 0 0 0");

	/* Any other seq differs from start_seq 0: Zeek's IsReuse
	 * (TCPSessionAdapter.cc) removes the first connection, two lines. */
	run_start(&r, false);
	send_ip(&r, 30.0, 1, 40004, 2, 8083, 6, 100, 0, SYN, "", true);
	send_ip(&r, 30.5, 1, 40004, 2, 8083, 6, 100, 0, SYN, "", true);
	run_end(&r);
	CHECK(r.n_lines == 2);
	CHECK_STR(cols(&r, 1), "10.0.0.1 40004 10.0.0.2 8083 tcp - - - OTH 0 C 0 0 0 0");
	CHECK(strncmp(r.lines[1], "30.500000\t", 10) == 0);
}

static void test_udp(void)
{
	struct run r;
	run_start(&r, false);
	udp(&r, 40.0, 1, 50000, 2, 9999, "ping");
	udp(&r, 40.5, 2, 9999, 1, 50000, "pong!");
	run_end(&r);
	CHECK(r.n_lines == 1);
	CHECK_STR(cols(&r, 0), "10.0.0.1 50000 10.0.0.2 9999 udp 0.500000 4 5 SF 0 Dd 1 32 1 33");

	/* From a likely server port: flipped at creation. Default mode: 53. */
	run_start(&r, false);
	udp(&r, 41.0, 2, 53, 1, 50001, "answer");
	udp(&r, 42.0, 2, 4789, 1, 50002, "vxlan");
	run_end(&r);
	CHECK(r.n_lines == 2);
	CHECK_STR(cols(&r, 0), "10.0.0.1 50001 10.0.0.2 53 udp - - - SHR 0 ^d 0 0 1 34");
	CHECK_STR(cols(&r, 1), "10.0.0.1 50002 10.0.0.2 4789 udp - - - SHR 0 ^d 0 0 1 33");

	/* Bare mode: 53/udp is not a server port, the tunnel ports still are. */
	run_start(&r, true);
	udp(&r, 41.0, 2, 53, 1, 50001, "answer");
	udp(&r, 42.0, 2, 4789, 1, 50002, "vxlan");
	run_end(&r);
	CHECK(r.n_lines == 2);
	CHECK_STR(cols(&r, 0), "10.0.0.2 53 10.0.0.1 50001 udp - - - S0 0 D 1 34 0 0");
	CHECK_STR(cols(&r, 1), "10.0.0.1 50002 10.0.0.2 4789 udp - - - SHR 0 ^d 0 0 1 33");
}

static void test_icmp_echo(void)
{
	struct run r;
	run_start(&r, false);
	send_ip(&r, 50.0, 1, 8, 2, 0, 1, 0, 0, 0, "abcd", false);
	send_ip(&r, 50.01, 2, 0, 1, 0, 1, 0, 0, 0, "abcd", false);
	run_end(&r);
	CHECK(r.n_lines == 1);
	CHECK_STR(cols(&r, 0), "10.0.0.1 8 10.0.0.2 0 icmp 0.010000 4 4 OTH 0 - 1 32 1 32");
}

static void test_reuse_after_close(void)
{
	struct run r;
	run_start(&r, false);
	tcp(&r, 60.0, 1, 40005, 2, 25, 100, 0, SYN, "");
	tcp(&r, 60.1, 2, 25, 1, 40005, 500, 101, SYN | ACK, "");
	tcp(&r, 60.2, 1, 40005, 2, 25, 101, 501, ACK, "");
	tcp(&r, 60.3, 1, 40005, 2, 25, 101, 501, FIN | ACK, "");
	tcp(&r, 60.4, 2, 25, 1, 40005, 501, 102, FIN | ACK, "");
	tcp(&r, 60.5, 1, 40005, 2, 25, 102, 502, ACK, "");
	/* Within the 5 s close delay: a new SYN on the same ports. */
	tcp(&r, 61.0, 1, 40005, 2, 25, 9000, 0, SYN, "");
	run_end(&r);
	CHECK(r.n_lines == 2);
	CHECK_STR(cols(&r, 0), "10.0.0.1 40005 10.0.0.2 25 tcp 0.400000 0 0 SF 0 ShAFf 4 160 2 80");
	CHECK_STR(cols(&r, 1), "10.0.0.1 40005 10.0.0.2 25 tcp - - - S0 0 S 1 40 0 0");
	CHECK(strncmp(r.lines[1], "61.000000\t", 10) == 0);
}

static void test_timeout_and_flush_order(void)
{
	struct run r;
	run_start(&r, false);
	udp(&r, 0.0, 1, 3333, 2, 9999, "a");	/* idle from 0: expires at 60 */
	udp(&r, 30.0, 1, 1111, 2, 9999, "b");	/* expires at 90 */
	udp(&r, 50.0, 1, 5000, 2, 9999, "c");	/* alive at the end */
	udp(&r, 95.0, 1, 4000, 2, 9999, "d");	/* alive at the end */
	run_end(&r);
	CHECK(r.n_lines == 4);
	/* Timers in expiry order, then the rest in key order (ports BE). */
	CHECK(strstr(cols(&r, 0), "10.0.0.1 3333 ") == cols(&r, 0));
	CHECK(strstr(cols(&r, 1), "10.0.0.1 1111 ") == cols(&r, 1));
	CHECK(strstr(cols(&r, 2), "10.0.0.1 4000 ") == cols(&r, 2));
	CHECK(strstr(cols(&r, 3), "10.0.0.1 5000 ") == cols(&r, 3));
	CHECK_STR(cols(&r, 0), "10.0.0.1 3333 10.0.0.2 9999 udp - - - S0 0 D 1 29 0 0");

	/* Activity postpones the timeout: last packet at 50 -> expires at 110. */
	run_start(&r, false);
	udp(&r, 0.0, 1, 7000, 2, 9999, "x");
	udp(&r, 50.0, 2, 9999, 1, 7000, "y");
	udp(&r, 100.0, 1, 100, 2, 9999, "z");
	udp(&r, 111.0, 1, 200, 2, 9999, "w");
	run_end(&r);
	CHECK(r.n_lines == 3);
	CHECK(strstr(cols(&r, 0), "10.0.0.1 7000 ") == cols(&r, 0));
	CHECK_STR(cols(&r, 0), "10.0.0.1 7000 10.0.0.2 9999 udp 50.000000 1 1 SF 0 Dd 1 29 1 29");
	CHECK(strstr(cols(&r, 1), "10.0.0.1 100 ") == cols(&r, 1));
	CHECK(strstr(cols(&r, 2), "10.0.0.1 200 ") == cols(&r, 2));
}

int main(void)
{
	test_handshake_data_fin();
	test_rej_and_s0();
	test_synack_first_flip();
	test_bad_checksum_only();
	test_udp();
	test_icmp_echo();
	test_reuse_after_close();
	test_timeout_and_flush_order();
	return check_summary();
}
