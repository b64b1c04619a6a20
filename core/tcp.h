/*
 * TCP as Zeek's TCPSessionAdapter tracks it: endpoint states, history,
 * reassembly into the analyzers (core/analysis.h), its timers. Called by
 * the engine per packet and per fired timer; it calls only the services
 * layer and the analyzer host.
 */
#ifndef SMTPLOG_CORE_TCP_H
#define SMTPLOG_CORE_TCP_H

#include <stdbool.h>

#include "core/conn.h"
#include "core/decode.h"
#include "core/packet.h"
#include "core/services.h"

/* Zeek's defaults (init-bare.zeek). */
#define TCP_SYN_TIMEOUT 5.0
#define TCP_ATTEMPT_DELAY 5.0
#define TCP_CLOSE_DELAY 5.0
#define TCP_SESSION_TIMER 6.0
#define TCP_CONNECTION_LINGER 5.0
#define TCP_INACTIVITY_TIMEOUT 300.0
void tcp_conn_init(struct services *sv, struct conn *c, double network_time);
/* Should a new connection be flipped at creation (WantConnection)? */
bool tcp_want_flip(const struct services *sv, const struct tcp_header *th);
/* A TCP packet of an existing or just-created connection. */
void tcp_packet(struct services *sv, struct conn *c, const struct packet *pkt, bool is_orig);
/* Zeek's IsReuse: a SYN that starts a new connection on this key. */
bool tcp_is_reuse(struct conn *c, const struct tcp_header *th);
void tcp_timer(struct services *sv, struct conn *c, enum timer_kind kind, double t);

#endif
