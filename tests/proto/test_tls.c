/* Unit tests for the SSL/TLS wire parser (proto/tls_record.c). */
#include <stdlib.h>
#include <string.h>

#include "proto/tls_record.h"
#include "tests/check.h"

/* Records what the parser reports as a compact trace string. */
struct rec {
	char log[4096];
	size_t n;
	int confirms, violations;
	char sni[64];
	uint32_t cipher;
	uint16_t curve;
	size_t certs;
	int cert_requests;
	size_t cas_len; /* bytes of the last certificate_authorities */
};

static void put(struct rec *r, const char *s)
{
	size_t l = strlen(s);
	if (r->n + l + 1 < sizeof r->log) {
		memcpy(r->log + r->n, s, l);
		r->n += l;
		r->log[r->n] = 0;
	}
}

static void on_confirm(void *u)
{
	((struct rec *)u)->confirms++;
}

static void on_violation(void *u, const char *reason)
{
	struct rec *r = u;
	(void)reason;
	r->violations++;
	put(r, "!");
}

static void on_weird(void *u, const char *name)
{
	(void)name;
	put(u, "w");
}

static void on_flipped(void *u)
{
	put(u, "^");
}

static void on_client_hello(void *u, uint16_t version, uint16_t record_version,
			    const uint8_t sid[32])
{
	(void)version;
	(void)sid;
	if (record_version == 0)
		put(u, "C2");
}

static void on_server_hello(void *u, uint16_t version, uint16_t record_version,
			    const uint8_t random[32], const uint8_t sid[32], uint32_t cipher)
{
	(void)version;
	(void)record_version;
	(void)random;
	(void)sid;
	((struct rec *)u)->cipher = cipher;
}

static void on_server_name(void *u, bool is_client, struct bytes first, size_t n)
{
	struct rec *r = u;
	if (is_client && n > 0 && first.n < sizeof r->sni) {
		memcpy(r->sni, first.p, first.n);
		r->sni[first.n] = 0;
	}
}

static void on_ecdh(void *u, uint16_t curve)
{
	((struct rec *)u)->curve = curve;
}

static void on_cert(void *u, bool is_client, size_t index, struct bytes der)
{
	(void)is_client;
	(void)index;
	(void)der;
	((struct rec *)u)->certs++;
}

static void on_hs(void *u, bool is_client, uint8_t type, uint32_t len)
{
	char s[8];
	(void)len;
	snprintf(s, sizeof s, "%c%u.", is_client ? 'H' : 'h', type);
	put(u, s);
}

static void on_ccs(void *u, bool is_client)
{
	put(u, is_client ? "I" : "i");
}

static void on_alert(void *u, bool is_client, uint8_t level, uint8_t desc)
{
	char s[16];
	(void)level;
	snprintf(s, sizeof s, "%c%u.", is_client ? 'L' : 'l', desc);
	put(u, s);
}

static void on_cert_request(void *u, bool is_client, struct bytes cas)
{
	struct rec *r = u;
	put(r, is_client ? "Q" : "q");
	r->cert_requests++;
	r->cas_len = cas.n;
}

static void on_established(void *u)
{
	put(u, "E");
}

static const struct tls_events evs = {
    .confirm = on_confirm,
    .violation = on_violation,
    .weird = on_weird,
    .flipped = on_flipped,
    .client_hello = on_client_hello,
    .server_hello = on_server_hello,
    .server_name = on_server_name,
    .ecdh_server_params = on_ecdh,
    .certificate = on_cert,
    .certificate_request = on_cert_request,
    .handshake_message = on_hs,
    .change_cipher_spec = on_ccs,
    .alert = on_alert,
    .established = on_established,
};

/* ---- message builders ---- */

struct msg {
	uint8_t b[2048];
	size_t n;
};

static void u8(struct msg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void be16(struct msg *m, unsigned v)
{
	u8(m, v >> 8);
	u8(m, v & 0xFF);
}

static void be24(struct msg *m, size_t v)
{
	u8(m, (unsigned)(v >> 16));
	be16(m, (unsigned)(v & 0xFFFF));
}

static void raw(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* A ClientHello handshake message (type + length included). */
static struct msg client_hello(uint16_t version, const char *sni)
{
	struct msg body = {{0}, 0}, ext = {{0}, 0}, m = {{0}, 0};
	be16(&body, version);
	for (int i = 0; i < 32; i++)
		u8(&body, i);
	u8(&body, 0); /* session id */
	be16(&body, 2);
	be16(&body, 0xC013);
	u8(&body, 1);
	u8(&body, 0);
	if (sni) {
		size_t l = strlen(sni);
		be16(&ext, 0);
		be16(&ext, (unsigned)(l + 5));
		be16(&ext, (unsigned)(l + 3));
		u8(&ext, 0);
		be16(&ext, (unsigned)l);
		raw(&ext, sni, l);
	}
	be16(&body, (unsigned)ext.n);
	raw(&body, ext.b, ext.n);
	u8(&m, 1);
	be24(&m, body.n);
	raw(&m, body.b, body.n);
	return m;
}

static struct msg server_hello(uint16_t cipher)
{
	struct msg body = {{0}, 0}, m = {{0}, 0};
	be16(&body, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(&body, 0x40 + i);
	u8(&body, 0);
	be16(&body, cipher);
	u8(&body, 0);
	u8(&m, 2);
	be24(&m, body.n);
	raw(&m, body.b, body.n);
	return m;
}

static struct msg record(uint8_t type, const void *p, size_t n)
{
	struct msg r = {{0}, 0};
	u8(&r, type);
	be16(&r, 0x0301);
	be16(&r, (unsigned)n);
	raw(&r, p, n);
	return r;
}

static void feed(struct tls_parser *p, bool is_orig, const struct msg *m, size_t step)
{
	for (size_t off = 0; off < m->n; off += step)
		tls_parser_deliver(p, is_orig, m->b + off, m->n - off < step ? m->n - off : step);
}

/* ---- tests ---- */

static void test_names(void)
{
	char tmp[32];
	CHECK_STR(tls_version_name(0x0303, tmp, sizeof tmp), "TLSv12");
	CHECK_STR(tls_version_name(0x0002, tmp, sizeof tmp), "SSLv2");
	CHECK_STR(tls_version_name(0x7F0E, tmp, sizeof tmp), "TLSv13-draft14");
	CHECK_STR(tls_version_name(0x7F12, tmp, sizeof tmp), "TLSv13-draft18");
	CHECK_STR(tls_version_name(0x7E01, tmp, sizeof tmp), "unknown-32257");
	CHECK_STR(tls_version_name(0xFEFD, tmp, sizeof tmp), "DTLSv12");
	CHECK_STR(tls_cipher_name(0xC02F), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	CHECK_STR(tls_cipher_name(0x0004), "TLS_RSA_WITH_RC4_128_MD5");
	CHECK_STR(tls_cipher_name(0x0700C0), "SSLv20_CK_DES_192_EDE3_CBC_WITH_MD5");
	CHECK_STR(tls_cipher_name(0xFAFA), "grease_0xFAFA");
	CHECK(tls_cipher_name(0x1234) == NULL);
	CHECK_STR(tls_curve_name(23), "secp256r1");
	CHECK_STR(tls_curve_name(29), "x25519");
	CHECK_STR(tls_curve_name(25497), "X25519Kyber768Draft00");
	CHECK(tls_curve_name(42) == NULL);
	CHECK_STR(tls_alert_name(40), "handshake_failure");
	CHECK_STR(tls_alert_name(0), "close_notify");
	CHECK(tls_alert_name(255) == NULL);
	CHECK(tls_version_acceptable(0x0301));
	CHECK(tls_version_acceptable(0x7F17));
	CHECK(!tls_version_acceptable(0x0305));
	CHECK(!tls_version_acceptable(0x0200));
}

/* A full TLS 1.2 handshake, fed one byte at a time and in one piece. */
static void run_handshake(size_t step, struct rec *r)
{
	struct tls_parser p;
	memset(r, 0, sizeof *r);
	tls_parser_init(&p, &evs, r);

	struct msg ch = client_hello(0x0303, "example.com");
	struct msg rec = record(22, ch.b, ch.n);
	feed(&p, true, &rec, step);

	/* ServerHello + Certificate + ServerKeyExchange + Done in one record */
	struct msg sh = server_hello(0xC02F), all = {{0}, 0};
	raw(&all, sh.b, sh.n);
	u8(&all, 11);
	be24(&all, 3 + 3 + 4 + 3);
	be24(&all, 3 + 4 + 3);
	be24(&all, 4);
	raw(&all, "\x30\x02\x01\x00", 4);
	be24(&all, 0); /* an empty entry: weird, skipped */
	u8(&all, 12);
	be24(&all, 4);
	raw(&all, "\x03\x00\x17\x00", 4);
	u8(&all, 14);
	be24(&all, 0);
	rec = record(22, all.b, all.n);
	feed(&p, false, &rec, step);

	struct msg cke = {{0}, 0};
	u8(&cke, 16);
	be24(&cke, 1);
	u8(&cke, 0);
	rec = record(22, cke.b, cke.n);
	feed(&p, true, &rec, step);
	rec = record(20, "\x01", 1);
	feed(&p, true, &rec, step);
	rec = record(22, "encrypted-finished", 18);
	feed(&p, true, &rec, step);
	rec = record(20, "\x01", 1);
	feed(&p, false, &rec, step);
	rec = record(22, "encrypted-finished", 18);
	feed(&p, false, &rec, step);
	tls_parser_free(&p);
}

static void test_handshake(void)
{
	struct rec r;
	size_t steps[] = {1, 3, 7, 4096};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		run_handshake(steps[i], &r);
		CHECK_STR(r.log, "H1.h2.wh11.h12.h14.H16.IiE");
		CHECK(r.confirms == 1);
		CHECK(r.violations == 0);
		CHECK_STR(r.sni, "example.com");
		CHECK(r.cipher == 0xC02F);
		CHECK(r.curve == 23);
		CHECK(r.certs == 1);
	}
}

/* One handshake message spread over three records. */
static void test_message_across_records(void)
{
	struct rec r;
	struct tls_parser p;
	memset(&r, 0, sizeof r);
	tls_parser_init(&p, &evs, &r);
	struct msg ch = client_hello(0x0303, "split.example");
	size_t a = 10, b = 50;
	struct msg r1 = record(22, ch.b, a), r2 = record(22, ch.b + a, b - a),
		   r3 = record(22, ch.b + b, ch.n - b);
	feed(&p, true, &r1, 4096);
	CHECK_STR(r.log, "");
	feed(&p, true, &r2, 4096);
	CHECK_STR(r.log, "");
	feed(&p, true, &r3, 4096);
	CHECK_STR(r.log, "H1.");
	CHECK_STR(r.sni, "split.example");
	tls_parser_free(&p);
}

static void test_bad_versions(void)
{
	struct rec r;
	struct tls_parser p;

	/* a ClientHello version Zeek does not accept: violation, skip */
	memset(&r, 0, sizeof r);
	tls_parser_init(&p, &evs, &r);
	struct msg ch = client_hello(0x0200, NULL);
	struct msg rec = record(22, ch.b, ch.n);
	feed(&p, true, &rec, 4096);
	CHECK(r.confirms == 0);
	CHECK(r.violations == 1);
	CHECK(p.skip);
	tls_parser_free(&p);

	/* not TLS at all */
	memset(&r, 0, sizeof r);
	tls_parser_init(&p, &evs, &r);
	tls_parser_deliver(&p, true, (const uint8_t *)"EHLO example\r\n", 14);
	CHECK(r.violations == 1);
	CHECK(p.skip);
	tls_parser_free(&p);

	/* a later record with a bad version */
	memset(&r, 0, sizeof r);
	tls_parser_init(&p, &evs, &r);
	ch = client_hello(0x0303, NULL);
	rec = record(22, ch.b, ch.n);
	feed(&p, true, &rec, 4096);
	rec = record(22, "x", 1);
	rec.b[1] = 0x05;
	feed(&p, true, &rec, 4096);
	CHECK(r.violations == 1);
	CHECK(p.skip);
	tls_parser_free(&p);
}

static void test_alerts_and_flip(void)
{
	struct rec r;
	struct tls_parser p;
	memset(&r, 0, sizeof r);
	tls_parser_init(&p, &evs, &r);
	/* the responder sends the ClientHello: flipped */
	struct msg ch = client_hello(0x0301, NULL);
	struct msg rec = record(22, ch.b, ch.n);
	feed(&p, false, &rec, 4096);
	/* the (now) server answers with a fatal alert from the originator */
	rec = record(21, "\x02\x28", 2);
	feed(&p, true, &rec, 4096);
	CHECK_STR(r.log, "^H1.l40.");
	/* eleven alerts in one record: ten reported and a weird */
	memset(&r, 0, sizeof r);
	rec = record(21,
		     "\x01\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01\x00"
		     "\x01\x00\x01\x00\x01\x00",
		     22);
	feed(&p, true, &rec, 4096);
	CHECK_STR(r.log, "l0.l0.l0.l0.l0.l0.l0.l0.l0.l0.w");
	tls_parser_free(&p);
}

static void test_sslv2(void)
{
	struct rec r;
	struct tls_parser p;
	memset(&r, 0, sizeof r);
	tls_parser_init(&p, &evs, &r);
	struct msg m = {{0}, 0};
	/* 2-byte header, type 1, version 0x0002, 3 ciphers, no sid, 16-byte challenge */
	size_t body = 1 + 2 + 6 + 9 + 16;
	be16(&m, (unsigned)(0x8000 | body));
	u8(&m, 1);
	be16(&m, 0x0002);
	be16(&m, 9);
	be16(&m, 0);
	be16(&m, 16);
	raw(&m, "\x01\x00\x80\x07\x00\xc0\x03\x00\x80", 9);
	raw(&m, "0123456789abcdef", 16);
	feed(&p, true, &m, 5);
	CHECK_STR(r.log, "C2");
	CHECK(r.confirms == 1);
	CHECK(p.record_version == -1);

	/* SSLv2 ServerHello: fixes the record layer to SSLv2 */
	struct msg s = {{0}, 0};
	body = 1 + 1 + 1 + 2 + 6 + 4 + 3 + 16;
	be16(&s, (unsigned)(0x8000 | body));
	u8(&s, 4);
	u8(&s, 0);
	u8(&s, 1);
	be16(&s, 0x0002);
	be16(&s, 4);
	be16(&s, 3);
	be16(&s, 16);
	raw(&s, "\x30\x02\x05\x00", 4);
	raw(&s, "\x07\x00\xc0", 3);
	raw(&s, "fedcba9876543210", 16);
	feed(&p, false, &s, 4096);
	CHECK(p.record_version == TLS_SSLV2);
	CHECK(r.cipher == 0x0700C0);
	CHECK(r.certs == 1);

	/* ClientMasterKey: established */
	struct msg k = {{0}, 0};
	be16(&k, 0x8000 | 4);
	u8(&k, 2);
	raw(&k, "xyz", 3);
	feed(&p, true, &k, 4096);
	CHECK_STR(r.log, "C2E");
	tls_parser_free(&p);
}

/* Lying lengths and random bytes must never read out of bounds. */
static void test_garbage(void)
{
	struct rec r;
	struct tls_parser p;
	uint32_t seed = 12345;
	for (int round = 0; round < 2000; round++) {
		memset(&r, 0, sizeof r);
		tls_parser_init(&p, &evs, &r);
		struct msg ch = client_hello(0x0303, "lie.example");
		/* corrupt a few bytes of a valid hello, keep the record header */
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			ch.b[(seed >> 8) % ch.n] = (uint8_t)(seed >> 16);
		}
		struct msg rec = record(22, ch.b, ch.n);
		feed(&p, true, &rec, 1 + round % 13);
		/* then random records from the server side */
		struct msg junk = {{0}, 0};
		for (int k = 0; k < 300; k++) {
			seed = seed * 1103515245u + 12345u;
			u8(&junk, seed >> 16);
		}
		junk.b[0] = 22;
		junk.b[1] = 3;
		junk.b[2] = 3;
		feed(&p, false, &junk, 1 + round % 7);
		tls_parser_free(&p);
	}
	CHECK(1);

	/* truncated stream: nothing is reported, nothing crashes */
	memset(&r, 0, sizeof r);
	tls_parser_init(&p, &evs, &r);
	struct msg ch = client_hello(0x0303, NULL);
	struct msg rec = record(22, ch.b, ch.n);
	rec.n -= 5;
	feed(&p, true, &rec, 4096);
	CHECK_STR(r.log, "");
	tls_parser_gap(&p);
	CHECK(p.skip);
	tls_parser_free(&p);
}

/* CertificateRequest after a TLS 1.2 ServerHello: types, signature
 * algorithms, then the CA list; a lying CA length raises no event. */
static void cert_request_case(unsigned ca_len_claim, struct rec *r)
{
	struct tls_parser p;
	memset(r, 0, sizeof *r);
	tls_parser_init(&p, &evs, r);
	struct msg ch = client_hello(0x0303, NULL);
	struct msg rec = record(22, ch.b, ch.n);
	feed(&p, true, &rec, 4096);
	struct msg sh = server_hello(0xC02F), all = {{0}, 0};
	raw(&all, sh.b, sh.n);
	struct msg body = {{0}, 0};
	u8(&body, 2); /* two certificate types */
	u8(&body, 1);
	u8(&body, 64);
	be16(&body, 4); /* two signature algorithms */
	be16(&body, 0x0401);
	be16(&body, 0x0403);
	be16(&body, 2 + 4 + 2 + 2);
	be16(&body, ca_len_claim);
	raw(&body, "\x30\x02\x31\x00", 4);
	be16(&body, 2);
	raw(&body, "\x30\x00", 2);
	u8(&all, 13);
	be24(&all, body.n);
	raw(&all, body.b, body.n);
	rec = record(22, all.b, all.n);
	feed(&p, false, &rec, 4096);
	tls_parser_free(&p);
}

static void test_certificate_request(void)
{
	struct rec r;
	cert_request_case(4, &r);
	CHECK(r.cert_requests == 1);
	CHECK(r.cas_len == 10);
	CHECK(r.violations == 0);
	CHECK(strstr(r.log, "q") != NULL);
	cert_request_case(9, &r);
	CHECK(r.cert_requests == 0);
	CHECK(r.violations == 1);
}

int main(void)
{
	test_names();
	test_handshake();
	test_message_across_records();
	test_bad_versions();
	test_alerts_and_flip();
	test_sslv2();
	test_garbage();
	test_certificate_request();
	return check_summary();
}
