/* Unit tests for the parsed-certificate cache (proto/x509_cache.c). Run
 * from the repository root (fixtures in testdata/certs/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "proto/x509_cache.h"
#include "tests/check.h"

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d = malloc(1 << 16);
	*n = f && d ? fread(d, 1, 1 << 16, f) : 0;
	if (f)
		fclose(f);
	return d;
}

int main(void)
{
	size_t na, nb;
	uint8_t *a = slurp("testdata/certs/leaf-rsa.der", &na);
	uint8_t *b = slurp("testdata/certs/inter.der", &nb);
	CHECK(na > 100 && nb > 100);

	struct x509_cache *k = x509_cache_new();
	struct x509_info tmp;
	const struct x509_info *c1, *c2, *c3;
	struct x509_digests d;
	CHECK(x509_cache_parse(k, a, na, &tmp, &c1, &d) == X509_OK);
	CHECK(c1 != &tmp); /* remembered */
	/* The digests are the certificate's, as OpenSSL computes them. */
	uint8_t want[32];
	unsigned wn = 0;
	CHECK(d.valid == (X509_DIGEST_MD5 | X509_DIGEST_SHA1 | X509_DIGEST_SHA256));
	CHECK(EVP_Digest(a, na, want, &wn, EVP_sha256(), NULL) == 1 && !memcmp(d.sha256, want, 32));
	CHECK(EVP_Digest(a, na, want, &wn, EVP_sha1(), NULL) == 1 && !memcmp(d.sha1, want, 20));
	CHECK(EVP_Digest(a, na, want, &wn, EVP_md5(), NULL) == 1 && !memcmp(d.md5, want, 16));
	struct x509_digests d1 = d;
	char fp[65];
	memcpy(fp, c1->fingerprint, sizeof fp);
	memset(&d, 0, sizeof d);
	CHECK(x509_cache_parse(k, a, na, &tmp, &c2, &d) == X509_OK);
	CHECK(c2 == c1 && memcmp(&d, &d1, sizeof d) == 0); /* a hit copies the digests out */
	CHECK(x509_cache_parse(k, b, nb, &tmp, &c3, &d) == X509_OK);
	CHECK(c3 != c1 && strcmp(c3->fingerprint, fp) != 0);

	/* Pointers handed out survive the table's growth (many entries). */
	uint8_t *v = malloc(na);
	memcpy(v, a, na);
	for (int i = 0; i < 300; i++) {
		v[na - 1] = (uint8_t)i; /* trailing signature byte: another cert */
		v[na - 2] = (uint8_t)(i >> 8);
		const struct x509_info *ci;
		(void)x509_cache_parse(k, v, na, &tmp, &ci, &d);
		x509_info_free(&tmp);
	}
	free(v);
	CHECK(strcmp(c1->fingerprint, fp) == 0);
	CHECK(x509_cache_parse(k, a, na, &tmp, &c2, &d) == X509_OK && c2 == c1);
	CHECK(memcmp(&d, &d1, sizeof d) == 0);

	/* A failure is not kept, and gives the same code again. */
	a[1] ^= 0xFF;
	CHECK(x509_cache_parse(k, a, na, &tmp, &c2, &d) == X509_ERR_PARSE);
	CHECK(d.valid != 0); /* digests for the file analysis even so */
	CHECK(x509_cache_parse(k, a, na, &tmp, &c2, &d) == X509_ERR_PARSE);
	a[1] ^= 0xFF;
	CHECK(x509_cache_parse(k, a, na, &tmp, &c2, &d) == X509_OK && c2 == c1);
	x509_cache_free(k);

	/* Without a cache the caller owns the result. */
	CHECK(x509_cache_parse(NULL, a, na, &tmp, &c1, &d) == X509_OK);
	CHECK(c1 == &tmp && d.valid != 0);
	CHECK_STR(tmp.fingerprint, fp);
	CHECK(EVP_Digest(a, na, want, &wn, EVP_sha1(), NULL) == 1 && !memcmp(d.sha1, want, 20));
	x509_info_free(&tmp);
	free(a);
	free(b);
	return check_summary();
}
