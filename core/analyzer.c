/*
 * Core's side of the analyzer contract: attaching analyzers to TCP
 * connections (by responder port, or by DPD signature over the first bytes
 * the PIA keeps), feeding them the reassembled streams, and the services
 * analyzers call back: confirmation (conn.log's service), violations,
 * weirds, lazy UIDs and log streams.
 */
#include "core/analyzer.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/analysis.h"
#include "core/tunnel.h"

/* Zeek's DPD::ignore_violations_after: violations after this many bytes
 * (both directions, sequence space) leave the analyzer alone. */
#define IGNORE_VIOLATIONS_AFTER 10240
#define MAX_ANALYZERS ANALYZER_MAX_PER_CONN

struct analyzer_ctx {
	struct services *sv;
	struct conn *c;
	const struct analyzer *a;
	void *state;
	bool removed;
	bool finished;
};

struct pia_chunk {
	bool is_orig;
	uint16_t len;
};

/* The PIA's replay buffer: each direction's stream as the signatures see
 * it; the chunk list keeps the arrival order for the replay. */
struct pia {
	uint8_t dir[2][ANALYZER_DPD_BUFFER];	/* [0] orig, [1] resp */
	size_t dir_len[2];
	struct pia_chunk chunks[ANALYZER_DPD_MAX_DELIVERIES];
	size_t n;
};

/* Per connection: its analyzers, the confirmed services, and the PIA. */
struct conn_analyzers {
	struct analyzer_ctx slots[MAX_ANALYZERS];
	size_t n;
	const struct analyzer *service[MAX_ANALYZERS];	/* in confirmation order */
	size_t n_service;
	bool pia_done;		/* buffer full or deliveries exhausted: no more DPD */
	/* Allocated at the first payload and freed once DPD is over, so that
	 * connections without payload (a SYN flood) do not carry it. */
	struct pia *pia;
};

/* Freed per-connection records kept for the next connections, at most
 * this many of each kind: connections come and go at the packet rate. */
#define POOL_MAX 256

struct analyzer_pool {
	struct conn_analyzers *an[POOL_MAX];
	size_t n_an;
	struct pia *pia[POOL_MAX];
	size_t n_pia;
};

struct analyzer_pool *analyzer_pool_new(void)
{
	return calloc(1, sizeof(struct analyzer_pool));
}

void analyzer_pool_free(struct analyzer_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_an; i++)
		free(p->an[i]);
	for (size_t i = 0; i < p->n_pia; i++)
		free(p->pia[i]);
	free(p);
}

static struct conn_analyzers *an_get(struct analyzer_pool *p)
{
	if (!p->n_an)
		return calloc(1, sizeof(struct conn_analyzers));
	struct conn_analyzers *an = p->an[--p->n_an];
	memset(an, 0, sizeof *an);
	return an;
}

static void an_put(struct analyzer_pool *p, struct conn_analyzers *an)
{
	if (p->n_an < POOL_MAX)
		p->an[p->n_an++] = an;
	else
		free(an);
}

/* Only the lengths need clearing: the buffers are read up to them. */
static struct pia *pia_get(struct analyzer_pool *p)
{
	struct pia *pia = p->n_pia ? p->pia[--p->n_pia] : malloc(sizeof *pia);
	if (pia) {
		pia->dir_len[0] = pia->dir_len[1] = 0;
		pia->n = 0;
	}
	return pia;
}

static void pia_put(struct analyzer_pool *p, struct pia *pia)
{
	if (!pia)
		return;
	if (p->n_pia < POOL_MAX)
		p->pia[p->n_pia++] = pia;
	else
		free(pia);
}

static void pia_stop(struct services *sv, struct conn_analyzers *an)
{
	an->pia_done = true;
	pia_put(sv->an_pool, an->pia);
	an->pia = NULL;
}

const struct analyzer_conn *analyzer_conn(const struct analyzer_ctx *ctx)
{
	return services_analyzer_conn(ctx->sv, ctx->c);
}

bool analyzer_addr_is_local(const struct analyzer_ctx *ctx, const struct sl_addr *a)
{
	return services_addr_is_local(ctx->sv, a);
}

const struct config *analyzer_config(const struct analyzer_ctx *ctx)
{
	return ctx->sv->cfg;
}

double analyzer_time(const struct analyzer_ctx *ctx)
{
	return ctx->sv->network_time;
}

const char *analyzer_uid(struct analyzer_ctx *ctx)
{
	return services_conn_uid(ctx->sv, ctx->c);
}

const struct uid_gen *analyzer_uids(const struct analyzer_ctx *ctx)
{
	return &ctx->sv->uids;
}

struct log_stream *analyzer_log(struct analyzer_ctx *ctx, const struct log_schema *schema)
{
	return services_log_stream(ctx->sv, schema);
}

const void *analyzer_options(const struct analyzer_ctx *ctx)
{
	return services_analyzer_options(ctx->sv, ctx->a);
}

void **analyzer_run_state(struct analyzer_ctx *ctx)
{
	return services_run_state(ctx->sv, ctx->a);
}

struct files *analyzer_files(struct analyzer_ctx *ctx)
{
	return ctx->sv->files;
}

struct log_stream *analyzer_files_log(struct analyzer_ctx *ctx)
{
	return services_files_log(ctx->sv);
}

void analyzer_log_failed(struct analyzer_ctx *ctx, int err, const char *log_name)
{
	services_log_failed(ctx->sv, err, log_name);
}

void analyzer_confirm(struct analyzer_ctx *ctx)
{
	/* Zeek disables a violating analyzer once the packet's events have
	 * run, and its analyzer_failed handler takes the service back after
	 * any confirmation raised in the same packet. */
	if (ctx->removed)
		return;
	struct conn_analyzers *an = ctx->c->an;
	for (size_t i = 0; i < an->n_service; i++)
		if (an->service[i] == ctx->a)
			return;
	if (an->n_service < MAX_ANALYZERS)
		an->service[an->n_service++] = ctx->a;
}

void analyzer_violation(struct analyzer_ctx *ctx, const char *reason)
{
	(void)reason;
	struct conn *c = ctx->c;
	if (c->transport == CONN_TCP &&
	    tcp_endpoint_size(&c->tcp[0], &c->tcp[1]) + tcp_endpoint_size(&c->tcp[1], &c->tcp[0]) >
		    IGNORE_VIOLATIONS_AFTER)
		return;
	/* For UDP the endpoints' sizes are their payload bytes. */
	if (c->transport == CONN_UDP &&
	    (c->orig_len > 0 ? c->orig_len : 0) + (c->resp_len > 0 ? c->resp_len : 0) >
		    IGNORE_VIOLATIONS_AFTER)
		return;
	struct conn_analyzers *an = c->an;
	for (size_t i = 0; i < an->n_service; i++)
		if (an->service[i] == ctx->a) {
			memmove(&an->service[i], &an->service[i + 1],
				(an->n_service - i - 1) * sizeof an->service[0]);
			an->n_service--;
			break;
		}
	ctx->removed = true;
}

void analyzer_weird(struct analyzer_ctx *ctx, const char *name, bool limit)
{
	services_weird(ctx->sv, ctx->c, name);
	if (limit)
		conn_check_history(ctx->c, CONN_HIST_LIMIT_REACHED, 'X');
}

void analyzer_remove(struct analyzer_ctx *ctx)
{
	ctx->removed = true;
}

static struct analyzer_ctx *add_analyzer(struct services *sv, struct conn *c,
					 const struct analyzer *a);
static bool script_loaded(const struct services *sv, const struct analyzer *a);

void analyzer_handover(struct analyzer_ctx *ctx, const char *name)
{
	const struct analyzer *const *table = ctx->sv->analyzers;
	for (size_t i = 0; table && table[i]; i++)
		if (!strcmp(table[i]->name, name) && script_loaded(ctx->sv, table[i])) {
			add_analyzer(ctx->sv, ctx->c, table[i]);
			return;
		}
}

/* ---- engine side ---- */

static bool script_loaded(const struct services *sv, const struct analyzer *a)
{
	return (sv->cfg->scripts & a->script) != 0;
}

static struct analyzer_ctx *add_analyzer(struct services *sv, struct conn *c,
					 const struct analyzer *a)
{
	struct conn_analyzers *an = c->an;
	for (size_t i = 0; i < an->n; i++)
		if (an->slots[i].a == a)
			return NULL;	/* never twice on the same connection */
	if (an->n == MAX_ANALYZERS)
		return NULL;
	struct analyzer_ctx *ctx = &an->slots[an->n];
	memset(ctx, 0, sizeof *ctx);
	ctx->sv = sv;
	ctx->c = c;
	ctx->a = a;
	ctx->state = a->create(ctx);
	if (!ctx->state)
		return NULL;
	an->n++;
	return ctx;
}

/* The registry holds at most ANALYZER_MAX_PER_CONN analyzers (registry.c
 * checks), each with its bit in the connection's an_by_port. */
_Static_assert(ANALYZER_MAX_PER_CONN <= 32, "conn.an_by_port has a bit per analyzer");

void analyzers_attach(struct services *sv, struct conn *c)
{
	const struct analyzer *const *table = sv->analyzers;
	bool udp = c->transport == CONN_UDP;
	if ((c->transport != CONN_TCP && !udp) || !table)
		return;
	for (size_t i = 0; i < ANALYZER_MAX_PER_CONN && table[i]; i++) {
		const struct analyzer *a = table[i];
		if (!script_loaded(sv, a) || (udp && !a->deliver_packet))
			continue;
		/* A UDP flow costs nothing here unless some analyzer takes
		 * datagrams. */
		c->an_wanted = true;
		const uint16_t *ports = udp ? a->udp_ports : a->tcp_ports;
		size_t n = udp ? a->n_udp_ports : a->n_tcp_ports;
		for (size_t p = 0; p < n; p++)
			if (ports[p] == c->resp_p)
				c->an_by_port |= UINT32_C(1) << i;
	}
}

bool analyzers_wanted(const struct conn *c)
{
	return c->an || c->an_wanted;
}

/* The analyzers of a connection that has input for them: made at the first
 * delivery, gap or end of data, so that a connection without payload (a
 * SYN flood) costs nothing here. The ones attached by port are those
 * analyzers_attach() chose at creation, as Zeek builds its tree then. */
static struct conn_analyzers *analyzers_of(struct services *sv, struct conn *c)
{
	if (c->an || !c->an_wanted)
		return c->an;
	c->an_wanted = false;
	c->an = an_get(sv->an_pool);
	if (!c->an)
		return NULL;	/* no analysis for this connection; conn.log still right */
	const struct analyzer *const *table = sv->analyzers;
	for (size_t i = 0; i < ANALYZER_MAX_PER_CONN && table[i]; i++)
		if (c->an_by_port & (UINT32_C(1) << i))
			add_analyzer(sv, c, table[i]);
	return c->an;
}

/* Buffers a delivery for DPD and runs the signatures; an analyzer whose
 * signature fires gets the buffered stream replayed, in arrival order. */
static void pia_deliver(struct services *sv, struct conn *c, bool is_orig,
			const uint8_t *data, size_t len)
{
	struct conn_analyzers *an = c->an;
	if (an->pia_done)
		return;
	if (!an->pia && !(an->pia = pia_get(sv->an_pool))) {
		an->pia_done = true; /* no DPD without memory; port analyzers go on */
		return;
	}
	struct pia *pia = an->pia;
	size_t *dl = pia->dir_len;
	if (pia->n == ANALYZER_DPD_MAX_DELIVERIES || dl[0] + dl[1] + len > ANALYZER_DPD_BUFFER) {
		pia_stop(sv, an);
		return;
	}
	int d = is_orig ? 0 : 1;
	memcpy(pia->dir[d] + dl[d], data, len);
	dl[d] += len;
	pia->chunks[pia->n++] = (struct pia_chunk){is_orig, (uint16_t)len};

	const struct analyzer *const *table = sv->analyzers;
	for (size_t i = 0; table[i]; i++) {
		const struct analyzer *a = table[i];
		if (!script_loaded(sv, a) || !a->dpd_match ||
		    !a->dpd_match(pia->dir[0], dl[0], pia->dir[1], dl[1]))
			continue;
		struct analyzer_ctx *ctx = add_analyzer(sv, c, a);
		if (!ctx)
			continue;
		size_t off[2] = {0, 0};
		for (size_t k = 0; k < pia->n && !ctx->removed; k++) {
			const struct pia_chunk *ch = &pia->chunks[k];
			int cd = ch->is_orig ? 0 : 1;
			a->deliver(ctx->state, ch->is_orig, pia->dir[cd] + off[cd], ch->len);
			off[cd] += ch->len;
		}
	}
}

void analyzers_deliver(struct services *sv, struct conn *c, bool is_orig, const uint8_t *data,
		       size_t len)
{
	if (len == 0)
		return;
	struct conn_analyzers *an = analyzers_of(sv, c);
	if (!an)
		return;
	/* Analyzers present before this delivery get it directly; one that
	 * DPD adds now gets it through the replay. */
	size_t n = an->n;
	for (size_t i = 0; i < n; i++) {
		struct analyzer_ctx *ctx = &an->slots[i];
		if (!ctx->removed)
			ctx->a->deliver(ctx->state, is_orig, data, len);
	}
	pia_deliver(sv, c, is_orig, data, len);
}

/*
 * PIA_UDP: each datagram is buffered (for the replay) and matched on its
 * own. Past the buffer (ANALYZER_DPD_BUFFER bytes, ANALYZER_DPD_MAX_DELIVERIES
 * datagrams) matching stops, dpd_match_only_beginning being T, but the
 * datagram that went past is still matched, and replayed with the rest:
 * Zeek buffers it before it looks.
 */
static void pia_datagram(struct services *sv, struct conn *c, bool is_orig, const uint8_t *data,
			 size_t len)
{
	struct conn_analyzers *an = c->an;
	if (an->pia_done)
		return;
	if (!an->pia && !(an->pia = pia_get(sv->an_pool))) {
		an->pia_done = true; /* no DPD without memory; port analyzers go on */
		return;
	}
	struct pia *pia = an->pia;
	size_t *dl = pia->dir_len;
	int d = is_orig ? 0 : 1;
	bool fits = pia->n < ANALYZER_DPD_MAX_DELIVERIES && dl[0] + dl[1] + len <= ANALYZER_DPD_BUFFER;
	if (fits) {
		memcpy(pia->dir[d] + dl[d], data, len);
		dl[d] += len;
		pia->chunks[pia->n++] = (struct pia_chunk){is_orig, (uint16_t)len};
	}
	bool last = !fits || pia->n == ANALYZER_DPD_MAX_DELIVERIES ||
		    dl[0] + dl[1] == ANALYZER_DPD_BUFFER;
	const struct analyzer *const *table = sv->analyzers;
	for (size_t i = 0; table[i]; i++) {
		const struct analyzer *a = table[i];
		if (!script_loaded(sv, a) || !a->dpd_match_packet || !a->deliver_packet ||
		    !a->dpd_match_packet(data, len, is_orig))
			continue;
		struct analyzer_ctx *ctx = add_analyzer(sv, c, a);
		if (!ctx)
			continue;
		size_t off[2] = {0, 0};
		for (size_t k = 0; k < pia->n && !ctx->removed; k++) {
			const struct pia_chunk *ch = &pia->chunks[k];
			int cd = ch->is_orig ? 0 : 1;
			a->deliver_packet(ctx->state, ch->is_orig, pia->dir[cd] + off[cd], ch->len);
			off[cd] += ch->len;
		}
		if (!fits && !ctx->removed)
			a->deliver_packet(ctx->state, is_orig, data, len);
	}
	if (last)
		pia_stop(sv, an);
}

void analyzers_deliver_packet(struct services *sv, struct conn *c, bool is_orig,
			      const uint8_t *data, size_t len)
{
	struct conn_analyzers *an = analyzers_of(sv, c);
	if (!an)
		return;
	size_t n = an->n;
	for (size_t i = 0; i < n; i++) {
		struct analyzer_ctx *ctx = &an->slots[i];
		if (!ctx->removed && ctx->a->deliver_packet)
			ctx->a->deliver_packet(ctx->state, is_orig, data, len);
	}
	if (len > 0)
		pia_datagram(sv, c, is_orig, data, len);
}

void analyzers_gap(struct services *sv, struct conn *c, bool is_orig, uint64_t len)
{
	struct conn_analyzers *an = analyzers_of(sv, c);
	if (!an)
		return;
	pia_stop(sv, an);	/* DPD matches only the beginning of a stream */
	for (size_t i = 0; i < an->n; i++)
		if (!an->slots[i].removed && an->slots[i].a->gap)
			an->slots[i].a->gap(an->slots[i].state, is_orig, len);
}

void analyzers_eof(struct services *sv, struct conn *c, bool is_orig)
{
	struct conn_analyzers *an = analyzers_of(sv, c);
	if (!an)
		return;
	for (size_t i = 0; i < an->n; i++)
		if (!an->slots[i].removed && an->slots[i].a->eof)
			an->slots[i].a->eof(an->slots[i].state, is_orig);
}

void analyzers_finish(struct conn *c)
{
	struct conn_analyzers *an = c->an;
	if (!an)
		return;
	for (size_t i = 0; i < an->n; i++)
		if (!an->slots[i].finished) {
			an->slots[i].finished = true;
			if (an->slots[i].a->finish)
				an->slots[i].a->finish(an->slots[i].state);
		}
}

void analyzers_free(struct services *sv, struct conn *c)
{
	struct conn_analyzers *an = c->an;
	if (!an)
		return;
	for (size_t i = 0; i < an->n; i++)
		an->slots[i].a->destroy(an->slots[i].state);
	struct analyzer_pool *pool = sv->an_pool;
	pia_put(pool, an->pia);
	an_put(pool, an);
	c->an = NULL;
}

size_t conn_service_text(const struct conn *c, char *out, size_t cap)
{
	size_t n = 0;
	const struct conn_analyzers *an = c->an;
	/* A tunnel's packet analyzer confirms on the first packet, before
	 * any protocol analyzer of the outer flow could. */
	if (c->tun && c->tun->service) {
		for (const char *p = tunnel_service_name(c->tun->service); *p && n + 2 < cap; p++)
			out[n++] = *p;
		if (an && an->n_service && n + 2 < cap)
			out[n++] = ',';
	}
	for (size_t i = 0; an && i < an->n_service; i++) {
		for (const char *p = an->service[i]->name; *p && n + 2 < cap; p++)
			out[n++] = (char)ascii_lower((uint8_t)*p);
		if (i + 1 < an->n_service && n + 2 < cap)
			out[n++] = ',';
	}
	if (cap)
		out[n] = '\0';
	return n;
}
