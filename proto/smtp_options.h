/*
 * The options of Zeek's SMTP and MIME scripts that smtplog honours
 * (NAME=VALUE), as the SMTP analyzer's options block. Zero everywhere is
 * Zeek's default, the value of the analyzer's own constant, so that a
 * zeroed block (or none) needs no setup; SMTP_OPT_UNLIMITED is a Zeek 0
 * ("no limit") where smtplog can honour one. Values that would let a
 * capture grow memory past what the Limits table promises are refused.
 */
#ifndef SMTPLOG_PROTO_SMTP_OPTIONS_H
#define SMTPLOG_PROTO_SMTP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"

#define SMTP_OPT_UNLIMITED UINT64_MAX

struct smtp_options {
	uint64_t max_invalid_transactions;	/* SMTP::max_invalid_mail_transactions */
	bool no_transaction_validation;		/* SMTP::mail_transaction_validation = F */
	size_t max_rcptto, max_to, max_cc;	/* SMTP::max_{rcptto,to,cc}_addresses */
	size_t max_path;			/* SMTP::max_path_length */
	size_t bdat_max_line;			/* SMTP::bdat_max_line_length */
	unsigned mime_max_depth;		/* MIME::max_depth */
	size_t mime_max_header_bytes;		/* MIME::max_header_bytes */
};

/* NULL-name terminated, for the descriptor. */
extern const struct analyzer_option smtp_options_table[];

#endif
