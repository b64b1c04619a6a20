#include "core/value.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

bool sl_subnet_contains(const struct sl_subnet *net, const struct sl_addr *a)
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->net.b, a->b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (net->net.b[full] & mask) == (a->b[full] & mask);
}

bool sl_addr_parse(const char *text, struct sl_addr *out)
{
	uint8_t raw[16];
	if (inet_pton(AF_INET, text, raw) == 1) {
		*out = sl_addr_from_v4(raw);
		return true;
	}
	if (inet_pton(AF_INET6, text, raw) == 1) {
		*out = sl_addr_from_v6(raw);
		return true;
	}
	return false;
}

bool sl_subnet_parse(const char *text, struct sl_subnet *out)
{
	char host[64];
	const char *slash = strchr(text, '/');
	size_t hlen = slash ? (size_t)(slash - text) : strlen(text);
	if (hlen >= sizeof host || hlen == 0)
		return false;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	char *h = host;
	if (h[0] == '[') {
		if (hlen < 3 || h[hlen - 1] != ']')
			return false;
		h[hlen - 1] = '\0';
		h++;
	}
	struct sl_addr a;
	if (!sl_addr_parse(h, &a))
		return false;
	bool v4 = sl_addr_is_v4(&a) && strchr(h, ':') == NULL;
	unsigned max = v4 ? 32 : 128, prefix = max;
	if (slash) {
		const char *p = slash + 1;
		if (*p < '0' || *p > '9')
			return false;
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (*end != '\0' || v > max)
			return false;
		prefix = (unsigned)v;
	}
	if (v4)
		prefix += 96;
	out->prefix = (uint8_t)prefix;
	memset(out->net.b, 0, 16);
	unsigned full = prefix / 8, rest = prefix % 8;
	memcpy(out->net.b, a.b, full);
	if (rest)
		out->net.b[full] = (uint8_t)(a.b[full] & (0xff << (8 - rest)));
	return true;
}
