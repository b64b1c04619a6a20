#include <inttypes.h>
#include <string.h>

#include "proto/smtp_cmd.h"
#include "tests/check.h"

static int parse(const char *line, struct smtp_request *rq)
{
	return smtp_cmd_parse((const uint8_t *)line, strlen(line), rq);
}

static struct bytes B(const char *s)
{
	struct bytes b = {(const uint8_t *)s, strlen(s)};
	return b;
}

static void test_commands(void)
{
	struct smtp_request rq;
	CHECK(parse("EHLO [192.168.133.100]", &rq) == SMTP_CMD_EHLO);
	CHECK_STR(rq.name, "EHLO");
	CHECK_BYTES(rq.arg.p, rq.arg.n, "[192.168.133.100]");

	CHECK(parse("mail FROM:<albert@example.com>", &rq) == SMTP_CMD_MAIL);
	CHECK_STR(rq.name, "MAIL");
	CHECK_BYTES(rq.word.p, rq.word.n, "mail");
	CHECK_BYTES(rq.arg.p, rq.arg.n, "FROM:<albert@example.com>");

	/* Spaces and tabs skipped, trailing whitespace kept. */
	CHECK(parse("RcPt \t TO:<a@b> \t", &rq) == SMTP_CMD_RCPT);
	CHECK_BYTES(rq.arg.p, rq.arg.n, "TO:<a@b> \t");

	/* EHLO with no argument. */
	CHECK(parse("EHLO", &rq) == SMTP_CMD_EHLO);
	CHECK(rq.arg.n == 0);

	/* Each recognized word, any case. */
	const char *words[] = {"EHLO", "HELO", "MAIL", "RCPT", "DATA", "QUIT", "RSET", "VRFY",
			       "EXPN", "HELP", "NOOP", "STARTTLS", "SEND", "SOML", "SAML", "TURN",
			       "BDAT", "ETRN", "AUTH"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		char low[32];
		size_t n = strlen(words[i]);
		for (size_t k = 0; k <= n; k++)
			low[k] = (char)(words[i][k] >= 'A' && words[i][k] <= 'Z'
						? words[i][k] + 32 : words[i][k]);
		CHECK(parse(low, &rq) >= 0);
		CHECK_STR(rq.name, words[i]);
	}

	/* X-ANONYMOUSTLS and the pseudo-names. */
	CHECK(parse("x-anonymoustls", &rq) == SMTP_CMD_X_ANONYMOUSTLS);
	CHECK_STR(rq.name, "X-ANONYMOUSTLS");
	CHECK(parse("X_AnonymousTLS", &rq) == SMTP_CMD_X_ANONYMOUSTLS);
	CHECK_STR(rq.name, "X_ANONYMOUSTLS");
	CHECK(parse("conn_establishment x", &rq) == SMTP_CMD_CONN_ESTABLISHMENT);
	CHECK_STR(rq.name, "CONN_ESTABLISHMENT");
	CHECK(parse("END_OF_DATA", &rq) == SMTP_CMD_END_OF_DATA);
	CHECK(parse("auth_answer abc", &rq) == SMTP_CMD_AUTH_ANSWER);
	CHECK_STR(rq.name, "AUTH_ANSWER");
	CHECK(parse("LAST", &rq) == SMTP_CMD_UNKNOWN);

	/* Unknown words: exact length, no prefixes. */
	CHECK(parse("XCLIENT NAME=x", &rq) == SMTP_CMD_UNKNOWN);
	CHECK(rq.name == NULL);
	CHECK(parse("LHLO x", &rq) == SMTP_CMD_UNKNOWN);
	CHECK(parse("MAIL:", &rq) == SMTP_CMD_UNKNOWN);
	CHECK(parse("MAI", &rq) == SMTP_CMD_UNKNOWN);
	CHECK(parse("MAILS FROM:<a@b>", &rq) == SMTP_CMD_UNKNOWN);
	CHECK(parse("X-ANONYMOUSTLSX", &rq) == SMTP_CMD_UNKNOWN);
	CHECK(parse("", &rq) == SMTP_CMD_UNKNOWN);
	/* Leading space: empty word. */
	CHECK(parse(" MAIL FROM:<a@b>", &rq) == SMTP_CMD_UNKNOWN);
	CHECK(rq.word.n == 0);
	CHECK_BYTES(rq.arg.p, rq.arg.n, "MAIL FROM:<a@b>");

	/* The word ends at any isspace byte or NUL; the argument skips only
	 * spaces and tabs. */
	CHECK(parse("QUIT\x0b" "x", &rq) == SMTP_CMD_QUIT);
	CHECK_BYTES(rq.arg.p, rq.arg.n, "\x0b" "x");
	static const uint8_t nul[] = {'D', 'A', 'T', 'A', 0, 'x'};
	CHECK(smtp_cmd_parse(nul, sizeof nul, &rq) == SMTP_CMD_DATA);
	CHECK(rq.arg.n == 2 && rq.arg.p[0] == 0);
	/* 8-bit bytes are not letters. */
	CHECK(parse("DAT\xc1", &rq) == SMTP_CMD_UNKNOWN);

	CHECK_STR(smtp_cmd_reply_name(SMTP_CMD_CONN_ESTABLISHMENT), ">");
	CHECK_STR(smtp_cmd_reply_name(SMTP_CMD_END_OF_DATA), ".");
	CHECK_STR(smtp_cmd_reply_name(SMTP_CMD_UNKNOWN), "(UNKNOWN)");
	CHECK_STR(smtp_cmd_reply_name(SMTP_CMD_X_ANONYMOUSTLS), "X_ANONYMOUSTLS");
	CHECK_STR(smtp_cmd_reply_name(SMTP_CMD_AUTH_ANSWER), "AUTH_ANSWER");
	CHECK_STR(smtp_cmd_reply_name(SMTP_CMD_BDAT), "BDAT");
}

static int reply(const char *line, struct smtp_reply *r)
{
	return smtp_reply_parse((const uint8_t *)line, strlen(line), r);
}

/* last_reply as the script formats it: "%d %s". */
static void last_reply(const struct smtp_reply *r, char *out, size_t cap)
{
	snprintf(out, cap, "%d %.*s", r->code, (int)r->text.n, (const char *)r->text.p);
}

static void test_replies(void)
{
	struct smtp_reply r;
	char lr[256];
	CHECK(reply("250 OK id=1Mugho-0003Dg-Un", &r) == 250);
	CHECK(!r.cont);
	last_reply(&r, lr, sizeof lr);
	CHECK_STR(lr, "250 OK id=1Mugho-0003Dg-Un");

	CHECK(reply("250-SIZE 5", &r) == 250 && r.cont);
	last_reply(&r, lr, sizeof lr);
	CHECK_STR(lr, "250 SIZE 5");

	CHECK(reply("250", &r) == 250 && !r.cont);
	last_reply(&r, lr, sizeof lr);
	CHECK_STR(lr, "250 ");

	CHECK(reply("250-", &r) == 250 && r.cont && r.text.n == 0);
	CHECK(reply("220 \t 2.0.0 Ready to start TLS", &r) == 220);
	last_reply(&r, lr, sizeof lr);
	CHECK_STR(lr, "220 2.0.0 Ready to start TLS");
	CHECK(reply("521 5.5.4 Syntax: BDAT count [LAST]", &r) == 521);
	CHECK(reply("250 2.0.0 Ok: 86 bytes queued as 1E2891CA025", &r) == 250);
	CHECK(reply("500 unrecognized command", &r) == 500);
	/* No separator needed; text starts after the code. */
	CHECK(reply("250OK", &r) == 250);
	CHECK_BYTES(r.text.p, r.text.n, "OK");
	/* Trailing whitespace kept. */
	CHECK(reply("354 go ahead ", &r) == 354);
	CHECK_BYTES(r.text.p, r.text.n, "go ahead ");

	CHECK(reply("100 x", &r) == 100);
	CHECK(reply("599 x", &r) == 599);
	CHECK(reply("099 x", &r) == SMTP_REPLY_INVALID);
	CHECK(reply("600 x", &r) == SMTP_REPLY_INVALID);
	CHECK(reply("000", &r) == SMTP_REPLY_INVALID);
	CHECK(reply("25", &r) == SMTP_REPLY_INVALID);
	CHECK(reply("", &r) == SMTP_REPLY_INVALID);
	CHECK(reply("2a0 x", &r) == SMTP_REPLY_INVALID);
	CHECK(reply(" 250 x", &r) == SMTP_REPLY_INVALID);

	CHECK(smtp_reply_is_pipelining(B("PIPELINING")));
	CHECK(smtp_reply_is_pipelining(B("pipelining extra")));
	CHECK(!smtp_reply_is_pipelining(B("PIPELININGX")));
	CHECK(!smtp_reply_is_pipelining(B("SIZE 5")));
	CHECK(!smtp_reply_is_pipelining(B("")));
}

static int bdat(const char *arg, struct smtp_bdat_arg *a)
{
	return smtp_bdat_arg_parse((const uint8_t *)arg, strlen(arg), a);
}

static void test_bdat_arg(void)
{
	struct smtp_bdat_arg a;
	/* Zeek's BDAT.cc unit cases. */
	CHECK(bdat("86 LAST", &a) == SMTP_BDAT_ARG_OK && a.size == 86 && a.last);
	CHECK(bdat("86 last", &a) == SMTP_BDAT_ARG_OK && a.last);
	CHECK(bdat("86 LaSt", &a) == SMTP_BDAT_ARG_OK && a.last);
	CHECK(bdat("86", &a) == SMTP_BDAT_ARG_OK && a.size == 86 && !a.last);
	CHECK(a.error == NULL);
	CHECK(bdat(" 86 LAST", &a) == SMTP_BDAT_ARG_NO_SIZE);
	CHECK_STR(a.error, "BDAT not followed by a valid chunk-size");
	CHECK(bdat("scramble LAST", &a) == SMTP_BDAT_ARG_NO_SIZE);
	CHECK(bdat("86LAST", &a) == SMTP_BDAT_ARG_BAD_SIZE);
	CHECK_STR(a.error, "BDAT chunk-size not valid");
	CHECK(bdat("86 SCRAMBLE", &a) == SMTP_BDAT_ARG_JUNK);
	CHECK_STR(a.error, "BDAT chunk-size followed by junk");
	CHECK(bdat("86 LASTSCRAMBLE", &a) == SMTP_BDAT_ARG_JUNK);
	CHECK(bdat("86 LAS", &a) == SMTP_BDAT_ARG_JUNK);
	CHECK(bdat("86 ", &a) == SMTP_BDAT_ARG_JUNK);
	CHECK(bdat("86  LAST", &a) == SMTP_BDAT_ARG_JUNK);
	CHECK(bdat("86 LAST ", &a) == SMTP_BDAT_ARG_JUNK);
	CHECK(bdat("15555555557777777777", &a) == SMTP_BDAT_ARG_HUGE);
	CHECK(a.size == UINT64_C(15555555557777777777));
	CHECK(a.error == NULL);
	CHECK_STR(smtp_bdat_arg_weird(SMTP_BDAT_ARG_HUGE), "smtp_huge_bdat_chunk");
	CHECK(bdat("184467440737095516150", &a) == SMTP_BDAT_ARG_TOO_LARGE);
	CHECK_STR(a.error, "BDAT chunk-size too large");
	CHECK(bdat("18446744073709551616", &a) == SMTP_BDAT_ARG_TOO_LARGE);
	CHECK(bdat("-42 LAST", &a) == SMTP_BDAT_ARG_NO_SIZE);
	CHECK(bdat("+42", &a) == SMTP_BDAT_ARG_NO_SIZE);
	CHECK(bdat("18446744073709551615 LAST", &a) == SMTP_BDAT_ARG_HUGE);
	CHECK(a.size == UINT64_MAX && a.last);
	CHECK(bdat("184467440737095516150 LAST", &a) == SMTP_BDAT_ARG_BAD_LENGTH);
	CHECK_STR(a.error, "BDAT argument bad length");
	CHECK(bdat("", &a) == SMTP_BDAT_ARG_BAD_LENGTH);
	CHECK_STR(smtp_bdat_arg_weird(SMTP_BDAT_ARG_BAD_LENGTH), "smtp_invalid_bdat_command");
	CHECK(smtp_bdat_arg_weird(SMTP_BDAT_ARG_OK) == NULL);
	/* Boundary of int64. */
	CHECK(bdat("9223372036854775807", &a) == SMTP_BDAT_ARG_OK);
	CHECK(a.size == INT64_MAX);
	CHECK(bdat("9223372036854775808 LAST", &a) == SMTP_BDAT_ARG_HUGE);
	/* Length 25 with leading zeros is fine; 26 is not. */
	CHECK(bdat("0000000000000000086 LAST", &a) == SMTP_BDAT_ARG_OK && a.size == 86);
	CHECK(bdat("00000000000000000000086 LAST", &a) == SMTP_BDAT_ARG_BAD_LENGTH);
	CHECK(bdat("0 LAST", &a) == SMTP_BDAT_ARG_OK && a.size == 0 && a.last);
	/* Embedded NUL after the digits: junk (strncasecmp sees the NUL). */
	static const uint8_t nul[] = {'8', '6', 0, 'L'};
	CHECK(smtp_bdat_arg_parse(nul, sizeof nul, &a) == SMTP_BDAT_ARG_JUNK);
	CHECK(bdat("86\tLAST", &a) == SMTP_BDAT_ARG_BAD_SIZE);

	/* Script-side " LAST" test is case-sensitive. */
	CHECK(smtp_arg_ends_with_last(B("86 LAST")));
	CHECK(!smtp_arg_ends_with_last(B("86 last")));
	CHECK(!smtp_arg_ends_with_last(B("LAST")));
}

static void test_prefixes(void)
{
	CHECK(smtp_arg_is_mail_from(B("FROM:<a@b>")));
	CHECK(smtp_arg_is_mail_from(B("From:<a@b> BODY=8BITMIME SIZE=4333")));
	CHECK(smtp_arg_is_mail_from(B("fRoM:")));
	CHECK(!smtp_arg_is_mail_from(B("FROM :<a@b>")));
	CHECK(!smtp_arg_is_mail_from(B(" FROM:<a@b>")));
	CHECK(!smtp_arg_is_mail_from(B("FROM")));
	CHECK(!smtp_arg_is_mail_from(B("")));
	CHECK(smtp_arg_is_rcpt_to(B("TO:<a@b>")));
	CHECK(smtp_arg_is_rcpt_to(B("to: <a@b>")));
	CHECK(!smtp_arg_is_rcpt_to(B("TO <a@b>")));
	CHECK(!smtp_arg_is_rcpt_to(B("T:")));
}

int main(void)
{
	test_commands();
	test_replies();
	test_bdat_arg();
	test_prefixes();
	return check_summary();
}
