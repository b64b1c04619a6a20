#include "proto/registry.h"

#include "proto/imap.h"
#include "proto/smtp.h"
#include "proto/tls.h"
#include "proto/xmpp.h"

const struct analyzer *const proto_analyzers[] = {
	&smtp_analyzer,
	&tls_analyzer,
	&imap_analyzer,
	&xmpp_analyzer,
	NULL,
};
