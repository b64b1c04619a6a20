#include "proto/registry.h"

#include "proto/imap.h"
#include "proto/pop3.h"
#include "proto/smtp.h"
#include "proto/tls.h"
#include "proto/xmpp.h"

const struct analyzer *const proto_analyzers[] = {
	&smtp_analyzer,
	&tls_analyzer,
	&imap_analyzer,
	&xmpp_analyzer,
	&pop3_analyzer,
	NULL,
};

_Static_assert(sizeof proto_analyzers / sizeof proto_analyzers[0] - 1 <= ANALYZER_MAX_PER_CONN,
	       "raise ANALYZER_MAX_PER_CONN: a connection could not hold every analyzer");

const uint16_t proto_default_tcp_ports[] = {
    21,   22,   25,   79,   80,   81,   88,   135,  139,  143,  389,  443,  445,
    465,  502,  563,  585,  587,  614,  631,  636,  989,  990,  992,  993,  995,
    1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379,
    6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000, 53,  514,
};
const size_t proto_n_default_tcp_ports =
    sizeof proto_default_tcp_ports / sizeof proto_default_tcp_ports[0];

const uint16_t proto_default_udp_ports[] = {
    53, 67, 88, 123, 137, 161, 162, 389, 443, 514, 1812, 3389, 4011, 5060, 5353, 5355,
};
const size_t proto_n_default_udp_ports =
    sizeof proto_default_udp_ports / sizeof proto_default_udp_ports[0];
