#include "proto/smtp_cmd.h"

#include <string.h>

/* Zeek's SMTP_cmd.def words, indexed by enum smtp_cmd. */
static const char *const cmd_words[SMTP_CMD_COUNT] = {
	"EHLO", "HELO", "MAIL", "RCPT", "DATA", "QUIT", "RSET", "VRFY",
	"EXPN", "HELP", "NOOP", "STARTTLS", "X_ANONYMOUSTLS",
	"CONN_ESTABLISHMENT", "END_OF_DATA", "SEND", "SOML", "SAML", "TURN",
	"BDAT", "ETRN", "AUTH", "AUTH_ANSWER",
};

/* The one word that cannot be a C identifier, checked before the table. */
static const char x_anonymoustls[] = "X-ANONYMOUSTLS";

const char *smtp_cmd_reply_name(int code)
{
	if (code == SMTP_CMD_CONN_ESTABLISHMENT)
		return ">";
	if (code == SMTP_CMD_END_OF_DATA)
		return ".";
	if (code < 0 || code >= SMTP_CMD_COUNT)
		return "(UNKNOWN)";
	return cmd_words[code];
}

int smtp_cmd_parse(const uint8_t *line, size_t n, struct smtp_request *rq)
{
	/* util::get_word: up to the first NUL or isspace byte. */
	size_t wlen = 0;
	while (wlen < n && line[wlen] != 0 && !ascii_is_space(line[wlen]))
		wlen++;
	/* util::skip_whitespace: spaces and tabs only. */
	size_t a = wlen + bytes_span(line + wlen, n - wlen, ASCII_BLANK);

	rq->word.p = line;
	rq->word.n = wlen;
	rq->arg.p = line + a;
	rq->arg.n = n - a;
	rq->code = SMTP_CMD_UNKNOWN;
	rq->name = NULL;

	if (bytes_ieq(line, wlen, x_anonymoustls)) {
		rq->code = SMTP_CMD_X_ANONYMOUSTLS;
		rq->name = x_anonymoustls;
		return rq->code;
	}
	for (int c = 0; c < SMTP_CMD_COUNT; c++) {
		if (bytes_ieq(line, wlen, cmd_words[c])) {
			rq->code = c;
			rq->name = cmd_words[c];
			break;
		}
	}
	return rq->code;
}

int smtp_reply_parse(const uint8_t *line, size_t n, struct smtp_reply *r)
{
	r->code = SMTP_REPLY_INVALID;
	r->cont = false;
	r->text.p = line;
	r->text.n = 0;
	if (n < 3 || !ascii_is_digit(line[0]) || !ascii_is_digit(line[1]) ||
	    !ascii_is_digit(line[2]))
		return SMTP_REPLY_INVALID;
	int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (code < SMTP_REPLY_CODE_MIN || code > SMTP_REPLY_CODE_MAX)
		return SMTP_REPLY_INVALID;

	size_t t = 3;
	if (n > 3 && line[3] == '-') {
		r->cont = true;
		t = 4;
	}
	t += bytes_span(line + t, n - t, ASCII_BLANK);
	r->code = code;
	r->text.p = line + t;
	r->text.n = n - t;
	return code;
}

bool smtp_reply_is_pipelining(struct bytes text)
{
	size_t w = 0;
	while (w < text.n && text.p[w] != 0 && !ascii_is_space(text.p[w]))
		w++;
	return bytes_ieq(text.p, w, "PIPELINING");
}

int smtp_bdat_arg_parse(const uint8_t *arg, size_t n, struct smtp_bdat_arg *out)
{
	out->size = 0;
	out->last = false;
	out->error = NULL;

	if (n == 0 || n > SMTP_BDAT_ARG_MAX_LEN) {
		out->error = "BDAT argument bad length";
		return SMTP_BDAT_ARG_BAD_LENGTH;
	}
	if (!ascii_is_digit(arg[0])) {
		out->error = "BDAT not followed by a valid chunk-size";
		return SMTP_BDAT_ARG_NO_SIZE;
	}

	/* strtoull over a NUL-terminated copy: digits, saturating. */
	uint64_t v = 0;
	bool overflow = false;
	size_t i = 0;
	for (; i < n && ascii_is_digit(arg[i]); i++) {
		unsigned d = (unsigned)(arg[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	/* An embedded NUL ends the copy's string for strtoull. */
	if (i < n && arg[i] != ' ' && arg[i] != 0) {
		out->error = "BDAT chunk-size not valid";
		return SMTP_BDAT_ARG_BAD_SIZE;
	}
	if (overflow) {
		out->error = "BDAT chunk-size too large";
		return SMTP_BDAT_ARG_TOO_LARGE;
	}
	out->size = v;

	if (i < n) {
		/* strncasecmp(rest, " LAST", 5) on the NUL-terminated copy. */
		bool is_last = n - i >= 5 && bytes_ieq(arg + i, 5, " LAST");
		out->last = is_last;
		if (!is_last || i + 5 != n) {
			out->error = "BDAT chunk-size followed by junk";
			return SMTP_BDAT_ARG_JUNK;
		}
	}

	if (v > (uint64_t)INT64_MAX)
		return SMTP_BDAT_ARG_HUGE;
	return SMTP_BDAT_ARG_OK;
}

const char *smtp_bdat_arg_weird(int status)
{
	if (status == SMTP_BDAT_ARG_OK)
		return NULL;
	if (status == SMTP_BDAT_ARG_HUGE)
		return "smtp_huge_bdat_chunk";
	return "smtp_invalid_bdat_command";
}

static bool prefix_nocase(struct bytes s, const char *pfx)
{
	size_t n = strlen(pfx);
	return s.n >= n && bytes_ieq(s.p, n, pfx);
}

bool smtp_arg_is_mail_from(struct bytes arg)
{
	return prefix_nocase(arg, "FROM:");
}

bool smtp_arg_is_rcpt_to(struct bytes arg)
{
	return prefix_nocase(arg, "TO:");
}

bool smtp_arg_ends_with_last(struct bytes arg)
{
	return arg.n >= 5 && memcmp(arg.p + arg.n - 5, " LAST", 5) == 0;
}
