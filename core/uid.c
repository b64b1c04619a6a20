#include "core/uid.h"

#include <errno.h>
#include <sys/random.h>

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

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next64(struct uid_gen *g)
{
	uint64_t *s = g->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

int uid_gen_init_random(struct uid_gen *g)
{
	size_t got = 0;
	uint8_t *p = (uint8_t *)g->s;
	while (got < sizeof g->s) {
		ssize_t n = getrandom(p + got, sizeof g->s - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	if (!(g->s[0] | g->s[1] | g->s[2] | g->s[3]))
		g->s[0] = 1;
	return 0;
}

void uid_next_conn(struct uid_gen *g, char out[UID_TEXT_MAX])
{
	uint64_t r1 = next64(g), r2 = next64(g);
	uid_format('C', (uint32_t)(r1 >> 32), r2, out);
}
