/*
 * Growable byte buffer with a hard maximum fixed at init (curl's dynbuf).
 * An append that would pass the maximum, or an allocation failure, makes
 * the error sticky: later appends do nothing and buf_error() reports it.
 * Owner: whoever embeds the struct; buf_free() releases the storage.
 */
#ifndef SMTPLOG_CORE_BUF_H
#define SMTPLOG_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
	bool err;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
/* Empties the buffer, keeps its storage, clears the error. */
void buf_reset(struct buf *b);
/* Moves from's storage into b (emptied, b's maximum kept); from is left
 * without storage. For objects that are recycled rather than freed. */
void buf_take_storage(struct buf *b, struct buf *from);
/* The growing paths of buf_append and buf_putc; call those. */
bool buf_append_grow(struct buf *b, const void *p, size_t n);
bool buf_putc_grow(struct buf *b, uint8_t c);

/* Inline: the writers and parsers append a few bytes at a time, and most
 * appends fit. */
static inline bool buf_append(struct buf *b, const void *p, size_t n)
{
	if (n <= b->cap - b->len && !b->err) {
		if (n)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		return true;
	}
	return buf_append_grow(b, p, n);
}

static inline bool buf_putc(struct buf *b, uint8_t c)
{
	if (b->len < b->cap && !b->err) {
		b->data[b->len++] = c;
		return true;
	}
	return buf_putc_grow(b, c);
}
bool buf_puts(struct buf *b, const char *s);
bool buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline bool buf_error(const struct buf *b)
{
	return b->err;
}

#endif
