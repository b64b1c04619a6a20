#include "proto/registry.h"

#include "proto/imap.h"
#include "proto/smtp.h"
#include "proto/tls.h"

const struct analyzer *const proto_analyzers[] = {
	&smtp_analyzer,
	&tls_analyzer,
	&imap_analyzer,
	NULL,
};
