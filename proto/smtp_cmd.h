/*
 * Parsing of single SMTP lines: client commands (spec §2.2), server replies
 * (§2.3), the BDAT argument (§2.4.5) and the MAIL FROM:/RCPT TO: prefix
 * tests the SMTP script applies (§2.5). Stateless; results are views into
 * the caller's line.
 *
 *	struct smtp_request rq;
 *	if (smtp_cmd_parse(line.p, line.n, &rq) != SMTP_CMD_UNKNOWN) {
 *		queue_pending(rq.code);
 *		if (rq.word.n > 0 || rq.arg.n > 0)
 *			request_event(rq.name, rq.arg);   // rq.name is upper case
 *		if (rq.code == SMTP_CMD_BDAT) {
 *			struct smtp_bdat_arg ba;
 *			int st = smtp_bdat_arg_parse(rq.arg.p, rq.arg.n, &ba);
 *			if (st == SMTP_BDAT_ARG_OK) ... smtp_line_set_raw(&lf, ba.size);
 *			else weird(smtp_bdat_arg_weird(st), ba.error); // addl: see below
 *		}
 *	}
 *
 *	struct smtp_reply rp;
 *	if (smtp_reply_parse(line.p, line.n, &rp) < 0) violation();
 *	else last_reply = "<rp.code> <rp.text>";
 */
#ifndef SMTPLOG_PROTO_SMTP_CMD_H
#define SMTPLOG_PROTO_SMTP_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

/* Zeek's SMTP_Cmd codes, in SMTP_cmd.def order (the order matters only for
 * which entry a word is matched against first; none overlap). */
enum smtp_cmd {
	SMTP_CMD_UNKNOWN = -1,
	SMTP_CMD_EHLO = 0,
	SMTP_CMD_HELO,
	SMTP_CMD_MAIL,
	SMTP_CMD_RCPT,
	SMTP_CMD_DATA,
	SMTP_CMD_QUIT,
	SMTP_CMD_RSET,
	SMTP_CMD_VRFY,
	SMTP_CMD_EXPN,
	SMTP_CMD_HELP,
	SMTP_CMD_NOOP,
	SMTP_CMD_STARTTLS,
	SMTP_CMD_X_ANONYMOUSTLS,
	SMTP_CMD_CONN_ESTABLISHMENT, /* pseudo, but a client may send it */
	SMTP_CMD_END_OF_DATA,        /* pseudo, idem */
	SMTP_CMD_SEND,
	SMTP_CMD_SOML,
	SMTP_CMD_SAML,
	SMTP_CMD_TURN,
	SMTP_CMD_BDAT,
	SMTP_CMD_ETRN,
	SMTP_CMD_AUTH,
	SMTP_CMD_AUTH_ANSWER, /* pseudo, idem */
	SMTP_CMD_COUNT
};

/* The `cmd` Zeek passes to smtp_reply for a reply matched to `code`:
 * ">" for CONN_ESTABLISHMENT, "." for END_OF_DATA, "(UNKNOWN)" for
 * SMTP_CMD_UNKNOWN, else the table word (X_ANONYMOUSTLS, AUTH_ANSWER…). */
const char *smtp_cmd_reply_name(int code);

/* Request names Zeek uses for lines that are not parsed as commands. */
#define SMTP_REQUEST_END_OF_DATA "."
#define SMTP_REQUEST_AUTH_ANSWER "**" /* "***" with length 2, sic */

struct smtp_request {
	int code;          /* enum smtp_cmd */
	struct bytes word; /* the command word as sent */
	struct bytes arg;  /* after the word and any spaces/tabs */
	const char *name;  /* word upper-cased (static), NULL if unknown */
};

/* Splits a client line into word and argument and looks the word up
 * (case-insensitive, exact length). Returns rq->code. */
int smtp_cmd_parse(const uint8_t *line, size_t n, struct smtp_request *rq);

#define SMTP_REPLY_INVALID (-1)
#define SMTP_REPLY_CODE_MIN 100
#define SMTP_REPLY_CODE_MAX 599

struct smtp_reply {
	int code;          /* 100..599 */
	bool cont;         /* fourth byte is '-' */
	struct bytes text; /* after the code (and '-'), spaces/tabs skipped */
};

/* Returns the code, or SMTP_REPLY_INVALID (violation, no event) for lines
 * shorter than 3 bytes, non-digits, or codes outside 100..599. */
int smtp_reply_parse(const uint8_t *line, size_t n, struct smtp_reply *r);

/* True when the first word of a 250 reply to EHLO is PIPELINING. */
bool smtp_reply_is_pipelining(struct bytes text);

/* BDAT argument validation (Zeek's parse_bdat_arg + ProcessBdatArg). */
#define SMTP_BDAT_ARG_MAX_LEN 25 /* strlen("18446744073709551615 LAST") */

enum smtp_bdat_arg_status {
	SMTP_BDAT_ARG_OK = 0,
	SMTP_BDAT_ARG_BAD_LENGTH = -1, /* invalid: "BDAT argument bad length" */
	SMTP_BDAT_ARG_NO_SIZE = -2,    /* "BDAT not followed by a valid chunk-size" */
	SMTP_BDAT_ARG_BAD_SIZE = -3,   /* "BDAT chunk-size not valid" */
	SMTP_BDAT_ARG_TOO_LARGE = -4,  /* "BDAT chunk-size too large" */
	SMTP_BDAT_ARG_JUNK = -5,       /* "BDAT chunk-size followed by junk" */
	SMTP_BDAT_ARG_HUGE = -6,       /* > INT64_MAX: smtp_huge_bdat_chunk */
};

struct smtp_bdat_arg {
	uint64_t size;
	bool last;         /* " LAST" in any case */
	const char *error; /* addl of smtp_invalid_bdat_command, or NULL; for
			    * SMTP_BDAT_ARG_HUGE the addl is size as %PRIu64 */
};

int smtp_bdat_arg_parse(const uint8_t *arg, size_t n, struct smtp_bdat_arg *out);
/* "smtp_invalid_bdat_command", "smtp_huge_bdat_chunk", or NULL for OK. */
const char *smtp_bdat_arg_weird(int status);

/* The script's tests: /^[fF][rR][oO][mM]:/, /^[tT][oO]:/, and
 * ends_with(arg, " LAST") (case-sensitive, unlike the C++ side). */
bool smtp_arg_is_mail_from(struct bytes arg);
bool smtp_arg_is_rcpt_to(struct bytes arg);
bool smtp_arg_ends_with_last(struct bytes arg);

#endif
