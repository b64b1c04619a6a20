/*
 * The XMPP analyzer (proto/xmpp.c): its DPD signature, and sessions through
 * the engine with a stand-in "SSL" analyzer that records what the STARTTLS
 * hand-over gives it.
 */
#include "proto/xmpp.h"
#include "proto/scripts.h"
#include "tests/core/engine_harness.h"
#include "tests/proto/fake_ssl.h"

static const struct analyzer *const table[] = {&xmpp_analyzer, &fake_ssl, NULL};

static bool sig(const char *s)
{
	return xmpp_signature((const uint8_t *)s, strlen(s));
}

static void test_signature(void)
{
	CHECK(sig("<stream:stream xmlns='jabber:client' to='example.org'>"));
	CHECK(sig("<?xml version='1.0'?>\r\n <stream:stream to='x' xmlns='jabber:server'>"));
	CHECK(sig("<stream:stream to='x' xmlns='jabber:cl")); /* enough of it */
	CHECK(!sig("<stream:stream to='x'> xmlns='jabber:client'")); /* after the '>' */
	CHECK(!sig("<stream:stream xmlns=\"jabber:client\">"));      /* double quotes */
	CHECK(!sig("  x<stream:stream xmlns='jabber:client'>"));
	CHECK(!sig("<stream:stream"));
	CHECK(!sig(""));
	/* An unfinished declaration is no declaration: the stream tag must
	 * then come first. */
	CHECK(!sig("<?xml version='1.0'<stream:stream xmlns='jabber:client'>"));
}

/* Client and server chunks alternate, the client first, on port `port`. */
static void session(struct run *r, uint16_t port, const char *const *chunks, size_t n)
{
	ssl_seen[0] = 0;
	run_start_with(r, true, table, SCRIPT_CONN | SCRIPT_XMPP | SCRIPT_SSL);
	uint32_t seq[2] = {101, 501};
	double t = 1.0;
	tcp(r, t, 1, 4000, 2, port, 100, 0, SYN, "");
	tcp(r, t += 0.1, 2, port, 1, 4000, 500, 101, SYN | ACK, "");
	tcp(r, t += 0.1, 1, 4000, 2, port, 101, 501, ACK, "");
	for (size_t i = 0; i < n; i++) {
		bool server = i % 2 == 1;
		if (server)
			tcp(r, t += 0.1, 2, port, 1, 4000, seq[1], seq[0], ACK | PSH, chunks[i]);
		else
			tcp(r, t += 0.1, 1, 4000, 2, port, seq[0], seq[1], ACK | PSH, chunks[i]);
		seq[server] += (uint32_t)strlen(chunks[i]);
	}
	run_end(r);
}

static const char client_hdr[] = "<?xml version='1.0'?><stream:stream to='example.org' "
				 "xmlns='jabber:client' version='1.0'>";
static const char server_hdr[] = "<stream:stream xmlns='jabber:client' id='1'><stream:features>"
				 "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
				 "</stream:features>";

static void test_starttls(void)
{
	const char *const ok[] = {client_hdr, server_hdr,
				  "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
				  "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", "TLS", "TLS"};
	struct run r;
	session(&r, 5222, ok, 6);
	CHECK_STR(service(&r), "xmpp,ssl");
	CHECK_STR(ssl_seen, "o:TLS|r:TLS|");

	/* Another port: found by the signature, same outcome. */
	session(&r, 15222, ok, 6);
	CHECK_STR(service(&r), "xmpp,ssl");
	CHECK_STR(ssl_seen, "o:TLS|r:TLS|");

	/* <failure/>: no hand-over. */
	const char *const no[] = {client_hdr, server_hdr,
				  "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
				  "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>",
				  "</stream:stream>"};
	session(&r, 5222, no, 5);
	CHECK_STR(service(&r), "xmpp");
	CHECK_STR(ssl_seen, "");

	/* A proceed nobody asked for is a weird, not a hand-over. */
	const char *const unasked[] = {client_hdr, "<proceed/>", "</stream:stream>"};
	session(&r, 5222, unasked, 3);
	CHECK_STR(ssl_seen, "");
}

static void test_malformed(void)
{
	/* Text before any tag: a violation before confirmation; the
	 * analyzer is gone and never hands over. */
	const char *const junk[] = {"hello <stream:stream xmlns='jabber:client'>", server_hdr,
				    "<starttls/>", "<proceed/>", "TLS"};
	struct run r;
	session(&r, 5222, junk, 5);
	CHECK_STR(service(&r), "-");
	CHECK_STR(ssl_seen, "");
}

int main(void)
{
	test_signature();
	test_starttls();
	test_malformed();
	return check_summary();
}
