#include "proto/registry.h"

#include "proto/smtp.h"

const struct analyzer *const proto_analyzers[] = {
	&smtp_analyzer,
	NULL,
};
