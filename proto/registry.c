#include "proto/registry.h"

const struct analyzer *const proto_analyzers[] = {
	NULL,
};
