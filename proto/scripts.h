/*
 * The script bits of the analyzers' scripts (struct config's scripts,
 * above core's own: core/config.h). Only proto/ and the tests name them.
 */
#ifndef SMTPLOG_PROTO_SCRIPTS_H
#define SMTPLOG_PROTO_SCRIPTS_H

#include "core/config.h"

enum proto_script {
	SCRIPT_SMTP = 1u << (CONFIG_SCRIPT_PROTO_FIRST + 0),	/* base/protocols/smtp: smtp.log */
	SCRIPT_SSL = 1u << (CONFIG_SCRIPT_PROTO_FIRST + 1),	/* base/protocols/ssl: ssl.log */
	/* policy/protocols/ssl/log-certs-base64 */
	SCRIPT_CERTS_BASE64 = 1u << (CONFIG_SCRIPT_PROTO_FIRST + 2),
	/* policy/protocols/ssl/log-hostcerts-only */
	SCRIPT_HOSTCERTS_ONLY = 1u << (CONFIG_SCRIPT_PROTO_FIRST + 3),
	/* policy/protocols/ssl/certificate-request-info */
	SCRIPT_CERT_REQUEST_INFO = 1u << (CONFIG_SCRIPT_PROTO_FIRST + 4),
	/* policy/protocols/ssl/known-certs */
	SCRIPT_KNOWN_CERTS = 1u << (CONFIG_SCRIPT_PROTO_FIRST + 5),
	SCRIPT_IMAP = 1u << (CONFIG_SCRIPT_PROTO_FIRST + 6),	/* base/protocols/imap: STARTTLS only */
	SCRIPT_XMPP = 1u << (CONFIG_SCRIPT_PROTO_FIRST + 7),	/* base/protocols/xmpp: STARTTLS only */
	SCRIPT_POP3 = 1u << (CONFIG_SCRIPT_PROTO_FIRST + 8),	/* base/protocols/pop3: STLS only */
};

#endif
