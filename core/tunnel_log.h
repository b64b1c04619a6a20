/*
 * tunnel.log, as base/frameworks/tunnels writes it: a tunnel (an
 * EncapsulatingConn, named by its conn_id) is logged DISCOVER when the
 * first connection inside it appears, CLOSE when the UDP connection that
 * carries it is removed, EXPIRE when no new connection named it for
 * Tunnel::expiration_interval. IP tunnels have no carrying connection:
 * they only expire.
 */
#ifndef SMTPLOG_CORE_TUNNEL_LOG_H
#define SMTPLOG_CORE_TUNNEL_LOG_H

#include <stdbool.h>

#include "core/log.h"
#include "core/tunnel.h"

extern const struct log_schema tunnel_log_schema;

struct tunnel_log;

/* expiration_interval > 0 seconds. NULL when memory ran out. */
struct tunnel_log *tunnel_log_new(double expiration_interval);
void tunnel_log_free(struct tunnel_log *tl);

/*
 * Tunnel::register: a tunnel named by a new connection (or by a
 * tunnel_changed). A tunnel not yet active is logged DISCOVER at `now`;
 * an active one counts as read (its expiry moves). *is_new says which.
 * Returns 0 or a negative errno value (memory, the stream's write).
 */
int tunnel_log_register(struct tunnel_log *tl, struct log_stream *s,
			const struct encap_level *lv, double now, bool *is_new);

/* The carrying connection (these endpoints) is removed: its tunnel, if
 * active, is logged CLOSE at `now`. */
int tunnel_log_close(struct tunnel_log *tl, struct log_stream *s,
		     const struct sl_addr *orig_h, uint16_t orig_p,
		     const struct sl_addr *resp_h, uint16_t resp_p, double now);

/* Zeek's table expiration: call once per packet, before the packet, with
 * network time; every table_expire_interval (10 s) the tunnels idle for
 * longer than the expiration interval are logged EXPIRE, oldest first. */
int tunnel_log_tick(struct tunnel_log *tl, struct log_stream *s, double now);
/* Whether tunnel_log_tick() has work at `now` (a cheap test per packet). */
bool tunnel_log_sweep_due(const struct tunnel_log *tl, double now);

#endif
