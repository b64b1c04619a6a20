/* SipHash-2-4, written from the paper's description (section 2). */
#include "core/siphash.h"

#include "core/bytes.h"

/* Message words are little-endian regardless of the host. */
struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t rotl64(uint64_t x, unsigned k)
{
	return (x << k) | (x >> (64 - k));
}

/* Inlined: a set order or a UID hashes a few dozen bytes, and the call
 * cost as much as the round. */
static inline __attribute__((always_inline)) void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

/* c = 2 compression rounds per message word. */
static inline __attribute__((always_inline)) void sip_compress(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

struct siphash_key siphash_key_from_bytes(const uint8_t bytes[16])
{
	struct siphash_key k = {le64_read(bytes), le64_read(bytes + 8)};
	return k;
}

uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	struct sip_state s = {
		key->k0 ^ 0x736f6d6570736575ULL, /* "somepseudorandomlygeneratedbytes" */
		key->k1 ^ 0x646f72616e646f6dULL,
		key->k0 ^ 0x6c7967656e657261ULL,
		key->k1 ^ 0x7465646279746573ULL,
	};
	size_t left = len;
	for (; left >= 8; left -= 8, p += 8)
		sip_compress(&s, le64_read(p));

	/* The last word carries the remaining bytes and, in its top byte,
	 * the message length mod 256. */
	uint64_t last = (uint64_t)(len & 0xff) << 56;
	for (size_t i = 0; i < left; i++)
		last |= (uint64_t)p[i] << (8 * i);
	sip_compress(&s, last);

	/* d = 4 finalization rounds. */
	s.v2 ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
