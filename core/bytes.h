/* A borrowed view of bytes: the currency passed between layers. Never owns. */
#ifndef SMTPLOG_CORE_BYTES_H
#define SMTPLOG_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bytes {
	const uint8_t *p;
	size_t n;
};

/* Little-endian 64-bit load and store, whatever the host's order (the keyed
 * hashes are defined on little-endian words). */
static inline uint64_t le64_read(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v); /* one load; p need not be aligned */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void le64_write(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

#endif
