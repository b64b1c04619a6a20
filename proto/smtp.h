/*
 * The SMTP analyzer (spec §2) and smtp.log. Zeek's SMTP_Analyzer (the
 * command/reply state machine, DATA and BDAT transfer, STARTTLS, gaps) in
 * smtp.c, and the event handlers of base/protocols/smtp (main, entities,
 * files) that turn its events into smtp.log lines in smtp_log.c.
 *
 * Zeek queues the analyzer's events and runs the script handlers after
 * each packet, except that file creation drains the queue first. Running
 * each handler at the moment its event is raised is therefore equivalent:
 * nothing on the C++ side reads script state except the file handle,
 * which sees every earlier event handled. So the analyzer calls the
 * "script" functions directly where Zeek would raise the event.
 *
 * Exported for core's analyzer table (cmd/ wires it) and, below, a few
 * pure helpers exposed for tests.
 */
#ifndef SMTPLOG_PROTO_SMTP_H
#define SMTPLOG_PROTO_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"
#include "core/log.h"
#include "core/uid.h"

extern const struct analyzer smtp_analyzer;

/* smtp.log's columns, bare mode (§2.7; is_webmail is local mode only). */
extern const struct log_schema smtp_schema;

/* The SMTP file handle (§3.9): "Analyzer::ANALYZER_SMTP" + start time +
 * trans_depth + "" + mime_depth. Returns the length (truncated to cap-1). */
size_t smtp_file_handle(double start_time, uint64_t trans_depth, uint64_t mime_depth, char *out,
			size_t cap);

/* The file ID of that handle (uid_file_id). */
void smtp_file_id(const struct uid_gen *uids, double start_time, uint64_t trans_depth,
		  uint64_t mime_depth, char out[UID_TEXT_MAX]);

/* The DPD signatures of §1.4: dpd_smtp_server over the responder's
 * stream, dpd_smtp_client over the originator's. */
bool smtp_dpd_server(const uint8_t *p, size_t n);
bool smtp_dpd_client(const uint8_t *p, size_t n);

#endif
