/*
 * The services a run's modules share below the engine: the configuration,
 * network time, timers, UIDs, weirds, the run's logs and its first error,
 * file analysis, and what the analyzers keep for the run. TCP (tcp.c),
 * the analyzer host (analyzer.c) and the tunnel code call these; none of
 * them calls the engine, which owns one struct services and only
 * orchestrates: packets in, timers fired, connections created and removed.
 *
 * The one call back up is the session manager's Remove (a connection ends
 * early: a RST, a reused key, a timer), which the engine provides as
 * remove_conn. Not for use outside core/.
 */
#ifndef SMTPLOG_CORE_SERVICES_H
#define SMTPLOG_CORE_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"
#include "core/config.h"
#include "core/conn.h"
#include "core/log.h"
#include "core/timer.h"
#include "core/uid.h"

struct conn_log;
struct files;
struct sl_file;
struct outdir;
struct analyzer_pool;

enum timer_kind {
	TIMER_INACTIVITY,	/* Session::InactivityTimer */
	TIMER_TCP_EXPIRE,	/* TCPSessionAdapter::ExpireTimer */
	TIMER_TCP_ATTEMPT,	/* TCPSessionAdapter::AttemptTimer (runs at shutdown) */
	TIMER_TCP_DELETE,	/* TCPSessionAdapter::ConnDeleteTimer */
	TIMER_FILE,		/* file_analysis::FileTimer (owner: a struct sl_file) */
};

/* Zeek's session inactivity timeouts (init-bare.zeek). */
#define UDP_INACTIVITY_TIMEOUT 60.0
#define ICMP_INACTIVITY_TIMEOUT 60.0
#define UNKNOWN_IP_INACTIVITY_TIMEOUT 60.0
/* base/protocols/conn/inactivity.zeek for ports 21, 22, 23, 513/tcp. */
#define LONG_INACTIVITY_TIMEOUT 3600.0

/* Bad checksums by layer, in the order of enum engine_cksum (engine.h). */
enum { SERVICES_CKSUM_IP, SERVICES_CKSUM_TCP, SERVICES_CKSUM_UDP, SERVICES_CKSUM_KINDS };

/* The weirds a run raised, and what find-checksum-offloading's handlers
 * saw of the bad-checksum ones (after Zeek's sampling). */
struct services_weirds {
	uint64_t total;
	uint64_t bad_checksums[SERVICES_CKSUM_KINDS];
	uint64_t cksum_events[SERVICES_CKSUM_KINDS];
	uint64_t ip_cksum_weirds;	/* the IP weirds' global sampling count */
	double ip_cksum_sampling_start;
};

struct services {
	const struct config *cfg;			/* borrowed */
	const struct analyzer *const *analyzers;	/* NULL-terminated or NULL; borrowed */
	void *run_state[CONFIG_MAX_ANALYZERS];		/* per analyzer; owned by it */
	double network_time;
	struct timers timers;
	struct uid_gen uids;
	struct services_weirds weirds;
	/* The logs besides conn.log, as analyzers and file analysis open
	 * them: as many as core and the registry's descriptors name. */
	struct services_log {
		const struct log_schema *schema;
		struct log_stream *stream;	/* owned */
	} *logs;				/* owned, max_logs of them */
	size_t n_logs, max_logs;
	const struct log_writer_ops *writer;	/* borrowed */
	struct outdir *dir;			/* borrowed */
	int err;				/* the run's first error */
	const char *failed_log;			/* the log it concerns, or NULL */
	struct files *files;		/* the engine's; NULL without file analysis */
	const struct conn_log *conn_log;	/* the engine's: Site::local_nets */
	struct analyzer_pool *an_pool;		/* the engine's */
	struct analyzer_conn conn_view;		/* scratch for analyzer_conn() */
	/* Zeek's session_mgr->Remove: logs and frees the connection. */
	void (*remove_conn)(void *ctx, struct conn *c);
	void *remove_ctx;
};

/* The timers, UIDs (copied) and log table; false without memory (then
 * services_free still releases what was made). */
bool services_init(struct services *sv, const struct config *cfg, const struct uid_gen *uids,
		   const struct analyzer *const *analyzers, const struct log_writer_ops *writer,
		   struct outdir *dir);
/* Closes the logs and frees the timers and what analyzers keep. */
void services_free(struct services *sv);

/* ---- timers ---- */

/* Schedules a timer of the connection (a TCP one is cancelled by
 * services_cancel_tcp_timers). */
void services_add_timer(struct services *sv, struct conn *c, enum timer_kind kind, double when,
			bool run_at_shutdown);
/* Zeek's CancelTimers of the TCP analyzer: every timer but inactivity. */
void services_cancel_tcp_timers(struct services *sv, struct conn *c);
void services_set_inactivity_timeout(struct services *sv, struct conn *c, double timeout);
/* The file manager's timer contract (files_mode.timer_add/timer_cancel;
 * ctx is the services): a file's timers are TIMER_FILE ones, run at
 * shutdown too (FileTimer's expire pass). */
bool services_add_file_timer(void *ctx, struct sl_file *f, double when);
void services_cancel_file_timer(void *ctx, struct sl_file *f);
/* connection_established's handlers in the conn scripts. */
void services_connection_established(struct services *sv, struct conn *c);

/* ---- connections ---- */

void services_remove_conn(struct services *sv, struct conn *c);
/* The connection's UID, drawn now if it has none yet. */
const char *services_conn_uid(struct services *sv, struct conn *c);
/* Draws a UID from the connections' pool (an IP tunnel's). */
void services_new_uid(struct services *sv, char out[UID_TEXT_MAX]);
/* The connection as analyzers see it (valid until the next call). */
const struct analyzer_conn *services_analyzer_conn(struct services *sv, const struct conn *c);
/* Site::is_local_addr. */
bool services_addr_is_local(const struct services *sv, const struct sl_addr *a);
/* likely_server_ports: what the loaded analyzers and tunnels register. */
bool services_is_likely_server_port(const struct services *sv, uint8_t proto, uint16_t port);
/* ignore_checksums_nets holds src. */
bool services_checksum_ignored(const struct services *sv, const struct sl_addr *src);

/* ---- weirds ---- */

/* Zeek would write a weird.log line; until that log exists, weirds are
 * counted (and the bad-checksum ones sampled for find-checksum-offloading). */
void services_weird(struct services *sv, struct conn *c, const char *name);

/* ---- logs and errors ---- */

/* The stream of a log besides conn.log, made at its first use; NULL when
 * it cannot be (no memory, or more logs than declared). */
struct log_stream *services_log_stream(struct services *sv, const struct log_schema *schema);
/* A write to log_name failed with err; the run fails with the first. */
void services_log_failed(struct services *sv, int err, const char *log_name);
/* Out of memory: the run fails. */
void services_fail(struct services *sv);

/* ---- file analysis ---- */

/* files.log's stream, NULL without file analysis. */
struct log_stream *services_files_log(struct services *sv);
/* A file-analysis result: a negative errno fails the run (files.log). */
void services_files_result(struct services *sv, int rc);

/* ---- analyzers ---- */

/* The analyzer's options block in the config, or NULL. */
const void *services_analyzer_options(const struct services *sv, const struct analyzer *a);
/* Its slot for run-wide state, or NULL past the table's cap. */
void **services_run_state(struct services *sv, const struct analyzer *a);

#endif
