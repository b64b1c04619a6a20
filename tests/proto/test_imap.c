/*
 * The IMAP analyzer (proto/imap.c) end to end: hand-built TCP packets
 * through the engine, with a stand-in "SSL" analyzer that records what the
 * STARTTLS hand-over gives it.
 */
#include "proto/imap.h"
#include "proto/scripts.h"
#include "tests/core/engine_harness.h"
#include "tests/proto/fake_ssl.h"

static const struct analyzer *const table[] = {&imap_analyzer, &fake_ssl, NULL};

/* A session on port 143: the client and server lines alternate, starting
 * with the server's greeting; then the client and the server send `tail`
 * ("TLS" after a hand-over, else a LOGOUT exchange). */
static void session_tail(struct run *r, const char *const *lines, size_t n, const char *tail[2])
{
	ssl_seen[0] = 0;
	run_start_with(r, true, table, SCRIPT_CONN | SCRIPT_IMAP | SCRIPT_SSL);
	uint32_t seq[2] = {101, 501};
	double t = 1.0;
	tcp(r, t, 1, 4000, 2, 143, 100, 0, SYN, "");
	tcp(r, t += 0.1, 2, 143, 1, 4000, 500, 101, SYN | ACK, "");
	tcp(r, t += 0.1, 1, 4000, 2, 143, 101, 501, ACK, "");
	for (size_t i = 0; i <= n + 1; i++) {
		bool server = i % 2 == 0;
		const char *s = i < n ? lines[i] : tail[i - n];
		if (server)
			tcp(r, t += 0.1, 2, 143, 1, 4000, seq[1], seq[0], ACK | PSH, s);
		else
			tcp(r, t += 0.1, 1, 4000, 2, 143, seq[0], seq[1], ACK | PSH, s);
		seq[server] += (uint32_t)strlen(s);
	}
	run_end(r);
}

static void session(struct run *r, const char *const *lines, size_t n)
{
	const char *tls[2] = {"TLS", "TLS"};
	session_tail(r, lines, n, tls);
}

static void session_imap(struct run *r, const char *const *lines, size_t n)
{
	const char *logout[2] = {"a9 LOGOUT\r\n", "* BYE\r\na9 OK\r\n"};
	if (n % 2 == 0) {
		logout[0] = "* BYE\r\na9 OK\r\n";
		logout[1] = "a9 LOGOUT\r\n";
	}
	session_tail(r, lines, n, logout);
}

static void test_starttls(void)
{
	static const char *const ok[] = {
	    "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", "a1 CAPABILITY\r\n",
	    "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na1 OK done\r\n", "a2 STARTTLS\r\n",
	    "a2 OK Begin TLS negotiation now\r\n"};
	struct run r;
	session(&r, ok, 5);
	CHECK_STR(service(&r), "imap,ssl");
	/* Everything after the OK, both directions, goes to SSL. */
	CHECK_STR(ssl_seen, "o:TLS|r:TLS|");

	/* The server says NO: no hand-over. */
	static const char *const no[] = {"* OK ready\r\n", "a2 STARTTLS\r\n", "a2 NO not now\r\n"};
	session_imap(&r, no, 3);
	CHECK_STR(service(&r), "imap");
	CHECK_STR(ssl_seen, "");

	/* The OK must carry the STARTTLS tag. */
	static const char *const other[] = {"* OK ready\r\n", "a2 STARTTLS\r\n", "a3 OK fine\r\n"};
	session_imap(&r, other, 3);
	CHECK_STR(service(&r), "imap");
	CHECK_STR(ssl_seen, "");
}

static void test_past_starttls(void)
{
	/* LOGIN comes after the point where STARTTLS could: IMAP stops. */
	static const char *const login[] = {"* OK ready\r\n", "a1 login bob secret\r\n",
					    "a1 OK welcome\r\n", "a2 STARTTLS\r\n",
					    "a2 OK Begin TLS\r\n"};
	struct run r;
	session(&r, login, 5);
	/* (the "TLS" that follows is not parsed: IMAP skips everything) */
	CHECK_STR(service(&r), "imap");
	CHECK_STR(ssl_seen, "");
}

static void test_not_imap(void)
{
	/* A chunk that is not "TAG SP COMMAND ... NEWLINE": a violation before
	 * any confirmation, so no service. */
	static const char *const junk[] = {"SSH-2.0-OpenSSH_9.2\r\n", "hello\r\n", "x\r\n"};
	struct run r;
	session(&r, junk, 3);
	CHECK_STR(service(&r), "-");
	/* Each chunk is parsed alone: a line without its newline is malformed,
	 * and the violation before any confirmation removes the analyzer. */
	static const char *const cut[] = {"* OK ready", "a2 STARTTLS\r\n", "a2 OK go\r\n"};
	session(&r, cut, 3);
	CHECK_STR(service(&r), "-");
	CHECK_STR(ssl_seen, "");
}

int main(void)
{
	test_starttls();
	test_past_starttls();
	test_not_imap();
	return check_summary();
}
