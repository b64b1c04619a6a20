#include "proto/smtp_options.h"

#include <string.h>

#include "core/optval.h"
#include "proto/mime.h"
#include "proto/smtp_addr.h"
#include "proto/smtp_line.h"

/* Zeek's 0 is "no limit": honoured, since the counter costs nothing. */
static int set_max_invalid(void *opts, const char *v, bool add, char *why, size_t cap)
{
	(void)why, (void)cap;
	uint64_t n;
	if (add || optval_count(v, &n) != 0)
		return -1;
	((struct smtp_options *)opts)->max_invalid_transactions = n == 0 ? SMTP_OPT_UNLIMITED : n;
	return 0;
}

static int set_validation(void *opts, const char *v, bool add, char *why, size_t cap)
{
	(void)why, (void)cap;
	bool on;
	if (add || optval_bool(v, &on) != 0)
		return -1;
	((struct smtp_options *)opts)->no_transaction_validation = !on;
	return 0;
}

#define MEMORY_BOUND "smtplog's memory bound, see README, Limits"

/* A count option of struct smtp_options within [1, hi]. */
static int set_count(size_t *slot, uint64_t hi, const char *v, bool add, char *why, size_t cap)
{
	uint64_t n;
	if (add || optval_count_in(v, 1, hi, MEMORY_BOUND, &n, why, cap) != 0)
		return -1;
	*slot = (size_t)n;
	return 0;
}

static int set_rcptto(void *o, const char *v, bool add, char *why, size_t cap)
{
	return set_count(&((struct smtp_options *)o)->max_rcptto, SMTP_ADDR_OPTION_MAX, v, add, why,
			 cap);
}

static int set_to(void *o, const char *v, bool add, char *why, size_t cap)
{
	return set_count(&((struct smtp_options *)o)->max_to, SMTP_ADDR_OPTION_MAX, v, add, why, cap);
}

static int set_cc(void *o, const char *v, bool add, char *why, size_t cap)
{
	return set_count(&((struct smtp_options *)o)->max_cc, SMTP_ADDR_OPTION_MAX, v, add, why, cap);
}

static int set_path(void *o, const char *v, bool add, char *why, size_t cap)
{
	return set_count(&((struct smtp_options *)o)->max_path, SMTP_ADDR_OPTION_MAX, v, add, why,
			 cap);
}

static int set_bdat_line(void *o, const char *v, bool add, char *why, size_t cap)
{
	return set_count(&((struct smtp_options *)o)->bdat_max_line, SMTP_LINE_MAX, v, add, why, cap);
}

static int set_mime_depth(void *o, const char *v, bool add, char *why, size_t cap)
{
	size_t n;
	if (set_count(&n, MIME_MAX_DEPTH, v, add, why, cap) != 0)
		return -1;
	((struct smtp_options *)o)->mime_max_depth = (unsigned)n;
	return 0;
}

static int set_mime_header(void *o, const char *v, bool add, char *why, size_t cap)
{
	return set_count(&((struct smtp_options *)o)->mime_max_header_bytes, MIME_MAX_HEADER_BYTES,
			 v, add, why, cap);
}

const struct analyzer_option smtp_options_table[] = {
    {"SMTP::max_invalid_mail_transactions",
     "count: stop SMTP analysis after more failed transactions (25; 0 = never)",
     set_max_invalid},
    {"SMTP::mail_transaction_validation",
     "T or F: check RCPT TO/DATA follow MAIL FROM/RCPT TO (T)", set_validation},
    {"SMTP::max_rcptto_addresses", "count 1-100000: rcptto addresses per message (1000)",
     set_rcptto},
    {"SMTP::max_to_addresses", "count 1-100000: to addresses per message (1000)", set_to},
    {"SMTP::max_cc_addresses", "count 1-100000: cc addresses per message (1000)", set_cc},
    {"SMTP::max_path_length", "count 1-100000: path entries per message (1000)", set_path},
    {"SMTP::bdat_max_line_length",
     "count 1-16777116: longest BDAT line before a forced break (4096)", set_bdat_line},
    {"MIME::max_depth", "count 1-100: MIME nesting analysed (100)", set_mime_depth},
    {"MIME::max_header_bytes", "count 1-65536: bytes of one MIME header kept (65536)",
     set_mime_header},
    {NULL, NULL, NULL},
};
