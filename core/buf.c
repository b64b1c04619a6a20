#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = false;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = false;
}

void buf_take_storage(struct buf *b, struct buf *from)
{
	free(b->data);
	b->data = from->data;
	b->cap = from->cap <= b->max ? from->cap : b->max;
	b->len = 0;
	b->err = false;
	from->data = NULL;
	from->cap = from->len = 0;
}

static bool buf_reserve(struct buf *b, size_t extra)
{
	if (b->err)
		return false;
	if (extra > b->max - b->len) {
		b->err = true;
		return false;
	}
	size_t need = b->len + extra;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	uint8_t *p = realloc(b->data, cap);
	if (!p) {
		b->err = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

bool buf_append_grow(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return !b->err;
	if (!buf_reserve(b, n))
		return false;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return true;
}

bool buf_putc_grow(struct buf *b, uint8_t c)
{
	return buf_append_grow(b, &c, 1);
}

bool buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

bool buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = true;
		return false;
	}
	if ((size_t)n < sizeof small)
		return buf_append(b, small, (size_t)n);
	if (!buf_reserve(b, (size_t)n + 1))
		return false;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return true;
}
