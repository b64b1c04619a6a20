/* conn.log: its columns (which depend on the loaded policy scripts) and
 * the rendering of a connection into them. */
#ifndef SMTPLOG_CORE_CONN_LOG_H
#define SMTPLOG_CORE_CONN_LOG_H

#include "core/config.h"
#include "core/conn.h"
#include "core/log.h"
#include "core/siphash.h"

#define CONN_LOG_MAX_FIELDS 32

struct conn_log {
	struct log_field fields[CONN_LOG_MAX_FIELDS];
	struct log_schema schema;
	const struct config *cfg;
	struct sl_subnet private_space[48];	/* parsed once */
	size_t n_private;
	/* The seeded table key for tunnel_parents' order (NULL: insertion
	 * order); set by the engine. */
	const struct siphash_key *set_key;
};

void conn_log_init(struct conn_log *cl, const struct config *cfg);
/* Writes c's line. Returns log_stream_write()'s result. */
int conn_log_write(const struct conn_log *cl, struct log_stream *s, const struct conn *c);
/* Community ID v1 (seed 0) of c, "1:" + base64; out >= 40 bytes. */
void conn_community_id(const struct conn *c, char *out, size_t cap);
/* Site::is_local_addr with Zeek's private address space included. */
bool conn_addr_is_local(const struct conn_log *cl, const struct sl_addr *a);

#endif
