/* Unit tests for Known::certs (proto/known_certs.c). */
#include <string.h>

#include "proto/known_certs.h"
#include "tests/check.h"

int main(void)
{
	struct x509_dedup *k = known_certs_new();
	struct sl_addr a, b;
	CHECK(sl_addr_parse("192.0.2.1", &a));
	CHECK(sl_addr_parse("2001:db8::1", &b));
	const char *h1 = "0123456789abcdef0123456789abcdef01234567";
	const char *h2 = "76543210fedcba9876543210fedcba9876543210";
	CHECK(known_certs_check(k, 10, &a, h1));
	CHECK(!known_certs_check(k, 11, &a, h1));
	/* Another host or another certificate is another pair. */
	CHECK(known_certs_check(k, 12, &b, h1));
	CHECK(known_certs_check(k, 13, &a, h2));
	/* &create_expire=1day */
	CHECK(!known_certs_check(k, 10 + 86399, &a, h1));
	CHECK(known_certs_check(k, 10 + 86400, &a, h1));
	x509_dedup_free(k);
	return check_summary();
}
