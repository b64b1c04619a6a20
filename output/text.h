/* Value texts both writers print the same way (TSV bare, JSON quoted or bare). */
#ifndef SMTPLOG_OUTPUT_TEXT_H
#define SMTPLOG_OUTPUT_TEXT_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/value.h"

/* count, int and port as decimal. False (nothing written) for other types. */
bool text_put_integer(struct buf *out, enum log_type type, const struct log_value *v);
/* Zeek's address text. */
void text_put_addr(struct buf *out, const struct sl_addr *a);
/* "net/prefix", IPv4 prefixes in IPv4 bits. */
void text_put_subnet(struct buf *out, const struct sl_subnet *s);

#endif
