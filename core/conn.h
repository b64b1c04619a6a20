/*
 * Connections: Zeek's view of a flow (its key, roles, endpoint states,
 * history, sizes and timers) and the table that owns them.
 */
#ifndef SMTPLOG_CORE_CONN_H
#define SMTPLOG_CORE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/reasm.h"
#include "core/timer.h"
#include "core/value.h"

struct conn_analyzers;

enum conn_transport {
	CONN_TCP,
	CONN_UDP,
	CONN_ICMP,
	CONN_UNKNOWN,	/* any other IP protocol: "unknown_transport" */
};

/* Zeek's TCP endpoint states, with Zeek's numbering. */
enum tcp_state {
	TCP_INACTIVE = 0,
	TCP_SYN_SENT = 1,
	TCP_SYN_ACK_SENT = 2,
	TCP_PARTIAL = 3,
	TCP_ESTABLISHED = 4,
	TCP_CLOSED = 5,
	TCP_RESET = 6,
};

/* Zeek's "scaled" history letters: added at the 1st, 10th, 100th... event. */
struct scaled_count {
	uint32_t count;
	uint32_t threshold;
};

/* Fields ordered by size so that no padding is wasted: a SYN flood holds
 * millions of these. */
struct tcp_endpoint {
	uint8_t state, prev_state;
	bool did_close, did_eof;
	int8_t window_scale;
	uint32_t last_seq, ack_seq;
	uint32_t seq_wraps, ack_wraps;
	uint32_t fin_cnt, rst_cnt;
	uint32_t window, window_seq, window_ack_seq;
	struct scaled_count chk, rxmt, win0, gap;
	int64_t start_seq;		/* may be "ISN - 1" for a midstream start */
	uint64_t fin_seq;		/* relative sequence just after the FIN */
	uint64_t hist_last_syn, hist_last_fin, hist_last_rst;
	double last_time;		/* 0 until this endpoint sent something */
	struct reasm reasm;		/* this endpoint's outgoing byte stream */
};

/* The canonical key: the two endpoints in a fixed order so that both
 * directions find the same connection. Laid out as Zeek packs it, so that
 * memcmp gives Zeek's end-of-trace order. */
struct conn_key {
	uint8_t b[40];			/* ip1[16] ip2[16] port1 port2 (BE) proto (LE) pad */
};

#define CONN_HISTORY_MAX 64
/* Zeek's HIST_ANALYZER_LIMIT_REACHED: the once-only 'X' (both sides). */
#define CONN_HIST_LIMIT_REACHED 0x40000000u

/* tunnel_parents: one UID for the first encapsulation and one a
 * tunnel_changed event, of which Zeek allows Tunnel::max_changes_per_connection
 * (5; at most 255, or 0 for no limit). The first few are kept inline; past
 * CONN_TUNNEL_PARENTS_LIMIT distinct ones (only when there is no limit) a
 * connection keeps no more. */
#define CONN_TUNNEL_PARENTS_INLINE 6
#define CONN_TUNNEL_PARENTS_LIMIT 1024
#define CONN_UID_MAX 24

/*
 * What tunnels add to a connection, made only for connections that are
 * tunnelled or carry a tunnel: an inner connection's encapsulation and
 * tunnel_parents, an outer UDP connection's tunnel analyzer state. Owned
 * by the connection (freed by the engine when it is removed).
 */
struct conn_tunnel {
	uint64_t encap_id;		/* the current encapsulation (0: none) */
	uint8_t changes;		/* tunnel_changed events so far */
	uint16_t n_parents;
	uint8_t service;		/* enum tunnel_type confirmed here, 0 none */
	uint16_t violated;		/* 1 << enum tunnel_type: that analyzer's violation */
	uint8_t valid_dirs;		/* Teredo's and GTP's valid orig (1) and resp (2) */
	bool carries_logged_tunnel;	/* tunnel.log's finalize_tunnel hook is on it */
	/* In insertion order: the first inline, the rest in more (owned). */
	char parents[CONN_TUNNEL_PARENTS_INLINE][CONN_UID_MAX];
	char (*more)[CONN_UID_MAX];
	uint16_t more_cap;
};

/* tunnel_parents' entry i < t->n_parents. */
const char *conn_tunnel_parent(const struct conn_tunnel *t, size_t i);
/* Adds to tunnel_parents (a set: a UID it has is not added again; at
 * CONN_TUNNEL_PARENTS_LIMIT nothing is). 0, or -ENOMEM. */
int conn_tunnel_add_parent(struct conn_tunnel *t, const char uid[CONN_UID_MAX]);
/* Frees t and what it owns (NULL is fine). */
void conn_tunnel_free(struct conn_tunnel *t);

/* A connection. Owned by the connection table; analyzers only borrow it.
 * Grouped by field size (no padding): with no payload it costs ~680 bytes
 * here, plus its timers and table slot. */
struct conn {
	struct conn_key key;
	uint64_t hash;
	struct timer *timers;		/* this connection's live timers (the engine's) */
	struct conn_analyzers *an;	/* protocol analyzers and the PIA; owned, NULL
					 * until the stream has input for them */
	struct conn *next_free;		/* the table's pool */
	struct conn_tunnel *tun;	/* owned; NULL unless tunnels are involved */
	double start_time, last_time;
	double inactivity_timeout;

	/* ConnSize: packets and IP bytes per direction. */
	uint64_t orig_pkts, resp_pkts, orig_ip_bytes, resp_ip_bytes;
	uint64_t missed_bytes;
	/* UDP/ICMP/unknown sizes; -1 = endpoint never active. */
	int64_t orig_len, resp_len;

	/* TCP. */
	struct tcp_endpoint tcp[2];	/* [0] is the originator after flips */

	struct sl_addr orig_h, resp_h;
	/* History (Zeek's Session::history). */
	char history[CONN_HISTORY_MAX];
	char uid[CONN_UID_MAX];		/* "C" + base62; empty until first asked for */
	struct scaled_count udp_chk[2];	/* [0] orig, [1] resp */

	enum conn_transport transport;
	uint32_t hist_seen;		/* once-only letters, orig in low bits, resp << 16 */
	uint32_t an_by_port;		/* analyzers (registry bits) chosen by port */
	int vlan, inner_vlan;		/* of the first packet (vlan-logging) */
	uint16_t orig_p, resp_p;	/* host order; ICMP: type and counterpart/code */
	uint8_t orig_l2[6], resp_l2[6];	/* of the first packet (mac-logging) */
	uint8_t ip_proto;
	uint8_t history_len;
	uint8_t first_packet_seen;	/* TCP: bit 1 orig, bit 2 resp */
	bool in_table;
	bool removed;			/* logged; waiting to go back to the pool */
	bool an_wanted;			/* analysis loaded, an not made yet */
	bool tcp_active;		/* Zeek's TCPSessionAdapter::is_active */
	bool tcp_partial;
	/* Rarely read flags share a byte, so that the record stays 680 bytes. */
	bool has_l2 : 1;
	bool close_deferred : 1, deferred_gen_event : 1;
	/* Bad-checksum weirds for Zeek's sampling: the count up to 1,000, then
	 * 1,000 + (count - 1,000) mod 1,000 (fits the padding). */
	uint16_t cksum_weirds;
};

static inline struct tcp_endpoint *conn_tcp_orig(struct conn *c)
{
	return &c->tcp[0];
}

void conn_add_history(struct conn *c, char code);
/* Once-only history letter; returns true if it had been seen before. */
bool conn_check_history(struct conn *c, uint32_t mask, char code);
/* Scaled letter: added at the 1st, 10th, 100th... call. */
void conn_scaled_history(struct conn *c, char code, struct scaled_count *sc);
/* Swaps originator and responder (Zeek's Connection::FlipRoles). */
void conn_flip_roles(struct conn *c);
/* Zeek's conn_state string, from the endpoint states. */
const char *conn_state_text(const struct conn *c);
/* conn.log's service: the confirmed analyzers' names in confirmation
 * order, lower case, comma-joined (analyzer.c). Returns the length. */
size_t conn_service_text(const struct conn *c, char *out, size_t cap);
/* Zeek's endpoint size for TCP (TCP_Endpoint::Size). */
uint64_t tcp_endpoint_size(const struct tcp_endpoint *e, const struct tcp_endpoint *peer);

/* The table. */
struct conn_table;

struct conn_table *conn_table_new(void);
void conn_table_free(struct conn_table *t);
size_t conn_table_count(const struct conn_table *t);
struct conn *conn_table_find(struct conn_table *t, const struct conn_key *key,
			     uint64_t hash);
/* A zeroed connection from the pool, inserted under key. NULL on OOM. */
struct conn *conn_table_insert(struct conn_table *t, const struct conn_key *key,
			       uint64_t hash);

/* Where a lookup that missed stopped: lets the insertion that follows
 * reuse the probe (one probe per packet) unless the table changed since. */
struct conn_probe {
	const struct conn_key *key;	/* borrowed until the insertion */
	uint64_t hash;
	size_t slot;
	uint64_t layout;
};
/* conn_table_find, filling *probe on a miss. */
struct conn *conn_table_lookup(struct conn_table *t, const struct conn_key *key, uint64_t hash,
			       struct conn_probe *probe);
/* conn_table_insert at the place a missed lookup found. */
struct conn *conn_table_insert_probed(struct conn_table *t, const struct conn_probe *probe);
/* Takes c out of the table (it stays valid until conn_table_release). */
void conn_table_unlink(struct conn_table *t, struct conn *c);
/* Returns c's memory to the pool. */
void conn_table_release(struct conn_table *t, struct conn *c);
/* Every connection still in the table, sorted by key (Zeek's order under
 * a seed). Returns a malloc'd array the caller frees, or NULL. */
struct conn **conn_table_sorted(struct conn_table *t, size_t *n);

uint64_t conn_key_hash(const struct conn_key *k);

#endif
