/*
 * The POP3 analyzer (proto/pop3.c) end to end: hand-built TCP packets
 * through the engine (POP3 attaches by its DPD signatures only), with a
 * stand-in "SSL" analyzer that records what the STLS hand-over gives it.
 */
#include "proto/pop3.h"
#include "proto/scripts.h"
#include "tests/core/engine_harness.h"
#include "tests/proto/fake_ssl.h"

static const struct analyzer *const table[] = {&pop3_analyzer, &fake_ssl, NULL};

/* A session on port 8110 (no port of POP3's own): the server and client
 * lines alternate, starting with the server's greeting; then the client
 * and the server send `tail`. */
static void session_tail(struct run *r, const char *const *lines, size_t n, const char *tail[2])
{
	ssl_seen[0] = 0;
	run_start_with(r, true, table, SCRIPT_CONN | SCRIPT_POP3 | SCRIPT_SSL);
	uint32_t seq[2] = {101, 501};
	double t = 1.0;
	tcp(r, t, 1, 4000, 2, 8110, 100, 0, SYN, "");
	tcp(r, t += 0.1, 2, 8110, 1, 4000, 500, 101, SYN | ACK, "");
	tcp(r, t += 0.1, 1, 4000, 2, 8110, 101, 501, ACK, "");
	for (size_t i = 0; i < n + 2; i++) {
		bool server = i % 2 == 0;
		const char *s = i < n ? lines[i] : tail[i - n];
		if (!*s)
			continue;
		if (server)
			tcp(r, t += 0.1, 2, 8110, 1, 4000, seq[1], seq[0], ACK | PSH, s);
		else
			tcp(r, t += 0.1, 1, 4000, 2, 8110, seq[0], seq[1], ACK | PSH, s);
		seq[server] += (uint32_t)strlen(s);
	}
	run_end(r);
}

static void session(struct run *r, const char *const *lines, size_t n)
{
	const char *none[2] = {"", ""};
	session_tail(r, lines, n, none);
}

static void test_dpd(void)
{
	const uint8_t *s = (const uint8_t *)"+OK ready\r\n";
	CHECK(pop3_dpd_server(s, 11));
	CHECK(!pop3_dpd_server((const uint8_t *)" +OK", 4));
	CHECK(!pop3_dpd_server((const uint8_t *)"+ok", 3));
	static const char *const yes[] = {"CAPA\r\n", "user bob\r\n", "  ApOp x y\r\n", "AUTH",
					 "STLS\r\n", "NOOP\r\n\t stls", "x\ruser\t"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		CHECK(pop3_dpd_client((const uint8_t *)yes[i], strlen(yes[i])));
	static const char *const no[] = {"USER", "userbob", "xCAPA", "NOOP\r\n", ""};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		CHECK(!pop3_dpd_client((const uint8_t *)no[i], strlen(no[i])));
}

static void test_stls(void)
{
	static const char *const ok[] = {"+OK POP3 ready\r\n", "CAPA\r\n",
					 "+OK Capability list follows\r\nSTLS\r\nUSER\r\n.\r\n",
					 "STLS\r\n", "+OK Begin TLS negotiation\r\n"};
	const char *tls[2] = {"TLS", "TLS"};
	struct run r;
	session_tail(&r, ok, 5, tls);
	CHECK_STR(service(&r), "pop3,ssl");
	/* Everything after the +OK, both directions, goes to SSL. */
	CHECK_STR(ssl_seen, "o:TLS|r:TLS|");

	/* Refused: the CAPA confirmed POP3, nothing goes to SSL. */
	static const char *const err[] = {"+OK POP3 ready\r\n", "CAPA\r\n",
					  "+OK\r\nSTLS\r\n.\r\n", "STLS\r\n", "-ERR not now\r\n"};
	session_tail(&r, err, 5, tls);
	CHECK_STR(service(&r), "pop3");
	CHECK_STR(ssl_seen, "");

	/* STLS at once: its +OK both confirms and hands over. */
	static const char *const direct[] = {"+OK ready\r\n", "STLS\r\n", "+OK go\r\n"};
	session(&r, direct, 3);
	CHECK_STR(service(&r), "pop3,ssl");
}

static void test_confirmation(void)
{
	struct run r;
	/* A +OK to USER confirms; one to the greeting alone does not. */
	static const char *const user[] = {"+OK ready\r\n", "USER bob\r\n", "+OK send PASS\r\n"};
	session(&r, user, 3);
	CHECK_STR(service(&r), "pop3");
	static const char *const err[] = {"+OK ready\r\n", "USER bob\r\n", "-ERR no\r\n"};
	session(&r, err, 3);
	CHECK_STR(service(&r), "-");
	/* Pipelined: each reply finishes the command in front, and the next
	 * one is read then. A NOOP before login makes Zeek guess that no
	 * login is needed: its +OK moves to the transaction state, where
	 * USER is not taken, so nothing confirms. */
	static const char *const piped[] = {"+OK ready\r\n", "NOOP\r\nUSER bob\r\n",
					    "+OK\r\n+OK send PASS\r\n"};
	session(&r, piped, 3);
	CHECK_STR(service(&r), "-");
	static const char *const capa_user[] = {"+OK ready\r\n", "LIST\r\nUSER bob\r\n",
						"-ERR log in first\r\n+OK send PASS\r\n"};
	session(&r, capa_user, 3);
	CHECK_STR(service(&r), "pop3");
	/* ParseCmd drops one sign a round: "++OK" is no reply at all. */
	static const char *const signs[] = {"+OK ready\r\n", "USER bob\r\n", "++OK\r\n"};
	session(&r, signs, 3);
	CHECK_STR(service(&r), "-");
}

static void test_violations(void)
{
	struct run r;
	/* Redis answering a client that looks like POP3: "+PONG" is no POP3
	 * reply, and the violation takes the confirmed service back. */
	static const char *const redis[] = {"+OK\r\n", "CAPA\r\n", "+OK\r\n.\r\n", "PING\r\n",
					    "+PONG\r\n"};
	session(&r, redis, 5);
	CHECK_STR(service(&r), "-");
	/* A confirmation after the violation in the same packet does not
	 * bring it back either. */
	static const char *const late[] = {"+OK\r\n", "USER x\r\n", "+PONG\r\n+OK\r\n"};
	session(&r, late, 3);
	CHECK_STR(service(&r), "-");
	/* An empty server line is an unknown command too. */
	static const char *const empty[] = {"+OK\r\n", "CAPA\r\n", "+OK\r\n.\r\n", "NOOP\r\n",
					    "\r\n"};
	session(&r, empty, 5);
	CHECK_STR(service(&r), "-");
	/* During AUTH the server's challenges are not replies. */
	static const char *const auth[] = {"+OK\r\n", "USER bob\r\n", "+OK\r\n",
					   "AUTH PLAIN\r\n", "+ \r\n", "Ym9iAGJvYgBzZWNyZXQ=\r\n",
					   "+OK logged in\r\n"};
	session(&r, auth, 7);
	CHECK_STR(service(&r), "pop3");
}

/* Eleven unknown client commands are one more than Zeek's 10. */
static void test_unknown_client_commands(void)
{
	const char *lines[3 + 2 * 11] = {"+OK\r\n", "USER bob\r\n", "+OK\r\n"};
	for (int k = 0; k < 11; k++) {
		lines[3 + 2 * k] = "FOO\r\n";
		lines[4 + 2 * k] = "-ERR what\r\n";
	}
	struct run r;
	session(&r, lines, 3 + 2 * 10);
	CHECK_STR(service(&r), "pop3");
	session(&r, lines, 3 + 2 * 11);
	CHECK_STR(service(&r), "-");
}

static void test_not_pop3(void)
{
	struct run r;
	/* The server signature needs the client's: no analyzer, no service. */
	static const char *const quiet[] = {"+OK ready\r\n", "HELLO\r\n", "+OK\r\n"};
	session(&r, quiet, 3);
	CHECK_STR(service(&r), "-");
	static const char *const smtp[] = {"220 mx ESMTP\r\n", "USER x\r\n", "+OK\r\n"};
	session(&r, smtp, 3);
	CHECK_STR(service(&r), "-");
}

int main(void)
{
	test_dpd();
	test_stls();
	test_confirmation();
	test_violations();
	test_unknown_client_commands();
	test_not_pop3();
	return check_summary();
}
