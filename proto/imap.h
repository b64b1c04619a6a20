/*
 * The IMAP analyzer, as far as STARTTLS (see imap.c): conn.log's service
 * "imap", and the hand-over to SSL. IMAP has no log of its own in Zeek.
 */
#ifndef SMTPLOG_PROTO_IMAP_H
#define SMTPLOG_PROTO_IMAP_H

#include "core/analyzer.h"

extern const struct analyzer imap_analyzer;

#endif
