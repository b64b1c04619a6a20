/*
 * The XMPP analyzer, as far as STARTTLS (see xmpp.c): conn.log's service
 * "xmpp", and the hand-over to SSL. XMPP has no log of its own in Zeek.
 */
#ifndef SMTPLOG_PROTO_XMPP_H
#define SMTPLOG_PROTO_XMPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"

extern const struct analyzer xmpp_analyzer;

/* dpd_xmpp (base/protocols/xmpp/dpd.sig) on the first bytes of a stream:
 * an optional XML declaration, blanks, then a stream:stream tag whose
 * attributes hold xmlns='jabber:. Exposed for tests. */
bool xmpp_signature(const uint8_t *p, size_t n);

#endif
