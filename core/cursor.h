/*
 * Bounds-checked reading of untrusted bytes (tcpdump's GET_U_1 idea).
 *
 * A read past the end returns 0 or an empty view, sets `err` and pins `p`
 * at `end`, so every later read fails too: parsers read straight through
 * and test `err` once.
 */
#ifndef SMTPLOG_CORE_CURSOR_H
#define SMTPLOG_CORE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

struct cursor {
	const uint8_t *p;
	const uint8_t *end;
	bool err;
};

static inline struct cursor cur_make(const uint8_t *p, size_t n)
{
	struct cursor c = {p, p + n, false};
	return c;
}

static inline size_t cur_left(const struct cursor *c)
{
	return (size_t)(c->end - c->p);
}

static inline void cur_fail(struct cursor *c)
{
	c->err = true;
	c->p = c->end;
}

static inline uint8_t cur_u8(struct cursor *c)
{
	if (cur_left(c) < 1) {
		cur_fail(c);
		return 0;
	}
	return *c->p++;
}

static inline uint16_t cur_be16(struct cursor *c)
{
	if (cur_left(c) < 2) {
		cur_fail(c);
		return 0;
	}
	uint16_t v = (uint16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return v;
}

static inline uint32_t cur_be32(struct cursor *c)
{
	if (cur_left(c) < 4) {
		cur_fail(c);
		return 0;
	}
	uint32_t v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
		     (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	return v;
}

static inline uint16_t cur_le16(struct cursor *c)
{
	if (cur_left(c) < 2) {
		cur_fail(c);
		return 0;
	}
	uint16_t v = (uint16_t)((uint16_t)c->p[1] << 8 | c->p[0]);
	c->p += 2;
	return v;
}

static inline uint32_t cur_le32(struct cursor *c)
{
	if (cur_left(c) < 4) {
		cur_fail(c);
		return 0;
	}
	uint32_t v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
		     (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 4;
	return v;
}

/* A view of the next n bytes, or an empty view (and err) if fewer remain. */
static inline struct bytes cur_take(struct cursor *c, size_t n)
{
	struct bytes b = {c->p, 0};
	if (cur_left(c) < n) {
		cur_fail(c);
		return b;
	}
	b.n = n;
	c->p += n;
	return b;
}

static inline void cur_skip(struct cursor *c, size_t n)
{
	(void)cur_take(c, n);
}

/* Peek without consuming; false when fewer than n+1 bytes remain. */
static inline bool cur_peek_u8(const struct cursor *c, size_t at, uint8_t *out)
{
	if (cur_left(c) <= at)
		return false;
	*out = c->p[at];
	return true;
}

#endif
