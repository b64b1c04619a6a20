/*
 * Decapsulation in the engine: what Zeek's IPTunnel analyzer and the UDP
 * tunnel analyzers do around the header decoders of decode_tunnel.c. An
 * IP tunnel (IP-in-IP, GRE) is named by a UID kept per address pair; a UDP
 * tunnel (VXLAN, Geneve, GTPv1) by its outer connection's UID. The inner
 * packet goes back into decoding and connection tracking with the stack of
 * levels it came through; connections keep only their 5-tuple key, as in
 * Zeek, and note a change of encapsulation in tunnel_parents.
 */
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/engine_int.h"
#include "core/tunnel.h"
#include "core/tunnel_log.h"

/* ---- the IP tunnel table (IPTunnelAnalyzer::ip_tunnels) ---- */

struct ip_tunnel {
	uint8_t a[16], b[16];	/* the address pair, lower first */
	struct sl_addr src, dst;	/* its conn_id: the first packet's */
	char uid[UID_TEXT_MAX];	/* empty: a free slot */
	enum tunnel_type type;	/* of the packet that made it */
	double last;		/* last packet */
	double next_check;	/* when Zeek's IPTunnelTimer next looks */
};

struct ip_tunnels {
	struct ip_tunnel *slot;
	size_t cap, n;		/* cap a power of two; n used slots */
	double timeout;		/* Tunnel::ip_tunnel_timeout */
};

struct ip_tunnels *ip_tunnels_new(double timeout)
{
	struct ip_tunnels *t = calloc(1, sizeof(struct ip_tunnels));
	if (t)
		t->timeout = timeout > 0 ? timeout : TUNNEL_IP_TIMEOUT;
	return t;
}

void ip_tunnels_free(struct ip_tunnels *t)
{
	if (!t)
		return;
	free(t->slot);
	free(t);
}

static uint64_t pair_hash(const uint8_t a[16], const uint8_t b[16])
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a: the table is ours, not Zeek's */
	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 0x100000001b3ull;
	for (int i = 0; i < 16; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

/*
 * Zeek's IPTunnelTimer: set ip_tunnel_timeout after the tunnel appeared,
 * it forgets the tunnel when it has been idle that long and otherwise
 * looks again a timeout later. Run lazily, at the next sighting (or when
 * the table is rebuilt), as if each look came at its due time.
 */
static bool tunnel_expired(struct ip_tunnel *t, double timeout, double now)
{
	while (t->next_check <= now) {
		if (t->next_check - t->last >= timeout)
			return true;
		t->next_check += timeout;
	}
	return false;
}

static struct ip_tunnel *probe(struct ip_tunnels *t, const uint8_t a[16], const uint8_t b[16])
{
	size_t mask = t->cap - 1;
	for (size_t i = pair_hash(a, b) & mask;; i = (i + 1) & mask) {
		struct ip_tunnel *s = &t->slot[i];
		if (!s->uid[0] || (memcmp(s->a, a, 16) == 0 && memcmp(s->b, b, 16) == 0))
			return s;
	}
}

/* Doubles the table (or rebuilds it at its size), leaving out the tunnels
 * Zeek would have forgotten by now. */
static int grow(struct ip_tunnels *t, double now)
{
	size_t live = 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i].uid[0] && !tunnel_expired(&t->slot[i], t->timeout, now))
			live++;
	size_t cap = t->cap ? t->cap : 64;
	while (live * 2 >= cap)
		cap *= 2;
	struct ip_tunnel *old = t->slot;
	size_t old_cap = t->cap;
	t->slot = calloc(cap, sizeof *t->slot);
	if (!t->slot) {
		t->slot = old;
		return -1;
	}
	t->cap = cap;
	t->n = 0;
	for (size_t i = 0; i < old_cap; i++) {
		struct ip_tunnel *s = &old[i];
		if (!s->uid[0] || tunnel_expired(s, t->timeout, now))
			continue;
		*probe(t, s->a, s->b) = *s;
		t->n++;
	}
	free(old);
	return 0;
}

/* The tunnel of this address pair, made (with a new UID) when it is new
 * or was forgotten. NULL when memory ran out. */
static const struct ip_tunnel *ip_tunnel_get(struct engine *e, struct ip_tunnels *t,
					     const struct packet *pkt, enum tunnel_type type)
{
	double now = engine_services(e)->network_time;
	bool src_low = sl_addr_cmp(&pkt->src, &pkt->dst) < 0;
	const uint8_t *a = src_low ? pkt->src.b : pkt->dst.b, *b = src_low ? pkt->dst.b : pkt->src.b;
	if ((t->n + 1) * 4 > t->cap * 3 && grow(t, now) < 0)
		return NULL;
	struct ip_tunnel *s = probe(t, a, b);
	if (s->uid[0] && !tunnel_expired(s, t->timeout, now)) {
		s->last = now;
		return s;
	}
	if (!s->uid[0])
		t->n++;
	memcpy(s->a, a, 16);
	memcpy(s->b, b, 16);
	s->src = pkt->src;
	s->dst = pkt->dst;
	services_new_uid(engine_services(e), s->uid);
	s->type = type;
	s->last = now;
	s->next_check = now + t->timeout;
	return s;
}

/* ---- levels and inner packets ---- */

/* The stack of the packet, one level deeper: the caller fills the new
 * level's conn_id and carrier. */
static struct encap_level *push_level(struct encap_stack *st, const struct packet *pkt,
				      enum tunnel_type type, const char *uid)
{
	if (pkt->encap)
		*st = *pkt->encap;
	else
		st->depth = 0;
	struct encap_level *lv = &st->level[st->depth++];
	memset(lv, 0, sizeof *lv);
	lv->type = type;
	memcpy(lv->uid, uid, UID_TEXT_MAX);
	return lv;
}

/* Tunnel::max_depth: 0 and 1 both let only the outermost level through. */
static bool too_deep(struct engine *e, const struct packet *pkt)
{
	unsigned max = engine_services(e)->cfg->tunnel.max_depth;
	if (max == 0)
		max = TUNNEL_MAX_DEPTH;
	return pkt->encap && pkt->encap->depth >= max;
}

void engine_tunnel_ip(struct engine *e, const struct packet *pkt, struct bytes payload, bool gre)
{
	const char *weird = NULL;
	struct tunnel_inner in = {.frame = payload, .next = TUNNEL_NEXT_IP};
	enum tunnel_type type = TUNNEL_IP;
	if (gre) {
		if (tunnel_decode_gre(payload, &in, &weird) != TUNNEL_FORWARD) {
			services_weird(engine_services(e), NULL, weird);
			return;
		}
		type = TUNNEL_GRE;
	}
	if (too_deep(e, pkt)) {
		services_weird(engine_services(e), NULL, "exceeded_tunnel_max_depth");
		return;
	}
	if (in.gre_version == 1 &&
	    tunnel_check_inner_ip(in.frame, in.pptp_v6, &weird) != TUNNEL_FORWARD) {
		services_weird(engine_services(e), NULL, weird);
		return;
	}
	const struct ip_tunnel *t = ip_tunnel_get(e, engine_ip_tunnels(e), pkt, type);
	if (!t) {
		services_fail(engine_services(e));
		return;
	}
	struct encap_stack st;
	struct encap_level *lv = push_level(&st, pkt, t->type, t->uid);
	lv->orig_h = t->src;
	lv->resp_h = t->dst;
	/* Zeek builds the inner packet with the frame as both its captured
	 * and its wire length. */
	engine_inner_packet(e, pkt, in.frame, (uint32_t)in.frame.n, in.next, &st);
}

static struct conn_tunnel *tunnel_state(struct engine *e, struct conn *c)
{
	if (!c->tun && !(c->tun = calloc(1, sizeof *c->tun)))
		services_fail(engine_services(e));
	return c->tun;
}

/* Zeek's AnalyzerConfirmation of a packet analyzer: once, and never after
 * a violation; dpd.zeek adds its name to service. */
static void confirm(struct engine *e, struct conn *c, enum tunnel_type type)
{
	struct conn_tunnel *t = tunnel_state(e, c);
	if (!t || t->service || (t->violated & (1u << type)))
		return;
	t->service = (uint8_t)type;
}

/* Teredo's and GTP's confirmation: the valid packets' directions so far,
 * and whether Tunnel::delay_*_confirmation lets them confirm. */
static void confirm_after_valid(struct engine *e, struct conn *c, enum tunnel_type type,
				bool is_orig, bool delay)
{
	struct conn_tunnel *t = tunnel_state(e, c);
	if (!t)
		return;
	t->valid_dirs |= is_orig ? 1 : 2;
	if (!delay || t->valid_dirs == 3)
		confirm(e, c, type);
}

static bool confirmed(const struct conn *c, enum tunnel_type type)
{
	return c->tun && c->tun->service == type;
}

static void violate(struct engine *e, struct conn *c, enum tunnel_type type)
{
	struct conn_tunnel *t = tunnel_state(e, c);
	if (t)
		t->violated |= (uint16_t)(1u << type);	/* service stays, as dpd.zeek leaves it */
}

static bool violated(const struct conn *c, enum tunnel_type type)
{
	return c->tun && (c->tun->violated & (1u << type));
}

/* build_inner_packet: the inner wire length keeps what the capture cut. */
static uint32_t inner_wirelen(const struct packet *pkt, struct bytes frame)
{
	if (pkt->ip_reassembled)
		return (uint32_t)frame.n;	/* Zeek's reassembled packet: wire = captured */
	uint32_t consumed = pkt->caplen - (uint32_t)frame.n;
	return pkt->wirelen > consumed ? pkt->wirelen - consumed : 0;
}

void engine_tunnel_udp(struct engine *e, struct conn *c, const struct packet *pkt, bool is_orig,
		       int tunnel_type, struct bytes payload)
{
	const struct config_tunnel *opt = &engine_services(e)->cfg->tunnel;
	enum tunnel_type type = (enum tunnel_type)tunnel_type;
	const char *weird = NULL;
	struct tunnel_inner in;
	bool ok_confirm = false;
	enum tunnel_result r;
	switch (type) {
	case TUNNEL_GRE:
		/* GRE in UDP is GRE: its tunnel is the IP pair's, not the flow. */
		engine_tunnel_ip(e, pkt, payload, true);
		return;
	case TUNNEL_VXLAN:
	case TUNNEL_GENEVE:
	case TUNNEL_AYIYA:
	case TUNNEL_TEREDO:
		if (violated(c, type))
			return;
		if (too_deep(e, pkt)) {
			conn_check_history(c, CONN_HIST_LIMIT_REACHED, 'X');
			services_weird(engine_services(e), c, "exceeded_tunnel_max_depth");
			return;
		}
		if (type == TUNNEL_VXLAN)
			r = tunnel_decode_vxlan(payload, &in, &ok_confirm, &weird);
		else if (type == TUNNEL_GENEVE)
			r = tunnel_decode_geneve(payload, &in, &ok_confirm, &weird);
		else if (type == TUNNEL_AYIYA)
			r = tunnel_decode_ayiya(payload, &in, &ok_confirm, &weird);
		else
			r = tunnel_decode_teredo(payload, &in, &weird);
		if (ok_confirm)
			confirm(e, c, type);
		if (type == TUNNEL_TEREDO && r == TUNNEL_VIOLATION) {
			/* Its truncation weirds speak only once confirmed. */
			if (weird && confirmed(c, type))
				services_weird(engine_services(e), c, weird);
		} else if (type == TUNNEL_TEREDO && r == TUNNEL_FORWARD) {
			if (weird)
				services_weird(engine_services(e), c, weird);	/* a bubble with payload */
			confirm_after_valid(e, c, type, is_orig, !opt->teredo_confirm_at_once);
		}
		break;
	case TUNNEL_GTPV1:
		r = tunnel_decode_gtpv1(payload, &in, &weird);
		if (r == TUNNEL_FORWARD && too_deep(e, pkt)) {
			services_weird(engine_services(e), c, "tunnel_depth");
			return;
		}
		if (r == TUNNEL_FORWARD && pkt->encap &&
		    pkt->encap->level[pkt->encap->depth - 1].type == TUNNEL_GTPV1)
			r = TUNNEL_VIOLATION;	/* GTP is never in GTP */
		if (r == TUNNEL_FORWARD) {
			/* The packet must be IP and fill the rest exactly. */
			bool v6 = in.frame.n && (in.frame.p[0] >> 4) == 6;
			if (tunnel_check_inner_ip(in.frame, v6, &weird) != TUNNEL_FORWARD)
				r = TUNNEL_VIOLATION;
			else
				confirm_after_valid(e, c, type, is_orig, opt->delay_gtp_confirmation);
		}
		break;
	default:
		return;
	}
	if (r == TUNNEL_VIOLATION) {
		violate(e, c, type);
		return;
	}
	if (r == TUNNEL_WEIRD) {
		services_weird(engine_services(e), c, weird);
		return;
	}
	if (r != TUNNEL_FORWARD || in.next == TUNNEL_NEXT_NONE)
		return;
	struct encap_stack st;
	struct encap_level *lv = push_level(&st, pkt, type, services_conn_uid(engine_services(e), c));
	lv->orig_h = c->orig_h;
	lv->resp_h = c->resp_h;
	lv->orig_p = c->orig_p;
	lv->resp_p = c->resp_p;
	lv->carrier = c;
	engine_inner_packet(e, pkt, in.frame, inner_wirelen(pkt, in.frame), in.next, &st);
}

/* ---- the inner connection's side ---- */

static uint64_t encap_id(const struct encap_stack *st)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < st->depth; i++) {
		h = (h ^ (uint64_t)st->level[i].type) * 0x100000001b3ull;
		for (const char *p = st->level[i].uid; *p; p++)
			h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	}
	return h | 1;	/* never 0, which means "none" */
}

/* conn/main.zeek: add the innermost tunnel's UID to tunnel_parents. */
static void add_parent(struct engine *e, struct conn_tunnel *t, const struct encap_stack *st)
{
	if (conn_tunnel_add_parent(t, st->level[st->depth - 1].uid) != 0)
		services_fail(engine_services(e));
}

/* The tunnel framework's register_all: each level, outermost first. A
 * level that is new and has a carrying connection gets the removal hook
 * that will log its CLOSE. */
static void register_levels(struct engine *e, const struct encap_stack *st)
{
	struct tunnel_log *tl = engine_tunnel_log(e);
	if (!tl)
		return;
	for (size_t i = 0; i < st->depth; i++) {
		const struct encap_level *lv = &st->level[i];
		bool is_new = false;
		int rc = tunnel_log_register(tl, engine_tunnel_stream(e), lv,
					     engine_services(e)->network_time, &is_new);
		engine_tunnel_log_result(e, rc);
		if (is_new && lv->carrier) {
			struct conn_tunnel *t = tunnel_state(e, lv->carrier);
			if (t)
				t->carries_logged_tunnel = true;
		}
	}
}

void engine_tunnel_new_conn(struct engine *e, struct conn *c, const struct packet *pkt)
{
	struct conn_tunnel *t = tunnel_state(e, c);
	if (!t)
		return;
	t->encap_id = encap_id(pkt->encap);
	add_parent(e, t, pkt->encap);	/* set_conn at new_connection */
	register_levels(e, pkt->encap);	/* the framework's new_connection */
}

/* Connection::CheckEncapsulation and conn/main.zeek's tunnel_changed. */
void engine_tunnel_check(struct engine *e, struct conn *c, const struct packet *pkt)
{
	uint64_t id = pkt->encap ? encap_id(pkt->encap) : 0;
	uint64_t cur = c->tun ? c->tun->encap_id : 0;
	if (id == cur)
		return;
	struct conn_tunnel *t = tunnel_state(e, c);
	if (!t)
		return;
	t->encap_id = id;
	unsigned max = engine_services(e)->cfg->tunnel.max_changes_given
			       ? engine_services(e)->cfg->tunnel.max_changes
			       : TUNNEL_MAX_CHANGES;
	if (max != 0 && t->changes >= max) {
		services_weird(engine_services(e), c, "tunnel_max_changes_per_connection_exceeded");
		conn_check_history(c, CONN_HIST_LIMIT_REACHED, 'X');
		return;
	}
	if (t->changes < UINT8_MAX)	/* with no limit it only has to stay above 0 */
		t->changes++;
	if (pkt->encap) {
		add_parent(e, t, pkt->encap);
		register_levels(e, pkt->encap);	/* the framework's tunnel_changed */
	}
}
