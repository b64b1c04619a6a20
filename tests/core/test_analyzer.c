/*
 * The analyzer contract end to end: a small test analyzer ("ECHO", port 7,
 * DPD on a "HELLO" client greeting) attached by the engine to hand-built
 * TCP connections.
 */
#include "tests/core/engine_harness.h"

/* A script bit of an analyzer of the tests' own (core names none). */
#define SCRIPT_FAKE (1u << CONFIG_SCRIPT_PROTO_FIRST)

static char seen[4096];		/* "o:abc|r:xyz|gap:o5|eof:o|finish|" */
static int destroyed, created;
static char uid_seen[UID_TEXT_MAX];

struct echo {
	struct analyzer_ctx *ctx;
	int deliveries;
	bool violate_on_resp;
};

static void note(const char *s)
{
	strncat(seen, s, sizeof seen - strlen(seen) - 1);
}

static void *echo_create(struct analyzer_ctx *ctx)
{
	struct echo *st = calloc(1, sizeof *st);
	if (st)
		st->ctx = ctx;
	created++;
	return st;
}

static void echo_deliver(void *state, bool is_orig, const uint8_t *data, size_t len)
{
	struct echo *st = state;
	char buf[256];
	snprintf(buf, sizeof buf, "%s:%.*s|", is_orig ? "o" : "r", (int)len, (const char *)data);
	note(buf);
	if (st->deliveries++ == 0) {
		snprintf(uid_seen, sizeof uid_seen, "%s", analyzer_uid(st->ctx));
		analyzer_confirm(st->ctx);
	}
	if (!is_orig && len >= 3 && memcmp(data, "BAD", 3) == 0)
		analyzer_violation(st->ctx, "server said BAD");
}

static void echo_gap(void *state, bool is_orig, uint64_t len)
{
	(void)state;
	char buf[64];
	snprintf(buf, sizeof buf, "gap:%s%llu|", is_orig ? "o" : "r", (unsigned long long)len);
	note(buf);
}

static void echo_eof(void *state, bool is_orig)
{
	(void)state;
	note(is_orig ? "eof:o|" : "eof:r|");
}

static void echo_finish(void *state)
{
	(void)state;
	note("finish|");
}

static void echo_destroy(void *state)
{
	destroyed++;
	free(state);
}

static bool echo_dpd(const uint8_t *orig, size_t on, const uint8_t *resp, size_t rn)
{
	(void)resp;
	(void)rn;
	return on >= 5 && memcmp(orig, "HELLO", 5) == 0;
}

/* Datagrams: the same echo over UDP port 7, DPD on a "HELLO" datagram. */
static bool echo_dpd_packet(const uint8_t *data, size_t len, bool is_orig)
{
	return is_orig && len >= 5 && memcmp(data, "HELLO", 5) == 0;
}

static const uint16_t echo_ports[] = {7};
static const struct analyzer echo_analyzer = {
	.udp_ports = echo_ports,
	.n_udp_ports = 1,
	.dpd_match_packet = echo_dpd_packet,
	.deliver_packet = echo_deliver,
	.name = "ECHO",
	.script = SCRIPT_FAKE,
	.tcp_ports = echo_ports,
	.n_tcp_ports = 1,
	.dpd_match = echo_dpd,
	.create = echo_create,
	.deliver = echo_deliver,
	.gap = echo_gap,
	.eof = echo_eof,
	.finish = echo_finish,
	.destroy = echo_destroy,
};
static const struct analyzer *const table[] = {&echo_analyzer, NULL};

static void start(struct run *r, unsigned scripts)
{
	seen[0] = 0;
	uid_seen[0] = 0;
	destroyed = created = 0;
	run_start_with(r, true, table, scripts);
}

/* Field 7 of a conn.log line: service. */
static const char *service(const struct run *r, int i)
{
	static char out[64];
	const char *p = r->lines[i];
	for (int f = 0; f < 7 && p; f++)
		p = strchr(p, '\t') ? strchr(p, '\t') + 1 : NULL;
	snprintf(out, sizeof out, "%.*s", p ? (int)strcspn(p, "\t") : 0, p ? p : "");
	return out;
}

static void handshake(struct run *r, uint16_t dport)
{
	tcp(r, 1.0, 1, 4000, 2, dport, 100, 0, SYN, "");
	tcp(r, 1.1, 2, dport, 1, 4000, 500, 101, SYN | ACK, "");
	tcp(r, 1.2, 1, 4000, 2, dport, 101, 501, ACK, "");
}

static void test_port_attach(void)
{
	struct run r;
	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	handshake(&r, 7);
	tcp(&r, 1.3, 1, 4000, 2, 7, 101, 501, ACK | PSH, "abc");
	tcp(&r, 1.4, 2, 7, 1, 4000, 501, 104, ACK | PSH, "xyz");
	tcp(&r, 1.5, 1, 4000, 2, 7, 104, 504, ACK | FIN, "");
	tcp(&r, 1.6, 2, 7, 1, 4000, 504, 105, ACK | FIN, "");
	tcp(&r, 1.7, 1, 4000, 2, 7, 105, 505, ACK, "");
	run_end(&r);
	CHECK_STR(seen, "o:abc|r:xyz|eof:o|eof:r|finish|");
	CHECK(destroyed == 1);
	CHECK(r.n_lines == 1);
	CHECK_STR(service(&r, 0), "echo");
	CHECK(uid_seen[0] == 'C');
	CHECK(strstr(r.lines[0], uid_seen) != NULL);
}

/* Analyzers are made when the stream first has input: a handshake without
 * payload or end makes none, and finishes nothing. A FIN alone is input
 * (end of data). */
static void test_made_at_first_input(void)
{
	struct run r;
	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	handshake(&r, 7);
	tcp(&r, 2.0, 3, 4001, 2, 7, 100, 0, SYN, "");
	run_end(&r);
	CHECK(created == 0 && destroyed == 0);
	CHECK_STR(seen, "");
	CHECK(r.n_lines == 2);

	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	handshake(&r, 7);
	tcp(&r, 1.5, 1, 4000, 2, 7, 101, 501, ACK | FIN, "");
	run_end(&r);
	CHECK(created == 1 && destroyed == 1);
	CHECK_STR(seen, "eof:o|finish|");
}

static void test_not_loaded(void)
{
	struct run r;
	start(&r, SCRIPT_CONN);	/* the analyzer's script is not loaded */
	handshake(&r, 7);
	tcp(&r, 1.3, 1, 4000, 2, 7, 101, 501, ACK | PSH, "abc");
	run_end(&r);
	CHECK_STR(seen, "");
	CHECK_STR(service(&r, 0), "-");
}

static void test_dpd_replay(void)
{
	struct run r;
	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	handshake(&r, 9999);
	tcp(&r, 1.3, 1, 4000, 2, 9999, 101, 501, ACK | PSH, "HEL");
	tcp(&r, 1.4, 2, 9999, 1, 4000, 501, 104, ACK | PSH, "hi");
	tcp(&r, 1.5, 1, 4000, 2, 9999, 104, 503, ACK | PSH, "LO x");
	tcp(&r, 1.6, 2, 9999, 1, 4000, 503, 108, ACK | PSH, "ok");
	run_end(&r);
	/* The replay carries both directions in arrival order. */
	CHECK_STR(seen, "o:HEL|r:hi|o:LO x|r:ok|finish|");
	CHECK_STR(service(&r, 0), "echo");
}

static void test_partial_skipped(void)
{
	struct run r;
	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	tcp(&r, 1.0, 1, 4000, 2, 7, 101, 501, ACK | PSH, "abc");
	tcp(&r, 1.1, 2, 7, 1, 4000, 501, 104, ACK | PSH, "xyz");
	run_end(&r);
	CHECK(strstr(seen, "o:") == NULL && strstr(seen, "r:") == NULL);
	CHECK_STR(service(&r, 0), "-");
}

static void test_violation_takes_service_back(void)
{
	struct run r;
	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	handshake(&r, 7);
	tcp(&r, 1.3, 1, 4000, 2, 7, 101, 501, ACK | PSH, "abc");
	tcp(&r, 1.4, 2, 7, 1, 4000, 501, 104, ACK | PSH, "BAD");
	tcp(&r, 1.5, 1, 4000, 2, 7, 104, 504, ACK | PSH, "more");
	run_end(&r);
	/* Removed at the violation: nothing more is delivered. */
	CHECK_STR(seen, "o:abc|r:BAD|finish|");
	CHECK_STR(service(&r, 0), "-");
}

static void test_gap(void)
{
	struct run r;
	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	handshake(&r, 7);
	tcp(&r, 1.3, 1, 4000, 2, 7, 101, 501, ACK | PSH, "abc");
	/* bytes 104..108 never captured; the server acks past them */
	tcp(&r, 1.4, 1, 4000, 2, 7, 109, 501, ACK | PSH, "xyz");
	tcp(&r, 1.5, 2, 7, 1, 4000, 501, 112, ACK, "");
	run_end(&r);
	CHECK_STR(seen, "o:abc|gap:o5|o:xyz|finish|");
}

static void test_lazy_uid_without_conn_script(void)
{
	struct run r;
	start(&r, SCRIPT_FAKE);	/* bare mode, no base/protocols/conn */
	handshake(&r, 7);
	tcp(&r, 1.3, 1, 4000, 2, 7, 101, 501, ACK | PSH, "abc");
	run_end(&r);
	CHECK(uid_seen[0] == 'C');
	CHECK(r.n_lines == 0);	/* no conn.log without its script */
}

/* UDP: attached by port, every datagram delivered with its direction. */
static void test_udp_port(void)
{
	struct run r;
	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	udp(&r, 1.0, 1, 4000, 2, 7, "ping");
	udp(&r, 1.1, 2, 7, 1, 4000, "pong");
	udp(&r, 1.2, 1, 4000, 2, 7, "");
	run_end(&r);
	CHECK_STR(seen, "o:ping|r:pong|o:|finish|");
	CHECK(r.n_lines == 1 && !strcmp(service(&r, 0), "echo"));
}

/* UDP DPD: the datagram that matches, on another port, brings the ones
 * before it in a replay; a violation takes the service back. */
static void test_udp_dpd(void)
{
	struct run r;
	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	udp(&r, 1.0, 1, 4000, 2, 9999, "first");
	udp(&r, 1.1, 1, 4000, 2, 9999, "HELLO there");
	udp(&r, 1.2, 2, 9999, 1, 4000, "hi");
	run_end(&r);
	CHECK_STR(seen, "o:first|o:HELLO there|r:hi|finish|");
	CHECK(r.n_lines == 1 && !strcmp(service(&r, 0), "echo"));

	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	udp(&r, 1.0, 1, 4000, 2, 7, "ping");
	udp(&r, 1.1, 2, 7, 1, 4000, "BAD");
	udp(&r, 1.2, 1, 4000, 2, 7, "more");
	run_end(&r);
	CHECK_STR(seen, "o:ping|r:BAD|finish|");
	CHECK(r.n_lines == 1 && !strcmp(service(&r, 0), "-"));

	/* No signature match and no port: nothing is made. */
	start(&r, SCRIPT_CONN | SCRIPT_FAKE);
	udp(&r, 1.0, 1, 4000, 2, 9999, "nothing");
	run_end(&r);
	CHECK_STR(seen, "");
	CHECK(created == 0);
}

int main(void)
{
	test_port_attach();
	test_made_at_first_input();
	test_udp_port();
	test_udp_dpd();
	test_not_loaded();
	test_dpd_replay();
	test_partial_skipped();
	test_violation_takes_service_back();
	test_gap();
	test_lazy_uid_without_conn_script();
	return check_summary();
}
