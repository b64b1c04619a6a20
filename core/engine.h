/*
 * The engine: everything one run owns (connections, timers, fragments,
 * the conn.log stream) and the per-packet entry point.
 */
#ifndef SMTPLOG_CORE_ENGINE_H
#define SMTPLOG_CORE_ENGINE_H

#include <stdint.h>

#include "core/capture.h"
#include "core/config.h"
#include "core/log.h"

struct engine;

/* Bad checksums by layer, as Zeek's weirds name them. */
enum { ENGINE_CKSUM_IP, ENGINE_CKSUM_TCP, ENGINE_CKSUM_UDP, ENGINE_CKSUM_KINDS };

struct engine_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t connections;
	uint64_t weirds;
	uint64_t not_decoded;	/* dropped as damaged or not understood (not ARP & co.) */
	uint64_t not_ip;	/* ARP, LLDP and the like: nothing for conn.log */
	uint64_t bad_checksums[ENGINE_CKSUM_KINDS];
	/* base/misc/find-checksum-offloading's verdict: bit k set when Zeek
	 * would warn that layer k's checksums are likely offloaded. */
	unsigned checksum_warning;
	/* base/misc/find-filtered-trace's: TCP connections only, none of them
	 * with data (a capture filtered down to SYN/FIN/RST packets). */
	bool filtered_trace_warning;
};

struct analyzer;
struct outdir;
struct uid_gen;

/* The config, analyzer table (NULL-terminated, or NULL), writer and folder
 * are borrowed and must outlive the engine; the UID generator (seeded or
 * random) is copied. Logs are created (lazily) in `dir` through `writer`.
 * NULL on failure. */
struct engine *engine_new(const struct config *cfg, const struct uid_gen *uids,
			  const struct analyzer *const *analyzers,
			  const struct log_writer_ops *writer, struct outdir *dir);
/* One captured packet. Returns 0, or a negative errno when a log write
 * failed (the stream reports the details when it is closed). */
int engine_packet(struct engine *e, const struct capture_packet *cp);
/* End of input: shutdown timers, then every remaining connection in
 * Zeek's order. */
int engine_finish(struct engine *e);
/* The run so far (the weird counts brought up to date). */
const struct engine_stats *engine_stats(struct engine *e);

#define ENGINE_REPORT_LOGS 16

/* What engine_close_logs() tells about the logs. */
struct engine_close_report {
	const char *failed;	/* the first log or file that failed (owned by
				 * the engine), or NULL */
	char written[256];	/* logs written to, comma-separated: all cut
				 * short when the run stopped at an error */
	char unfinished[256];	/* logs whose final write or close failed */
	struct {
		char name[64];
		uint64_t records;
	} logs[ENGINE_REPORT_LOGS];	/* the logs written, in the order they were made */
	size_t n_logs;
	uint64_t extracted_files, extracted_bytes;
};

/* Closes every log. Returns 0 or the first error (the run's, or a
 * close's), and fills *rep. */
int engine_close_logs(struct engine *e, struct engine_close_report *rep);
void engine_free(struct engine *e);

#endif
