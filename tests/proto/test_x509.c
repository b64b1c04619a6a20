/*
 * proto/x509: certificate fields as Zeek's X509 analyzer produces them,
 * its time parser, x509.log rendering, dedup, and hostile input.
 * Fixtures come from testdata/certs/make.sh (run from the repository root).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/buf.h"
#include "output/tsv.h"
#include "proto/x509.h"
#include "proto/x509_dedup.h"
#include "tests/check.h"

#define CERTS "testdata/certs/"

static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *d = NULL;
	size_t cap = 0;
	*n = 0;
	for (;;) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4096;
			uint8_t *nd = realloc(d, cap + 1);
			if (!nd)
				break;
			d = nd;
		}
		size_t r = fread(d + *n, 1, cap - *n, f);
		if (r == 0)
			break;
		*n += r;
	}
	fclose(f);
	return d;
}

/* The fixture's SHA-256 as written by make.sh (openssl dgst). */
static void read_sha(const char *name, char out[65])
{
	char path[256];
	size_t n = 0;
	snprintf(path, sizeof path, CERTS "%s.sha256", name);
	uint8_t *d = read_file(path, &n);
	out[0] = '\0';
	if (d && n >= 64) {
		memcpy(out, d, 64);
		out[64] = '\0';
	}
	free(d);
}

static int parse_fixture(const char *name, struct x509_info *c)
{
	char path[256];
	size_t n = 0;
	snprintf(path, sizeof path, CERTS "%s.der", name);
	uint8_t *d = read_file(path, &n);
	if (!d) {
		fprintf(stderr, "cannot read %s\n", path);
		return -100;
	}
	int rc = x509_parse(d, n, c);
	free(d);
	return rc;
}

/* Renders one line (without the trailing newline) with Zeek's TSV writer
 * and the x509 stream's container limits. */
static void render(struct buf *b, const struct x509_log_opts *o, double ts,
		   const struct x509_info *c, bool host, bool client)
{
	struct log_format fmt;
	memset(&fmt, 0, sizeof fmt);
	fmt.max_field_container_elements = X509_MAX_FIELD_CONTAINER_ELEMENTS;
	fmt.max_total_container_elements = X509_MAX_TOTAL_CONTAINER_ELEMENTS;
	struct x509_log_row r;
	buf_reset(b);
	CHECK(x509_log_row_fill(&r, o, ts, c, host, client) == 0);
	tsv_writer_ops.record(b, x509_log_schema(o), r.v, &fmt, NULL);
	x509_log_row_free(&r);
	if (b->len && b->data[b->len - 1] == '\n')
		b->len--;
}

/* Checks a rendered line: "FP" in want stands for the fixture's hash. */
static void check_line(const char *name, const char *want_tail, bool host)
{
	struct x509_info c;
	char sha[65], want[4096];
	struct buf b;
	buf_init(&b, 1 << 20);
	read_sha(name, sha);
	CHECK(parse_fixture(name, &c) == X509_OK);
	CHECK_STR(c.fingerprint, sha);
	snprintf(want, sizeof want, "1.500000\t%s\t%s", sha, want_tail);
	render(&b, NULL, 1.5, &c, host, false);
	CHECK_BYTES(b.data, b.len, want);
	x509_info_free(&c);
	buf_free(&b);
}

static void test_fixtures(void)
{
	check_line("root",
		   "3\t01\tCN=Smtplog Test Root,O=Smtplog Test,C=US\t"
		   "CN=Smtplog Test Root,O=Smtplog Test,C=US\t"
		   "1577836800.000000\t2524607999.000000\trsaEncryption\t"
		   "sha256WithRSAEncryption\trsa\t2048\t65537\t-\t-\t-\t-\t-\tT\t1\tF\tF",
		   false);
	check_line(
	    "inter",
	    "3\t1000\tCN=Smtplog Test ECC Intermediate,OU=Intermediates,O=Smtplog Test,C=US\t"
	    "CN=Smtplog Test Root,O=Smtplog Test,C=US\t"
	    "1591012800.000000\t2208988800.000000\tid-ecPublicKey\t"
	    "sha256WithRSAEncryption\tecdsa\t384\t-\tsecp384r1\t-\t-\t-\t-\tT\t0\tF\tF",
	    false);
	/* RFC 2253 escapes by OpenSSL (\, \; \" and UTF-8 as \C3\B6), then the
	 * TSV writer doubles each backslash; a multi-valued RDN joins with +. */
	check_line("leaf-rsa",
		   "3\tFACE0FF1CE\temailAddress=postmaster@example.org,CN=mail.example.org,"
		   "OU=Mail+OU=Ops,O=Foo\\\\, Inc.\\\\; \\\\\"Bar\\\\\",L=K\\\\C3\\\\B6ln,C=DE\t"
		   "CN=Smtplog Test ECC Intermediate,OU=Intermediates,O=Smtplog Test,C=US\t"
		   "1740817800.000000\t1803889800.000000\trsaEncryption\tecdsa-with-SHA256\t"
		   "rsa\t1024\t65537\t-\tmail.example.org,*.example.org\thttps://example.org/x\t"
		   "postmaster@example.org\t192.0.2.25,2001:db8::25\tF\t-\tT\tF",
		   true);
	/* GeneralizedTime notAfter (2060), no SAN, no basicConstraints. */
	check_line("leaf-ec",
		   "3\t7F\tCN=ec.example.org\t"
		   "CN=Smtplog Test ECC Intermediate,OU=Intermediates,O=Smtplog Test,C=US\t"
		   "1735689600.000000\t2840140800.000000\tid-ecPublicKey\tecdsa-with-SHA256\t"
		   "ecdsa\t256\t-\tprime256v1\t-\t-\t-\t-\t-\t-\tT\tF",
		   true);
	check_line("expired",
		   "3\t2A\tO=\\\\#hash=eq\\\\<lt\\\\>,CN=old.example.org\t"
		   "CN=Smtplog Test ECC Intermediate,OU=Intermediates,O=Smtplog Test,C=US\t"
		   "1262304000.000000\t1293840000.000000\trsaEncryption\tecdsa-with-SHA256\t"
		   "rsa\t1024\t65537\t-\told.example.org\t-\t-\t-\tF\t-\tF\tF",
		   false);

	/* Fields that are not logged, and the raw struct. */
	struct x509_info c;
	CHECK(parse_fixture("leaf-rsa", &c) == X509_OK);
	CHECK_STR(c.cn.p, "mail.example.org");
	CHECK_STR(c.tbs_sig_alg.p, "ecdsa-with-SHA256");
	CHECK(c.n_weirds == 0);
	CHECK(c.has_san && !c.san_other_fields);
	CHECK(c.n_san_ip == 2 && sl_addr_is_v4(&c.san_ip[0]));
	x509_info_free(&c);
}

/* Optional columns: tbs_sig_alg after curve, cert (base64 of DER) last. */
static void test_options(void)
{
	struct x509_info c;
	struct buf b;
	buf_init(&b, 1 << 20);
	CHECK(parse_fixture("leaf-ec", &c) == X509_OK);
	struct x509_log_opts o = {true, true};
	const struct log_schema *s = x509_log_schema(&o);
	CHECK(s->n_fields == X509_MAX_FIELDS);
	CHECK_STR(s->fields[14].name, "certificate.tbs_sig_alg");
	CHECK_STR(s->fields[23].name, "cert");
	CHECK(x509_log_schema(NULL) == &x509_schema);
	CHECK(x509_schema.n_fields == X509_N_FIELDS);
	CHECK_STR(x509_schema.fields[1].name, "fingerprint");
	CHECK_STR(x509_schema.fields[21].name, "client_cert");

	render(&b, &o, 0, &c, true, false);
	/* Column 15 is tbs_sig_alg, the last one starts like any DER cert. */
	const char *p = (const char *)b.data;
	size_t tabs = 0, i = 0;
	for (; i < b.len && tabs < 14; i++)
		tabs += p[i] == '\t';
	CHECK(i + 18 <= b.len && memcmp(p + i, "ecdsa-with-SHA256\t", 18) == 0);
	const char *last = NULL;
	for (size_t k = 0; k < b.len; k++)
		if (p[k] == '\t')
			last = p + k;
	CHECK(last != NULL);
	if (last) {
		CHECK(b.len - (size_t)(last - p) > 4 && memcmp(last + 1, "MII", 3) == 0);
		CHECK((b.len - (size_t)(last + 1 - p)) == (c.der_n + 2) / 3 * 4);
	}
	x509_info_free(&c);
	buf_free(&b);
}

/* ---- Zeek's ASN.1 time parser (§5.3) ---- */

static void time_case(int type, const char *s, double want, const char *weird, int line)
{
	const char *w = NULL;
	double got = x509_time_parse(type, (const uint8_t *)s, strlen(s), &w);
	bool ok = got == want && (weird ? (w && strcmp(w, weird) == 0) : w == NULL);
	if (!ok)
		fprintf(stderr, "line %d: \"%s\": got %.0f (%s), want %.0f (%s)\n", line, s, got,
			w ? w : "-", want, weird ? weird : "-");
	CHECK(ok);
}
#define UTC(s, want, weird) time_case(V_ASN1_UTCTIME, s, want, weird, __LINE__)
#define GEN(s, want, weird) time_case(V_ASN1_GENERALIZEDTIME, s, want, weird, __LINE__)

static void test_time(void)
{
	UTC("200101000000Z", 1577836800, NULL);
	UTC("2001010000Z", 1577836800, NULL);   /* no seconds */
	UTC("491231235959Z", 2524607999, NULL); /* 49 -> 2049 */
	UTC("500101000000Z", -631152000, NULL); /* 50 -> 1950 */
	UTC("000229120000Z", 951825600, NULL);
	UTC("200101000000", 0, "x509_utc_format"); /* must end in Z */
	UTC("2001010000+0100", 0, "x509_utc_format");
	UTC("200101000Z", 0, "x509_utc_length");
	UTC("200101000000.12345Z", 0, "x509_utc_length"); /* 19 > 17 */
	/* One seconds digit: Zeek takes "0Z" as the seconds ('Z' - '0' = 42). */
	UTC("20010100000Z", 1577836842, NULL);

	GEN("20600101000000Z", 2840140800, NULL);
	GEN("202001010000", 1577836800, NULL); /* 12 chars */
	GEN("20200101000000", 1577836800, NULL);
	GEN("20200101000000.123Z", 1577836800, NULL); /* fraction skipped */
	GEN("20200101000000.5", 1577836800, NULL);
	/* The quirk: digits weigh 10, 60, 10 and 1 seconds. */
	GEN("20200101000000+0130", 1577836800 + 90, NULL);
	GEN("20200101000000-0100", 1577836800 - 60, NULL);
	GEN("202001010000+1234", 1577836800 + 10 + 120 + 30 + 4, NULL);
	GEN("20200101000000+01", 0, "x509_time_offset_underflow");
	GEN("20200101000000X0100", 0, "x509_time_offset_type");
	GEN("2020010100001", 0, "x509_time_add_char");
	GEN("20200101000", 0, "x509_gen_time_length");
	GEN("20200101000000.1234567890Z", 0, "x509_gen_time_length");
	/* timegm normalises: month 13 is next January, day 0 the last one. */
	GEN("20201301000000Z", 1609459200, NULL);
	GEN("20200100000000Z", 1577750400, NULL);
	/* An exact 0 stays 0: the offset is not applied. */
	GEN("19700101000000+0100", 0, NULL);
	GEN("19700101000001Z", 1, NULL);

	const char *w = NULL;
	CHECK(x509_time_parse(V_ASN1_OCTET_STRING, (const uint8_t *)"x", 1, &w) == 0);
	CHECK(w && strcmp(w, "x509_invalid_time_type") == 0);
	/* Non-digits: arithmetic as Zeek's (signed char - '0'), no crash. */
	x509_time_parse(V_ASN1_GENERALIZEDTIME,
			(const uint8_t *)"\xff\x80zzzzzzzzzz\xfe\xfe+\xff\xff\xff\xff", 19, &w);
}

/* ---- certificates built here, for what the fixtures cannot show ---- */

static EVP_PKEY *ec_key;

static X509 *cert_new(void)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"t", -1, -1, 0);
	X509_set_issuer_name(x, n);
	ASN1_TIME_set_string(X509_getm_notBefore(x), "200101000000Z");
	ASN1_TIME_set_string(X509_getm_notAfter(x), "20600101000000Z");
	X509_set_pubkey(x, ec_key);
	return x;
}

/* Signs, encodes, parses. */
static int cert_parse(X509 *x, struct x509_info *c)
{
	X509_sign(x, ec_key, EVP_sha256());
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	X509_free(x);
	if (n <= 0)
		return -100;
	int rc = x509_parse(der, (size_t)n, c);
	OPENSSL_free(der);
	return rc;
}

static void add_ext_raw(X509 *x, int nid, const unsigned char *p, int n)
{
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(os, p, n);
	X509_EXTENSION *ex = X509_EXTENSION_create_by_NID(NULL, nid, 0, os);
	X509_add_ext(x, ex, -1);
	X509_EXTENSION_free(ex);
	ASN1_OCTET_STRING_free(os);
}

static void add_ext_conf(X509 *x, int nid, const char *value)
{
	X509_EXTENSION *ex = X509V3_EXT_conf_nid(NULL, NULL, nid, value);
	CHECK(ex != NULL);
	if (ex) {
		X509_add_ext(x, ex, -1);
		X509_EXTENSION_free(ex);
	}
}

static bool has_weird(const struct x509_info *c, const char *name)
{
	for (size_t i = 0; i < c->n_weirds; i++)
		if (strcmp(c->weirds[i], name) == 0)
			return true;
	return false;
}

static void test_serials(void)
{
	struct x509_info c;
	X509 *x = cert_new();
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0);
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK_STR(c.serial.p, "00");
	x509_info_free(&c);

	x = cert_new();
	ASN1_INTEGER_set(X509_get_serialNumber(x), -0x1234);
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK_STR(c.serial.p, "-1234");
	x509_info_free(&c);

	/* 40 bytes: i2a_ASN1_INTEGER breaks the line after 35 of them. */
	x = cert_new();
	unsigned char big[40];
	for (int i = 0; i < 40; i++)
		big[i] = (unsigned char)(0x11 + i);
	BIGNUM *bn = BN_bin2bn(big, sizeof big, NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK(c.serial.n == 80 + 2 && c.serial.p[70] == '\\' && c.serial.p[71] == '\n');
	x509_info_free(&c);

	/* Empty subject and issuer. */
	x = cert_new();
	X509_NAME *empty = X509_NAME_new();
	X509_set_subject_name(x, empty);
	X509_set_issuer_name(x, empty);
	X509_NAME_free(empty);
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK(c.subject.p && c.subject.n == 0);
	CHECK(c.issuer.p && c.issuer.n == 0);
	CHECK(c.cn.p == NULL);
	x509_info_free(&c);
}

static void test_extensions(void)
{
	struct x509_info c;
	/* Two SAN extensions: the last one wins; an IP of 5 bytes is skipped
	 * but san.ip still becomes present (empty). */
	X509 *x = cert_new();
	add_ext_conf(x, NID_subject_alt_name, "DNS:first.example");
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OCTET_STRING *ip = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(ip, (const unsigned char *)"\1\2\3\4\5", 5);
	GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
	sk_GENERAL_NAME_push(gens, g);
	g = GENERAL_NAME_new();
	GENERAL_NAME_set0_othername(g, OBJ_txt2obj("1.2.3.4", 1), ASN1_TYPE_new());
	ASN1_TYPE_set(g->d.otherName->value, V_ASN1_NULL, NULL);
	sk_GENERAL_NAME_push(gens, g);
	X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_APPEND);
	GENERAL_NAMES_free(gens);
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK(c.has_san && c.san_other_fields);
	CHECK(!c.san_dns.present);
	CHECK(c.san_ip_present && c.n_san_ip == 0);
	CHECK(has_weird(&c, "x509_san_ip_length"));
	x509_info_free(&c);

	/* Undecodable basicConstraints and SAN: weirds, fields unset. */
	x = cert_new();
	add_ext_raw(x, NID_basic_constraints, (const unsigned char *)"\x05\x00", 2);
	add_ext_raw(x, NID_subject_alt_name, (const unsigned char *)"\x04\x01\x00", 3);
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK(!c.has_basic_constraints && !c.has_san);
	CHECK(has_weird(&c, "x509_invalid_basic_constraint"));
	CHECK(has_weird(&c, "x509_san_parse_error"));
	x509_info_free(&c);

	/* CA without pathlen; a later basicConstraints replaces it. */
	x = cert_new();
	add_ext_conf(x, NID_basic_constraints, "CA:TRUE");
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK(c.has_basic_constraints && c.bc_ca && !c.bc_has_path_len);
	x509_info_free(&c);
	x = cert_new();
	add_ext_conf(x, NID_basic_constraints, "CA:TRUE,pathlen:7");
	add_ext_conf(x, NID_basic_constraints, "CA:FALSE");
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK(c.has_basic_constraints && !c.bc_ca && !c.bc_has_path_len);
	x509_info_free(&c);

	/* Validity the Zeek parser rejects: UTCTime with an offset. */
	x = cert_new();
	ASN1_UTCTIME *t = ASN1_UTCTIME_new();
	CHECK(ASN1_UTCTIME_set_string(t, "2001010000+0100") == 1);
	X509_set1_notBefore(x, t);
	ASN1_UTCTIME_free(t);
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK(c.not_valid_before == 0 && c.not_valid_after == 2840140800.0);
	CHECK(has_weird(&c, "x509_utc_format"));
	x509_info_free(&c);
}

/* Thousands of SAN entries: all kept, the writer cuts at 500 per field and
 * 1500 per line. */
static void test_huge_san(void)
{
	struct x509_info c;
	X509 *x = cert_new();
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	char name[64];
	for (int i = 0; i < 3000; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_IA5STRING *s = ASN1_IA5STRING_new();
		int kind = i % 3 == 0 ? GEN_DNS : i % 3 == 1 ? GEN_EMAIL : GEN_URI;
		snprintf(name, sizeof name, "n%d.example", i);
		ASN1_STRING_set(s, name, -1);
		GENERAL_NAME_set0_value(g, kind, s);
		sk_GENERAL_NAME_push(gens, g);
	}
	for (int i = 0; i < 700; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_OCTET_STRING *ip = ASN1_OCTET_STRING_new();
		unsigned char a[4] = {10, 0, (unsigned char)(i >> 8), (unsigned char)i};
		ASN1_OCTET_STRING_set(ip, a, 4);
		GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
		sk_GENERAL_NAME_push(gens, g);
	}
	X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_APPEND);
	GENERAL_NAMES_free(gens);
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK(c.san_dns.n == 1000 && c.san_email.n == 1000 && c.san_uri.n == 1000);
	CHECK(c.n_san_ip == 700);
	CHECK_STR(c.san_uri.items[999].p, "n2999.example");

	struct buf b;
	buf_init(&b, 1 << 22);
	render(&b, NULL, 0, &c, false, false);
	/* Count commas per column: 500 + 500 + 500 elements, then none left. */
	size_t col = 0, commas[32] = {0};
	for (size_t i = 0; i < b.len; i++) {
		if (b.data[i] == '\t')
			col++;
		else if (b.data[i] == ',' && col < 32)
			commas[col]++;
	}
	CHECK(commas[14] == 499 && commas[15] == 499 && commas[16] == 499);
	CHECK(commas[17] == 0); /* the record budget of 1500 is used up */
	buf_free(&b);
	x509_info_free(&c);
}

/* RDP's md5WithRSAEncryption key algorithm: decoded as a raw RSA key. */
static void test_rdp_key(void)
{
	struct x509_info c;
	EVP_PKEY *rsa = EVP_RSA_gen(1024);
	CHECK(rsa != NULL);
	unsigned char *raw = NULL;
	int raw_n = i2d_PublicKey(rsa, &raw);
	CHECK(raw_n > 0);
	X509 *x = cert_new();
	/* Replaces the encoded key in place; the cached EC key is not
	 * encoded, and the parse below decodes the DER afresh. */
	CHECK(X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), OBJ_nid2obj(NID_md5WithRSAEncryption),
				     V_ASN1_NULL, NULL, raw, raw_n) == 1);
	CHECK(cert_parse(x, &c) == X509_OK);
	CHECK(c.key_alg.p && strcmp(c.key_alg.p, "md5WithRSAEncryption") == 0);
	CHECK(c.key_type.p && strcmp(c.key_type.p, "rsa") == 0);
	CHECK(c.has_key_length && c.key_length == 1024);
	CHECK(c.exponent.p && strcmp(c.exponent.p, "65537") == 0);
	x509_info_free(&c);
	EVP_PKEY_free(rsa);
}

/* ---- hostile input ---- */

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static void test_hostile(void)
{
	size_t n = 0;
	uint8_t *d = read_file(CERTS "leaf-rsa.der", &n);
	CHECK(d != NULL && n > 100);
	if (!d)
		return;
	struct x509_info c;

	/* Trailing bytes are ignored, also by the fingerprint. */
	uint8_t *longer = malloc(n + 10);
	memcpy(longer, d, n);
	memset(longer + n, 0xAA, 10);
	CHECK(x509_parse(longer, n + 10, &c) == X509_OK);
	char sha[65];
	read_sha("leaf-rsa", sha);
	CHECK_STR(c.fingerprint, sha);
	x509_info_free(&c);
	free(longer);

	/* Every truncation fails cleanly (copied, so ASan sees the end). */
	int ok = 0;
	for (size_t k = 0; k < n; k++) {
		uint8_t *t = malloc(k ? k : 1);
		memcpy(t, d, k);
		if (x509_parse(t, k, &c) == X509_OK)
			ok++;
		x509_info_free(&c);
		free(t);
	}
	CHECK(ok == 0);
	CHECK(x509_parse(NULL, 0, &c) == X509_ERR_PARSE);

	/* Single-byte corruptions anywhere: whatever OpenSSL accepts must
	 * give a complete record. */
	uint8_t *m = malloc(n);
	for (size_t k = 0; k < n; k++) {
		memcpy(m, d, n);
		m[k] ^= (uint8_t)(1u << (rnd() % 8));
		if (x509_parse(m, n, &c) == X509_OK) {
			CHECK(c.serial.p && c.subject.p && c.issuer.p && c.key_alg.p &&
			      c.sig_alg.p);
			CHECK(strlen(c.fingerprint) == 64);
			struct x509_log_row r;
			CHECK(x509_log_row_fill(&r, NULL, 0, &c, true, true) == 0);
			x509_log_row_free(&r);
		}
		x509_info_free(&c);
	}
	free(m);

	/* Random bytes, some behind a plausible SEQUENCE header. */
	uint8_t buf[512];
	int parsed = 0;
	for (int k = 0; k < 3000; k++) {
		size_t len = rnd() % sizeof buf;
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		if (len > 4 && k % 2) {
			buf[0] = 0x30;
			buf[1] = 0x82;
			buf[2] = (uint8_t)((len - 4) >> 8);
			buf[3] = (uint8_t)(len - 4);
		}
		if (x509_parse(buf, len, &c) == X509_OK)
			parsed++;
		x509_info_free(&c);
	}
	CHECK(parsed == 0);
	free(d);
}

static void test_dedup(void)
{
	struct x509_dedup *d = x509_dedup_new(X509_RELOG_AFTER);
	const char *a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	CHECK(x509_dedup_check(d, 100, a, true, false));
	CHECK(!x509_dedup_check(d, 101, a, true, false));
	/* Another role is another triple. */
	CHECK(x509_dedup_check(d, 102, a, false, false));
	CHECK(x509_dedup_check(d, 102, a, true, true));
	CHECK(x509_dedup_check(d, 103, b, true, false));
	/* A day after it was added, it is logged again. */
	CHECK(!x509_dedup_check(d, 100 + 86399, a, true, false));
	CHECK(x509_dedup_check(d, 100 + 86400, a, true, false));
	CHECK(!x509_dedup_check(d, 100 + 86401, a, true, false));
	/* Growth keeps what is known. */
	char fp[65];
	for (int i = 0; i < 5000; i++) {
		snprintf(fp, sizeof fp, "%064d", i);
		CHECK(x509_dedup_check(d, 200, fp, false, false));
	}
	int again = 0;
	for (int i = 0; i < 5000; i++) {
		snprintf(fp, sizeof fp, "%064d", i);
		again += x509_dedup_check(d, 300, fp, false, false);
	}
	CHECK(again == 0);
	CHECK(!x509_dedup_check(d, 300, b, true, false));
	x509_dedup_free(d);

	/* relog_known_certificates_after = 0secs: every line is due. */
	d = x509_dedup_new(0);
	CHECK(x509_dedup_check(d, 100, a, true, false));
	CHECK(x509_dedup_check(d, 100, a, true, false));
	x509_dedup_free(d);
}

/* An ML-DSA-44 certificate (FIPS 204 OIDs, 1312-byte key), which OpenSSL
 * before 3.5 cannot decode: named and sized as OpenSSL 3.5 does. */
static void test_ml_dsa(void)
{
	static const char *oid = "2.16.840.1.101.3.4.3.17";
	for (int key_len = 1312; key_len <= 1313; key_len++) {
		X509 *x = cert_new();
		unsigned char *key = OPENSSL_zalloc((size_t)key_len);
		X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), OBJ_txt2obj(oid, 1), V_ASN1_UNDEF,
				       NULL, key, key_len);
		X509_ALGOR_set0((X509_ALGOR *)X509_get0_tbs_sigalg(x), OBJ_txt2obj(oid, 1),
				V_ASN1_UNDEF, NULL);
		const X509_ALGOR *outer = NULL;
		X509_get0_signature(NULL, &outer, x);
		X509_ALGOR_set0((X509_ALGOR *)outer, OBJ_txt2obj(oid, 1), V_ASN1_UNDEF, NULL);
		unsigned char *der = NULL;
		int n = i2d_X509(x, &der);
		X509_free(x);
		CHECK(n > 1312);
		struct x509_info c;
		CHECK(x509_parse(der, (size_t)n, &c) == X509_OK);
		OPENSSL_free(der);
		CHECK_STR(c.key_alg.p, "ML-DSA-44");
		CHECK_STR(c.sig_alg.p, "ML-DSA-44");
		if (key_len == 1312) {
			CHECK_STR(c.key_type.p ? c.key_type.p : "", "ML-DSA-44");
			CHECK(c.has_key_length && c.key_length == 10496);
		} else {
			/* Not an ML-DSA-44 key: no type, no length. */
			CHECK(c.key_type.p == NULL && !c.has_key_length);
		}
		x509_info_free(&c);
	}
}

/* parse_distinguished_name(): RFC 2253 text of a DER Name, "" if bad. */
static void test_dn_text(void)
{
	X509_NAME *name = X509_NAME_new();
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Some, Org", -1,
				   -1, 0);
	unsigned char *der = NULL;
	int n = i2d_X509_NAME(name, &der);
	CHECK(n > 0);
	char text[X509_DN_TEXT_MAX];
	size_t len = x509_dn_text(der, (size_t)n, text);
	CHECK(len == strlen("O=Some\\, Org,C=US"));
	CHECK_STR(text, "O=Some\\, Org,C=US");
	/* Cut DER: no text. */
	CHECK(x509_dn_text(der, (size_t)n - 1, text) == 0);
	CHECK_STR(text, "");
	/* A name longer than Zeek's buffer is cut at 255 bytes. */
	char longv[61];
	memset(longv, 'a', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	for (int k = 0; k < 6; k++)
		X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC, (const unsigned char *)longv,
					   -1, -1, 0);
	OPENSSL_free(der);
	der = NULL;
	n = i2d_X509_NAME(name, &der);
	CHECK(x509_dn_text(der, (size_t)n, text) == 255);
	OPENSSL_free(der);
	X509_NAME_free(name);
}

int main(void)
{
	ec_key = EVP_EC_gen("P-256");
	if (!ec_key) {
		fprintf(stderr, "no EC key\n");
		return 1;
	}
	test_fixtures();
	test_options();
	test_time();
	test_serials();
	test_extensions();
	test_huge_san();
	test_rdp_key();
	test_hostile();
	test_dedup();
	test_dn_text();
	test_ml_dsa();
	EVP_PKEY_free(ec_key);
	return check_summary();
}
