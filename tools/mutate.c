/*
 * A deterministic capture mutator for the sanitizer pass: the same seed
 * and input always give the same output. Kinds (seed % 4): flip bits,
 * cut the file, edit the length fields of classic-pcap record headers,
 * or splice garbage into the middle.
 *   mutate SEED IN OUT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* splitmix64: small, good enough to pick offsets. */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint8_t *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	uint8_t *p = malloc(cap);
	size_t got;
	while (p && (got = fread(p + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			uint8_t *q = realloc(p, cap * 2);
			if (!q) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
			cap *= 2;
		}
	}
	fclose(f);
	*n = len;
	return p;
}

/* Classic pcap record headers start at 24; walks them and edits one
 * caplen or wirelen field (little-endian files only, the common case). */
static void edit_lengths(uint8_t *p, size_t n)
{
	if (n < 40 || p[0] != 0xd4 || p[1] != 0xc3)
		return;
	size_t offs[4096], k = 0;
	for (size_t at = 24; at + 16 <= n && k < 4096;) {
		uint32_t cap = (uint32_t)p[at + 8] | (uint32_t)p[at + 9] << 8 |
			       (uint32_t)p[at + 10] << 16 | (uint32_t)p[at + 11] << 24;
		offs[k++] = at;
		if (cap > n - at - 16)
			break;
		at += 16 + cap;
	}
	if (!k)
		return;
	size_t at = offs[rng() % k] + ((rng() & 1) ? 8 : 12);
	static const uint32_t lies[] = {0, 1, 0xffff, 0x40000, 0x7fffffff, 0xffffffff};
	uint32_t v = lies[rng() % (sizeof lies / sizeof lies[0])];
	memcpy(p + at, &v, 4);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mutate SEED IN OUT\n");
		return 1;
	}
	uint64_t seed = strtoull(argv[1], NULL, 10);
	size_t n;
	uint8_t *p = read_all(argv[2], &n);
	if (!p) {
		perror(argv[2]);
		return 1;
	}
	rng_state = seed * 0x100000001b3ull + n;
	size_t out_n = n;
	uint8_t *extra = NULL;
	size_t at = n ? rng() % n : 0, extra_n = 0;
	switch (seed % 4) {
	case 0:	/* flip a few bits, past the file header most of the time */
		for (int i = 0; n && i < 1 + (int)(rng() % 16); i++)
			p[rng() % n] ^= (uint8_t)(1u << (rng() % 8));
		break;
	case 1:	/* cut */
		out_n = at;
		break;
	case 2:
		edit_lengths(p, n);
		break;
	default: /* garbage spliced in */
		extra_n = 1 + rng() % 512;
		extra = malloc(extra_n);
		for (size_t i = 0; extra && i < extra_n; i++)
			extra[i] = (uint8_t)rng();
		break;
	}
	FILE *f = fopen(argv[3], "wb");
	if (!f) {
		perror(argv[3]);
		return 1;
	}
	fwrite(p, 1, extra ? at : out_n, f);
	if (extra) {
		fwrite(extra, 1, extra_n, f);
		fwrite(p + at, 1, n - at, f);
	}
	fclose(f);
	free(extra);
	free(p);
	return 0;
}
