/*
 * TCP as Zeek's TCPSessionAdapter sees it: endpoint states, the history
 * letters, sequence-based sizes, gaps, and the timers that end a
 * connection. The rules (and their odd corners) follow Zeek 9; the core
 * spec (section 3) explains each of them.
 */
#include <ctype.h>
#include <string.h>

#include "core/analysis.h"
#include "core/tcp.h"

#define TOO_LARGE_SEQ_DELTA 1048576

/* History masks (once-only letters), orig side; resp is shifted by 16. */
enum {
	HIST_SYN_PKT = 0x1,
	HIST_FIN_PKT = 0x2,
	HIST_RST_PKT = 0x4,
	HIST_FIN_RST_PKT = 0x8,
	HIST_ASYM_PKT = 0x10,
	HIST_MULTI_FLAG_PKT = 0x20,
	HIST_DATA_PKT = 0x40,
	HIST_ACK_PKT = 0x80,
};

static int32_t seq_delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static uint64_t full_seq(uint32_t seq, uint32_t wraps)
{
	return ((uint64_t)wraps << 32) + seq;
}

static uint64_t to_relative(const struct tcp_endpoint *e, uint32_t seq, uint32_t wraps)
{
	return full_seq(seq, wraps) - (uint64_t)e->start_seq;
}

static bool no_data_acked(const struct tcp_endpoint *e)
{
	uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
	uint64_t start = (uint64_t)e->start_seq;
	return ack == start || ack == start + 1;
}

static void update_last_seq_raw(struct tcp_endpoint *e, uint32_t seq)
{
	if (seq < e->last_seq)
		e->seq_wraps++;
	e->last_seq = seq;
}

static void update_ack_seq_raw(struct tcp_endpoint *e, uint32_t seq)
{
	if (seq < e->ack_seq)
		e->ack_wraps++;
	e->ack_seq = seq;
}

static bool is_handshake(uint8_t s)
{
	return s == TCP_INACTIVE || s == TCP_SYN_SENT || s == TCP_SYN_ACK_SENT;
}

/* Endpoint index: 0 orig, 1 resp (after any flips so far). */
struct tcp_ctx {
	struct services *sv;
	struct conn *c;
	int ei;			/* sending endpoint */
};

static struct tcp_endpoint *ep(struct conn *c, int i)
{
	return &c->tcp[i];
}

static void set_state(struct services *sv, struct conn *c, int i, uint8_t s)
{
	struct tcp_endpoint *x = ep(c, i), *peer = ep(c, 1 - i);
	if (s == x->state)
		return;
	if (!is_handshake(s) && is_handshake(x->state) && is_handshake(peer->state))
		services_set_inactivity_timeout(sv, c, TCP_INACTIVITY_TIMEOUT);
	x->prev_state = x->state;
	x->state = s;
}

void tcp_conn_init(struct services *sv, struct conn *c, double network_time)
{
	for (int i = 0; i < 2; i++)
		reasm_init(&c->tcp[i].reasm);
	c->tcp_active = true;
	services_add_timer(sv, c, TIMER_TCP_EXPIRE, network_time + TCP_SYN_TIMEOUT, false);
	services_set_inactivity_timeout(sv, c, UDP_INACTIVITY_TIMEOUT);
}

bool tcp_want_flip(const struct services *sv, const struct tcp_header *th)
{
	if ((th->flags & TCP_SYN) && !(th->flags & TCP_ACK))
		return false;
	if (!services_is_likely_server_port(sv, 6, th->sport))
		return false;
	if (services_is_likely_server_port(sv, 6, th->dport))
		return !(th->flags & TCP_SYN) && th->sport < th->dport;
	return true;
}

/* Zeek's TCP_Endpoint::CheckHistory, including the delayed flip of a
 * connection that began with a SYN-ACK. Returns the sender's new index. */
static bool check_history(struct tcp_ctx *x, uint32_t mask, char code)
{
	struct conn *c = x->c;
	if ((code == 'A' || code == 'D') && c->history_len == 1 && c->history[0] == 'H') {
		conn_flip_roles(c);
		c->history_len = 0;
		conn_add_history(c, '^');
		conn_add_history(c, 'h');
		c->first_packet_seen |= 1;
		x->ei = 1 - x->ei;
	}
	if (x->ei == 1) {
		mask <<= 16;
		code = (char)tolower((unsigned char)code);
	}
	return conn_check_history(c, mask, code);
}

static void add_history(struct tcp_ctx *x, char code)
{
	conn_add_history(x->c, x->ei == 1 ? (char)tolower((unsigned char)code) : code);
}

static void update_history(struct tcp_ctx *x, uint8_t flags, uint64_t rel_seq, uint32_t len)
{
	int bits = !!(flags & TCP_SYN) + !!(flags & TCP_FIN) + !!(flags & TCP_RST);
	if (bits > 1) {
		if ((flags & TCP_FIN) && (flags & TCP_RST))
			check_history(x, HIST_FIN_RST_PKT, 'I');
		else
			check_history(x, HIST_MULTI_FLAG_PKT, 'Q');
		return;
	}
	if (bits == 1) {
		if (flags & TCP_SYN) {
			char code = (flags & TCP_ACK) ? 'H' : 'S';
			if (check_history(x, HIST_SYN_PKT, code) &&
			    rel_seq != ep(x->c, x->ei)->hist_last_syn)
				add_history(x, code);
			ep(x->c, x->ei)->hist_last_syn = rel_seq;
		}
		if (flags & TCP_FIN) {
			if (check_history(x, HIST_FIN_PKT, 'F') &&
			    rel_seq + len != ep(x->c, x->ei)->hist_last_fin)
				add_history(x, 'F');
			ep(x->c, x->ei)->hist_last_fin = rel_seq + len;
		}
		if (flags & TCP_RST) {
			if (check_history(x, HIST_RST_PKT, 'R') &&
			    rel_seq != ep(x->c, x->ei)->hist_last_rst)
				add_history(x, 'R');
			ep(x->c, x->ei)->hist_last_rst = rel_seq;
		}
		return;
	}
	if (len)
		check_history(x, HIST_DATA_PKT, 'D');
	else if (flags & TCP_ACK)
		check_history(x, HIST_ACK_PKT, 'A');
}

static void scaled(struct tcp_ctx *x, int i, char code, struct scaled_count *sc)
{
	conn_scaled_history(x->c, i == 1 ? (char)tolower((unsigned char)code) : code, sc);
}

static void update_window(struct tcp_ctx *x, uint32_t window, uint32_t base_seq,
			  uint32_t ack_seq, uint8_t flags)
{
	struct tcp_endpoint *e = ep(x->c, x->ei), *peer = ep(x->c, 1 - x->ei);
	unsigned scale = e->window_scale > 0 ? (unsigned)e->window_scale : 0;
	window <<= scale;
	if (window == 0 && !(flags & TCP_RST) && peer->state != TCP_CLOSED &&
	    e->state != TCP_RESET)
		scaled(x, x->ei, 'W', &e->win0);
	if (!(flags & (TCP_SYN | TCP_FIN | TCP_RST)) && e->state != TCP_CLOSED &&
	    e->state != TCP_RESET && seq_delta(base_seq, e->window_seq) >= 0 &&
	    seq_delta(ack_seq, e->window_ack_seq) >= 0) {
		e->window = window;
		e->window_ack_seq = ack_seq;
		e->window_seq = base_seq;
	}
}

static void init_window(struct tcp_endpoint *e, struct tcp_endpoint *peer, uint8_t flags,
			int scale, uint32_t base_seq, uint32_t ack_seq)
{
	if (scale < 0) {
		e->window_scale = 0;
		if (flags & TCP_ACK)
			peer->window_scale = 0;
		return;
	}
	e->window_scale = (int8_t)(scale > 14 ? 14 : scale);
	e->window_seq = base_seq;
	e->window_ack_seq = ack_seq;
	peer->window_seq = ack_seq;
	peer->window_ack_seq = base_seq;
}

static void init_endpoint(struct tcp_endpoint *e, uint8_t flags, uint32_t first_seq,
			  uint32_t last_seq)
{
	switch (e->state) {
	case TCP_INACTIVE:
		if (flags & TCP_SYN) {
			e->ack_seq = first_seq;
			e->start_seq = first_seq;
		} else {
			e->ack_seq = first_seq - 1;
			e->start_seq = (uint32_t)(first_seq - 1);
			last_seq = first_seq;
		}
		e->last_seq = last_seq;
		break;
	case TCP_SYN_SENT:
	case TCP_SYN_ACK_SENT:
	case TCP_ESTABLISHED:
	case TCP_PARTIAL:
		if ((flags & TCP_SYN) &&
		    (e->state == TCP_ESTABLISHED || e->state == TCP_PARTIAL ||
		     first_seq != (uint32_t)e->start_seq)) {
			e->start_seq = first_seq;
			e->ack_seq = first_seq;
			e->last_seq = last_seq;
		}
		break;
	case TCP_RESET:
		if ((flags & TCP_SYN) && e->prev_state == TCP_INACTIVE) {
			e->start_seq = first_seq;
			e->ack_seq = first_seq;
			e->last_seq = last_seq;
		}
		break;
	default:
		break;
	}
}

static uint64_t relative_seq(const struct tcp_endpoint *e, uint32_t cur, uint32_t last,
			     uint32_t wraps, bool *underflow)
{
	int32_t delta = seq_delta(cur, last);
	if (delta < 0) {
		if (wraps && cur > last)
			--wraps;
	} else if (delta > 0) {
		if (cur < last)
			++wraps;
	}
	if (wraps == 0) {
		delta = seq_delta(cur, (uint32_t)e->start_seq);
		if (underflow && delta < 0)
			*underflow = true;
		return (uint64_t)(int64_t)delta;
	}
	return to_relative(e, cur, wraps);
}

static void update_last_seq(struct tcp_ctx *x, uint32_t last_seq, uint8_t flags, uint32_t len)
{
	struct tcp_endpoint *e = ep(x->c, x->ei);
	int32_t d = seq_delta(last_seq, e->last_seq);
	if ((flags & (TCP_SYN | TCP_RST)) && (d > TOO_LARGE_SEQ_DELTA || d < -TOO_LARGE_SEQ_DELTA))
		;
	else if ((flags & TCP_FIN) && (int64_t)full_seq(e->last_seq, 0) == e->start_seq + 1)
		update_last_seq_raw(e, last_seq);
	else if (e->state == TCP_RESET)
		;
	else if (d > 0)
		update_last_seq_raw(e, last_seq);
	else if (len > 0)
		scaled(x, x->ei, 'T', &e->rxmt);
}

/* ---- closing ---- */

static bool data_pending(struct conn *c, int i)
{
	struct tcp_endpoint *e = ep(c, i), *peer = ep(c, 1 - i);
	if (e->reasm.skip)
		return false;
	uint64_t delivered = (uint64_t)e->start_seq + e->reasm.delivered;
	uint64_t last = full_seq(e->last_seq, e->seq_wraps);
	if (last < delivered)
		return false;
	if (delivered != last - 1 && delivered != last)
		return true;
	return e->state != TCP_RESET && reasm_undelivered(&peer->reasm) > 0;
}

static void connection_closed(struct services *sv, struct conn *c, int i, bool gen_event)
{
	struct tcp_endpoint *e = ep(c, i), *peer = ep(c, 1 - i);
	if (data_pending(c, i)) {
		c->close_deferred = true;
		if (!c->deferred_gen_event)
			c->deferred_gen_event = gen_event;
		return;
	}
	c->close_deferred = false;
	if (e->did_close)
		return;
	e->did_close = true;
	bool complete = e->state == TCP_RESET || peer->did_close || peer->state == TCP_INACTIVE;
	if (complete) {
		if (e->prev_state != TCP_INACTIVE || peer->state != TCP_INACTIVE) {
			if (c->deferred_gen_event) {
				gen_event = true;
				c->deferred_gen_event = false;
			}
			if (gen_event)
				c->tcp_active = false;	/* ConnectionFinished */
		}
		services_cancel_tcp_timers(sv, c);
		services_add_timer(sv, c, TIMER_TCP_DELETE, c->last_time + TCP_CLOSE_DELAY, false);
	} else if (e->prev_state != TCP_INACTIVE) {
		services_add_timer(sv, c, TIMER_TCP_EXPIRE, c->last_time + TCP_SESSION_TIMER, false);
	}
}

static void check_eof(struct services *sv, struct conn *c, int i)
{
	struct tcp_endpoint *e = ep(c, i);
	if (e->did_eof || !(e->fin_cnt > 0 || e->state == TCP_CLOSED || e->state == TCP_RESET) ||
	    data_pending(c, i))
		return;
	e->did_eof = true;
	analyzers_eof(sv, c, i == 0);
	if (c->close_deferred) {
		connection_closed(sv, c, i, c->deferred_gen_event);
		c->close_deferred = false;
	}
}

/* ---- gaps ---- */

struct gap_ctx {
	struct services *sv;
	struct conn *c;
	int i;
};

static bool is_clean(const struct tcp_endpoint *e)
{
	return e->state == TCP_ESTABLISHED ||
	       (e->state == TCP_CLOSED && e->prev_state == TCP_ESTABLISHED);
}

static void on_gap(void *ctx, uint64_t seq, uint64_t len)
{
	(void)seq;
	struct gap_ctx *g = ctx;
	struct conn *c = g->c;
	if (is_clean(ep(c, g->i)) && is_clean(ep(c, 1 - g->i))) {
		conn_scaled_history(c, g->i == 1 ? 'g' : 'G', &ep(c, g->i)->gap);
		c->missed_bytes += len;
	}
	analyzers_gap(g->sv, c, g->i == 0, len);
}

/* Reassembled bytes go to the analyzers, except on partial connections:
 * Zeek's analyzers for our protocols skip those entirely. */
static void on_data(void *ctx, uint64_t seq, const uint8_t *data, uint64_t len)
{
	(void)seq;
	struct gap_ctx *g = ctx;
	if (!g->c->tcp_partial)
		analyzers_deliver(g->sv, g->c, g->i == 0, data, (size_t)len);
}

static void ack_received(struct services *sv, struct conn *c, int i, uint64_t seq)
{
	struct tcp_endpoint *e = ep(c, i);
	if (e->fin_cnt > 0 && seq >= e->fin_seq)
		seq = e->fin_seq - 1;
	struct gap_ctx g = {sv, c, i};
	struct reasm_sink sink = {on_data, on_gap, &g};
	if (seq > e->reasm.trim_seq)
		reasm_ack(&e->reasm, seq, c->tcp_partial, &sink);
	check_eof(sv, c, i);
}

/* ---- the state machine ---- */

static void inactive_state(struct tcp_ctx *x, uint32_t base_seq, uint32_t len, uint8_t flags,
			   bool *do_close, bool *gen_event)
{
	struct conn *c = x->c;
	int i = x->ei;
	struct tcp_endpoint *e = ep(c, i), *peer = ep(c, 1 - i);
	bool is_orig = i == 0;
	if (flags & TCP_SYN) {
		if (is_orig) {
			set_state(x->sv, c, i, (flags & TCP_ACK) ? TCP_SYN_ACK_SENT : TCP_SYN_SENT);
			services_add_timer(x->sv, c, TIMER_TCP_ATTEMPT, c->last_time + TCP_ATTEMPT_DELAY, true);
		} else {
			if (!(flags & TCP_ACK) && peer->state == TCP_SYN_ACK_SENT &&
			    base_seq == (uint32_t)e->start_seq) {
				/* SYN/SYN-ACK reversal: flip, then establish. */
				c->tcp_partial = false;
				conn_flip_roles(c);
				x->ei = i = 1 - i;
				e = ep(c, i);
				peer = ep(c, 1 - i);
				set_state(x->sv, c, 1 - i, TCP_ESTABLISHED);
				c->first_packet_seen |= 1;
			}
			if (peer->state == TCP_SYN_SENT)
				set_state(x->sv, c, 1 - i, TCP_ESTABLISHED);
			set_state(x->sv, c, i, TCP_ESTABLISHED);
			if (peer->state != TCP_PARTIAL)
				services_connection_established(x->sv, c);
		}
	}
	if (flags & TCP_FIN) {
		set_state(x->sv, c, i, TCP_CLOSED);
		*do_close = *gen_event = true;
	}
	if (flags & TCP_RST) {
		set_state(x->sv, c, i, TCP_RESET);
		bool reject = i == 0 ? peer->state == TCP_ESTABLISHED
				     : (peer->state == TCP_SYN_SENT || peer->state == TCP_SYN_ACK_SENT);
		*do_close = true;
		*gen_event = !reject;
	}
	if (e->state == TCP_INACTIVE) {
		if (i == 1 && len == 0 && ep(c, 0)->state == TCP_SYN_SENT)
			;
		else if ((flags & TCP_ACK) && peer->state == TCP_ESTABLISHED) {
			set_state(x->sv, c, i, TCP_ESTABLISHED);
			c->tcp_partial = false;
			c->first_packet_seen |= (uint8_t)(i == 0 ? 1 : 2);
		} else {
			set_state(x->sv, c, i, TCP_PARTIAL);
		}
	}
}

static void syn_sent_state(struct tcp_ctx *x, uint8_t flags, bool *do_close, bool *gen_event)
{
	struct conn *c = x->c;
	if (flags & TCP_FIN) {
		set_state(x->sv, c, x->ei, TCP_CLOSED);
		*do_close = *gen_event = true;
	}
	if (flags & TCP_RST) {
		set_state(x->sv, c, x->ei, TCP_RESET);
		c->tcp_active = false;	/* ConnectionReset */
		*do_close = true;
	}
}

static void established_state(struct tcp_ctx *x, uint8_t flags, bool *do_close, bool *gen_event)
{
	struct conn *c = x->c;
	struct tcp_endpoint *e = ep(c, x->ei), *peer = ep(c, 1 - x->ei);
	if ((flags & TCP_SYN) && e->state == TCP_PARTIAL && peer->state == TCP_INACTIVE &&
	    !(flags & TCP_ACK))
		set_state(x->sv, c, x->ei, TCP_SYN_SENT);
	if ((flags & TCP_FIN) && !(flags & TCP_RST)) {
		set_state(x->sv, c, x->ei, TCP_CLOSED);
		if (peer->state == TCP_RESET && peer->prev_state == TCP_CLOSED)
			set_state(x->sv, c, 1 - x->ei, TCP_CLOSED);
		*do_close = *gen_event = true;
	}
	if (flags & TCP_RST) {
		set_state(x->sv, c, x->ei, TCP_RESET);
		*do_close = true;
		if (peer->state != TCP_RESET || peer->prev_state != TCP_ESTABLISHED)
			c->tcp_active = false;
	}
}

static void closed_state(struct tcp_ctx *x, uint8_t flags, bool *do_close)
{
	struct conn *c = x->c;
	struct tcp_endpoint *e = ep(c, x->ei), *peer = ep(c, 1 - x->ei);
	if ((flags & TCP_RST) && peer->state != TCP_CLOSED) {
		set_state(x->sv, c, x->ei, TCP_RESET);
		if (!e->did_close)
			*do_close = true;
	}
}

void tcp_packet(struct services *sv, struct conn *c, const struct packet *pkt, bool is_orig)
{
	struct tcp_header th;
	if (tcp_parse(pkt, &th) != L4_OK) {
		services_weird(sv, c, "truncated_header");
		return;
	}
	bool captured_all = pkt->l4.n >= pkt->l4_len;
	if (!sv->cfg->ignore_checksums && captured_all &&
	    !services_checksum_ignored(sv, &pkt->hdr_src) && !l4_checksum_ok(pkt)) {
		services_weird(sv, c, "bad_TCP_checksum");
		conn_scaled_history(c, is_orig ? 'C' : 'c', &ep(c, is_orig ? 0 : 1)->chk);
		return;
	}

	/* ConnSize counts the packet before the state machine runs. */
	uint32_t len = th.payload_len;
	uint8_t flags = th.flags;
	struct tcp_ctx x = {sv, c, is_orig ? 0 : 1};
	struct tcp_endpoint *e = ep(c, x.ei);

	/* SetPartialStatus */
	if (x.ei == 0) {
		if (!(c->first_packet_seen & 1))
			c->tcp_partial = !(flags & TCP_SYN) || (flags & TCP_ACK);
	} else if (!(c->first_packet_seen & 2) && !c->tcp_partial) {
		c->tcp_partial = !(flags & TCP_SYN);
	}

	uint32_t seg_len = len + !!(flags & TCP_SYN) + !!(flags & TCP_FIN);
	if (flags & TCP_RST)
		seg_len -= len;
	uint32_t base_seq = th.seq, ack_seq = th.ack;
	uint32_t one_past = base_seq + seg_len;
	init_endpoint(e, flags, base_seq, one_past);

	bool underflow = false;
	uint64_t rel_seq = relative_seq(e, base_seq, e->last_seq, e->seq_wraps, &underflow);

	update_history(&x, flags, rel_seq, len);
	e = ep(c, x.ei);	/* a delayed flip may have swapped the endpoints */
	struct tcp_endpoint *peer = ep(c, 1 - x.ei);
	update_window(&x, th.window, base_seq, ack_seq, flags);

	if (!c->tcp[0].did_close || !c->tcp[1].did_close)
		c->last_time = pkt->ts;

	if (flags & TCP_SYN)
		init_window(e, peer, flags, th.wscale, base_seq, ack_seq);
	if (flags & TCP_FIN) {
		e->fin_cnt++;
		e->fin_seq = rel_seq + seg_len;
	}
	if (flags & TCP_RST)
		e->rst_cnt++;

	uint64_t rel_ack = 0;
	if (flags & TCP_ACK) {
		if (peer->state == TCP_INACTIVE) {
			rel_ack = 1;
			peer->start_seq = (uint32_t)(ack_seq - 1);
			peer->ack_seq = ack_seq - 1;
			peer->last_seq = ack_seq - 1;
		} else {
			bool ack_underflow = false;
			rel_ack = relative_seq(peer, ack_seq, peer->ack_seq, peer->ack_wraps, &ack_underflow);
			if (ack_underflow)
				rel_ack = 0;
			else if (!(flags & TCP_RST)) {
				int32_t d = seq_delta(ack_seq, peer->ack_seq);
				if (!(ack_seq == 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0)
					update_ack_seq_raw(peer, ack_seq);
			}
		}
	}

	update_last_seq(&x, one_past, flags, len);
	e->last_time = pkt->ts;

	bool do_close = false, gen_event = false;
	switch (e->state) {
	case TCP_INACTIVE:
		inactive_state(&x, base_seq, len, flags, &do_close, &gen_event);
		break;
	case TCP_SYN_SENT:
	case TCP_SYN_ACK_SENT:
		syn_sent_state(&x, flags, &do_close, &gen_event);
		break;
	case TCP_ESTABLISHED:
	case TCP_PARTIAL:
		established_state(&x, flags, &do_close, &gen_event);
		break;
	case TCP_CLOSED:
		closed_state(&x, flags, &do_close);
		break;
	default:
		break;
	}
	e = ep(c, x.ei);
	peer = ep(c, 1 - x.ei);

	if (flags & TCP_ACK)
		ack_received(sv, c, 1 - x.ei, rel_ack);

	c->first_packet_seen |= (uint8_t)(x.ei == 0 ? 1 : 2);

	uint64_t rel_data_seq = (flags & TCP_SYN) ? rel_seq + 1 : rel_seq;
	if (len > 0 && !(flags & TCP_RST) && !underflow) {
		if (captured_all) {
			uint64_t acked = to_relative(e, e->ack_seq, e->ack_wraps);
			const char *weird = NULL;
			struct gap_ctx g = {sv, c, x.ei};
			struct reasm_sink sink = {on_data, on_gap, &g};
			if (!reasm_data(&e->reasm, rel_data_seq, th.payload.p, len, acked,
					no_data_acked(e), analyzers_wanted(c) ? &sink : NULL, &weird))
				services_weird(sv, c, weird);
		} else {
			services_weird(sv, c, "truncated_tcp_payload");
		}
	}
	check_eof(sv, c, x.ei);
	if (do_close)
		connection_closed(sv, c, x.ei, gen_event);

	/* ConnSize: counted for the sender's role after any flip. */
	if (x.ei == 0) {
		c->orig_pkts++;
		c->orig_ip_bytes += pkt->ip_len;
	} else {
		c->resp_pkts++;
		c->resp_ip_bytes += pkt->ip_len;
	}
}

bool tcp_is_reuse(struct conn *c, const struct tcp_header *th)
{
	if (th->hdr_len < 20 || !(th->flags & TCP_SYN))
		return false;
	struct tcp_endpoint *o = ep(c, 0), *r = ep(c, 1);
	struct tcp_endpoint *conn_orig = o;
	if (th->flags & TCP_ACK) {
		if (o->state != TCP_INACTIVE)
			return false;
		conn_orig = r;
	}
	bool closed = o->did_close || r->did_close;	/* Zeek's IsClosed() */
	if (!closed) {
		if (th->seq == (uint32_t)conn_orig->start_seq)
			return false;
		if (!(th->flags & TCP_ACK) && conn_orig->state == TCP_SYN_ACK_SENT &&
		    r->state == TCP_INACTIVE && th->seq == (uint32_t)r->start_seq)
			return false;
	}
	return true;
}

void tcp_timer(struct services *sv, struct conn *c, enum timer_kind kind, double t)
{
	struct tcp_endpoint *o = ep(c, 0), *r = ep(c, 1);
	switch (kind) {
	case TIMER_TCP_ATTEMPT:
		if (c->tcp_active && (o->state == TCP_SYN_SENT || o->state == TCP_SYN_ACK_SENT) &&
		    r->state == TCP_INACTIVE) {
			c->tcp_active = false;
			services_remove_conn(sv, c);
		}
		break;
	case TIMER_TCP_EXPIRE:
		if (!c->tcp_active)
			break;
		if (c->last_time + TCP_CONNECTION_LINGER < t) {
			if ((o->did_close || r->did_close) &&
			    ((o->did_close && r->did_close) || o->state == TCP_RESET ||
			     r->state == TCP_RESET || o->state == TCP_INACTIVE ||
			     r->state == TCP_INACTIVE)) {
				c->tcp_active = false;
				services_remove_conn(sv, c);
				return;
			}
			if (r->state == TCP_INACTIVE && o->state == TCP_INACTIVE) {
				services_remove_conn(sv, c);
				return;
			}
		}
		services_add_timer(sv, c, TIMER_TCP_EXPIRE, t + TCP_SESSION_TIMER, false);
		break;
	case TIMER_TCP_DELETE:
		services_remove_conn(sv, c);
		break;
	default:
		break;
	}
}
