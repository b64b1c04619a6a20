/*
 * Per packet: advance network time, run due timers, decode, find or create
 * the connection (one hash probe), and hand the packet to its transport.
 * The order of these steps is Zeek's (core spec section 7.1), because the
 * order of log lines follows from it.
 */
#include "core/engine.h"

#include <errno.h>
#include <pcap/dlt.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyzer.h"
#include "core/conn_log.h"
#include "core/files.h"
#include "core/analysis.h"
#include "core/engine_int.h"
#include "core/services.h"
#include "core/tcp.h"
#include "core/tunnel.h"
#include "core/tunnel_log.h"
#include "core/uid.h"

/* Analyzers in the table, at most (the config holds their options). */
#define ENGINE_MAX_ANALYZERS CONFIG_MAX_ANALYZERS


/* Zeek's max_timer_expires: timers run per packet at most. */
#define MAX_TIMER_EXPIRES 300

struct engine {
	const struct config *cfg;
	/* Time, timers, UIDs, weirds, the logs besides conn.log, the run's
	 * error, file analysis and the analyzers' run state, which TCP and
	 * the analyzers reach without the engine. The files manager and the
	 * analyzer pool it lends are the engine's (owned). */
	struct services sv;
	struct conn_table *conns;
	struct frag_table *frags;
	struct ip_tunnels *ip_tunnels;	/* owned */
	struct tunnel_log *tunnel_log;	/* owned; NULL without the tunnel framework */
	struct decode_opts decode;
	struct conn_log conn_log;
	struct log_stream *conn_stream;	/* NULL when conn.log is not written */
	const char *extract_types[CONFIG_MAX_EXTRACT_TYPES];	/* into cfg */
	char close_failed[64];	/* a log whose close failed (its name) */
	struct engine_stats stats;
	/* find-checksum-offloading's state (its weirds' counts are the
	 * services'): the next ChecksumOffloading::check and whether it has
	 * spoken. */
	uint64_t received;	/* pkts_recvd: packets with a non-empty header */
	double cksum_next_check;
	bool cksum_done;
	bool saw_tcp, saw_non_tcp, saw_tcp_data;	/* find-filtered-trace's */
	bool uid_at_removal;	/* a loaded script handles connection_state_remove */
};

/* ChecksumOffloading::check: more than 5% of the packets received with a
 * bad checksum of some layer. Scheduled 10 s of network time after the
 * start (which, from zeek_init at time 0, is the first packet) and again
 * every 10 s while fewer than 20 packets arrived; run once more at the
 * end (zeek_done). */
#define CKSUM_CHECK_INTERVAL 10.0
static void checksum_check(struct engine *e, bool at_end)
{
	if (e->cksum_done)
		return;
	unsigned warn = 0;
	for (int k = 0; k < ENGINE_CKSUM_KINDS; k++)
		if (e->received && (double)e->sv.weirds.cksum_events[k] / (double)e->received > 0.05)
			warn = 1;
	if (warn) {
		/* The message names every layer with any bad checksum. */
		for (int k = 0; k < ENGINE_CKSUM_KINDS; k++)
			if (e->sv.weirds.cksum_events[k])
				e->stats.checksum_warning |= 1u << k;
		e->cksum_done = true;
	} else if (!at_end && e->received < 20) {
		e->cksum_next_check = e->sv.network_time + CKSUM_CHECK_INTERVAL;
	} else {
		e->cksum_next_check = INFINITY;
	}
}

static void write_conn(struct engine *e, struct conn *c)
{
	if (!e->conn_stream)
		return;
	int rc = conn_log_write(&e->conn_log, e->conn_stream, c);
	if (rc < 0 && !e->sv.err) {
		e->sv.err = rc;
		e->sv.failed_log = "conn.log";
	}
}

/* Whether a loaded analyzer's descriptor says yes (its script bit is on). */
static bool loaded_analyzer_has(const struct config *cfg, const struct analyzer *const *table,
				bool (*has)(const struct analyzer *))
{
	for (size_t i = 0; table && i < ENGINE_MAX_ANALYZERS && table[i]; i++)
		if ((cfg->scripts & table[i]->script) && has(table[i]))
			return true;
	return false;
}

static bool draws_uid_at_removal(const struct analyzer *a)
{
	return a->uid_at_removal;
}

static bool uses_files(const struct analyzer *a)
{
	return a->uses_files;
}


void engine_remove_conn(struct engine *e, struct conn *c)
{
	if (!c->in_table)
		return;
	conn_table_unlink(e->conns, c);
	timers_cancel(&e->sv.timers, c, UINT32_MAX);
	/* find-filtered-trace's connection_state_remove: a TCP connection with
	 * data (D or d in its history), or any other kind of connection. */
	if (c->transport != CONN_TCP)
		e->saw_non_tcp = true;
	else if ((e->saw_tcp = true) && !e->saw_tcp_data)
		e->saw_tcp_data = memchr(c->history, 'D', c->history_len) ||
				  memchr(c->history, 'd', c->history_len);
	analyzers_finish(c);
	/* Scripts with a connection_state_remove handler make Zeek build the
	 * connection record, and so draw a UID, at removal at the latest. */
	if (e->uid_at_removal)
		services_conn_uid(&e->sv, c);
	write_conn(e, c);
	analyzers_free(&e->sv, c);
	if (c->tun && c->tun->carries_logged_tunnel && e->tunnel_log)
		engine_tunnel_log_result(e, tunnel_log_close(e->tunnel_log, engine_tunnel_stream(e),
							     &c->orig_h, c->orig_p, &c->resp_h,
							     c->resp_p, e->sv.network_time));
	conn_tunnel_free(c->tun);
	c->tun = NULL;
	conn_table_release(e->conns, c);
}

struct services *engine_services(struct engine *e)
{
	return &e->sv;
}

struct ip_tunnels *engine_ip_tunnels(struct engine *e)
{
	return e->ip_tunnels;
}

struct tunnel_log *engine_tunnel_log(struct engine *e)
{
	return e->tunnel_log;
}

struct log_stream *engine_tunnel_stream(struct engine *e)
{
	return services_log_stream(&e->sv, &tunnel_log_schema);
}

void engine_tunnel_log_result(struct engine *e, int rc)
{
	if (rc == -ENOMEM)
		services_fail(&e->sv);
	else if (rc < 0)
		services_log_failed(&e->sv, rc, "tunnel.log");
}

static void dispatch_timer(struct engine *e, const struct timer_fired *t, double now)
{
	if (t->kind == TIMER_FILE) {
		services_files_result(&e->sv, files_timer(e->sv.files, t->owner, now, false,
							  services_files_log(&e->sv)));
		return;
	}
	struct conn *c = t->owner;
	if (t->kind == TIMER_INACTIVITY) {
		double from = c->last_time;
		if (c->last_time + c->inactivity_timeout <= now) {
			engine_remove_conn(e, c);
			return;
		}
		services_add_timer(&e->sv, c, TIMER_INACTIVITY, from + c->inactivity_timeout, false);
		return;
	}
	tcp_timer(&e->sv, c, (enum timer_kind)t->kind, now);
}

static void run_due_timers(struct engine *e)
{
	struct timer_fired t;
	int n = 0;
	while (n < MAX_TIMER_EXPIRES && timers_pop_due(&e->sv.timers, e->sv.network_time, &t)) {
		n++;
		dispatch_timer(e, &t, e->sv.network_time);
	}
}

/* ---- connection keys ---- */

static int port_order(uint16_t p)
{
	/* Zeek compares ports in network byte order as little-endian
	 * integers (core spec 3.3). */
	return (int)(uint16_t)((p >> 8) | (p << 8));
}

static void make_key(struct conn_key *k, const struct sl_addr *src, uint16_t sport,
		     const struct sl_addr *dst, uint16_t dport, uint8_t proto, bool one_way)
{
	int cmp = sl_addr_cmp(src, dst);
	bool src_first = one_way || cmp < 0 || (cmp == 0 && port_order(sport) < port_order(dport));
	const struct sl_addr *a1 = src_first ? src : dst, *a2 = src_first ? dst : src;
	uint16_t p1 = src_first ? sport : dport, p2 = src_first ? dport : sport;
	memset(k->b, 0, sizeof k->b);
	memcpy(k->b, a1->b, 16);
	memcpy(k->b + 16, a2->b, 16);
	k->b[32] = (uint8_t)(p1 >> 8);
	k->b[33] = (uint8_t)p1;
	k->b[34] = (uint8_t)(p2 >> 8);
	k->b[35] = (uint8_t)p2;
	k->b[36] = proto;	/* little-endian 16-bit */
	k->b[37] = 0;
	k->b[38] = one_way;	/* a one-way ICMP key never matches its reverse */
}

/* Zeek's CheckHeaderTrunc. */
static bool header_present(struct engine *e, const struct packet *pkt, uint32_t min)
{
	if (pkt->l4_len && pkt->l4_len < min) {
		services_weird(&e->sv, NULL, "truncated_header");
		return false;
	}
	if (pkt->l4.n < min) {
		services_weird(&e->sv, NULL, "internally_truncated_header");
		return false;
	}
	return true;
}

static struct conn *new_conn(struct engine *e, const struct conn_probe *probe,
			     const struct packet *pkt, uint16_t sport, uint16_t dport,
			     bool flip)
{
	struct conn *c = conn_table_insert_probed(e->conns, probe);
	if (!c) {
		e->sv.err = -ENOMEM;
		return NULL;
	}
	e->stats.connections++;
	c->ip_proto = pkt->proto;
	switch (pkt->proto) {
	case 6:
		c->transport = CONN_TCP;
		break;
	case 17:
		c->transport = CONN_UDP;
		break;
	case 1:
	case 58:
		c->transport = CONN_ICMP;
		break;
	default:
		c->transport = CONN_UNKNOWN;
	}
	c->orig_h = pkt->src;
	c->resp_h = pkt->dst;
	c->orig_p = sport;
	c->resp_p = dport;
	c->start_time = c->last_time = pkt->ts;
	c->orig_len = c->resp_len = -1;
	c->has_l2 = pkt->has_l2_addr;
	if (pkt->has_l2_addr) {
		memcpy(c->orig_l2, pkt->l2_src, 6);
		memcpy(c->resp_l2, pkt->l2_dst, 6);
	}
	c->vlan = pkt->vlan;
	c->inner_vlan = pkt->inner_vlan;
	static const uint8_t bcast[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 255, 255, 255, 255};
	if (flip && memcmp(c->resp_h.b, bcast, 16) != 0)
		conn_flip_roles(c);
	switch (c->transport) {
	case CONN_TCP:
		tcp_conn_init(&e->sv, c, e->sv.network_time);
		break;
	case CONN_UDP:
		services_set_inactivity_timeout(&e->sv, c, UDP_INACTIVITY_TIMEOUT);
		break;
	case CONN_ICMP:
		services_set_inactivity_timeout(&e->sv, c, ICMP_INACTIVITY_TIMEOUT);
		break;
	default:
		services_set_inactivity_timeout(&e->sv, c, UNKNOWN_IP_INACTIVITY_TIMEOUT);
	}
	/* new_connection: base/protocols/conn makes Zeek draw the UID now;
	 * otherwise the first event with a handler does. */
	if (e->cfg->scripts & SCRIPT_CONN)
		services_conn_uid(&e->sv, c);
	if (pkt->encap)
		engine_tunnel_new_conn(e, c, pkt);
	analyzers_attach(&e->sv, c);
	return c;
}

static void count_packet(struct conn *c, bool is_orig, const struct packet *pkt)
{
	if (is_orig) {
		c->orig_pkts++;
		c->orig_ip_bytes += pkt->ip_len;
	} else {
		c->resp_pkts++;
		c->resp_ip_bytes += pkt->ip_len;
	}
}

static void udp_packet(struct engine *e, struct conn *c, const struct packet *pkt, bool is_orig)
{
	struct udp_header uh;
	if (udp_parse(pkt, &uh) != L4_OK)
		return;
	uint32_t len = pkt->l4_len ? pkt->l4_len : (uint32_t)pkt->l4.n;
	bool validate = !e->cfg->ignore_checksums && !services_checksum_ignored(&e->sv, &pkt->hdr_src) &&
			pkt->l4.n >= len && pkt->wirelen <= pkt->caplen;
	uint16_t sum = (uint16_t)(pkt->l4.p[6] << 8 | pkt->l4.p[7]);
	/* What looks like VXLAN on its port may send no checksum (even over
	 * IPv6); one that is sent is checked unless Tunnel::validate_vxlan_checksums
	 * is F. */
	if (validate && uh.dport == 4789 && len > 8 + 8 + 14 && (uh.payload.p[0] & 0x08) &&
	    (sum == 0 || e->cfg->tunnel.vxlan_checksum_optional))
		validate = false;
	if (validate && (pkt->ip_version == 6 || sum != 0) && !l4_checksum_ok(pkt)) {
		services_weird(&e->sv, c, "bad_UDP_checksum");
		conn_scaled_history(c, is_orig ? 'C' : 'c', &c->udp_chk[is_orig ? 0 : 1]);
		return;
	}
	if (uh.length != len)
		services_weird(&e->sv, c, "UDP_datagram_length_mismatch");
	c->last_time = pkt->ts;
	int64_t ulen = (int64_t)uh.length - 8;
	int64_t *side = is_orig ? &c->orig_len : &c->resp_len;
	*side = *side < 0 ? ulen : *side + ulen;
	conn_check_history(c, is_orig ? 0x1 : 0x2, is_orig ? 'D' : 'd');
	count_packet(c, is_orig, pkt);
	if (analyzers_wanted(c)) {
		/* The payload as captured, at most what the UDP length says
		 * (Zeek's UDP analyzer forwards min(length, captured)). */
		size_t have = pkt->l4.n > 8 ? pkt->l4.n - 8 : 0;
		size_t want = ulen > 0 ? (size_t)ulen : 0;
		analyzers_deliver_packet(&e->sv, c, is_orig, pkt->l4.p + 8, have < want ? have : want);
	}
	/* Packet analysis goes on by the responder's port, or what UDP's
	 * protocol detection finds: the tunnels. */
	struct bytes payload = uh.payload;
	if (len >= 8 && payload.n > len - 8)
		payload.n = len - 8;
	enum tunnel_type type = tunnel_udp_port_type(c->resp_p);
	if (type == TUNNEL_NONE)
		type = tunnel_udp_detect(payload);
	if (type != TUNNEL_NONE)
		engine_tunnel_udp(e, c, pkt, is_orig, type, payload);
}

static void icmp_packet(struct engine *e, struct conn *c, const struct packet *pkt, bool is_orig)
{
	uint32_t len = pkt->l4_len ? pkt->l4_len : (uint32_t)pkt->l4.n;
	if (!e->cfg->ignore_checksums && !services_checksum_ignored(&e->sv, &pkt->hdr_src) &&
	    pkt->l4.n >= len && !l4_checksum_ok(pkt)) {
		services_weird(&e->sv, c, "bad_ICMP_checksum");
		return;
	}
	c->last_time = pkt->ts;
	int64_t l = (int64_t)len - 8;
	int64_t *side = is_orig ? &c->orig_len : &c->resp_len;
	*side = *side < 0 ? l : *side + l;
	if (pkt->l4.n >= len)
		count_packet(c, is_orig, pkt);
}

static void unknown_packet(struct conn *c, const struct packet *pkt, bool is_orig)
{
	c->last_time = pkt->ts;
	count_packet(c, is_orig, pkt);
}

static void ip_packet(struct engine *e, struct packet *pkt)
{
	uint16_t sport = 0, dport = 0;
	bool one_way = false;
	struct tcp_header th;
	switch (pkt->proto) {
	case 6:
		if (!header_present(e, pkt, 20))
			return;
		l4_ports(pkt, &sport, &dport);
		break;
	case 17:
		if (!header_present(e, pkt, 8))
			return;
		l4_ports(pkt, &sport, &dport);
		break;
	case 1:
	case 58: {
		if (!header_present(e, pkt, 8))
			return;
		sport = pkt->l4.p[0];
		dport = icmp_counterpart(pkt->proto, pkt->l4.p[0], pkt->l4.p[1], &one_way);
		break;
	}
	case 4:
	case 41:
	case 47:
		/* Tunnels: decapsulated instead of logged as a flow. */
		engine_tunnel_ip(e, pkt, pkt->l4, pkt->proto == 47);
		return;
	default:
		break;
	}

	struct conn_key key;
	make_key(&key, &pkt->src, sport, &pkt->dst, dport, pkt->proto, one_way);
	uint64_t hash = conn_key_hash(&key);
	struct conn_probe probe;
	struct conn *c = conn_table_lookup(e->conns, &key, hash, &probe);
	bool tcp = pkt->proto == 6;
	if (tcp) {
		/* The flags decide flipping and reuse. Only the fixed 20 bytes
		 * (which header_present() guaranteed) are read: a header whose
		 * options run past the data still makes a connection in Zeek. */
		const uint8_t *h = pkt->l4.p;
		memset(&th, 0, sizeof th);
		th.sport = sport;
		th.dport = dport;
		th.seq = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
		th.hdr_len = (uint8_t)((h[12] >> 4) * 4);
		th.flags = h[13];
	}
	if (c && tcp && tcp_is_reuse(c, &th)) {
		engine_remove_conn(e, c);
		/* The lookup found it, so the probe is unset: probe again (rare). */
		c = conn_table_lookup(e->conns, &key, hash, &probe);
	} else if (c && (pkt->encap || c->tun)) {
		engine_tunnel_check(e, c, pkt);
	}
	if (!c) {
		bool flip = false;
		if (tcp)
			flip = tcp_want_flip(&e->sv, &th);
		else if (pkt->proto == 17)
			flip = services_is_likely_server_port(&e->sv, 17, sport) &&
			       !services_is_likely_server_port(&e->sv, 17, dport);
		c = new_conn(e, &probe, pkt, sport, dport, flip);
		if (!c)
			return;
	}
	bool is_orig = sl_addr_cmp(&pkt->src, &c->orig_h) == 0 && sport == c->orig_p;
	switch (c->transport) {
	case CONN_TCP:
		tcp_packet(&e->sv, c, pkt, is_orig);
		break;
	case CONN_UDP:
		udp_packet(e, c, pkt, is_orig);
		break;
	case CONN_ICMP:
		icmp_packet(e, c, pkt, is_orig);
		break;
	default:
		unknown_packet(c, pkt, is_orig);
	}
}

void engine_inner_packet(struct engine *e, const struct packet *outer, struct bytes frame,
			 uint32_t wirelen, int next, const struct encap_stack *st)
{
	struct packet in;
	memset(&in, 0, sizeof in);
	in.ts = outer->ts;
	in.caplen = (uint32_t)frame.n;
	in.wirelen = wirelen;
	in.data = frame.p;
	in.vlan = in.inner_vlan = -1;
	in.encap = st;
	switch (next) {
	case TUNNEL_NEXT_ETHERNET:
		in.linktype = DLT_EN10MB;
		break;
	case TUNNEL_NEXT_IEEE802_11:
		in.linktype = DLT_IEEE802_11;
		break;
	default:
		in.linktype = DLT_RAW;
	}
	const char *weird = NULL;
	enum decode_result r;
	if (frame.n == 0) {
		/* Nothing after the tunnel header: the next layer's truncation. */
		weird = next == TUNNEL_NEXT_ETHERNET	 ? "truncated_ethernet_frame"
			: next == TUNNEL_NEXT_IEEE802_11 ? "truncated_802_11_header"
							 : "truncated_IP";
		r = DECODE_DROP;
	} else {
		r = decode_packet(&e->decode, e->frags, &in, &weird);
	}
	for (;;) {
		if (r == DECODE_OK) {
			ip_packet(e, &in);
		} else if (r == DECODE_DROP && weird) {
			/* A Teredo bubble has no next header, and no weird for it. */
			if (!(strcmp(weird, "ipv6_no_next") == 0 &&
			      st->level[st->depth - 1].type == TUNNEL_TEREDO))
				services_weird(&e->sv, NULL, weird);
		}
		if ((r != DECODE_OK && r != DECODE_PENDING) || in.amsdu_rest.n == 0)
			return;
		weird = NULL;
		r = decode_amsdu_next(&e->decode, e->frags, &in, &weird);
	}
}

int engine_packet(struct engine *e, const struct capture_packet *cp)
{
	struct packet pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.ts = (double)cp->tv_sec + (double)cp->tv_usec / 1e6;
	pkt.caplen = cp->caplen;
	pkt.wirelen = cp->wirelen;
	pkt.linktype = cp->linktype;
	pkt.data = cp->data;
	pkt.vlan = pkt.inner_vlan = -1;
	e->stats.packets++;
	e->stats.bytes += cp->caplen;
	/* Zeek's pcap source counts only packets with a non-empty header. */
	e->received += cp->caplen != 0 && cp->wirelen != 0;

	if (pkt.ts > e->sv.network_time)
		e->sv.network_time = pkt.ts;
	run_due_timers(e);
	if (e->tunnel_log && tunnel_log_sweep_due(e->tunnel_log, e->sv.network_time))
		engine_tunnel_log_result(e, tunnel_log_tick(e->tunnel_log, engine_tunnel_stream(e),
							    e->sv.network_time));
	if (e->sv.network_time >= e->cksum_next_check)
		checksum_check(e, false);

	const char *weird = NULL;
	enum decode_result r = decode_packet(&e->decode, e->frags, &pkt, &weird);
	if (r == DECODE_OK) {
		ip_packet(e, &pkt);
	} else if (r == DECODE_NOT_IP) {
		e->stats.not_ip++;
	} else if (r == DECODE_DROP) {
		e->stats.not_decoded++;
		if (weird)
			services_weird(&e->sv, NULL, weird);
	}
	/* The further subframes of an A-MSDU, while the ones before went in. */
	while ((r == DECODE_OK || r == DECODE_PENDING) && pkt.amsdu_rest.n > 0) {
		weird = NULL;
		r = decode_amsdu_next(&e->decode, e->frags, &pkt, &weird);
		if (r == DECODE_OK)
			ip_packet(e, &pkt);
		else if (r == DECODE_DROP && weird)
			services_weird(&e->sv, NULL, weird);
	}
	return e->sv.err;
}

int engine_finish(struct engine *e)
{
	/* Shutdown pass: only timers marked to run at shutdown act. */
	struct timer_fired t;
	while (timers_pop_any(&e->sv.timers, &t)) {
		if (t.kind == TIMER_FILE)
			services_files_result(&e->sv, files_timer(e->sv.files, t.owner,
								  e->sv.network_time, true,
								  services_files_log(&e->sv)));
		else if (t.run_at_shutdown)
			tcp_timer(&e->sv, t.owner, (enum timer_kind)t.kind, e->sv.network_time);
	}
	size_t n = 0;
	struct conn **all = conn_table_sorted(e->conns, &n);
	if (!all)
		return e->sv.err ? e->sv.err : -ENOMEM;
	for (size_t i = 0; i < n; i++)
		engine_remove_conn(e, all[i]);
	free(all);
	/* File analysis shuts down last: what is still open times out. */
	if (e->sv.files)
		services_files_result(&e->sv, files_finish(e->sv.files, services_files_log(&e->sv)));
	/* zeek_done, after the last connection_state_remove. */
	checksum_check(e, true);
	e->stats.filtered_trace_warning = e->saw_tcp && !e->saw_non_tcp && !e->saw_tcp_data;
	return e->sv.err;
}

static bool file_sender_is_local(const void *ctx, const struct sl_addr *a)
{
	return conn_addr_is_local(ctx, a);
}

/* An extracted file could not be written: the run fails (exit 3). */
static void extract_failed(void *ctx, int err, const char *what)
{
	services_log_failed(ctx, err, what);
}

static void remove_conn(void *ctx, struct conn *c)
{
	engine_remove_conn(ctx, c);
}

struct engine *engine_new(const struct config *cfg, const struct uid_gen *uids,
			  const struct analyzer *const *analyzers,
			  const struct log_writer_ops *writer, struct outdir *dir)
{
	struct engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->cksum_next_check = CKSUM_CHECK_INTERVAL; /* zeek_init's schedule, at time 0 */
	e->cfg = cfg;
	if (!services_init(&e->sv, cfg, uids, analyzers, writer, dir)) {
		engine_free(e);
		return NULL;
	}
	e->sv.remove_conn = remove_conn;
	e->sv.remove_ctx = e;
	e->sv.conn_log = &e->conn_log;
	e->decode.ignore_checksums = cfg->ignore_checksums;
	e->decode.ignore_nets = cfg->ignore_checksums_nets;
	e->decode.n_ignore_nets = cfg->n_ignore_checksums_nets;
	e->conns = conn_table_new();
	e->frags = frag_table_new();
	e->ip_tunnels = ip_tunnels_new(cfg->tunnel.ip_tunnel_timeout);
	if (cfg->scripts & SCRIPT_TUNNELS) {
		double interval = cfg->tunnel.expiration_interval > 0 ? cfg->tunnel.expiration_interval
								      : TUNNEL_EXPIRATION_INTERVAL;
		if (!(e->tunnel_log = tunnel_log_new(interval))) {
			engine_free(e);
			return NULL;
		}
	}
	e->sv.an_pool = analyzer_pool_new();
	conn_log_init(&e->conn_log, cfg);
	e->conn_log.set_key = uid_gen_table_key(&e->sv.uids);
	e->uid_at_removal = (cfg->scripts & SCRIPT_CONN) ||
			    loaded_analyzer_has(cfg, analyzers, draws_uid_at_removal);
	if (loaded_analyzer_has(cfg, analyzers, uses_files)) {
		/* The analyzer's script loads the files framework. */
		struct files_mode mode = {0};
		mode.mime_libmagic = cfg->mime_libmagic;
		/* File analyzers the loaded scripts attach by MIME type. */
		for (size_t i = 0; i < ENGINE_MAX_ANALYZERS && analyzers[i]; i++) {
			const struct analyzer *a = analyzers[i];
			if (!(cfg->scripts & a->script) || !a->file_attach ||
			    mode.n_type_analyzers == FILES_MAX_TYPE_ANALYZERS)
				continue;
			size_t k = mode.n_type_analyzers++;
			mode.type_analyzers[k].an = a->file_attach;
			mode.type_analyzers[k].logged =
			    !a->file_attach_logged ||
			    a->file_attach_logged(services_analyzer_options(&e->sv, a));
		}
		if (cfg->scripts & SCRIPT_FILES_HASH)
			mode.hash_columns = true;
		if (cfg->scripts & SCRIPT_HASH_ALL_FILES)
			mode.hashes = FILES_HASH_ALL;
		/* Zeek's default mode loads base/files/hash and base/files/extract:
		 * their columns are there, unset for mail that nobody hashes. */
		if (!cfg->bare)
			mode.hash_columns = mode.extract_columns = true;
		if (cfg->private_is_local || cfg->n_local_nets > 0) {
			mode.is_local = file_sender_is_local;
			mode.is_local_ctx = &e->conn_log;
		}
		if (cfg->scripts & SCRIPT_FILES_EXTRACT)
			mode.extract_columns = true;
		if (cfg->extract.on && cfg->extract.sink) {
			mode.extract_columns = true;
			mode.sink = cfg->extract.sink;
			mode.sink_ctx = cfg->extract.sink_ctx;
			mode.extract_dir = cfg->extract.dir;
			mode.extract_all = cfg->extract.n_types == 0;
			mode.extract_at_sniff = cfg->extract.naming == EXTRACT_NAMING_SOURCE;
			for (size_t i = 0; i < cfg->extract.n_types; i++)
				e->extract_types[i] = cfg->extract.types[i];
			mode.extract_types = e->extract_types;
			mode.n_extract_types = cfg->extract.n_types;
			mode.extract_limit = cfg->extract.limit;
			mode.on_error = extract_failed;
			mode.on_error_ctx = &e->sv;
		}
		mode.timer_add = services_add_file_timer;
		mode.timer_cancel = services_cancel_file_timer;
		mode.timer_ctx = &e->sv;
		e->sv.files = files_new(&mode, &e->sv.uids);
		if (!e->sv.files) {
			engine_free(e);
			return NULL;
		}
	}
	if (cfg->scripts & SCRIPT_CONN)
		e->conn_stream = log_stream_new(&e->conn_log.schema, writer, &cfg->log_format, dir);
	if (!e->conns || !e->frags || !e->ip_tunnels || !e->sv.an_pool ||
	    ((cfg->scripts & SCRIPT_CONN) && !e->conn_stream)) {
		engine_free(e);
		return NULL;
	}
	return e;
}

_Static_assert((int)ENGINE_CKSUM_KINDS == (int)SERVICES_CKSUM_KINDS &&
		       (int)ENGINE_CKSUM_IP == (int)SERVICES_CKSUM_IP &&
		       (int)ENGINE_CKSUM_TCP == (int)SERVICES_CKSUM_TCP &&
		       (int)ENGINE_CKSUM_UDP == (int)SERVICES_CKSUM_UDP,
	       "the services count bad checksums by the engine's layers");

const struct engine_stats *engine_stats(struct engine *e)
{
	e->stats.weirds = e->sv.weirds.total;
	memcpy(e->stats.bad_checksums, e->sv.weirds.bad_checksums, sizeof e->stats.bad_checksums);
	return &e->stats;
}

static void list_add(char *list, size_t cap, const char *name)
{
	size_t used = strlen(list);
	if (used < cap)
		snprintf(list + used, cap - used, "%s%s", used ? ", " : "", name);
}

/* Closes one log, noting its name when it was written to, and when its
 * close failed. */
static void close_one(struct engine *e, struct log_stream *s, int *err,
		      struct engine_close_report *rep)
{
	/* The name lives in the stream: keep a copy for the report. */
	char name[sizeof e->close_failed];
	snprintf(name, sizeof name, "%s", log_stream_filename(s));
	if (log_stream_opened(s)) {
		list_add(rep->written, sizeof rep->written, name);
		if (rep->n_logs < ENGINE_REPORT_LOGS) {
			snprintf(rep->logs[rep->n_logs].name, sizeof rep->logs[0].name, "%s", name);
			rep->logs[rep->n_logs++].records = log_stream_records(s);
		}
	}
	int rc = log_stream_close(s);
	if (rc < 0) {
		list_add(rep->unfinished, sizeof rep->unfinished, name);
		if (!*err) {
			*err = rc;
			memcpy(e->close_failed, name, sizeof name);
			rep->failed = e->close_failed;
		}
	}
}

int engine_close_logs(struct engine *e, struct engine_close_report *rep)
{
	int err = e->sv.err;
	memset(rep, 0, sizeof *rep);
	rep->failed = e->sv.failed_log;
	files_extract_counts(e->sv.files, &rep->extracted_files, &rep->extracted_bytes);
	if (e->conn_stream) {
		close_one(e, e->conn_stream, &err, rep);
		e->conn_stream = NULL;
	}
	for (size_t i = 0; i < e->sv.n_logs; i++)
		close_one(e, e->sv.logs[i].stream, &err, rep);
	e->sv.n_logs = 0;
	return err;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	if (e->conn_stream)
		log_stream_close(e->conn_stream);
	size_t n = 0;
	struct conn **left = e->conns ? conn_table_sorted(e->conns, &n) : NULL;
	for (size_t i = 0; left && i < n; i++) {
		analyzers_free(&e->sv, left[i]);
		conn_tunnel_free(left[i]->tun);
		left[i]->tun = NULL;
	}
	free(left);
	conn_table_free(e->conns);
	/* Files before the timers they cancel; then the logs, the analyzers'
	 * run state, the timers. */
	files_free(e->sv.files);
	services_free(&e->sv);
	analyzer_pool_free(e->sv.an_pool);
	frag_table_free(e->frags);
	ip_tunnels_free(e->ip_tunnels);
	tunnel_log_free(e->tunnel_log);
	free(e);
}
