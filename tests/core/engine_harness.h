/*
 * A small harness for end-to-end engine tests: hand-built Ethernet/IPv4
 * packets in, conn.log (TSV, in a temporary folder) read back. Included by
 * the engine and analyzer tests; every function is static.
 */
#ifndef SMTPLOG_TESTS_ENGINE_HARNESS_H
#define SMTPLOG_TESTS_ENGINE_HARNESS_H

#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/analyzer.h"
#include "core/engine.h"
#include "core/outdir.h"
#include "core/uid.h"
#include "output/tsv.h"
#include "proto/registry.h"
#include "tests/check.h"

static inline uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
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

static inline void run_start_with(struct run *r, bool bare, const struct analyzer *const *analyzers,
				  unsigned scripts)
{
	memset(r, 0, sizeof *r);
	strcpy(r->dir, "/tmp/smtplog-test-engine-XXXXXX");
	if (!mkdtemp(r->dir)) {
		perror("mkdtemp");
		exit(1);
	}
	r->cfg.scripts = scripts;
	r->cfg.bare = bare;
	if (!bare) { /* as cmd/options.c wires the default mode */
		r->cfg.default_server_ports[0] = proto_default_tcp_ports;
		r->cfg.n_default_server_ports[0] = proto_n_default_tcp_ports;
		r->cfg.default_server_ports[1] = proto_default_udp_ports;
		r->cfg.n_default_server_ports[1] = proto_n_default_udp_ports;
	}
	r->out = outdir_open(r->dir, true);
	struct uid_gen uids;
	CHECK(uid_gen_init_random(&uids) == 0);
	r->e = engine_new(&r->cfg, &uids, analyzers, &tsv_writer_ops, r->out);
	CHECK(r->out && r->e);
}

static inline void run_start(struct run *r, bool bare)
{
	run_start_with(r, bare, NULL, SCRIPT_CONN);
}

/* 10.0.0.<a>:<sp> -> 10.0.0.<b>:<dp>, IPv4 over Ethernet. proto 6/17/1. */
static inline void send_ip(struct run *r, double t, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp,
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

static inline void tcp(struct run *r, double t, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp,
		uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
	send_ip(r, t, a, sp, b, dp, 6, seq, ack, flags, data, false);
}

static inline void udp(struct run *r, double t, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp,
		const char *data)
{
	send_ip(r, t, a, sp, b, dp, 17, 0, 0, 0, data, false);
}

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };

/* Finishes the run and reads conn.log back (without # lines). */
static inline void run_end(struct run *r)
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
static inline const char *cols(const struct run *r, int i)
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

#endif
