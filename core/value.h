/* Zeek value types that cross module boundaries. */
#ifndef SMTPLOG_CORE_VALUE_H
#define SMTPLOG_CORE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * An IP address, always 16 bytes in network order. IPv4 is stored the way
 * Zeek stores it, as IPv4-mapped IPv6 (::ffff:a.b.c.d), so that ordering
 * and hashing treat both families alike.
 */
struct sl_addr {
	uint8_t b[16];
};

/* A network: the address is already masked; prefix counts IPv6 bits
 * (an IPv4 /24 is stored as 96 + 24 = 120). */
struct sl_subnet {
	struct sl_addr net;
	uint8_t prefix;
};

static inline bool sl_addr_is_v4(const struct sl_addr *a)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(a->b, mapped, 12) == 0;
}

static inline struct sl_addr sl_addr_from_v4(const uint8_t v4[4])
{
	struct sl_addr a = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}};
	memcpy(a.b + 12, v4, 4);
	return a;
}

static inline struct sl_addr sl_addr_from_v6(const uint8_t v6[16])
{
	struct sl_addr a;
	memcpy(a.b, v6, 16);
	return a;
}

static inline int sl_addr_cmp(const struct sl_addr *x, const struct sl_addr *y)
{
	return memcmp(x->b, y->b, 16);
}

/*
 * Address text exactly as Zeek prints it (its own inet_ntop, which differs
 * from glibc's in two corners: "::0.0.0.2" and "::ffff:0:a.b.c.d"). IPv4-
 * mapped addresses print as dotted quads. Writes a NUL-terminated string
 * into out (at least SL_ADDR_TEXT_MAX bytes) and returns its length.
 */
#define SL_ADDR_TEXT_MAX 48
size_t sl_addr_format(const struct sl_addr *a, char *out);

/* True when a lies inside the subnet. */
bool sl_subnet_contains(const struct sl_subnet *net, const struct sl_addr *a);

/*
 * Parses "1.2.3.4", "2001:db8::1", "10.0.0.0/8" or "[2001:db8::]/32" (the
 * brackets are Zeek's subnet literal syntax). A plain address gives a host
 * prefix. Returns false on anything malformed. The network is masked.
 */
bool sl_subnet_parse(const char *text, struct sl_subnet *out);
bool sl_addr_parse(const char *text, struct sl_addr *out);

#endif
