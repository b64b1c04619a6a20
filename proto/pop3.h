/*
 * The POP3 analyzer, as far as STLS (see pop3.c): conn.log's service
 * "pop3", and the hand-over to SSL. POP3 has no log of its own in Zeek.
 */
#ifndef SMTPLOG_PROTO_POP3_H
#define SMTPLOG_PROTO_POP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"

extern const struct analyzer pop3_analyzer;

/* The DPD signatures of base/protocols/pop3/dpd.sig, for tests:
 * dpd_pop3_server over the responder's stream, dpd_pop3_client over the
 * originator's. */
bool pop3_dpd_server(const uint8_t *p, size_t n);
bool pop3_dpd_client(const uint8_t *p, size_t n);

#endif
