/*
 * The tunnel framework's `active` table: an open-addressing hash of
 * conn_ids (the table is ours, so its hash is too), with what
 * Tunnel::Info keeps and the last read, for &read_expire.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/tunnel_log.h"

/* Zeek's table_expire_interval: how often a table looks for expired
 * entries. */
#define TABLE_EXPIRE_INTERVAL 10.0

static const struct log_field tunnel_fields[] = {
	LOG_FIELDS_TS_UID_ID,
	{"tunnel_type", LOG_ENUM, LOG_SCALAR},
	{"action", LOG_ENUM, LOG_SCALAR},
};

const struct log_schema tunnel_log_schema = {
	"tunnel", tunnel_fields, sizeof tunnel_fields / sizeof tunnel_fields[0], 0, 0,
};

struct tunnel_entry {
	bool used;
	struct sl_addr orig_h, resp_h;
	uint16_t orig_p, resp_p;
	enum tunnel_type type;
	char uid[UID_TEXT_MAX];
	double last_read;
	uint64_t seq;		/* discovery order, for the order of a sweep */
};

struct tunnel_log {
	struct tunnel_entry *slot;
	size_t cap, n;		/* cap a power of two (or 0) */
	double interval;
	double next_sweep;	/* 0: at the first packet */
	uint64_t seq;
};

struct tunnel_log *tunnel_log_new(double expiration_interval)
{
	struct tunnel_log *tl = calloc(1, sizeof *tl);
	if (tl)
		tl->interval = expiration_interval;
	return tl;
}

void tunnel_log_free(struct tunnel_log *tl)
{
	if (!tl)
		return;
	free(tl->slot);
	free(tl);
}

static uint64_t id_hash(const struct sl_addr *a, uint16_t ap, const struct sl_addr *b, uint16_t bp)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = 0; i < 16; i++)
		h = (h ^ a->b[i]) * 0x100000001b3ull;
	for (int i = 0; i < 16; i++)
		h = (h ^ b->b[i]) * 0x100000001b3ull;
	h = (h ^ ((uint64_t)ap << 16 | bp)) * 0x100000001b3ull;
	return h ^ (h >> 31);
}

static bool same_id(const struct tunnel_entry *t, const struct sl_addr *a, uint16_t ap,
		    const struct sl_addr *b, uint16_t bp)
{
	return t->orig_p == ap && t->resp_p == bp && memcmp(&t->orig_h, a, sizeof *a) == 0 &&
	       memcmp(&t->resp_h, b, sizeof *b) == 0;
}

/* The slot of this conn_id, or the free slot where it would go. */
static struct tunnel_entry *probe(const struct tunnel_log *tl, const struct sl_addr *a,
				  uint16_t ap, const struct sl_addr *b, uint16_t bp)
{
	size_t mask = tl->cap - 1;
	for (size_t i = id_hash(a, ap, b, bp) & mask;; i = (i + 1) & mask) {
		struct tunnel_entry *t = &tl->slot[i];
		if (!t->used || same_id(t, a, ap, b, bp))
			return t;
	}
}

static int grow(struct tunnel_log *tl)
{
	size_t cap = tl->cap ? tl->cap * 2 : 64;
	struct tunnel_entry *old = tl->slot;
	size_t old_cap = tl->cap;
	struct tunnel_entry *slot = calloc(cap, sizeof *slot);
	if (!slot)
		return -ENOMEM;
	tl->slot = slot;
	tl->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].used)
			*probe(tl, &old[i].orig_h, old[i].orig_p, &old[i].resp_h, old[i].resp_p) = old[i];
	free(old);
	return 0;
}

/* Backward-shift deletion keeps every probe chain whole. */
static void remove_at(struct tunnel_log *tl, struct tunnel_entry *t)
{
	size_t mask = tl->cap - 1, hole = (size_t)(t - tl->slot);
	tl->slot[hole].used = false;
	tl->n--;
	for (size_t i = (hole + 1) & mask; tl->slot[i].used; i = (i + 1) & mask) {
		struct tunnel_entry *e = &tl->slot[i];
		size_t home = id_hash(&e->orig_h, e->orig_p, &e->resp_h, e->resp_p) & mask;
		/* Move e into the hole unless its home lies cyclically in (hole, i]. */
		bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
		if (stays)
			continue;
		tl->slot[hole] = *e;
		e->used = false;
		hole = i;
	}
}

static const char *type_text(enum tunnel_type t)
{
	switch (t) {
	case TUNNEL_IP:
		return "Tunnel::IP";
	case TUNNEL_AYIYA:
		return "Tunnel::AYIYA";
	case TUNNEL_TEREDO:
		return "Tunnel::TEREDO";
	case TUNNEL_SOCKS:
		return "Tunnel::SOCKS";
	case TUNNEL_GTPV1:
		return "Tunnel::GTPv1";
	case TUNNEL_HTTP:
		return "Tunnel::HTTP";
	case TUNNEL_GRE:
		return "Tunnel::GRE";
	case TUNNEL_VXLAN:
		return "Tunnel::VXLAN";
	case TUNNEL_GENEVE:
		return "Tunnel::GENEVE";
	default:
		return "Tunnel::NONE";
	}
}

static int write_line(struct log_stream *s, const struct tunnel_entry *t, const char *action,
		      double now)
{
	struct log_value v[8];
	size_t i = log_put_ts_uid_id(v, now, t->uid, &t->orig_h, t->orig_p, &t->resp_h, t->resp_p);
	const char *type = type_text(t->type);
	v[i].present = true;
	v[i].u.str.p = type;
	v[i++].u.str.n = strlen(type);
	v[i].present = true;
	v[i].u.str.p = action;
	v[i++].u.str.n = strlen(action);
	return s ? log_stream_write(s, v) : 0;
}

int tunnel_log_register(struct tunnel_log *tl, struct log_stream *s,
			const struct encap_level *lv, double now, bool *is_new)
{
	*is_new = false;
	if ((tl->n + 1) * 4 > tl->cap * 3 && grow(tl) < 0)
		return -ENOMEM;
	struct tunnel_entry *t = probe(tl, &lv->orig_h, lv->orig_p, &lv->resp_h, lv->resp_p);
	if (t->used) {
		t->last_read = now;	/* `ec$cid !in active` reads the entry */
		return 0;
	}
	*t = (struct tunnel_entry){
		.used = true, .orig_h = lv->orig_h, .resp_h = lv->resp_h,
		.orig_p = lv->orig_p, .resp_p = lv->resp_p, .type = lv->type,
		.last_read = now, .seq = tl->seq++,
	};
	memcpy(t->uid, lv->uid, UID_TEXT_MAX);
	tl->n++;
	*is_new = true;
	return write_line(s, t, "Tunnel::DISCOVER", now);
}

int tunnel_log_close(struct tunnel_log *tl, struct log_stream *s,
		     const struct sl_addr *orig_h, uint16_t orig_p,
		     const struct sl_addr *resp_h, uint16_t resp_p, double now)
{
	if (!tl->n)
		return 0;
	struct tunnel_entry *t = probe(tl, orig_h, orig_p, resp_h, resp_p);
	if (!t->used)
		return 0;
	int rc = write_line(s, t, "Tunnel::CLOSE", now);
	remove_at(tl, t);
	return rc;
}

static int by_seq(const void *a, const void *b)
{
	uint64_t x = (*(const struct tunnel_entry *const *)a)->seq;
	uint64_t y = (*(const struct tunnel_entry *const *)b)->seq;
	return x < y ? -1 : x > y;
}

bool tunnel_log_sweep_due(const struct tunnel_log *tl, double now)
{
	return now >= tl->next_sweep;
}

int tunnel_log_tick(struct tunnel_log *tl, struct log_stream *s, double now)
{
	if (now < tl->next_sweep)
		return 0;
	tl->next_sweep = now + TABLE_EXPIRE_INTERVAL;
	size_t n = 0;
	for (size_t i = 0; i < tl->cap; i++)
		if (tl->slot[i].used && tl->slot[i].last_read + tl->interval < now)
			n++;
	if (!n)
		return 0;
	/* Copies: removing reorders the slots. */
	struct tunnel_entry *gone = malloc(n * sizeof *gone);
	const struct tunnel_entry **order = malloc(n * sizeof *order);
	if (!gone || !order) {
		free(gone);
		free(order);
		return -ENOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < tl->cap; i++)
		if (tl->slot[i].used && tl->slot[i].last_read + tl->interval < now)
			gone[k++] = tl->slot[i];
	for (size_t i = 0; i < n; i++)
		order[i] = &gone[i];
	qsort(order, n, sizeof *order, by_seq);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		int w = write_line(s, order[i], "Tunnel::EXPIRE", now);
		if (w < 0 && !rc)
			rc = w;
		remove_at(tl, probe(tl, &order[i]->orig_h, order[i]->orig_p, &order[i]->resp_h,
				    order[i]->resp_p));
	}
	free(gone);
	free(order);
	return rc;
}
