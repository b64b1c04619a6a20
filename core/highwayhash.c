/*
 * Portable HighwayHash, written from the algorithm's description: four
 * lanes of 64-bit state, multiply-and-xor mixing, and a byte-shuffling
 * "zipper merge" between the two accumulator vectors.
 */
#include "core/highwayhash.h"

#include "core/bytes.h"

#include <string.h>

#define HH_LANES 4
#define HH_PACKET 32

struct hh_state {
	uint64_t v0[HH_LANES], v1[HH_LANES], mul0[HH_LANES], mul1[HH_LANES];
};

/* The initial multipliers are fixed digits of pi, as published. */
static const uint64_t hh_init0[HH_LANES] = {
	0xdbe6d5d5fe4cce2fULL, 0xa4093822299f31d0ULL,
	0x13198a2e03707344ULL, 0x243f6a8885a308d3ULL};
static const uint64_t hh_init1[HH_LANES] = {
	0x3bd39e10cb0ef593ULL, 0xc0acf169b5f18a8cULL,
	0xbe5466cf34e90c6cULL, 0x452821e638d01377ULL};

/* The zipper merge takes output byte i of (low lane, high lane) from input
 * byte Z[i] = {3, 12, 2, 5, 14, 1, 15, 0, 11, 4, 10, 13, 9, 6, 8, 7} of
 * the 16 little-endian bytes of (low lane, high lane). zipper_add does it
 * with masks and shifts: each term moves the bytes that share a source
 * lane and a distance (derived from Z; test_uid checks published vectors). */

static uint64_t swap_halves(uint64_t x)
{
	return (x >> 32) | (x << 32);
}

static void hh_reset(struct hh_state *s, const struct highwayhash_key *key)
{
	for (int i = 0; i < HH_LANES; i++) {
		s->mul0[i] = hh_init0[i];
		s->mul1[i] = hh_init1[i];
		s->v0[i] = hh_init0[i] ^ key->k[i];
		s->v1[i] = hh_init1[i] ^ swap_halves(key->k[i]);
	}
}

/* Adds the zipper-merged bytes of (lo, hi) into (*add_lo, *add_hi). */
static void zipper_add(uint64_t lo, uint64_t hi, uint64_t *add_lo, uint64_t *add_hi)
{
	*add_lo += ((lo & 0x00000000ff000000ull) >> 24) | ((lo & 0x0000ff0000000000ull) >> 16) |
		   (lo & 0x0000000000ff0000ull) | ((lo & 0x000000000000ff00ull) << 32) |
		   ((lo & 0x00000000000000ffull) << 56) | ((hi & 0x000000ff00000000ull) >> 24) |
		   ((hi & 0x00ff000000000000ull) >> 16) | ((hi & 0xff00000000000000ull) >> 8);
	*add_hi += ((lo & 0x000000ff00000000ull) >> 24) | ((lo & 0x00ff000000000000ull) >> 8) |
		   (lo & 0xff00000000000000ull) | ((hi & 0x00000000ff000000ull) >> 24) |
		   ((hi & 0x0000ff0000000000ull) >> 16) | (hi & 0x0000000000ff0000ull) |
		   ((hi & 0x000000000000ff00ull) << 24) | ((hi & 0x00000000000000ffull) << 48);
}

static void hh_update(struct hh_state *s, const uint64_t lanes[HH_LANES])
{
	for (int i = 0; i < HH_LANES; i++) {
		s->v1[i] += s->mul0[i] + lanes[i];
		s->mul0[i] ^= (s->v1[i] & 0xffffffffu) * (s->v0[i] >> 32);
		s->v0[i] += s->mul1[i];
		s->mul1[i] ^= (s->v0[i] & 0xffffffffu) * (s->v1[i] >> 32);
	}
	zipper_add(s->v1[0], s->v1[1], &s->v0[0], &s->v0[1]);
	zipper_add(s->v1[2], s->v1[3], &s->v0[2], &s->v0[3]);
	zipper_add(s->v0[0], s->v0[1], &s->v1[0], &s->v1[1]);
	zipper_add(s->v0[2], s->v0[3], &s->v1[2], &s->v1[3]);
}

static void hh_update_packet(struct hh_state *s, const uint8_t *p)
{
	uint64_t lanes[HH_LANES];
	for (int i = 0; i < HH_LANES; i++)
		lanes[i] = le64_read(p + 8 * i);
	hh_update(s, lanes);
}

/* Rotates both 32-bit halves of x left by n (0 < n < 32). */
static uint64_t rotate_halves(uint64_t x, unsigned n)
{
	uint32_t lo = (uint32_t)x, hi = (uint32_t)(x >> 32);
	lo = (lo << n) | (lo >> (32 - n));
	hi = (hi << n) | (hi >> (32 - n));
	return ((uint64_t)hi << 32) | lo;
}

/* The last 1..31 bytes: the length is mixed into the state first, and the
 * bytes are spread over a zero packet in the published layout. */
static void hh_update_remainder(struct hh_state *s, const uint8_t *r, size_t n)
{
	uint8_t packet[HH_PACKET] = {0};
	size_t whole = n & ~(size_t)3, m = n & 3;
	for (int i = 0; i < HH_LANES; i++) {
		s->v0[i] += ((uint64_t)n << 32) + n;
		s->v1[i] = rotate_halves(s->v1[i], (unsigned)n);
	}
	memcpy(packet, r, whole);
	if (n & 16) {
		memcpy(packet + 28, r + n - 4, 4);
	} else if (m) {
		packet[16] = r[whole];
		packet[17] = r[whole + (m >> 1)];
		packet[18] = r[whole + m - 1];
	}
	hh_update_packet(s, packet);
}

static void hh_permute_update(struct hh_state *s)
{
	const uint64_t lanes[HH_LANES] = {
		swap_halves(s->v0[2]), swap_halves(s->v0[3]),
		swap_halves(s->v0[0]), swap_halves(s->v0[1])};
	hh_update(s, lanes);
}

static void hh_absorb(struct hh_state *s, const struct highwayhash_key *key,
		      const void *data, size_t len)
{
	const uint8_t *p = data;
	hh_reset(s, key);
	for (; len >= HH_PACKET; len -= HH_PACKET, p += HH_PACKET)
		hh_update_packet(s, p);
	if (len)
		hh_update_remainder(s, p, len);
}

uint64_t highwayhash64(const struct highwayhash_key *key, const void *data,
		       size_t len)
{
	struct hh_state s;
	hh_absorb(&s, key, data, len);
	for (int i = 0; i < 4; i++)
		hh_permute_update(&s);
	return s.v0[0] + s.v1[0] + s.mul0[0] + s.mul1[0];
}

void highwayhash128(const struct highwayhash_key *key, const void *data,
		    size_t len, uint64_t out[2])
{
	struct hh_state s;
	hh_absorb(&s, key, data, len);
	for (int i = 0; i < 6; i++)
		hh_permute_update(&s);
	out[0] = s.v0[0] + s.mul0[0] + s.v1[2] + s.mul1[2];
	out[1] = s.v0[1] + s.mul0[1] + s.v1[3] + s.mul1[3];
}
