/*
 * The analyzer contract: what a protocol analyzer (proto/) implements and
 * what core offers it back. Core declares it, proto/ implements it, cmd/
 * wires the table into the engine (STYLE.md: includes point into core).
 *
 * Core attaches an analyzer to a TCP connection by the responder port or
 * by its DPD signature, feeds it the reassembled byte stream of each
 * direction in order, tells it about content gaps and end of data, and
 * calls finish() when the connection is removed (before conn.log is
 * written), then destroy(). A datagram analyzer (UDP) is attached the same
 * way, by its UDP ports or its per-packet signature, and gets each
 * datagram's payload with its direction, as Zeek's UDP analyzers do.
 */
#ifndef SMTPLOG_CORE_ANALYZER_H
#define SMTPLOG_CORE_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/value.h"

struct config;

struct analyzer_ctx;	/* one analyzer instance on one connection; owned by core */
struct uid_gen;
struct files;
struct files_type_analyzer;

/*
 * A Zeek script smtplog accepts: what loading it turns on. Core lists its
 * own (core_scripts), each analyzer those of its protocol.
 */
struct analyzer_script {
	const char *name;	/* "base/protocols/smtp": the long form Zeek resolves to */
	unsigned bits;		/* config script bits: its own, and those of what it @loads */
	const char *help;	/* its --help-scripts row */
	bool default_mode;	/* loaded by Zeek's default mode (base/init-default) */
	/* The log Zeek writes for it that smtplog does not ("weird.log"), or
	 * NULL: loading it by name then warns that the log is missing. */
	const char *unwritten_log;
};

/* Core's scripts (conn.log, file analysis): NULL-name terminated. */
extern const struct analyzer_script core_scripts[];
/* The logs core writes itself, NULL-terminated (conn.log, files.log). */
extern const char *const core_logs[];

/*
 * A NAME=VALUE option of an analyzer's scripts ("SMTP::max_rcptto_addresses"),
 * kept in the analyzer's own options block (struct config's
 * analyzer_options, made by cmd/ with options_init).
 */
struct analyzer_option {
	const char *name;
	const char *help;	/* its --help-options row */
	/* Parses value (NAME+=VALUE: add) into opts. 0, or -1 for a bad
	 * value, with why[] saying what is expected when there is more to say
	 * than "bad value". */
	int (*set)(void *opts, const char *value, bool add, char *why, size_t cap);
};

struct analyzer {
	const char *name;		/* Zeek's analyzer name ("SMTP"); service is its lower case */
	unsigned script;		/* config script bit that loads it (enum config_script) */
	/* The scripts of its protocol, NULL-name terminated (or NULL). */
	const struct analyzer_script *scripts;
	/* The logs it writes, as file names ("smtp.log"), NULL-terminated
	 * (or NULL): what --force replaces, and the engine's log table. */
	const char *const *logs;
	/* Its script makes Zeek's file analysis run (files.log, hashes,
	 * extraction) when loaded. */
	bool uses_files;
	/* Its script handles connection_state_remove, so Zeek draws the
	 * connection's UID at removal at the latest. */
	bool uid_at_removal;
	/* MIME types it gives files itself, besides content detection
	 * (certificates), NULL-terminated (or NULL): for the check of -x. */
	const char *const *file_types;
	/* The file analyzer its scripts attach by MIME type (X509), or NULL;
	 * and whether its files get files.log lines in this run, given the
	 * analyzer's options block (NULL: Zeek's defaults), as its
	 * Files::log_policy hook decides. */
	const struct files_type_analyzer *file_attach;
	bool (*file_attach_logged)(const void *opts);
	/* Its scripts' options, NULL-name terminated (or NULL), in a block of
	 * options_size bytes that options_init fills with Zeek's defaults. */
	const struct analyzer_option *options;
	size_t options_size;
	void (*options_init)(void *opts);
	const uint16_t *tcp_ports;	/* registered responder ports */
	size_t n_tcp_ports;
	/*
	 * DPD: given what the PIA buffered of each direction so far (at most
	 * ANALYZER_DPD_BUFFER bytes in all), true when the analyzer's
	 * signatures fire. NULL: port attachment only.
	 */
	bool (*dpd_match)(const uint8_t *orig, size_t orig_n, const uint8_t *resp,
			  size_t resp_n);
	/*
	 * Returns the analyzer's state, or NULL on allocation failure. Called
	 * when the connection's stream first has input (data, a gap or its
	 * end), not at connection creation: an analyzer that would see no
	 * input is never created and never finished, so create() must have
	 * no effect beyond its own state.
	 */
	void *(*create)(struct analyzer_ctx *ctx);
	/*
	 * Datagrams (UDP): the registered responder ports; the signature,
	 * matched on one datagram's payload at a time (Zeek's PIA_UDP clears
	 * the match state after each packet), NULL for ports only; and the
	 * delivery of one datagram's payload (valid during the call only).
	 * An analyzer without deliver_packet is never attached to UDP.
	 */
	const uint16_t *udp_ports;
	size_t n_udp_ports;
	bool (*dpd_match_packet)(const uint8_t *data, size_t len, bool is_orig);
	void (*deliver_packet)(void *state, bool is_orig, const uint8_t *data, size_t len);
	/* In-order stream bytes of one direction; valid during the call only. */
	void (*deliver)(void *state, bool is_orig, const uint8_t *data, size_t len);
	/* A content gap of len bytes in one direction (Zeek's Undelivered). */
	void (*gap)(void *state, bool is_orig, uint64_t len);
	/* One direction has no more data (Zeek's EndpointEOF). */
	void (*eof)(void *state, bool is_orig);
	/* The connection is being removed: end what is open, write what is
	 * pending. Called once, before destroy. */
	void (*finish)(void *state);
	void (*destroy)(void *state);
	/* Frees what the analyzer keeps for the whole run in its
	 * analyzer_run_state() slot; called once at the end. May be NULL. */
	void (*run_free)(void *run_state);
};

/* Analyzers one connection can hold: a registry must not list more
 * (proto/registry.c asserts it), or some would never attach. */
#define ANALYZER_MAX_PER_CONN 8

/* Zeek's dpd_buffer_size: what the PIA keeps of both directions together. */
#define ANALYZER_DPD_BUFFER 1024
/* Zeek's dpd_max_packets. */
#define ANALYZER_DPD_MAX_DELIVERIES 100

/* The connection as analyzers see it (roles after any flips). */
struct analyzer_conn {
	struct sl_addr orig_h, resp_h;
	uint16_t orig_p, resp_p;
	double start_time;	/* the first packet's time */
};

/* ---- what core offers an analyzer ---- */

const struct analyzer_conn *analyzer_conn(const struct analyzer_ctx *ctx);
/* Site::is_local_addr: Site::local_nets, with the private address space
 * unless Site::private_address_space_is_local is F. */
bool analyzer_addr_is_local(const struct analyzer_ctx *ctx, const struct sl_addr *a);
/* The run's configuration (script options an analyzer honours). */
const struct config *analyzer_config(const struct analyzer_ctx *ctx);
/* The analyzer's own options block (see struct analyzer_option), or NULL
 * when the run has none for it (then Zeek's defaults apply). */
const void *analyzer_options(const struct analyzer_ctx *ctx);
/* Network time: the time stamped on the events Zeek would raise now. */
double analyzer_time(const struct analyzer_ctx *ctx);
/* The connection UID, drawn now if the connection has none yet (Zeek
 * draws it when the first event with a handler is raised). */
const char *analyzer_uid(struct analyzer_ctx *ctx);
/* The run's UID generator: file IDs (uid_file_id) and set order (zset). */
const struct uid_gen *analyzer_uids(const struct analyzer_ctx *ctx);
/* The stream for a log schema; created on first use, lazily opened. NULL
 * when the log cannot be created (out of memory). */
struct log_stream *analyzer_log(struct analyzer_ctx *ctx, const struct log_schema *schema);
/* The run's file analysis (core/files.h) and its files.log stream; NULL
 * when no loaded script analyses files. */
struct files *analyzer_files(struct analyzer_ctx *ctx);
struct log_stream *analyzer_files_log(struct analyzer_ctx *ctx);
/* Records a log write failure so that the run ends with exit status 3. */
void analyzer_log_failed(struct analyzer_ctx *ctx, int err, const char *log_name);

/* A slot for state an analyzer keeps across connections for the whole
 * run (what Zeek keeps in script globals, e.g. the known-certificates
 * set); *slot is NULL until the analyzer stores something; freed by
 * run_free. The slot itself is NULL only for an analyzer beyond the
 * engine's table. */
void **analyzer_run_state(struct analyzer_ctx *ctx);

/* Protocol confirmed: adds the analyzer's name to conn.log's service (once). */
void analyzer_confirm(struct analyzer_ctx *ctx);
/* Protocol violation (Zeek's rules: ignored after 10 240 bytes; otherwise
 * the analyzer is removed and its service name taken back). */
void analyzer_violation(struct analyzer_ctx *ctx, const char *reason);
/* A weird; `limit` ones also append X to the connection's history. */
void analyzer_weird(struct analyzer_ctx *ctx, const char *name, bool limit);
/*
 * Hands the connection over to the analyzer called `name` (e.g. "SSL"
 * after STARTTLS), which gets every byte delivered from now on. Nothing
 * happens if that analyzer is unknown, its script is not loaded, or it is
 * already attached. Designed for any protocol's STARTTLS.
 */
void analyzer_handover(struct analyzer_ctx *ctx, const char *name);
/* The analyzer asks to be removed (a script's disable_analyzer): no more
 * input; finish() is still called at connection removal. */
void analyzer_remove(struct analyzer_ctx *ctx);

#endif
