/*
 * The SMTP analyzer's private parts, shared by its state machine
 * (smtp.c) and smtp.log's record and script handlers (smtp_log.c).
 * Nothing else includes this.
 */
#ifndef SMTPLOG_PROTO_SMTP_INT_H
#define SMTPLOG_PROTO_SMTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "core/siphash.h"
#include "core/strset.h"
#include "core/value.h"
#include "core/zset.h"
#include "proto/mime.h"
#include "proto/smtp.h"
#include "proto/smtp_line.h"
#include "proto/smtp_options.h"

/* ---- limits ---- */

#define SMTP_MAX_PENDING_CMDS  1000 /* SMTP_Analyzer's max_pending_cmd_q_size */
#define SMTP_MAX_INVALID_TRANS 25 /* SMTP::max_invalid_mail_transactions */
#define SMTP_FIELD_MAX         ((size_t)MIME_MAX_FIELD_BYTES) /* a header value, a command argument */
/* Insertions remembered per set (duplicates included, they can move
 * entries during a table remap). Far above what the 1000-element limits
 * let through in practice. */
#define SMTP_SET_HISTORY_MAX 200000
#define SMTP_MAX_FUIDS       100000

/* Zeek's SMTP_State. */
enum smtp_state {
	ST_CONNECTED,
	ST_INITIATED,
	ST_NOT_AVAILABLE,
	ST_READY,
	ST_MAIL_OK,
	ST_RCPT_OK,
	ST_IN_DATA,
	ST_IN_BDAT,
	ST_AFTER_DATA,
	ST_IN_AUTH,
	ST_IN_TLS,
	ST_QUIT,
	ST_AFTER_GAP,
	ST_GAP_RECOVERY,
};

/* ---- working storage ---- */

/*
 * Grow-only arrays the script's steps reuse, so that once they have grown
 * its messages allocate nothing for address lists, set orders or log
 * lines. One per run (the analyzer's run state, freed by run_free): steps
 * never overlap, and a connection must not keep them while it idles.
 */
struct smtp_scratch {
	struct strlist a, b;		/* find_all() results, their cleaned forms */
	size_t *order;			/* a set's print order */
	size_t order_cap;
	struct zset_elem *elems;	/* a set's elements for zset_order */
	size_t elems_cap;
	uint8_t *bytes;			/* one transformed address */
	size_t bytes_cap;
	struct log_value *values;	/* a log line's list items */
	size_t values_cap;
	size_t *line_order;		/* set orders while a line is built */
	size_t line_order_cap;
	bool grown;			/* SCRATCH's result */
};

/* ---- the smtp.log record (Zeek's SMTP::Info) ---- */

struct opt_str {
	bool present;
	struct buf v; /* owned */
};

struct smtp_rec {
	double ts;
	uint64_t trans_depth;
	struct opt_str helo, mailfrom, date, from, reply_to, msg_id, in_reply_to, subject;
	struct opt_str first_received, second_received, last_reply, user_agent;
	struct strset rcptto, to, cc;
	bool has_xoip;
	struct sl_addr xoip;
	struct sl_addr *path; /* owned */
	size_t n_path, cap_path;
	bool tls;
	struct strlist fuids;
	bool has_client_activity, process_smtp_headers;
	uint64_t entity_count;
};

/* ---- analyzer state ---- */

struct smtp {
	struct analyzer_ctx *ctx;

	/* Zeek's SMTP_Analyzer. */
	struct smtp_line lf[2]; /* [is_orig]: the ContentLine support analyzers */
	bool lines_removed;     /* STARTTLS removed them */
	enum smtp_state state;
	int first_cmd, last_replied_cmd, pending_reply;
	/* pending_cmd_q, a ring grown on demand up to SMTP_MAX_PENDING_CMDS
	 * (inline it would cost every port-25 connection 4 KB, SYN floods
	 * included); owned. */
	int *queue;
	size_t q_head, q_len, q_cap;
	bool orig_is_sender;
	struct mime_parser *mail; /* owned; NULL outside a message */
	bool mail_orig;
	bool bdat_on;
	struct smtp_bdat bdat;
	bool cur_file;            /* MIME_Mail's cur_entity_id is set */
	struct sl_file *file;     /* that entity's file (borrowed from core/files) */
	bool weird_nul, weird_cr; /* Connection::FlagEvent: once per connection */
	bool eof[2];
	bool remove_pending, removed;
	bool confirmed;

	/* The script's SMTP::State (c$smtp_state). */
	bool has_helo;
	struct buf helo; /* owned */
	uint64_t messages_transferred, mime_depth, invalid_transactions;
	bool trans_mail_from_seen, trans_rcpt_to_seen, bdat_last_observed;
	bool analyzer_id; /* c$smtp_state?$analyzer_id */

	/* c$smtp */
	bool has_rec;
	struct smtp_rec rec;

	struct smtp_run *run;         /* borrowed */
	struct smtp_scratch *scratch; /* the run's (borrowed) */
};

/* ---- what the analyzer keeps for the whole run ---- */

/* States of finished connections kept for reuse, at most: with them,
 * a new connection reuses the buffers an earlier one grew. */
#define SMTP_IDLE_MAX 16
/* A state whose buffers hold more than this is freed, not kept. */
#define SMTP_IDLE_STORAGE_MAX ((size_t)64 * 1024)

struct smtp_run {
	struct smtp_scratch scratch;
	struct siphash_key set_key;	/* the address sets' index: random */
	/* Connection states kept for the next connection, owned: state_recycle
	 * keeps their line, HELO and queue storage; their record's strings
	 * were freed already, when script_flush logged it. */
	struct smtp *idle[SMTP_IDLE_MAX];
	size_t n_idle;
	/* Parsers kept for the next message, owned; mime_reinit starts them
	 * afresh whether or not their last message ended. */
	struct mime_parser *idle_mail[SMTP_IDLE_MAX];
	size_t n_idle_mail;
};

/* ---- smtp_log.c: the record ---- */

void smtp_rec_init(struct smtp_rec *r);
void smtp_rec_free(struct smtp_rec *r);
/* Empties every field, keeping storage. */
void smtp_rec_reset(struct smtp_rec *r);
/* What the record's buffers hold, in bytes. */
size_t smtp_rec_storage(const struct smtp_rec *r);

/* ---- smtp_log.c: the script's handlers ---- */

/* The run's SMTP options, or Zeek's defaults. */
const struct smtp_options *smtp_opts(const struct smtp *s);
/* smtp_message(): writes the record if it saw client activity. */
void smtp_script_flush(struct smtp *s);
/* event smtp_request (main.zeek). */
void smtp_script_request(struct smtp *s, const char *cmd, struct bytes arg);
/* event smtp_reply, both priorities. */
void smtp_script_reply(struct smtp *s, int code, const char *cmd, struct bytes msg, bool cont);
/* event smtp_starttls. */
void smtp_script_starttls(struct smtp *s);
/* event analyzer_confirmation_info for SMTP. */
void smtp_script_confirmed(struct smtp *s);
/* A file for the current MIME entity (its first data, or a gap). */
void smtp_script_file_new(struct smtp *s);
/* MIME_Mail's events, to the script's mime_* handlers. */
extern const struct mime_callbacks smtp_mime_callbacks;

#endif
