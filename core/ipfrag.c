/*
 * IP fragment reassembly, bounded. A datagram is complete once the first
 * fragment, the last one and everything between have arrived; data that
 * arrived first wins where fragments overlap (Zeek's reassembler keeps
 * what it already has).
 */
#include <stdlib.h>
#include <string.h>

#include "core/decode_int.h"

#define FRAG_MAX_DATAGRAM 65535u	/* an IP datagram cannot be larger */
#define FRAG_MAX_PENDING 256		/* datagrams under reassembly at once (~16 MiB) */
#define FRAG_MAX_HEADER 1024		/* unfragmentable part we keep */
#define FRAG_TIMEOUT 300.0		/* Zeek's frag_timeout: 5 min */

struct frag_range {
	uint32_t lo, hi;
};

struct frag_dgram {
	struct frag_dgram *next;
	struct sl_addr src, dst;
	uint32_t id;
	uint8_t version;
	double first_seen;
	uint8_t hdr[FRAG_MAX_HEADER];	/* unfragmentable part, from the first fragment */
	size_t hdr_len;
	size_t next_hdr_at;
	uint8_t next_proto;
	bool have_hdr;
	uint32_t total;			/* payload size, once the last fragment came */
	bool have_last;
	struct frag_range ranges[64];	/* received, sorted, merged */
	size_t n_ranges;
	uint8_t data[FRAG_MAX_DATAGRAM];
};

struct frag_table {
	struct frag_dgram *list;	/* newest first */
	size_t count;
	uint8_t *out;			/* the last reassembled datagram */
};

struct frag_table *frag_table_new(void)
{
	struct frag_table *t = calloc(1, sizeof *t);
	if (t && !(t->out = malloc(2 * FRAG_MAX_DATAGRAM))) {
		free(t);
		return NULL;
	}
	return t;
}

void frag_table_free(struct frag_table *t)
{
	if (!t)
		return;
	struct frag_dgram *d = t->list;
	while (d) {
		struct frag_dgram *next = d->next;
		free(d);
		d = next;
	}
	free(t->out);
	free(t);
}

static void unlink_dgram(struct frag_table *t, struct frag_dgram **link)
{
	struct frag_dgram *d = *link;
	*link = d->next;
	free(d);
	t->count--;
}

void frag_table_expire(struct frag_table *t, double now)
{
	struct frag_dgram **link = &t->list;
	while (*link) {
		if ((*link)->first_seen + FRAG_TIMEOUT <= now)
			unlink_dgram(t, link);
		else
			link = &(*link)->next;
	}
}

/* Adds [lo,hi) to the received set; the part already present is kept.
 * Returns false when the fragment overlaps data already received. */
static bool add_range(struct frag_dgram *d, const uint8_t *data, uint32_t lo, uint32_t hi,
		      bool *full)
{
	bool overlap = false;
	/* Copy only the bytes not yet covered. */
	uint32_t pos = lo;
	for (size_t i = 0; i < d->n_ranges && pos < hi; i++) {
		struct frag_range r = d->ranges[i];
		if (r.hi <= pos)
			continue;
		if (r.lo >= hi)
			break;
		if (r.lo > pos)
			memcpy(d->data + pos, data + (pos - lo), r.lo - pos);
		overlap = true;
		pos = r.hi;
	}
	if (pos < hi)
		memcpy(d->data + pos, data + (pos - lo), hi - pos);
	/* Merge [lo,hi) into the sorted range list. */
	struct frag_range merged = {lo, hi};
	size_t w = 0;
	struct frag_range out[65];
	bool placed = false;
	for (size_t i = 0; i < d->n_ranges; i++) {
		struct frag_range r = d->ranges[i];
		if (r.hi < merged.lo) {
			out[w++] = r;
		} else if (r.lo > merged.hi) {
			if (!placed) {
				out[w++] = merged;
				placed = true;
			}
			out[w++] = r;
		} else {
			merged.lo = r.lo < merged.lo ? r.lo : merged.lo;
			merged.hi = r.hi > merged.hi ? r.hi : merged.hi;
		}
	}
	if (!placed)
		out[w++] = merged;
	if (w > 64) {
		*full = true;
		return !overlap;
	}
	memcpy(d->ranges, out, w * sizeof out[0]);
	d->n_ranges = w;
	return !overlap;
}

static struct frag_dgram *find_or_add(struct frag_table *t, double now, const struct sl_addr *src,
				      const struct sl_addr *dst, const struct frag_info *f)
{
	for (struct frag_dgram *d = t->list; d; d = d->next)
		if (d->id == f->id && d->version == f->version && !sl_addr_cmp(&d->src, src) &&
		    !sl_addr_cmp(&d->dst, dst))
			return d;
	if (t->count >= FRAG_MAX_PENDING) {
		/* Evict the oldest: the tail of the list. */
		struct frag_dgram **link = &t->list;
		while ((*link)->next)
			link = &(*link)->next;
		unlink_dgram(t, link);
	}
	struct frag_dgram *d = malloc(sizeof *d);
	if (!d)
		return NULL;
	d->src = *src;
	d->dst = *dst;
	d->id = f->id;
	d->version = f->version;
	d->first_seen = now;
	d->have_hdr = d->have_last = false;
	d->n_ranges = 0;
	d->total = 0;
	d->next = t->list;
	t->list = d;
	t->count++;
	return d;
}

const uint8_t *frag_add(struct frag_table *t, double now, const struct sl_addr *src,
			const struct sl_addr *dst, const struct frag_info *f, size_t *out_len,
			const char **weird)
{
	frag_table_expire(t, now);
	if (f->hdr_len > FRAG_MAX_HEADER ||
	    (uint64_t)f->offset + f->len > FRAG_MAX_DATAGRAM - f->hdr_len) {
		if (weird)
			*weird = "excessively_large_fragment";
		return NULL;
	}
	struct frag_dgram *d = find_or_add(t, now, src, dst, f);
	if (!d)
		return NULL;
	if (f->offset == 0 && !d->have_hdr) {
		memcpy(d->hdr, f->hdr, f->hdr_len);
		d->hdr_len = f->hdr_len;
		d->next_hdr_at = f->next_hdr_at;
		d->next_proto = f->next_proto;
		d->have_hdr = true;
	}
	uint32_t hi = f->offset + (uint32_t)f->len;
	if (!f->more) {
		if (d->have_last && d->total != hi && weird)
			*weird = "fragment_inconsistency";
		d->have_last = true;
		d->total = hi;
	}
	bool full = false;
	if (f->len > 0 && !add_range(d, f->data, f->offset, hi, &full) && weird)
		*weird = "fragment_overlap";
	if (full) {
		/* A pathological fragment pattern: give up on this datagram. */
		for (struct frag_dgram **link = &t->list; *link; link = &(*link)->next)
			if (*link == d) {
				unlink_dgram(t, link);
				break;
			}
		return NULL;
	}
	if (!d->have_hdr || !d->have_last || d->n_ranges != 1 || d->ranges[0].lo != 0 ||
	    d->ranges[0].hi < d->total)
		return NULL;

	/* Complete: header (with lengths fixed up) + payload. */
	size_t n = d->hdr_len + d->total;
	memcpy(t->out, d->hdr, d->hdr_len);
	memcpy(t->out + d->hdr_len, d->data, d->total);
	if (d->version == 4) {
		t->out[2] = (uint8_t)(n >> 8);
		t->out[3] = (uint8_t)n;
		t->out[6] = t->out[7] = 0;	/* no longer a fragment */
	} else {
		size_t plen = n - 40;
		t->out[4] = (uint8_t)(plen >> 8);
		t->out[5] = (uint8_t)plen;
		t->out[d->next_hdr_at] = d->next_proto;
	}
	*out_len = n;
	for (struct frag_dgram **link = &t->list; *link; link = &(*link)->next)
		if (*link == d) {
			unlink_dgram(t, link);
			break;
		}
	return t->out;
}
