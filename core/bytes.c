/* The ASCII class table behind core/bytes.h's ascii_is_* tests, and the
 * one copying helper. */
#include "core/bytes.h"

#include <stdlib.h>

/* Shorthands for the rows below: G a graphic character (printable, not
 * space), D a digit, UX/LX the hex letters, U/L the other letters. */
#define G (ASCII_PRINT | ASCII_GRAPH)
#define D (ASCII_DIGIT | ASCII_XDIGIT | G)
#define UX (ASCII_UPPER | ASCII_XDIGIT | G)
#define LX (ASCII_LOWER | ASCII_XDIGIT | G)
#define U (ASCII_UPPER | G)
#define L (ASCII_LOWER | G)
#define S ASCII_SPACE
#define SB (ASCII_SPACE | ASCII_BLANK)

/* Exactly the C locale's <ctype.h> classes (tests/core/test_bytes.c checks
 * all 256 bytes against them); bytes from 0x80 are in no class. */
const uint8_t ascii_class[256] = {
	/* 00 */ 0, 0, 0, 0, 0, 0, 0, 0,
	/* 08 */ 0, SB, S, S, S, S, 0, 0,
	/* 10 */ 0, 0, 0, 0, 0, 0, 0, 0,
	/* 18 */ 0, 0, 0, 0, 0, 0, 0, 0,
	/* 20 */ SB | ASCII_PRINT, G, G, G, G, G, G, G,
	/* 28 */ G, G, G, G, G, G, G, G,
	/* 30 */ D, D, D, D, D, D, D, D,
	/* 38 */ D, D, G, G, G, G, G, G,
	/* 40 */ G, UX, UX, UX, UX, UX, UX, U,
	/* 48 */ U, U, U, U, U, U, U, U,
	/* 50 */ U, U, U, U, U, U, U, U,
	/* 58 */ U, U, U, G, G, G, G, G,
	/* 60 */ G, LX, LX, LX, LX, LX, LX, L,
	/* 68 */ L, L, L, L, L, L, L, L,
	/* 70 */ L, L, L, L, L, L, L, L,
	/* 78 */ L, L, L, G, G, G, G, 0,
};

bool bytes_any_line_start(const uint8_t *p, size_t n, bool (*match)(const uint8_t *p, size_t n))
{
	size_t i = 0;
	for (size_t start = 0; start <= n; start++) {
		if (start > 0 && p[start - 1] != '\r' && p[start - 1] != '\n')
			continue;
		if (start > 0 && start <= i)
			continue;
		i = start + bytes_span(p + start, n - start, ASCII_SPACE);
		if (match(p + i, n - i))
			return true;
	}
	return false;
}

char *bytes_strdup(const void *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		if (n) /* p may be NULL for an empty view */
			memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}
