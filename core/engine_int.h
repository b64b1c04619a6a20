/*
 * What the engine's own modules (engine.c, engine_tunnel.c) share. Not for
 * use outside them: TCP and the analyzers call the services layer
 * (core/services.h), never the engine.
 */
#ifndef SMTPLOG_CORE_ENGINE_INT_H
#define SMTPLOG_CORE_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/conn.h"
#include "core/decode.h"
#include "core/packet.h"
#include "core/services.h"

struct engine;

/* The run's services (owned by the engine). */
struct services *engine_services(struct engine *e);
/* Zeek's session_mgr->Remove: logs and frees the connection. */
void engine_remove_conn(struct engine *e, struct conn *c);

/* Tunnels (engine_tunnel.c; the decoders in decode_tunnel.c). */
struct ip_tunnels;
struct encap_stack;
/* timeout: Tunnel::ip_tunnel_timeout (0: 24 hrs). */
struct ip_tunnels *ip_tunnels_new(double timeout);
void ip_tunnels_free(struct ip_tunnels *t);
struct ip_tunnels *engine_ip_tunnels(struct engine *e);
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
