/*
 * The analyzer host (analyzer.c) as core drives it: which analyzers a
 * connection gets (ports, then DPD), and their input. The analyzers
 * themselves see only core/analyzer.h's contract.
 */
#ifndef SMTPLOG_CORE_ANALYSIS_H
#define SMTPLOG_CORE_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/conn.h"
#include "core/services.h"

/* Analyzers on one connection. attach() only chooses them; they are made
 * at the first delivery, gap or end of data. */
void analyzers_attach(struct services *sv, struct conn *c);
/* Will the connection's stream go to analyzers (reassembly wanted)? */
bool analyzers_wanted(const struct conn *c);
void analyzers_deliver(struct services *sv, struct conn *c, bool is_orig, const uint8_t *data,
		       size_t len);
/* One datagram's payload (UDP), with its direction. */
void analyzers_deliver_packet(struct services *sv, struct conn *c, bool is_orig,
			      const uint8_t *data, size_t len);
void analyzers_gap(struct services *sv, struct conn *c, bool is_orig, uint64_t len);
void analyzers_eof(struct services *sv, struct conn *c, bool is_orig);
void analyzers_finish(struct conn *c);
void analyzers_free(struct services *sv, struct conn *c);

/* Freed per-connection analysis records, for reuse; the engine owns one
 * and lends it to the services (an_pool). */
struct analyzer_pool;
struct analyzer_pool *analyzer_pool_new(void);
void analyzer_pool_free(struct analyzer_pool *p);

#endif
