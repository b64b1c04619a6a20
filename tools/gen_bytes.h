/*
 * Byte order and Internet checksums for the capture generators (gen_pcap.c,
 * gen_hostile.c), which are single-file programs; everything is static.
 */
#ifndef SMTPLOG_TOOLS_GEN_BYTES_H
#define SMTPLOG_TOOLS_GEN_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static inline void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static inline void be32(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16)), be16(p + 2, (uint16_t)v);
}

/* The one's-complement sum of p[0..n) added to sum (odd tail padded). */
static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
