/*
 * IP fragment reassembly with Zeek's semantics (src/Frag.cc, Reassem.cc):
 *
 * - a datagram is keyed by (source, destination, identification);
 * - its unfragmentable header is the first fragment's to arrive, the next
 *   protocol the one of the fragment at offset 0;
 * - data already held wins where fragments overlap ("fragment_overlap"
 *   when the bytes agree, "fragment_inconsistency" when they differ);
 * - the size comes from the last fragment (MF clear) and grows when a later
 *   fragment reaches past it ("fragment_size_inconsistency");
 * - a datagram is complete once everything from 0 to its size is held;
 * - it expires frag_timeout after its first fragment.
 *
 * Memory is bounded: a datagram holds at most FRAG_MAX_PAYLOAD bytes and
 * the table FRAG_MAX_BYTES; the oldest datagrams give way to new ones.
 */
#include <stdlib.h>
#include <string.h>

#include "core/decode_int.h"

/* Weirds go through set_weird: Zeek may raise several for one fragment,
 * the first one is kept. */
#define set_weird(w, name)                                                   \
	do {                                                                 \
		if (!*(w))                                                   \
			*(w) = (name);                                       \
	} while (0)


#define FRAG_TIMEOUT 300.0		/* Zeek's frag_timeout: 5 min */
#define FRAG_MAX_PAYLOAD 65535u		/* largest payload an IP length field can describe */
#define FRAG_MAX_BYTES (16u << 20)	/* all pending datagrams together */
#define FRAG_LARGE 64000u		/* Zeek's MAX_ACCEPTABLE_FRAG_SIZE: weird above */
#define FRAG_SMALL 64u			/* Zeek's MIN_ACCEPTABLE_FRAG_SIZE: weird below */
#define FRAG_MAX_RANGES 128		/* holes a datagram may have before we give up */
#define FRAG_BUCKETS 1024

struct frag_range {
	uint32_t lo, hi;	/* [lo, hi) of the payload is held */
};

/* One datagram under reassembly. Owned by the table; hdr and data are
 * separate allocations owned by it. */
struct frag_dgram {
	struct frag_dgram *hnext;		/* hash chain */
	struct frag_dgram *older, *newer;	/* age list, by first_seen */
	struct sl_addr src, dst;
	uint32_t id;
	double first_seen;
	uint8_t version;
	uint8_t next_proto;
	uint8_t *hdr;		/* unfragmentable part of the first fragment seen */
	size_t hdr_len;
	size_t next_hdr_at;	/* IPv6: byte of hdr to set to next_proto */
	uint32_t size;		/* payload size, 0 = not known yet */
	uint8_t *data;
	uint32_t data_cap;
	struct frag_range ranges[FRAG_MAX_RANGES];
	size_t n_ranges;
};

struct frag_table {
	struct frag_dgram *buckets[FRAG_BUCKETS];
	struct frag_dgram *oldest, *newest;
	size_t bytes;		/* held by pending datagrams */
	double now;		/* network time: the largest time seen */
	uint8_t *out;		/* the last reassembled datagram */
	size_t out_cap;
};

struct frag_table *frag_table_new(void)
{
	return calloc(1, sizeof(struct frag_table));
}

static size_t dgram_bytes(const struct frag_dgram *d)
{
	return sizeof *d + d->hdr_len + d->data_cap;
}

static size_t bucket_of(const struct sl_addr *src, const struct sl_addr *dst, uint32_t id)
{
	uint64_t h = 1469598103934665603u ^ id;
	for (size_t i = 0; i < 16; i++) {
		h = (h ^ src->b[i]) * 1099511628211u;
		h = (h ^ dst->b[i]) * 1099511628211u;
	}
	return (size_t)(h >> 20) % FRAG_BUCKETS;
}

static void dgram_remove(struct frag_table *t, struct frag_dgram *d)
{
	struct frag_dgram **link = &t->buckets[bucket_of(&d->src, &d->dst, d->id)];
	while (*link != d)
		link = &(*link)->hnext;
	*link = d->hnext;
	if (d->older)
		d->older->newer = d->newer;
	else
		t->oldest = d->newer;
	if (d->newer)
		d->newer->older = d->older;
	else
		t->newest = d->older;
	t->bytes -= dgram_bytes(d);
	free(d->hdr);
	free(d->data);
	free(d);
}

void frag_table_free(struct frag_table *t)
{
	if (!t)
		return;
	while (t->oldest)
		dgram_remove(t, t->oldest);
	free(t->out);
	free(t);
}

void frag_table_expire(struct frag_table *t, double now)
{
	if (now > t->now)
		t->now = now;
	/* The age list is sorted by first fragment, so is the expiry order.
	 * A timer due at exactly now fires, as Zeek's do. */
	while (t->oldest && t->oldest->first_seen + FRAG_TIMEOUT <= t->now)
		dgram_remove(t, t->oldest);
}

static struct frag_dgram *dgram_find(struct frag_table *t, const struct sl_addr *src,
				     const struct sl_addr *dst, uint32_t id)
{
	struct frag_dgram *d = t->buckets[bucket_of(src, dst, id)];
	for (; d; d = d->hnext)
		if (d->id == id && !memcmp(d->src.b, src->b, 16) && !memcmp(d->dst.b, dst->b, 16))
			return d;
	return NULL;
}

/* Makes room for `need` more bytes, evicting the oldest datagrams but not `keep`. */
static bool make_room(struct frag_table *t, size_t need, const struct frag_dgram *keep)
{
	while (t->bytes + need > FRAG_MAX_BYTES) {
		struct frag_dgram *victim = t->oldest;
		if (victim && victim == keep)
			victim = victim->newer;
		if (!victim)
			return false;
		dgram_remove(t, victim);
	}
	return true;
}

static struct frag_dgram *dgram_new(struct frag_table *t, double now,
				    const struct sl_addr *src, const struct sl_addr *dst,
				    const struct frag_info *f)
{
	if (!make_room(t, sizeof(struct frag_dgram) + f->hdr_len, NULL))
		return NULL;
	struct frag_dgram *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->hdr = malloc(f->hdr_len ? f->hdr_len : 1);
	if (!d->hdr) {
		free(d);
		return NULL;
	}
	memcpy(d->hdr, f->hdr, f->hdr_len);
	d->hdr_len = f->hdr_len;
	d->next_hdr_at = f->next_hdr_at;
	d->next_proto = f->proto;
	d->src = *src;
	d->dst = *dst;
	d->id = f->id;
	d->version = f->version;
	d->first_seen = now;
	/* Into the age list, from the newest end: times rarely go backwards. */
	struct frag_dgram *after = t->newest;
	while (after && after->first_seen > now)
		after = after->older;
	d->older = after;
	d->newer = after ? after->newer : t->oldest;
	if (d->newer)
		d->newer->older = d;
	else
		t->newest = d;
	if (after)
		after->newer = d;
	else
		t->oldest = d;
	size_t b = bucket_of(src, dst, f->id);
	d->hnext = t->buckets[b];
	t->buckets[b] = d;
	t->bytes += dgram_bytes(d);
	return d;
}

static bool grow_data(struct frag_table *t, struct frag_dgram *d, uint32_t upto)
{
	if (upto <= d->data_cap)
		return true;
	uint32_t cap = d->data_cap ? d->data_cap : 2048;
	while (cap < upto)
		cap *= 2;
	if (cap > FRAG_MAX_PAYLOAD)
		cap = FRAG_MAX_PAYLOAD;
	if (!make_room(t, cap - d->data_cap, d))
		return false;
	uint8_t *p = realloc(d->data, cap);
	if (!p)
		return false;
	t->bytes += cap - d->data_cap;
	d->data = p;
	d->data_cap = cap;
	return true;
}

/*
 * Stores the bytes of [lo, hi) not held yet; held bytes win. Reports an
 * overlap through *weird. False when the datagram has too many holes.
 */
static bool add_data(struct frag_dgram *d, const uint8_t *data, uint32_t lo, uint32_t hi,
		     const char **weird)
{
	uint32_t pos = lo;
	const char *overlap = NULL;
	for (size_t i = 0; i < d->n_ranges && pos < hi; i++) {
		struct frag_range r = d->ranges[i];
		if (r.hi <= pos)
			continue;
		if (r.lo >= hi)
			break;
		if (r.lo > pos)
			memcpy(d->data + pos, data + (pos - lo), r.lo - pos);
		uint32_t olo = r.lo > pos ? r.lo : pos, ohi = r.hi < hi ? r.hi : hi;
		if (memcmp(d->data + olo, data + (olo - lo), ohi - olo) != 0)
			overlap = "fragment_inconsistency";
		else if (!overlap)
			overlap = "fragment_overlap";
		pos = r.hi;
	}
	if (pos < hi)
		memcpy(d->data + pos, data + (pos - lo), hi - pos);
	if (overlap)
		set_weird(weird, overlap);

	/* Merge [lo, hi) into the sorted, disjoint range list. */
	size_t i = 0;
	while (i < d->n_ranges && d->ranges[i].hi < lo)
		i++;
	size_t j = i;
	struct frag_range m = {lo, hi};
	while (j < d->n_ranges && d->ranges[j].lo <= hi) {
		if (d->ranges[j].lo < m.lo)
			m.lo = d->ranges[j].lo;
		if (d->ranges[j].hi > m.hi)
			m.hi = d->ranges[j].hi;
		j++;
	}
	size_t n_after = d->n_ranges - j;
	if (i == j) {	/* nothing merged: insert */
		if (d->n_ranges == FRAG_MAX_RANGES)
			return false;
		memmove(&d->ranges[i + 1], &d->ranges[i], n_after * sizeof m);
		d->n_ranges++;
	} else {
		memmove(&d->ranges[i + 1], &d->ranges[j], n_after * sizeof m);
		d->n_ranges = i + 1 + n_after;
	}
	d->ranges[i] = m;
	return true;
}

/* Zeek's FragReassembler::BlockInserted: is the datagram complete? */
static bool complete(struct frag_dgram *d, const char **weird)
{
	if (d->n_ranges == 0 || d->ranges[0].lo > 0 || d->size == 0)
		return false;
	uint32_t contiguous = d->ranges[0].hi;
	if (d->n_ranges > 1) {
		if (contiguous < d->size)
			return false;
		/* Whole up to the size, with more beyond a hole: take what is whole. */
		set_weird(weird, "fragment_size_inconsistency");
		d->size = contiguous;
	} else if (contiguous > d->size) {
		set_weird(weird, "fragment_size_inconsistency");
		d->size = contiguous;
	} else if (contiguous < d->size) {
		return false;
	}
	return true;
}

static const uint8_t *add(struct frag_table *t, double now, const struct sl_addr *src,
			  const struct sl_addr *dst, const struct frag_info *f, size_t *out_len,
			  const char **weird);

const uint8_t *frag_add(struct frag_table *t, double now, const struct sl_addr *src,
			const struct sl_addr *dst, const struct frag_info *f, size_t *out_len,
			const char **weird)
{
	const char *first = NULL;
	const uint8_t *r = add(t, now, src, dst, f, out_len, &first);
	if (first && weird)
		*weird = first;
	return r;
}

static const uint8_t *add(struct frag_table *t, double now, const struct sl_addr *src,
			  const struct sl_addr *dst, const struct frag_info *f, size_t *out_len,
			  const char **weird)
{
	frag_table_expire(t, now);
	struct frag_dgram *d = dgram_find(t, src, dst, f->id);
	if (!d) {
		d = dgram_new(t, now, src, dst, f);
		if (!d)
			return NULL;
	} else if ((f->version == 4 && (f->proto != d->hdr[9] || f->hdr_len != d->hdr_len)) ||
		   (f->version == 6 && (f->proto != d->next_proto || f->hdr_len != d->hdr_len)) ||
		   f->version != d->version) {
		set_weird(weird, "fragment_protocol_inconsistency");
	}
	if (f->dont_fragment)
		set_weird(weird, "fragment_with_DF");	/* Linux UDP path-MTU discovery does this */

	uint64_t upper = (uint64_t)f->offset + f->len;
	if (f->offset == 0)
		d->next_proto = f->proto;
	if (!f->more) {
		if (d->size == 0) {
			d->size = (uint32_t)(upper < FRAG_MAX_PAYLOAD ? upper : FRAG_MAX_PAYLOAD);
		} else if (upper != d->size) {
			set_weird(weird, "fragment_size_inconsistency");
			if (upper > d->size)
				d->size = (uint32_t)(upper < FRAG_MAX_PAYLOAD ? upper : FRAG_MAX_PAYLOAD);
		}
	} else if (f->len + f->hdr_len + (f->version == 6 ? 8 : 0) < FRAG_SMALL) {
		set_weird(weird, "excessively_small_fragment");
	}
	if (upper > FRAG_LARGE)
		set_weird(weird, "excessively_large_fragment");
	if (d->size && upper > d->size) {
		set_weird(weird, "fragment_size_inconsistency");
		d->size = (uint32_t)(upper < FRAG_MAX_PAYLOAD ? upper : FRAG_MAX_PAYLOAD);
	}
	if (f->len == 0)
		return NULL;	/* an empty block changes nothing */
	if (upper > FRAG_MAX_PAYLOAD) {
		/* Beyond what any IP length can describe: not held (bounded memory). */
		set_weird(weird, "excessively_large_fragment");
		return NULL;
	}
	if (!grow_data(t, d, (uint32_t)upper) || !add_data(d, f->data, f->offset, (uint32_t)upper, weird)) {
		dgram_remove(t, d);	/* out of memory, or a pathological hole pattern */
		return NULL;
	}
	if (!complete(d, weird))
		return NULL;

	/* Complete: the header (lengths fixed up) and the payload. */
	size_t n = d->hdr_len + d->size;
	if (n > t->out_cap) {
		uint8_t *p = realloc(t->out, n);
		if (!p) {
			dgram_remove(t, d);
			return NULL;
		}
		t->out = p;
		t->out_cap = n;
	}
	memcpy(t->out, d->hdr, d->hdr_len);
	memcpy(t->out + d->hdr_len, d->data, d->size);
	if (d->version == 4) {
		/* Zeek writes the 16-bit length and leaves the offset field. */
		t->out[2] = (uint8_t)(n >> 8);
		t->out[3] = (uint8_t)n;
	} else if (d->hdr_len >= 40) {
		size_t plen = n - 40;
		t->out[4] = (uint8_t)(plen >> 8);
		t->out[5] = (uint8_t)plen;
		if (d->next_hdr_at < d->hdr_len)
			t->out[d->next_hdr_at] = d->next_proto;
	}
	*out_len = n;
	dgram_remove(t, d);
	return t->out;
}
