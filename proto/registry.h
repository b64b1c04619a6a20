/* The protocol analyzers smtplog has, for cmd/ to hand to the engine. */
#ifndef SMTPLOG_PROTO_REGISTRY_H
#define SMTPLOG_PROTO_REGISTRY_H

#include "core/analyzer.h"

/* NULL-terminated. */
extern const struct analyzer *const proto_analyzers[];

#endif
