/*
 * What the engine's own modules (engine.c, tcp.c) share. Not for use
 * outside core/engine*.c and core/tcp.c.
 */
#ifndef SMTPLOG_CORE_ENGINE_INT_H
#define SMTPLOG_CORE_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/conn.h"
#include "core/decode.h"
#include "core/packet.h"
#include "core/timer.h"

enum timer_kind {
	TIMER_INACTIVITY,	/* Session::InactivityTimer */
	TIMER_TCP_EXPIRE,	/* TCPSessionAdapter::ExpireTimer */
	TIMER_TCP_ATTEMPT,	/* TCPSessionAdapter::AttemptTimer (runs at shutdown) */
	TIMER_TCP_DELETE,	/* TCPSessionAdapter::ConnDeleteTimer */
};

/* Zeek's defaults (init-bare.zeek). */
#define TCP_SYN_TIMEOUT 5.0
#define TCP_ATTEMPT_DELAY 5.0
#define TCP_CLOSE_DELAY 5.0
#define TCP_SESSION_TIMER 6.0
#define TCP_CONNECTION_LINGER 5.0
#define TCP_INACTIVITY_TIMEOUT 300.0
#define UDP_INACTIVITY_TIMEOUT 60.0
#define ICMP_INACTIVITY_TIMEOUT 60.0
#define UNKNOWN_IP_INACTIVITY_TIMEOUT 60.0
/* base/protocols/conn/inactivity.zeek for ports 21, 22, 23, 513/tcp. */
#define LONG_INACTIVITY_TIMEOUT 3600.0

struct engine;

/* Schedules a TCP timer (cancelled by engine_cancel_tcp_timers). */
void engine_add_timer(struct engine *e, struct conn *c, enum timer_kind kind,
		      double when, bool run_at_shutdown);
/* Zeek's CancelTimers of the TCP analyzer: every timer but inactivity. */
void engine_cancel_tcp_timers(struct engine *e, struct conn *c);
void engine_set_inactivity_timeout(struct engine *e, struct conn *c, double timeout);
/* Zeek's session_mgr->Remove: logs and frees the connection. */
void engine_remove_conn(struct engine *e, struct conn *c);
void engine_weird(struct engine *e, struct conn *c, const char *name);
const struct config *engine_config(const struct engine *e);
bool engine_addr_is_local(const struct engine *e, const struct sl_addr *a);
bool engine_checksum_ignored(const struct engine *e, const struct sl_addr *src);

/* TCP (tcp.c). */
void tcp_conn_init(struct engine *e, struct conn *c, double network_time);
/* Should a new connection be flipped at creation (WantConnection)? */
bool tcp_want_flip(const struct engine *e, const struct tcp_header *th);
/* A TCP packet of an existing or just-created connection. */
void tcp_packet(struct engine *e, struct conn *c, const struct packet *pkt,
		bool is_orig);
/* Zeek's IsReuse: a SYN that starts a new connection on this key. */
bool tcp_is_reuse(struct conn *c, const struct tcp_header *th);
void tcp_timer(struct engine *e, struct conn *c, enum timer_kind kind, double t);
bool engine_is_likely_server_port(const struct engine *e, uint8_t proto, uint16_t port);
void engine_connection_established(struct engine *e, struct conn *c);

/* What analyzer.c needs from the engine. */
struct analyzer;
struct analyzer_conn;
struct log_schema;
struct log_stream;
struct uid_gen;
const struct analyzer *const *engine_analyzers(const struct engine *e);
const struct analyzer_conn *engine_analyzer_conn(struct engine *e, const struct conn *c);
double engine_network_time(const struct engine *e);
const char *engine_conn_uid(struct engine *e, struct conn *c);
const struct uid_gen *engine_uids(const struct engine *e);
struct log_stream *engine_log_stream(struct engine *e, const struct log_schema *schema);
void engine_log_failed(struct engine *e, int err, const char *log_name);
struct files *engine_files(struct engine *e);
void **engine_run_state(struct engine *e, const struct analyzer *a);
/* The analyzer's options block in the config, or NULL. */
const void *engine_analyzer_options(const struct engine *e, const struct analyzer *a);
struct log_stream *engine_files_log(struct engine *e);

/* Analyzers on one connection (analyzer.c). attach() only chooses them;
 * they are made at the first delivery, gap or end of data. */
void analyzers_attach(struct engine *e, struct conn *c);
/* Will the connection's stream go to analyzers (reassembly wanted)? */
bool analyzers_wanted(const struct conn *c);
void analyzers_deliver(struct engine *e, struct conn *c, bool is_orig, const uint8_t *data,
		       size_t len);
/* One datagram's payload (UDP), with its direction. */
void analyzers_deliver_packet(struct engine *e, struct conn *c, bool is_orig,
			      const uint8_t *data, size_t len);
void analyzers_gap(struct engine *e, struct conn *c, bool is_orig, uint64_t len);
void analyzers_eof(struct engine *e, struct conn *c, bool is_orig);
void analyzers_finish(struct conn *c);
void analyzers_free(struct engine *e, struct conn *c);
/* Freed per-connection analysis records, for reuse (analyzer.c); the
 * engine owns one. */
struct analyzer_pool;
struct analyzer_pool *analyzer_pool_new(void);
void analyzer_pool_free(struct analyzer_pool *p);
struct analyzer_pool *engine_analyzer_pool(struct engine *e);

/* Tunnels (engine_tunnel.c; the decoders in decode_tunnel.c). */
struct ip_tunnels;
struct encap_stack;
/* timeout: Tunnel::ip_tunnel_timeout (0: 24 hrs). */
struct ip_tunnels *ip_tunnels_new(double timeout);
void ip_tunnels_free(struct ip_tunnels *t);
struct ip_tunnels *engine_ip_tunnels(struct engine *e);
/* Draws a UID from the connections' pool (an IP tunnel's). */
void engine_new_uid(struct engine *e, char out[24]);
/* Out of memory: the run fails. */
void engine_fail(struct engine *e);
/* IP protocol 4, 41 or 47 (gre), or GRE in UDP: payload after the header. */
void engine_tunnel_ip(struct engine *e, const struct packet *pkt, struct bytes payload, bool gre);
/* A UDP datagram for a tunnel analyzer (by its port, or detected), after
 * the connection counted it. */
void engine_tunnel_udp(struct engine *e, struct conn *c, const struct packet *pkt, bool is_orig,
		       int tunnel_type, struct bytes payload);
/* tunnel.log (NULL without base/frameworks/tunnels), its stream, and what
 * a write to it returned. */
struct tunnel_log *engine_tunnel_log(struct engine *e);
struct log_stream *engine_tunnel_stream(struct engine *e);
void engine_tunnel_log_result(struct engine *e, int rc);
/* An encapsulated packet decoded from its link layer (next: enum
 * tunnel_next) and tracked like any other, with the stack it came through. */
void engine_inner_packet(struct engine *e, const struct packet *outer, struct bytes frame,
			 uint32_t wirelen, int next, const struct encap_stack *st);
/* A new connection from an encapsulated packet; an existing one's packet
 * (Connection::CheckEncapsulation). */
void engine_tunnel_new_conn(struct engine *e, struct conn *c, const struct packet *pkt);
void engine_tunnel_check(struct engine *e, struct conn *c, const struct packet *pkt);

#endif
