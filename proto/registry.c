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

_Static_assert(sizeof proto_analyzers / sizeof proto_analyzers[0] - 1 <= ANALYZER_MAX_PER_CONN,
	       "raise ANALYZER_MAX_PER_CONN: a connection could not hold every analyzer");
