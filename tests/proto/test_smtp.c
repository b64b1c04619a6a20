#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/files.h"
#include "core/uid.h"
#include "proto/smtp.h"
#include "tests/check.h"

static void test_format_time(void)
{
	char t[FILES_HANDLE_TIME_MAX];
	CHECK(files_handle_time(1400168396.806010, t) == 16);
	CHECK_STR(t, "1400168396.80601");
	files_handle_time(1400000000.0, t);
	CHECK_STR(t, "1400000000.0");
	files_handle_time(1254722767.529046, t);
	CHECK_STR(t, "1254722767.529046");
	files_handle_time(1776224521.168053, t);
	CHECK_STR(t, "1776224521.168053");
	files_handle_time(0.5, t);
	CHECK_STR(t, "0.5");
	files_handle_time(0.0, t);
	CHECK_STR(t, "0.0");
	/* Rounds to 6 decimals; an integral result gets ".0". */
	files_handle_time(100.0000001, t);
	CHECK_STR(t, "100");
	files_handle_time(12.9999999, t);
	CHECK_STR(t, "13");
}

static void test_file_handle(void)
{
	char h[128];
	size_t n = smtp_file_handle(1254722767.529046, 1, 3, h, sizeof h);
	CHECK_BYTES(h, n, "Analyzer::ANALYZER_SMTP1254722767.52904613");
	n = smtp_file_handle(1400000000.0, 2, 15, h, sizeof h);
	CHECK_BYTES(h, n, "Analyzer::ANALYZER_SMTP1400000000.0215");
}

static void test_file_ids(void)
{
	static const uint32_t zero[UID_SEED_WORDS];
	struct uid_gen g;
	CHECK(uid_gen_init_seeds(&g, zero) == 0);
	char id[UID_TEXT_MAX];
	/* smtp.pcap's three files (spec §3.9). */
	smtp_file_id(&g, 1254722767.529046, 1, 3, id);
	CHECK_STR(id, "FmFp351N5nhsMmAfQg");
	smtp_file_id(&g, 1254722767.529046, 1, 4, id);
	CHECK_STR(id, "Fqrb1K5DWEfgy4WU2");
	smtp_file_id(&g, 1254722767.529046, 1, 5, id);
	CHECK_STR(id, "FEFYSd1s8Onn9LynKj");
	/* The BDAT gap file. */
	smtp_file_id(&g, 1776224521.168053, 1, 1, id);
	CHECK_STR(id, "FUN47s4fXOAvEbGCJj");
	/* Same with the raw handle. */
	const char *handle = "Analyzer::ANALYZER_SMTP1254722767.52904615";
	uid_file_id(&g, handle, strlen(handle), id);
	CHECK_STR(id, "FEFYSd1s8Onn9LynKj");
}

static bool srv(const char *s)
{
	return smtp_dpd_server((const uint8_t *)s, strlen(s));
}

static bool cli(const char *s)
{
	return smtp_dpd_client((const uint8_t *)s, strlen(s));
}

/* The client pattern as first written: every line start skips its
 * whitespace afresh (quadratic on "\r\n\r\n..."). */
static bool cli_ref(const uint8_t *p, size_t n)
{
	for (size_t start = 0; start <= n; start++) {
		if (start > 0 && p[start - 1] != '\r' && p[start - 1] != '\n')
			continue;
		size_t i = start;
		while (i < n && isspace(p[i]))
			i++;
		if (n - i >= 4 && (strncasecmp((const char *)p + i, "helo", 4) == 0 ||
				   strncasecmp((const char *)p + i, "ehlo", 4) == 0))
			return true;
	}
	return false;
}

static void test_dpd_client_same(void)
{
	static const char *const tok[] = {"\r", "\n",   " ",    "\t",  "\v",
					  "x",  "helo", "EhLo", "ehl", "\r\n"};
	uint64_t r = 0x647064;
	uint8_t s[64];
	int same = 0, hits = 0;
	for (int k = 0; k < 200000; k++) {
		size_t n = 0, len = (size_t)(k % 48);
		while (n < len) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			const char *t = tok[(r >> 33) % 10];
			memcpy(s + n, t, strlen(t));
			n += strlen(t);
		}
		bool want = cli_ref(s, n);
		same += smtp_dpd_client(s, n) == want;
		hits += want;
	}
	CHECK(same == 200000);
	CHECK(hits > 1000);
	/* A full DPD buffer of line ends, then the word. */
	uint8_t big[1024];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = i % 2 ? '\n' : '\r';
	CHECK(!smtp_dpd_client(big, sizeof big));
	memcpy(big + sizeof big - 4, "EHLO", 4);
	CHECK(smtp_dpd_client(big, sizeof big));
}

static void test_dpd(void)
{
	CHECK(srv("220 mail.example.com ESMTP\r\n"));
	CHECK(srv("  \r\n220-hello\r\n"));
	CHECK(srv("220\t"));
	CHECK(!srv("220"));
	CHECK(!srv("2200 x"));
	CHECK(!srv("250 ok"));
	CHECK(!srv("x220 ok"));
	CHECK(!srv(""));

	CHECK(cli("EHLO example.com\r\n"));
	CHECK(cli("helo x"));
	CHECK(cli("  eHlO"));
	CHECK(cli("NOOP\r\nEHLO x\r\n"));
	CHECK(cli("garbage\rhelo"));
	CHECK(cli("junk\n \t HELO"));
	CHECK(!cli("xEHLO"));
	CHECK(!cli("EHL"));
	CHECK(!cli("GET / HTTP/1.1\r\n"));

	CHECK(smtp_analyzer.dpd_match((const uint8_t *)"EHLO x\r\n", 8,
				      (const uint8_t *)"220 ok\r\n", 8));
	CHECK(!smtp_analyzer.dpd_match((const uint8_t *)"EHLO x\r\n", 8, (const uint8_t *)"", 0));
	CHECK(!smtp_analyzer.dpd_match((const uint8_t *)"QUIT\r\n", 6,
				       (const uint8_t *)"220 ok\r\n", 8));
}

static void test_registration(void)
{
	CHECK_STR(smtp_analyzer.name, "SMTP");
	CHECK(smtp_analyzer.n_tcp_ports == 2);
	CHECK(smtp_analyzer.tcp_ports[0] == 25 && smtp_analyzer.tcp_ports[1] == 587);
	CHECK(smtp_analyzer.create && smtp_analyzer.deliver && smtp_analyzer.gap &&
	      smtp_analyzer.eof && smtp_analyzer.finish && smtp_analyzer.destroy);

	static const char *const names[] = {"ts",
					    "uid",
					    "id.orig_h",
					    "id.orig_p",
					    "id.resp_h",
					    "id.resp_p",
					    "trans_depth",
					    "helo",
					    "mailfrom",
					    "rcptto",
					    "date",
					    "from",
					    "to",
					    "cc",
					    "reply_to",
					    "msg_id",
					    "in_reply_to",
					    "subject",
					    "x_originating_ip",
					    "first_received",
					    "second_received",
					    "last_reply",
					    "path",
					    "user_agent",
					    "tls",
					    "fuids"};
	CHECK_STR(smtp_schema.path, "smtp");
	CHECK(smtp_schema.n_fields == sizeof names / sizeof names[0]);
	for (size_t i = 0; i < smtp_schema.n_fields && i < sizeof names / sizeof names[0]; i++)
		CHECK_STR(smtp_schema.fields[i].name, names[i]);
	CHECK(smtp_schema.fields[9].container == LOG_SET);
	CHECK(smtp_schema.fields[12].container == LOG_SET);
	CHECK(smtp_schema.fields[13].container == LOG_SET);
	CHECK(smtp_schema.fields[18].type == LOG_ADDR);
	CHECK(smtp_schema.fields[22].type == LOG_ADDR &&
	      smtp_schema.fields[22].container == LOG_VECTOR);
	CHECK(smtp_schema.fields[24].type == LOG_BOOL);
	CHECK(smtp_schema.fields[25].container == LOG_VECTOR);
}

int main(void)
{
	test_format_time();
	test_file_handle();
	test_file_ids();
	test_dpd();
	test_dpd_client_same();
	test_registration();
	return check_summary();
}
