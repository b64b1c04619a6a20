/* The protocol analyzers smtplog has, for cmd/ to hand to the engine. */
#ifndef SMTPLOG_PROTO_REGISTRY_H
#define SMTPLOG_PROTO_REGISTRY_H

#include "core/analyzer.h"

/* NULL-terminated. */
extern const struct analyzer *const proto_analyzers[];

/* The ports Zeek 9's default mode registers (likely_server_ports),
 * those of the analyzers smtplog does not have yet included. */
extern const uint16_t proto_default_tcp_ports[];
extern const size_t proto_n_default_tcp_ports;
extern const uint16_t proto_default_udp_ports[];
extern const size_t proto_n_default_udp_ports;

#endif
