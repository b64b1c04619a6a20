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
#include "core/engine_int.h"
#include "core/tunnel.h"
#include "core/tunnel_log.h"
#include "core/uid.h"

/* Analyzers in the table, at most (the config holds their options). */
#define ENGINE_MAX_ANALYZERS CONFIG_MAX_ANALYZERS


/* Zeek's max_timer_expires: timers run per packet at most. */
#define MAX_TIMER_EXPIRES 300

struct engine {
	const struct config *cfg;
	struct conn_table *conns;
	struct frag_table *frags;
	struct ip_tunnels *ip_tunnels;	/* owned */
	struct tunnel_log *tunnel_log;	/* owned; NULL without the tunnel framework */
	struct timers timers;
	struct uid_gen uids;
	struct decode_opts decode;
	double network_time;
	struct conn_log conn_log;
	struct log_stream *conn_stream;	/* NULL when conn.log is not written */
	const struct analyzer *const *analyzers;	/* NULL-terminated; borrowed */
	void *run_state[ENGINE_MAX_ANALYZERS];		/* per analyzer; owned by it */
	/* The logs besides conn.log, as analyzers and file analysis open
	 * them: as many as core and the registry's descriptors name. */
	struct engine_log {
		const struct log_schema *schema;
		struct log_stream *stream;	/* owned */
	} *logs;				/* owned, max_logs of them */
	size_t n_logs, max_logs;
	struct analyzer_conn conn_view;		/* scratch for analyzer_conn() */
	struct files *files;			/* owned; NULL without file analysis */
	struct analyzer_pool *an_pool;		/* owned */
	const char *extract_types[CONFIG_MAX_EXTRACT_TYPES];	/* into cfg */
	const struct log_writer_ops *writer;	/* borrowed */
	struct outdir *dir;			/* borrowed */
	const char *failed_log;
	char close_failed[64];	/* a log whose close failed (its name) */
	int err;
	struct engine_stats stats;
	/* find-checksum-offloading's state: the weirds its handlers saw (after
	 * Zeek's sampling), the next ChecksumOffloading::check and whether it
	 * has spoken; the IP weirds' global sampling count. */
	uint64_t cksum_events[ENGINE_CKSUM_KINDS];
	uint64_t received;	/* pkts_recvd: packets with a non-empty header */
	double cksum_next_check;
	bool cksum_done;
	uint64_t ip_cksum_weirds;
	double ip_cksum_sampling_start;
	bool saw_tcp, saw_non_tcp, saw_tcp_data;	/* find-filtered-trace's */
	bool uid_at_removal;	/* a loaded script handles connection_state_remove */
};

/* likely_server_ports: what Zeek's loaded analyzers register. The tunnel
 * decapsulators (core's packet analysis) are always loaded; the loaded
 * analyzers add their ports, and the default mode the list cmd wires in
 * from the registry (struct config's default_server_ports). */
static const uint16_t lsp_udp_always[] = {2123, 2152, 3544, 4754, 4789, 5072, 6081};

static bool in_list(const uint16_t *v, size_t n, uint16_t p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

bool engine_is_likely_server_port(const struct engine *e, uint8_t proto, uint16_t port)
{
	if (proto == 17 && in_list(lsp_udp_always, sizeof lsp_udp_always / 2, port))
		return true;
	for (size_t i = 0; i < e->cfg->n_extra_server_ports; i++)
		if (e->cfg->extra_server_ports[i] == ((uint32_t)proto << 16 | port))
			return true;
	if (proto != 6 && proto != 17)
		return false;
	bool udp = proto == 17;
	for (size_t i = 0; e->analyzers && i < ENGINE_MAX_ANALYZERS && e->analyzers[i]; i++) {
		const struct analyzer *a = e->analyzers[i];
		if ((e->cfg->scripts & a->script) &&
		    in_list(udp ? a->udp_ports : a->tcp_ports, udp ? a->n_udp_ports : a->n_tcp_ports,
			    port))
			return true;
	}
	return in_list(e->cfg->default_server_ports[udp], e->cfg->n_default_server_ports[udp], port);
}

const struct config *engine_config(const struct engine *e)
{
	return e->cfg;
}

bool engine_checksum_ignored(const struct engine *e, const struct sl_addr *src)
{
	for (size_t i = 0; i < e->cfg->n_ignore_checksums_nets; i++)
		if (sl_subnet_contains(&e->cfg->ignore_checksums_nets[i], src))
			return true;
	return false;
}

/* Zeek's weird sampling (Weird::sampling_threshold 1000, sampling_rate
 * 1000): whether the count-th weird of one kind raises its event. */
#define WEIRD_SAMPLING_THRESHOLD 1000
#define WEIRD_SAMPLING_RATE 1000
#define WEIRD_SAMPLING_DURATION 600.0 /* Weird::sampling_duration, 10 min */

static bool weird_permitted(uint64_t count)
{
	return count <= WEIRD_SAMPLING_THRESHOLD ||
	       (count - WEIRD_SAMPLING_THRESHOLD) % WEIRD_SAMPLING_RATE == 0;
}

/* The net_weird/conn_weird handlers of find-checksum-offloading count the
 * bad-checksum weirds that get past Zeek's sampling: per connection for
 * TCP and UDP, per name over the whole run for IP (whose count starts
 * again once a sampling period of 10 minutes has passed). */
static void checksum_weird(struct engine *e, struct conn *c, int kind)
{
	e->stats.bad_checksums[kind]++;
	if (kind == ENGINE_CKSUM_IP) {
		uint64_t n = ++e->ip_cksum_weirds;
		if (n == WEIRD_SAMPLING_THRESHOLD + 1) {
			e->ip_cksum_sampling_start = e->network_time;
		} else if (n > WEIRD_SAMPLING_THRESHOLD + 1 &&
			   e->network_time > e->ip_cksum_sampling_start + WEIRD_SAMPLING_DURATION) {
			e->ip_cksum_weirds = n = 1;
		}
		if (weird_permitted(n))
			e->cksum_events[kind]++;
		return;
	}
	/* A connection's weirds count per name; a connection has only one
	 * transport, so one counter serves both names. */
	bool permitted = true;
	if (c) {
		if (c->cksum_weirds < WEIRD_SAMPLING_THRESHOLD)
			c->cksum_weirds++;
		else
			c->cksum_weirds = (uint16_t)(WEIRD_SAMPLING_THRESHOLD +
						     (c->cksum_weirds - WEIRD_SAMPLING_THRESHOLD + 1) %
							 WEIRD_SAMPLING_RATE);
		permitted = c->cksum_weirds <= WEIRD_SAMPLING_THRESHOLD;
	}
	if (permitted)
		e->cksum_events[kind]++;
}

/* Zeek would write a weird.log line; until that log exists, weirds are
 * only counted (the connection and name are kept in the interface for it). */
void engine_weird(struct engine *e, struct conn *c, const char *name)
{
	e->stats.weirds++;
	if (name[0] == 'b' && strncmp(name, "bad_", 4) == 0) {
		if (!strcmp(name + 4, "IP_checksum"))
			checksum_weird(e, c, ENGINE_CKSUM_IP);
		else if (!strcmp(name + 4, "TCP_checksum"))
			checksum_weird(e, c, ENGINE_CKSUM_TCP);
		else if (!strcmp(name + 4, "UDP_checksum"))
			checksum_weird(e, c, ENGINE_CKSUM_UDP);
	}
}

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
		if (e->received && (double)e->cksum_events[k] / (double)e->received > 0.05)
			warn = 1;
	if (warn) {
		/* The message names every layer with any bad checksum. */
		for (int k = 0; k < ENGINE_CKSUM_KINDS; k++)
			if (e->cksum_events[k])
				e->stats.checksum_warning |= 1u << k;
		e->cksum_done = true;
	} else if (!at_end && e->received < 20) {
		e->cksum_next_check = e->network_time + CKSUM_CHECK_INTERVAL;
	} else {
		e->cksum_next_check = INFINITY;
	}
}

static void add_timer(struct engine *e, struct conn *c, enum timer_kind kind, double when,
		      bool at_shutdown)
{
	if (!timers_add(&e->timers, c, when, (uint8_t)kind, at_shutdown) && !e->err)
		e->err = -ENOMEM;
}

void engine_add_timer(struct engine *e, struct conn *c, enum timer_kind kind, double when,
		      bool run_at_shutdown)
{
	add_timer(e, c, kind, when, run_at_shutdown);
}

void engine_cancel_tcp_timers(struct engine *e, struct conn *c)
{
	timers_cancel(&e->timers, c, ~(UINT32_C(1) << TIMER_INACTIVITY));
}

void engine_set_inactivity_timeout(struct engine *e, struct conn *c, double timeout)
{
	if (timeout == c->inactivity_timeout)
		return;
	timers_cancel(&e->timers, c, UINT32_C(1) << TIMER_INACTIVITY);
	if (timeout > 0)
		add_timer(e, c, TIMER_INACTIVITY, c->last_time + timeout, false);
	c->inactivity_timeout = timeout;
}

void engine_connection_established(struct engine *e, struct conn *c)
{
	/* base/protocols/conn/inactivity.zeek: long-lived interactive ports. */
	if (!(e->cfg->scripts & SCRIPT_CONN))
		return;
	uint16_t p = c->resp_p;
	if (p == 21 || p == 22 || p == 23 || p == 513)
		engine_set_inactivity_timeout(e, c, LONG_INACTIVITY_TIMEOUT);
}

static void write_conn(struct engine *e, struct conn *c)
{
	if (!e->conn_stream)
		return;
	int rc = conn_log_write(&e->conn_log, e->conn_stream, c);
	if (rc < 0 && !e->err) {
		e->err = rc;
		e->failed_log = "conn.log";
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

/* The logs core and the analyzers' descriptors name. */
static size_t declared_logs(const struct analyzer *const *table)
{
	size_t n = 0;
	for (const char *const *l = core_logs; *l; l++)
		n++;
	for (size_t i = 0; table && i < ENGINE_MAX_ANALYZERS && table[i]; i++)
		for (const char *const *l = table[i]->logs; l && *l; l++)
			n++;
	return n;
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
	timers_cancel(&e->timers, c, UINT32_MAX);
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
		engine_conn_uid(e, c);
	write_conn(e, c);
	analyzers_free(e, c);
	if (c->tun && c->tun->carries_logged_tunnel && e->tunnel_log)
		engine_tunnel_log_result(e, tunnel_log_close(e->tunnel_log, engine_tunnel_stream(e),
							     &c->orig_h, c->orig_p, &c->resp_h,
							     c->resp_p, e->network_time));
	free(c->tun);
	c->tun = NULL;
	conn_table_release(e->conns, c);
}

const struct analyzer *const *engine_analyzers(const struct engine *e)
{
	return e->analyzers;
}

const struct analyzer_conn *engine_analyzer_conn(struct engine *e, const struct conn *c)
{
	e->conn_view.orig_h = c->orig_h;
	e->conn_view.resp_h = c->resp_h;
	e->conn_view.orig_p = c->orig_p;
	e->conn_view.resp_p = c->resp_p;
	e->conn_view.start_time = c->start_time;
	return &e->conn_view;
}

double engine_network_time(const struct engine *e)
{
	return e->network_time;
}

void engine_new_uid(struct engine *e, char out[UID_TEXT_MAX])
{
	uid_next_conn(&e->uids, out);
}

struct ip_tunnels *engine_ip_tunnels(struct engine *e)
{
	return e->ip_tunnels;
}

void engine_fail(struct engine *e)
{
	if (!e->err)
		e->err = -ENOMEM;
}

const char *engine_conn_uid(struct engine *e, struct conn *c)
{
	if (!c->uid[0])
		uid_next_conn(&e->uids, c->uid);
	return c->uid;
}

const struct uid_gen *engine_uids(const struct engine *e)
{
	return &e->uids;
}

struct log_stream *engine_log_stream(struct engine *e, const struct log_schema *schema)
{
	for (size_t i = 0; i < e->n_logs; i++)
		if (e->logs[i].schema == schema)
			return e->logs[i].stream;
	if (e->n_logs == e->max_logs)
		return NULL;
	struct log_stream *s = log_stream_new(schema, e->writer, &e->cfg->log_format, e->dir);
	if (!s)
		return NULL;
	e->logs[e->n_logs].schema = schema;
	e->logs[e->n_logs++].stream = s;
	return s;
}

const void *engine_analyzer_options(const struct engine *e, const struct analyzer *a)
{
	for (size_t i = 0; e->analyzers && i < CONFIG_MAX_ANALYZERS && e->analyzers[i]; i++)
		if (e->analyzers[i] == a)
			return e->cfg->analyzer_options[i];
	return NULL;
}

void **engine_run_state(struct engine *e, const struct analyzer *a)
{
	for (size_t i = 0; e->analyzers && e->analyzers[i] && i < ENGINE_MAX_ANALYZERS; i++)
		if (e->analyzers[i] == a)
			return &e->run_state[i];
	return NULL;	/* an analyzer past the table's cap */
}

struct analyzer_pool *engine_analyzer_pool(struct engine *e)
{
	return e->an_pool;
}

struct tunnel_log *engine_tunnel_log(struct engine *e)
{
	return e->tunnel_log;
}

struct log_stream *engine_tunnel_stream(struct engine *e)
{
	return engine_log_stream(e, &tunnel_log_schema);
}

void engine_tunnel_log_result(struct engine *e, int rc)
{
	if (rc == -ENOMEM)
		engine_fail(e);
	else if (rc < 0)
		engine_log_failed(e, rc, "tunnel.log");
}

struct files *engine_files(struct engine *e)
{
	return e->files;
}

struct log_stream *engine_files_log(struct engine *e)
{
	return e->files ? engine_log_stream(e, files_schema(e->files)) : NULL;
}

static void files_result(struct engine *e, int rc)
{
	if (rc < 0)
		engine_log_failed(e, rc, "files.log");
}

void engine_log_failed(struct engine *e, int err, const char *log_name)
{
	if (!e->err) {
		e->err = err;
		e->failed_log = log_name;
	}
}

static void dispatch_timer(struct engine *e, const struct timer_fired *t, double now)
{
	struct conn *c = t->owner;
	if (t->kind == TIMER_INACTIVITY) {
		double from = c->last_time;
		if (c->last_time + c->inactivity_timeout <= now) {
			engine_remove_conn(e, c);
			return;
		}
		add_timer(e, c, TIMER_INACTIVITY, from + c->inactivity_timeout, false);
		return;
	}
	tcp_timer(e, c, (enum timer_kind)t->kind, now);
}

static void run_due_timers(struct engine *e)
{
	struct timer_fired t;
	int n = 0;
	while (n < MAX_TIMER_EXPIRES && timers_pop_due(&e->timers, e->network_time, &t)) {
		n++;
		dispatch_timer(e, &t, e->network_time);
	}
	if (e->files && files_next_timer(e->files) <= e->network_time)
		files_result(e, files_advance(e->files, e->network_time, engine_files_log(e)));
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

/* ICMP "ports": type, and the counterpart type or the code (Zeek's
 * ICMP4_counterpart / ICMP6_counterpart). */
static uint16_t icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool *one_way)
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

/* Zeek's CheckHeaderTrunc. */
static bool header_present(struct engine *e, const struct packet *pkt, uint32_t min)
{
	if (pkt->l4_len && pkt->l4_len < min) {
		engine_weird(e, NULL, "truncated_header");
		return false;
	}
	if (pkt->l4.n < min) {
		engine_weird(e, NULL, "internally_truncated_header");
		return false;
	}
	return true;
}

static struct conn *new_conn(struct engine *e, const struct conn_probe *probe,
			     const struct packet *pkt, uint16_t sport, uint16_t dport,
			     bool one_way, bool flip)
{
	struct conn *c = conn_table_insert_probed(e->conns, probe);
	if (!c) {
		e->err = -ENOMEM;
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
	c->icmp_one_way = one_way;
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
		tcp_conn_init(e, c, e->network_time);
		break;
	case CONN_UDP:
		engine_set_inactivity_timeout(e, c, UDP_INACTIVITY_TIMEOUT);
		break;
	case CONN_ICMP:
		engine_set_inactivity_timeout(e, c, ICMP_INACTIVITY_TIMEOUT);
		break;
	default:
		engine_set_inactivity_timeout(e, c, UNKNOWN_IP_INACTIVITY_TIMEOUT);
	}
	/* new_connection: base/protocols/conn makes Zeek draw the UID now;
	 * otherwise the first event with a handler does. */
	if (e->cfg->scripts & SCRIPT_CONN)
		engine_conn_uid(e, c);
	if (pkt->encap)
		engine_tunnel_new_conn(e, c, pkt);
	analyzers_attach(e, c);
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
	bool validate = !e->cfg->ignore_checksums && !engine_checksum_ignored(e, &pkt->src) &&
			pkt->l4.n >= len && pkt->wirelen <= pkt->caplen;
	uint16_t sum = (uint16_t)(pkt->l4.p[6] << 8 | pkt->l4.p[7]);
	/* What looks like VXLAN on its port may send no checksum (even over
	 * IPv6); one that is sent is checked unless Tunnel::validate_vxlan_checksums
	 * is F. */
	if (validate && uh.dport == 4789 && len > 8 + 8 + 14 && (uh.payload.p[0] & 0x08) &&
	    (sum == 0 || e->cfg->tunnel.vxlan_checksum_optional))
		validate = false;
	if (validate && (pkt->ip_version == 6 || sum != 0) && !l4_checksum_ok(pkt)) {
		engine_weird(e, c, "bad_UDP_checksum");
		conn_scaled_history(c, is_orig ? 'C' : 'c', &c->udp_chk[is_orig ? 0 : 1]);
		return;
	}
	if (uh.length != len)
		engine_weird(e, c, "UDP_datagram_length_mismatch");
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
		analyzers_deliver_packet(e, c, is_orig, pkt->l4.p + 8, have < want ? have : want);
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
	if (!e->cfg->ignore_checksums && !engine_checksum_ignored(e, &pkt->src) &&
	    pkt->l4.n >= len && !l4_checksum_ok(pkt)) {
		engine_weird(e, c, "bad_ICMP_checksum");
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
			flip = tcp_want_flip(e, &th);
		else if (pkt->proto == 17)
			flip = engine_is_likely_server_port(e, 17, sport) &&
			       !engine_is_likely_server_port(e, 17, dport);
		c = new_conn(e, &probe, pkt, sport, dport, one_way, flip);
		if (!c)
			return;
	}
	bool is_orig = sl_addr_cmp(&pkt->src, &c->orig_h) == 0 && sport == c->orig_p;
	switch (c->transport) {
	case CONN_TCP:
		tcp_packet(e, c, pkt, is_orig);
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
				engine_weird(e, NULL, weird);
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

	if (pkt.ts > e->network_time)
		e->network_time = pkt.ts;
	run_due_timers(e);
	if (e->tunnel_log && tunnel_log_sweep_due(e->tunnel_log, e->network_time))
		engine_tunnel_log_result(e, tunnel_log_tick(e->tunnel_log, engine_tunnel_stream(e),
							    e->network_time));
	if (e->network_time >= e->cksum_next_check)
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
			engine_weird(e, NULL, weird);
	}
	/* The further subframes of an A-MSDU, while the ones before went in. */
	while ((r == DECODE_OK || r == DECODE_PENDING) && pkt.amsdu_rest.n > 0) {
		weird = NULL;
		r = decode_amsdu_next(&e->decode, e->frags, &pkt, &weird);
		if (r == DECODE_OK)
			ip_packet(e, &pkt);
		else if (r == DECODE_DROP && weird)
			engine_weird(e, NULL, weird);
	}
	return e->err;
}

int engine_finish(struct engine *e)
{
	/* Shutdown pass: only timers marked to run at shutdown act. */
	struct timer_fired t;
	while (timers_pop_any(&e->timers, &t))
		if (t.run_at_shutdown)
			tcp_timer(e, t.owner, (enum timer_kind)t.kind, e->network_time);
	if (e->files)
		files_result(e, files_expire(e->files, e->network_time, engine_files_log(e)));
	size_t n = 0;
	struct conn **all = conn_table_sorted(e->conns, &n);
	if (!all)
		return e->err ? e->err : -ENOMEM;
	for (size_t i = 0; i < n; i++)
		engine_remove_conn(e, all[i]);
	free(all);
	/* File analysis shuts down last: what is still open times out. */
	if (e->files)
		files_result(e, files_finish(e->files, engine_files_log(e)));
	/* zeek_done, after the last connection_state_remove. */
	checksum_check(e, true);
	e->stats.filtered_trace_warning = e->saw_tcp && !e->saw_non_tcp && !e->saw_tcp_data;
	return e->err;
}

bool engine_addr_is_local(const struct engine *e, const struct sl_addr *a)
{
	return conn_addr_is_local(&e->conn_log, a);
}

static bool file_sender_is_local(const void *ctx, const struct sl_addr *a)
{
	return conn_addr_is_local(ctx, a);
}

/* An extracted file could not be written: the run fails (exit 3). */
static void extract_failed(void *ctx, int err, const char *what)
{
	engine_log_failed(ctx, err, what);
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
	e->uids = *uids;
	e->analyzers = analyzers;
	e->writer = writer;
	e->dir = dir;
	e->decode.ignore_checksums = cfg->ignore_checksums;
	e->decode.ignore_nets = cfg->ignore_checksums_nets;
	e->decode.n_ignore_nets = cfg->n_ignore_checksums_nets;
	timers_init(&e->timers, offsetof(struct conn, timers));
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
	e->an_pool = analyzer_pool_new();
	conn_log_init(&e->conn_log, cfg);
	e->conn_log.set_key = uid_gen_table_key(&e->uids);
	e->max_logs = declared_logs(analyzers);
	e->logs = calloc(e->max_logs, sizeof *e->logs);
	if (!e->logs) {
		engine_free(e);
		return NULL;
	}
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
			    a->file_attach_logged(engine_analyzer_options(e, a));
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
			mode.on_error_ctx = e;
		}
		e->files = files_new(&mode, &e->uids);
		if (!e->files) {
			engine_free(e);
			return NULL;
		}
	}
	if (cfg->scripts & SCRIPT_CONN)
		e->conn_stream = log_stream_new(&e->conn_log.schema, writer, &cfg->log_format, dir);
	if (!e->conns || !e->frags || !e->ip_tunnels || !e->an_pool ||
	    ((cfg->scripts & SCRIPT_CONN) && !e->conn_stream)) {
		engine_free(e);
		return NULL;
	}
	return e;
}

const struct engine_stats *engine_stats(const struct engine *e)
{
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
	int err = e->err;
	memset(rep, 0, sizeof *rep);
	rep->failed = e->failed_log;
	files_extract_counts(e->files, &rep->extracted_files, &rep->extracted_bytes);
	if (e->conn_stream) {
		close_one(e, e->conn_stream, &err, rep);
		e->conn_stream = NULL;
	}
	for (size_t i = 0; i < e->n_logs; i++)
		close_one(e, e->logs[i].stream, &err, rep);
	e->n_logs = 0;
	return err;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	if (e->conn_stream)
		log_stream_close(e->conn_stream);
	for (size_t i = 0; i < e->n_logs; i++)
		log_stream_close(e->logs[i].stream);
	free(e->logs);
	size_t n = 0;
	struct conn **left = e->conns ? conn_table_sorted(e->conns, &n) : NULL;
	for (size_t i = 0; left && i < n; i++) {
		analyzers_free(e, left[i]);
		free(left[i]->tun);
		left[i]->tun = NULL;
	}
	free(left);
	conn_table_free(e->conns);
	for (size_t i = 0; e->analyzers && e->analyzers[i] && i < ENGINE_MAX_ANALYZERS; i++)
		if (e->run_state[i] && e->analyzers[i]->run_free)
			e->analyzers[i]->run_free(e->run_state[i]);
	files_free(e->files);
	analyzer_pool_free(e->an_pool);
	frag_table_free(e->frags);
	ip_tunnels_free(e->ip_tunnels);
	tunnel_log_free(e->tunnel_log);
	timers_free(&e->timers);
	free(e);
}
