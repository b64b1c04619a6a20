/* Zeek's UIDs and file IDs; see uid.h and zeek-core-spec §4. */
#include "core/uid.h"

#include "core/bytes.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>

/* Zeek's UID pool for connections (UID_POOL_DEFAULT_INTERNAL); seeded runs
 * use the pool number as its instance. */
#define UID_POOL_CONN 1
/* The SipHash key is the last 16 of the 80 seed bytes. */
#define UID_TABLE_KEY_WORD 16

static const char base62_digits[] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* Zeek writes base62 least significant digit first. */
static size_t put_base62(uint64_t v, char *out)
{
	size_t n = 0;
	do {
		out[n++] = base62_digits[v % 62];
		v /= 62;
	} while (v);
	return n;
}

void uid_format(char prefix, uint32_t a, uint64_t b, char out[UID_TEXT_MAX])
{
	size_t n = 0;
	out[n++] = prefix;
	n += put_base62(a, out + n);
	n += put_base62(b, out + n);
	out[n] = '\0';
}

int uid_gen_set_digest_salt(struct uid_gen *g, const void *salt, size_t len)
{
	uint8_t md[32];
	unsigned int mdlen = 0;
	if (!EVP_Digest(salt, len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != sizeof md)
		return -EIO;
	/* Zeek reinterprets the digest as uint64_t[4] on a little-endian
	 * host. */
	for (int i = 0; i < 4; i++)
		g->fuid_key.k[i] = le64_read(md + 8 * i);
	return 0;
}

static int set_default_salt(struct uid_gen *g)
{
	return uid_gen_set_digest_salt(g, UID_DEFAULT_DIGEST_SALT,
				       sizeof UID_DEFAULT_DIGEST_SALT - 1);
}

static int fill_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom(p + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return 0;
}

int uid_gen_init_random(struct uid_gen *g)
{
	uint8_t r[24];
	int rc = fill_random(r, sizeof r);
	if (rc)
		return rc;
	memset(g, 0, sizeof *g);
	g->table_key = siphash_key_from_bytes(r);
	/* Zeek hashes host, pid and time and adds one so that the instance is
	 * never 0; a random non-zero word is as good. */
	g->instance = le64_read(r + 16);
	if (!g->instance)
		g->instance = 1;
	return set_default_salt(g);
}

int uid_gen_init_seeds(struct uid_gen *g, const uint32_t seed[UID_SEED_WORDS])
{
	const uint32_t *w = seed + UID_TABLE_KEY_WORD;
	memset(g, 0, sizeof *g);
	g->table_key.k0 = (uint64_t)w[0] | (uint64_t)w[1] << 32;
	g->table_key.k1 = (uint64_t)w[2] | (uint64_t)w[3] << 32;
	g->instance = UID_POOL_CONN;
	g->seeded = 1;
	return set_default_salt(g);
}

const struct siphash_key *uid_gen_table_key(const struct uid_gen *g)
{
	return g->seeded ? &g->table_key : NULL;
}

/*
 * One step of fscanf(f, "%u", out) as glibc does it: skip white space, an
 * optional sign, at least one decimal digit. The digits are converted as
 * strtoul would (saturating at ULONG_MAX, a '-' negating) and the result is
 * truncated to unsigned int, so "-1" reads as 4294967295. Returns 1 on
 * success, 0 if the next text is not a number, EOF at end of input.
 */
static int scan_u32(FILE *f, uint32_t *out)
{
	int c, neg = 0, overflow = 0;
	unsigned long v = 0;
	while ((c = getc(f)) != EOF && ascii_is_space((uint8_t)c))
		;
	if (c == '+' || c == '-') {
		neg = c == '-';
		c = getc(f);
	}
	if (c == EOF)
		return EOF;
	if (!ascii_is_digit((uint8_t)c))
		return 0;
	for (; c != EOF && ascii_is_digit((uint8_t)c); c = getc(f)) {
		unsigned d = (unsigned)(c - '0');
		if (v > (ULONG_MAX - d) / 10)
			overflow = 1;
		else
			v = v * 10 + d;
	}
	/* The character after the digits belongs to the next read. */
	if (c != EOF)
		ungetc(c, f);
	if (overflow)
		v = ULONG_MAX;
	else if (neg)
		v = -v;
	*out = (uint32_t)v;
	return 1;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Reads Zeek's 21 values: the srandom() seed, then the seed words. */
static int read_seed_values(FILE *f, const char *path,
			    uint32_t words[UID_SEED_WORDS], char *err,
			    size_t errlen)
{
	for (int i = 0; i <= UID_SEED_WORDS; i++) {
		uint32_t v = 0;
		int rc = scan_u32(f, &v);
		if (rc == EOF)
			return fail(err, errlen, -EINVAL,
				    "could not load seeds from file '%s': "
				    "it ends after %d of the %d numbers",
				    path, i, UID_SEED_WORDS + 1);
		if (rc == 0)
			return fail(err, errlen, -EINVAL,
				    "could not load seeds from file '%s': "
				    "value %d of %d is not an unsigned decimal "
				    "number",
				    path, i + 1, UID_SEED_WORDS + 1);
		if (i > 0)
			words[i - 1] = v;
	}
	if (ferror(f))
		return fail(err, errlen, -EIO,
			    "could not load seeds from file '%s': read error",
			    path);
	return 0;
}

int uid_gen_init_seed_file(struct uid_gen *g, const char *path, char *err,
			   size_t errlen)
{
	uint32_t words[UID_SEED_WORDS];
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		return fail(err, errlen, -e,
			    "could not open seed file '%s': %s", path,
			    strerror(e));
	}
	int rc = read_seed_values(f, path, words, err, errlen);
	fclose(f);
	if (rc)
		return rc;
	rc = uid_gen_init_seeds(g, words);
	if (rc)
		return fail(err, errlen, rc, "SHA-256 failed");
	return 0;
}

/* Zeek's calculate_unique_id(): SipHash of {instance, ++counter}, both
 * as little-endian 64-bit words. */
static uint64_t uid_draw(struct uid_gen *g)
{
	uint8_t msg[16];
	le64_write(msg, g->instance);
	le64_write(msg + 8, ++g->counter);
	return siphash24(&g->table_key, msg, sizeof msg);
}

void uid_next_conn(struct uid_gen *g, char out[UID_TEXT_MAX])
{
	/* 96 bits: the top 32 of the first draw, all of the second. */
	uint64_t r1 = uid_draw(g), r2 = uid_draw(g);
	uid_format('C', (uint32_t)(r1 >> 32), r2, out);
}

void uid_file_id(const struct uid_gen *g, const void *handle, size_t len,
		 char out[UID_TEXT_MAX])
{
	uint64_t h[2];
	highwayhash128(&g->fuid_key, handle, len, h);
	uid_format('F', (uint32_t)(h[0] >> 32), h[1], out);
}
