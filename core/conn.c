/* madvise() and MADV_HUGEPAGE. */
#define _DEFAULT_SOURCE

#include "core/conn.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void conn_add_history(struct conn *c, char code)
{
	/* Zeek's history is unbounded, but each letter is added at most a
	 * few times (once-only or logarithmic), so 64 is never reached in
	 * practice; a hostile trace is cut rather than grown. */
	if (c->history_len < CONN_HISTORY_MAX - 1)
		c->history[c->history_len++] = code;
}

bool conn_check_history(struct conn *c, uint32_t mask, char code)
{
	if (c->hist_seen & mask)
		return true;
	c->hist_seen |= mask;
	conn_add_history(c, code);
	return false;
}

void conn_scaled_history(struct conn *c, char code, struct scaled_count *sc)
{
	if (sc->threshold == 0)
		sc->threshold = 1;
	if (++sc->count != sc->threshold)
		return;
	conn_add_history(c, code);
	uint64_t next = (uint64_t)sc->threshold * 10;
	if (next > UINT32_MAX)
		sc->count = 0;
	else
		sc->threshold = (uint32_t)next;
}

void conn_flip_roles(struct conn *c)
{
	struct sl_addr a = c->orig_h;
	c->orig_h = c->resp_h;
	c->resp_h = a;
	uint16_t p = c->orig_p;
	c->orig_p = c->resp_p;
	c->resp_p = p;
	uint8_t l2[6];
	memcpy(l2, c->orig_l2, 6);
	memcpy(c->orig_l2, c->resp_l2, 6);
	memcpy(c->resp_l2, l2, 6);

	uint64_t t = c->orig_pkts;
	c->orig_pkts = c->resp_pkts;
	c->resp_pkts = t;
	t = c->orig_ip_bytes;
	c->orig_ip_bytes = c->resp_ip_bytes;
	c->resp_ip_bytes = t;
	int64_t l = c->orig_len;
	c->orig_len = c->resp_len;
	c->resp_len = l;
	struct scaled_count sc = c->udp_chk[0];
	c->udp_chk[0] = c->udp_chk[1];
	c->udp_chk[1] = sc;

	if (c->transport == CONN_TCP) {
		struct tcp_endpoint e = c->tcp[0];
		c->tcp[0] = c->tcp[1];
		c->tcp[1] = e;
		uint8_t f = c->first_packet_seen;
		c->first_packet_seen = (uint8_t)(((f & 1) ? 2 : 0) | ((f & 2) ? 1 : 0));
		c->tcp_partial = false;
	}
	conn_add_history(c, '^');
}

static bool tcp_inactive(uint8_t s)
{
	return s == TCP_INACTIVE || s == TCP_PARTIAL;
}

/* The whole history matches /^\^?S[^HAFGIQ]*R.*$/. */
static bool history_is_rstos0(const struct conn *c)
{
	size_t i = 0, n = c->history_len;
	if (i < n && c->history[i] == '^')
		i++;
	if (i >= n || c->history[i] != 'S')
		return false;
	for (i++; i < n; i++) {
		char h = c->history[i];
		if (h == 'R')
			return true;
		if (strchr("HAFGIQ", h))
			return false;
	}
	return false;
}

const char *conn_state_text(const struct conn *c)
{
	if (c->transport == CONN_UDP) {
		bool o = c->orig_len >= 0, r = c->resp_len >= 0;
		if (o)
			return r ? "SF" : "S0";
		return r ? "SHR" : "OTH";
	}
	if (c->transport != CONN_TCP)
		return "OTH";
	uint8_t os = c->tcp[0].state, rs = c->tcp[1].state;
	if (rs == TCP_RESET) {
		if (os == TCP_SYN_SENT || os == TCP_SYN_ACK_SENT ||
		    (os == TCP_RESET && tcp_endpoint_size(&c->tcp[0], &c->tcp[1]) == 0 &&
		     tcp_endpoint_size(&c->tcp[1], &c->tcp[0]) == 0))
			return "REJ";
		return tcp_inactive(os) ? "RSTRH" : "RSTR";
	}
	if (os == TCP_RESET) {
		if (tcp_inactive(rs))
			return history_is_rstos0(c) ? "RSTOS0" : "OTH";
		return "RSTO";
	}
	if (rs == TCP_CLOSED && os == TCP_CLOSED)
		return "SF";
	if (os == TCP_CLOSED)
		return tcp_inactive(rs) ? "SH" : "S2";
	if (rs == TCP_CLOSED)
		return tcp_inactive(os) ? "SHR" : "S3";
	if (os == TCP_SYN_SENT && rs == TCP_INACTIVE)
		return "S0";
	if (os == TCP_ESTABLISHED && rs == TCP_ESTABLISHED)
		return "S1";
	return "OTH";
}

static uint64_t full_seq(uint32_t seq, uint32_t wraps)
{
	return ((uint64_t)wraps << 32) + seq;
}

uint64_t tcp_endpoint_size(const struct tcp_endpoint *e, const struct tcp_endpoint *peer)
{
	uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
	uint64_t start = (uint64_t)e->start_seq;
	bool no_data_acked = ack == start || ack == start + 1;
	if (e->prev_state == TCP_SYN_SENT && e->state == TCP_RESET &&
	    peer->state == TCP_INACTIVE && !no_data_acked)
		return 0;
	uint64_t last = full_seq(e->last_seq, e->seq_wraps);
	uint64_t size = (last > ack ? last : ack) - start;
	if (size != 0)
		size--;
	if (e->fin_cnt > 0 && size != 0)
		size--;
	return size;
}

/* ---- the table: open addressing, linear probing, one probe sequence ---- */

/* Slabs of 2 MiB, the size of a transparent huge page: the connections
 * of a busy link then cost one page fault per 3,000 instead of one per
 * six. */
#define CONN_SLAB_BYTES ((size_t)2 << 20)
#define CONN_SLAB_ITEMS ((CONN_SLAB_BYTES - sizeof(void *)) / sizeof(struct conn))

struct conn_slab {
	struct conn_slab *next;
	struct conn items[CONN_SLAB_ITEMS];
};

/* The hash sits beside the pointer so that a probe past a foreign key
 * never touches that connection's memory (a cache miss each). */
struct conn_slot {
	uint64_t hash;
	struct conn *c;
};

struct conn_table {
	struct conn_slot *slots;
	size_t mask;
	size_t count;
	uint64_t layout;	/* bumped when slots move: probes go stale */
	struct conn *free_list;
	struct conn_slab *slabs;
};

uint64_t conn_key_hash(const struct conn_key *k)
{
	/* 64-bit multiply-xorshift over five words: keys are attacker
	 * chosen, but a collision only costs probes, never correctness. */
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 5; i++) {
		uint64_t w;
		memcpy(&w, k->b + 8 * i, 8);
		h ^= w;
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return h;
}

struct conn_table *conn_table_new(void)
{
	struct conn_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->mask = 4095;
	t->slots = calloc(t->mask + 1, sizeof *t->slots);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void conn_table_free(struct conn_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i <= t->mask; i++)
		if (t->slots[i].c)
			for (int d = 0; d < 2; d++)
				reasm_free(&t->slots[i].c->tcp[d].reasm);
	struct conn_slab *s = t->slabs;
	while (s) {
		struct conn_slab *next = s->next;
		free(s);
		s = next;
	}
	free(t->slots);
	free(t);
}

size_t conn_table_count(const struct conn_table *t)
{
	return t->count;
}

struct conn *conn_table_lookup(struct conn_table *t, const struct conn_key *key, uint64_t hash,
			       struct conn_probe *probe)
{
	for (size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
		struct conn *c = t->slots[i].c;
		if (!c) {
			probe->key = key;
			probe->hash = hash;
			probe->slot = i;
			probe->layout = t->layout;
			return NULL;
		}
		if (t->slots[i].hash == hash && memcmp(c->key.b, key->b, sizeof key->b) == 0)
			return c;
	}
}

struct conn *conn_table_find(struct conn_table *t, const struct conn_key *key,
			     uint64_t hash)
{
	struct conn_probe unused;
	return conn_table_lookup(t, key, hash, &unused);
}

static void place(struct conn_table *t, struct conn *c)
{
	size_t i = c->hash & t->mask;
	while (t->slots[i].c)
		i = (i + 1) & t->mask;
	t->slots[i].hash = c->hash;
	t->slots[i].c = c;
}

static bool grow(struct conn_table *t)
{
	size_t old_n = t->mask + 1;
	struct conn_slot *old = t->slots;
	struct conn_slot *slots = calloc(old_n * 2, sizeof *slots);
	if (!slots)
		return false;
	t->slots = slots;
	t->mask = old_n * 2 - 1;
	for (size_t i = 0; i < old_n; i++)
		if (old[i].c)
			place(t, old[i].c);
	free(old);
	t->layout++;
	return true;
}

struct conn *conn_table_insert_probed(struct conn_table *t, const struct conn_probe *probe)
{
	bool stale = probe->layout != t->layout;
	if ((t->count + 1) * 2 > t->mask + 1) {
		if (!grow(t))
			return NULL;
		stale = true;
	}
	if (!t->free_list) {
		struct conn_slab *s = aligned_alloc(CONN_SLAB_BYTES, CONN_SLAB_BYTES);
		if (!s)
			return NULL;
		madvise(s, CONN_SLAB_BYTES, MADV_HUGEPAGE);	/* advice: failure is harmless */
		s->next = t->slabs;
		t->slabs = s;
		for (size_t i = CONN_SLAB_ITEMS; i-- > 0;) {
			s->items[i].next_free = t->free_list;
			t->free_list = &s->items[i];
		}
	}
	struct conn *c = t->free_list;
	t->free_list = c->next_free;
	memset(c, 0, sizeof *c);
	c->key = *probe->key;
	c->hash = probe->hash;
	c->in_table = true;
	if (stale) {
		place(t, c);
	} else {
		t->slots[probe->slot].hash = c->hash;
		t->slots[probe->slot].c = c;
	}
	t->count++;
	return c;
}

struct conn *conn_table_insert(struct conn_table *t, const struct conn_key *key,
			       uint64_t hash)
{
	struct conn_probe probe = {key, hash, 0, t->layout - 1};	/* stale: probe anew */
	return conn_table_insert_probed(t, &probe);
}

void conn_table_unlink(struct conn_table *t, struct conn *c)
{
	if (!c->in_table)
		return;
	size_t i = c->hash & t->mask;
	while (t->slots[i].c != c)
		i = (i + 1) & t->mask;
	/* Backward-shift deletion keeps every probe sequence unbroken. */
	size_t j = i;
	for (;;) {
		t->slots[i].c = NULL;
		for (;;) {
			j = (j + 1) & t->mask;
			if (!t->slots[j].c)
				goto done;
			size_t home = t->slots[j].hash & t->mask;
			bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
			if (!between)
				break;
		}
		t->slots[i] = t->slots[j];
		i = j;
	}
done:
	c->in_table = false;
	t->count--;
	t->layout++;
}

void conn_table_release(struct conn_table *t, struct conn *c)
{
	reasm_free(&c->tcp[0].reasm);
	reasm_free(&c->tcp[1].reasm);
	c->next_free = t->free_list;
	t->free_list = c;
}

static int key_order(const void *a, const void *b)
{
	const struct conn *x = *(struct conn *const *)a, *y = *(struct conn *const *)b;
	return memcmp(x->key.b, y->key.b, sizeof x->key.b);
}

struct conn **conn_table_sorted(struct conn_table *t, size_t *n)
{
	struct conn **v = malloc((t->count ? t->count : 1) * sizeof *v);
	if (!v)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i <= t->mask; i++)
		if (t->slots[i].c)
			v[k++] = t->slots[i].c;
	qsort(v, k, sizeof *v, key_order);
	*n = k;
	return v;
}

const char *conn_tunnel_parent(const struct conn_tunnel *t, size_t i)
{
	return i < CONN_TUNNEL_PARENTS_INLINE ? t->parents[i]
					      : t->more[i - CONN_TUNNEL_PARENTS_INLINE];
}

int conn_tunnel_add_parent(struct conn_tunnel *t, const char uid[CONN_UID_MAX])
{
	for (size_t i = 0; i < t->n_parents; i++)
		if (strcmp(conn_tunnel_parent(t, i), uid) == 0)
			return 0;
	if (t->n_parents >= CONN_TUNNEL_PARENTS_LIMIT)
		return 0;
	char *slot;
	if (t->n_parents < CONN_TUNNEL_PARENTS_INLINE) {
		slot = t->parents[t->n_parents];
	} else {
		size_t k = t->n_parents - CONN_TUNNEL_PARENTS_INLINE;
		if (k == t->more_cap) {
			size_t cap = t->more_cap ? 2u * t->more_cap : 8u;
			void *m = realloc(t->more, cap * sizeof *t->more);
			if (!m)
				return -ENOMEM;
			t->more = m;
			t->more_cap = (uint16_t)cap;
		}
		slot = t->more[k];
	}
	memcpy(slot, uid, CONN_UID_MAX);
	slot[CONN_UID_MAX - 1] = '\0';
	t->n_parents++;
	return 0;
}

void conn_tunnel_free(struct conn_tunnel *t)
{
	if (!t)
		return;
	free(t->more);
	free(t);
}
