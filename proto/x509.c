/*
 * X.509 certificate parsing the way Zeek's X509 file analyzer does it,
 * and x509.log (protocols spec §5). The OpenSSL calls below mirror
 * X509::ParseCertificate, ParseSAN and ParseBasicConstraints one for one:
 * the printed names and escapes are OpenSSL's, so they must come from the
 * same functions with the same flags and buffer sizes.
 */
#include "proto/x509.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/bytes.h"

/* Zeek reads OpenSSL's printed strings into a char buf[2048]. */
#define X509_TEXT_BUF 2048
/* i2t_ASN1_OBJECT(buf, 255, ...) for key_alg and sig_alg. */
#define X509_OID_BUF 255

static void add_weird(struct x509_info *c, const char *name)
{
	if (c->n_weirds < X509_MAX_WEIRDS)
		c->weirds[c->n_weirds++] = name;
	else
		c->n_weirds_dropped++;
}

static int str_set(struct x509_str *s, const char *p, size_t n)
{
	free(s->p);
	s->p = malloc(n + 1);
	if (!s->p) {
		s->n = 0;
		return X509_ERR_NOMEM;
	}
	if (n)
		memcpy(s->p, p, n);
	s->p[n] = '\0';
	s->n = n;
	return X509_OK;
}

static void str_free(struct x509_str *s)
{
	free(s->p);
	s->p = NULL;
	s->n = 0;
}

static void strlist_free(struct x509_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		str_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void x509_info_free(struct x509_info *c)
{
	if (!c)
		return;
	str_free(&c->serial);
	str_free(&c->subject);
	str_free(&c->issuer);
	str_free(&c->cn);
	str_free(&c->key_alg);
	str_free(&c->sig_alg);
	str_free(&c->tbs_sig_alg);
	str_free(&c->key_type);
	str_free(&c->exponent);
	str_free(&c->curve);
	strlist_free(&c->san_dns);
	strlist_free(&c->san_uri);
	strlist_free(&c->san_email);
	free(c->san_ip);
	free(c->der);
	memset(c, 0, sizeof *c);
}

/*
 * Takes what the BIO holds the way Zeek does: BIO_read (serial) or BIO_gets
 * (one line, names) into a 2048-byte buffer, then resets the BIO. A
 * negative length (nothing to read) becomes an empty string.
 */
static int bio_take(BIO *bio, struct x509_str *s, bool line)
{
	char buf[X509_TEXT_BUF];
	int len = line ? BIO_gets(bio, buf, sizeof buf) : BIO_read(bio, buf, sizeof buf);
	if (len < 0)
		len = 0;
	(void)BIO_reset(bio);
	return str_set(s, buf, (size_t)len);
}

/* i2t_ASN1_OBJECT(buf, 255, obj) read back as a C string. */
static int oid_text(struct x509_str *s, const ASN1_OBJECT *obj)
{
	char buf[X509_OID_BUF + 1];
	memset(buf, 0, sizeof buf);
	if (!obj || i2t_ASN1_OBJECT(buf, X509_OID_BUF, obj) <= 0)
		buf[0] = '\0';
	return str_set(s, buf, strlen(buf));
}

/* ---- validity times: X509Common::GetTimeFromAsn1 ---- */

/* timegm() for any field values, normalising them the way glibc does
 * (out-of-range months, days and so on carry over). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t timegm_fields(int64_t year, int64_t mon, int64_t mday, int64_t hour, int64_t min,
			     int64_t sec)
{
	/* mon is 0-based like tm_mon; carry whole years first. */
	int64_t y = year + (mon >= 0 ? mon / 12 : -((11 - mon) / 12));
	int64_t m = mon - (y - year) * 12;
	int64_t days = days_from_civil(y, m + 1, 1) + (mday - 1);
	return days * 86400 + hour * 3600 + min * 60 + sec;
}

double x509_time_parse(int type, const uint8_t *us, size_t n, const char **weird)
{
	/* Zeek reads the bytes as (signed) char: keep its arithmetic. */
	const signed char *s = (const signed char *)us;
	char b[26];
	size_t bi = 0, si = 0, remaining = n;
	*weird = NULL;

	if (type == V_ASN1_UTCTIME) {
		if (remaining < 11 || remaining > 17) {
			*weird = "x509_utc_length";
			return 0;
		}
		if (s[remaining - 1] != 'Z') {
			*weird = "x509_utc_format";
			return 0;
		}
		/* RFC 2459 4.1.2.5.1: YY < 50 is 20YY. */
		b[bi++] = s[0] < '5' ? '2' : '1';
		b[bi++] = s[0] < '5' ? '0' : '9';
		memcpy(b + bi, us, 10);
		bi += 10;
		si = 10;
		remaining -= 10;
	} else if (type == V_ASN1_GENERALIZEDTIME) {
		if (remaining < 12 || remaining > 23) {
			*weird = "x509_gen_time_length";
			return 0;
		}
		memcpy(b, us, 12);
		bi = 12;
		si = 12;
		remaining -= 12;
	} else {
		*weird = "x509_invalid_time_type";
		return 0;
	}

	if (remaining == 0 || s[si] == 'Z' || s[si] == '-' || s[si] == '+') {
		b[bi++] = '0';
		b[bi++] = '0';
	} else if (remaining >= 2) {
		b[bi++] = (char)s[si++];
		b[bi++] = (char)s[si++];
		remaining -= 2;
		if (remaining > 0 && s[si] == '.') {
			size_t frac = 1 + bytes_span(us + si + 1, remaining - 1, ASCII_DIGIT);
			si += frac; /* the fraction is read and dropped, as in Zeek */
			remaining -= frac;
		}
	} else {
		*weird = "x509_time_add_char";
		return 0;
	}

	int64_t off;
	if (remaining == 0 || s[si] == 'Z') {
		off = 0;
	} else {
		if (remaining < 5) {
			*weird = "x509_time_offset_underflow";
			return 0;
		}
		if (s[si] != '+' && s[si] != '-') {
			*weird = "x509_time_offset_type";
			return 0;
		}
		/* Zeek's quirk: the digits are weighted 10, 60, 10, 1 seconds. */
		off = (int64_t)(s[si + 1] - '0') * 10 + (int64_t)(s[si + 2] - '0') * 60;
		off += (int64_t)(s[si + 3] - '0') * 10 + (s[si + 4] - '0');
		if (s[si] == '-')
			off = -off;
	}

#define D(i) ((int64_t)((signed char)b[i] - '0'))
	int64_t sec = D(12) * 10 + D(13);
	int64_t min = D(10) * 10 + D(11);
	int64_t hour = D(8) * 10 + D(9);
	int64_t mday = D(6) * 10 + D(7);
	int64_t mon = D(4) * 10 + D(5) - 1;
	int64_t year = D(0) * 1000 + D(1) * 100 + D(2) * 10 + D(3);
#undef D
	/* tm_year is years since 1900 only when the year is above 1900. */
	if (year > 1900)
		year -= 1900;
	int64_t t = timegm_fields(year + 1900, mon, mday, hour, min, sec);
	if (t == 0)
		return 0;
	return (double)(t + off);
}

static double asn1_time(struct x509_info *c, const ASN1_TIME *t)
{
	const char *weird = NULL;
	if (!t) {
		add_weird(c, "x509_invalid_time_type");
		return 0;
	}
	int len = ASN1_STRING_length(t);
	double v = x509_time_parse(ASN1_STRING_type(t), ASN1_STRING_get0_data(t),
				   len > 0 ? (size_t)len : 0, &weird);
	if (weird)
		add_weird(c, weird);
	return v;
}

/* ---- extensions ---- */

static int parse_basic_constraints(struct x509_info *c, X509_EXTENSION *ex)
{
	BASIC_CONSTRAINTS *bc = X509V3_EXT_d2i(ex);
	if (!bc) {
		add_weird(c, "x509_invalid_basic_constraint");
		return X509_OK;
	}
	/* The script keeps the last extension's record. */
	c->has_basic_constraints = true;
	c->bc_ca = bc->ca != 0;
	c->bc_has_path_len = bc->pathlen != NULL;
	c->bc_path_len = 0;
	if (bc->pathlen) {
		/* Zeek assigns an int32 to a count field: a negative value (or
		 * ASN1_INTEGER_get's -1 for one too large) wraps (UNVERIFIED). */
		int32_t pl = (int32_t)ASN1_INTEGER_get(bc->pathlen);
		c->bc_path_len = (uint64_t)(int64_t)pl;
	}
	BASIC_CONSTRAINTS_free(bc);
	return X509_OK;
}

static int strlist_push(struct x509_strlist *l, const unsigned char *p, int n)
{
	if ((l->n & (l->n - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
		size_t cap = l->n ? l->n * 2 : 1;
		struct x509_str *items = realloc(l->items, cap * sizeof *items);
		if (!items)
			return X509_ERR_NOMEM;
		l->items = items;
	}
	struct x509_str *s = &l->items[l->n];
	memset(s, 0, sizeof *s);
	if (str_set(s, (const char *)p, n > 0 ? (size_t)n : 0) != X509_OK)
		return X509_ERR_NOMEM;
	l->n++;
	l->present = true;
	return X509_OK;
}

static int parse_san(struct x509_info *c, X509_EXTENSION *ex)
{
	GENERAL_NAMES *names = X509V3_EXT_d2i(ex);
	if (!names) {
		add_weird(c, "x509_san_parse_error");
		return X509_OK;
	}
	/* A later SAN extension replaces the earlier one. */
	strlist_free(&c->san_dns);
	strlist_free(&c->san_uri);
	strlist_free(&c->san_email);
	free(c->san_ip);
	c->san_ip = NULL;
	c->n_san_ip = 0;
	c->san_ip_present = false;
	c->san_other_fields = false;
	c->has_san = true;

	int rc = X509_OK;
	int count = sk_GENERAL_NAME_num(names);
	if (count > 0) {
		c->san_ip = calloc((size_t)count, sizeof *c->san_ip);
		if (!c->san_ip)
			rc = X509_ERR_NOMEM;
	}
	for (int i = 0; i < count && rc == X509_OK; i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		if (!g)
			continue;
		if (g->type == GEN_DNS || g->type == GEN_URI || g->type == GEN_EMAIL) {
			if (ASN1_STRING_type(g->d.ia5) != V_ASN1_IA5STRING) {
				add_weird(c, "x509_san_non_string");
				continue;
			}
			struct x509_strlist *l = g->type == GEN_DNS   ? &c->san_dns
						 : g->type == GEN_URI ? &c->san_uri
								      : &c->san_email;
			rc = strlist_push(l, ASN1_STRING_get0_data(g->d.ia5),
					  ASN1_STRING_length(g->d.ia5));
		} else if (g->type == GEN_IPADD) {
			/* Zeek creates the vector before checking the length. */
			c->san_ip_present = true;
			int n = ASN1_STRING_length(g->d.ip);
			const unsigned char *p = ASN1_STRING_get0_data(g->d.ip);
			if (n == 4)
				c->san_ip[c->n_san_ip++] = sl_addr_from_v4(p);
			else if (n == 16)
				c->san_ip[c->n_san_ip++] = sl_addr_from_v6(p);
			else
				add_weird(c, "x509_san_ip_length");
		} else {
			c->san_other_fields = true;
		}
	}
	GENERAL_NAMES_free(names);
	return rc;
}

/* ---- the certificate ---- */

/*
 * ML-DSA (FIPS 204) as OpenSSL 3.5 and later name and size it, for the
 * OpenSSL releases before it that know neither the OIDs nor the keys:
 * Zeek 9 on a current OpenSSL logs the names below as key_alg, sig_alg and
 * key_type, and EVP_PKEY_bits (the public key's bits) as key_length.
 */
static const struct pq_alg {
	const char *oid, *name;
	int pub_len;
} pq_algs[] = {
    {"2.16.840.1.101.3.4.3.17", "ML-DSA-44", 1312},
    {"2.16.840.1.101.3.4.3.18", "ML-DSA-65", 1952},
    {"2.16.840.1.101.3.4.3.19", "ML-DSA-87", 2592},
};

static const struct pq_alg *pq_alg_of(const ASN1_OBJECT *obj)
{
	char buf[64];
	if (!obj || OBJ_obj2nid(obj) != NID_undef || OBJ_obj2txt(buf, sizeof buf, obj, 1) <= 0)
		return NULL;
	for (size_t i = 0; i < sizeof pq_algs / sizeof pq_algs[0]; i++)
		if (!strcmp(buf, pq_algs[i].oid))
			return &pq_algs[i];
	return NULL;
}

static int parse_key(struct x509_info *c, X509 *x, const ASN1_OBJECT *alg, const unsigned char *pub,
		     int pub_len)
{
	EVP_PKEY *pkey;
	/* RDP certificates name their key md5WithRSAEncryption: Zeek decodes
	 * the raw key bytes as RSA. */
	if (OBJ_obj2nid(alg) == NID_md5WithRSAEncryption)
		pkey = pub ? d2i_PublicKey(EVP_PKEY_RSA, NULL, &pub, pub_len) : NULL;
	else
		pkey = X509_get_pubkey(x);
	if (!pkey) {
		const struct pq_alg *pq = pq_alg_of(alg);
		if (!pq || pub_len != pq->pub_len)
			return X509_OK;
		c->has_key_length = true;
		c->key_length = (uint64_t)pub_len * 8;
		return str_set(&c->key_type, pq->name, strlen(pq->name));
	}

	int rc = X509_OK;
	int base = EVP_PKEY_base_id(pkey);
	if (base == EVP_PKEY_DSA) {
		rc = str_set(&c->key_type, "dsa", 3);
	} else if (base == EVP_PKEY_RSA) {
		rc = str_set(&c->key_type, "rsa", 3);
		BIGNUM *e = NULL;
		if (rc == X509_OK && EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) && e) {
			char *dec = BN_bn2dec(e);
			if (dec) {
				rc = str_set(&c->exponent, dec, strlen(dec));
				OPENSSL_free(dec);
			}
		}
		BN_free(e);
	} else if (base == EVP_PKEY_EC) {
		rc = str_set(&c->key_type, "ecdsa", 5);
		char buf[256];
		if (rc == X509_OK && EVP_PKEY_get_utf8_string_param(
					 pkey, OSSL_PKEY_PARAM_GROUP_NAME, buf, 255, NULL))
			rc = str_set(&c->curve, buf, strnlen(buf, 255));
	} else {
		const char *name = EVP_PKEY_get0_type_name(pkey);
		if (name)
			rc = str_set(&c->key_type, name, strlen(name));
	}
	int bits = EVP_PKEY_bits(pkey);
	if (bits > 0) {
		c->has_key_length = true;
		c->key_length = (uint64_t)bits;
	}
	EVP_PKEY_free(pkey);
	return rc;
}

static int fingerprint(struct x509_info *c, X509 *x)
{
	unsigned char *enc = NULL;
	int len = i2d_X509(x, &enc);
	if (len < 0)
		return X509_ERR_PARSE;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	int ok = EVP_Digest(enc, (size_t)len, md, &md_len, EVP_sha256(), NULL);
	/* Keep the re-encoding: log-certs-base64 logs it, ssl.log hashes it. */
	c->der = malloc(len > 0 ? (size_t)len : 1);
	if (c->der) {
		memcpy(c->der, enc, (size_t)len);
		c->der_n = (size_t)len;
	}
	OPENSSL_free(enc);
	if (!c->der)
		return X509_ERR_NOMEM;
	if (!ok || md_len != 32)
		return X509_ERR_NOMEM;
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < 32; i++) {
		c->fingerprint[2 * i] = hex[md[i] >> 4];
		c->fingerprint[2 * i + 1] = hex[md[i] & 15];
	}
	c->fingerprint[64] = '\0';
	return X509_OK;
}

size_t x509_dn_text(const uint8_t *der, size_t n, char out[X509_DN_TEXT_MAX])
{
	out[0] = '\0';
	if (n > (size_t)LONG_MAX)
		return 0;
	const unsigned char *in = der;
	X509_NAME *name = d2i_X509_NAME(NULL, &in, (long)n);
	if (!name)
		return 0;
	size_t len = 0;
	BIO *bio = BIO_new(BIO_s_mem());
	if (bio) {
		X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
		/* BIO_gets: the first line, at most 255 bytes, as Zeek reads it. */
		int got = BIO_gets(bio, out, X509_DN_TEXT_MAX);
		len = got > 0 ? (size_t)got : 0;
		out[len] = '\0';
		BIO_free(bio);
	}
	X509_NAME_free(name);
	return len;
}

static int parse_cert(struct x509_info *c, X509 *x, BIO *bio)
{
	int rc = fingerprint(c, x);
	if (rc != X509_OK)
		return rc;

	c->version = (uint64_t)(X509_get_version(x) + 1);

	i2a_ASN1_INTEGER(bio, X509_get0_serialNumber(x));
	if ((rc = bio_take(bio, &c->serial, false)) != X509_OK)
		return rc;

	X509_NAME *subject = X509_get_subject_name(x);
	X509_NAME_print_ex(bio, subject, 0, XN_FLAG_RFC2253);
	if ((rc = bio_take(bio, &c->subject, true)) != X509_OK)
		return rc;

	/* The most specific (last) common name. */
	int pos = -1;
	for (;;) {
		int j = X509_NAME_get_index_by_NID(subject, NID_commonName, pos);
		if (j == -1)
			break;
		pos = j;
	}
	if (pos != -1) {
		ASN1_STRING_print(bio, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, pos)));
		if ((rc = bio_take(bio, &c->cn, true)) != X509_OK)
			return rc;
	}

	X509_NAME_print_ex(bio, X509_get_issuer_name(x), 0, XN_FLAG_RFC2253);
	if ((rc = bio_take(bio, &c->issuer, true)) != X509_OK)
		return rc;

	c->not_valid_before = asn1_time(c, X509_get0_notBefore(x));
	c->not_valid_after = asn1_time(c, X509_get0_notAfter(x));

	ASN1_OBJECT *alg = NULL;
	const unsigned char *pub = NULL;
	int pub_len = 0;
	X509_PUBKEY_get0_param(&alg, &pub, &pub_len, NULL, X509_get_X509_PUBKEY(x));
	const struct pq_alg *pq_key = pq_alg_of(alg);
	rc = pq_key ? str_set(&c->key_alg, pq_key->name, strlen(pq_key->name))
		    : oid_text(&c->key_alg, alg);
	if (rc != X509_OK)
		return rc;

	const ASN1_OBJECT *tbs_alg = NULL;
	X509_ALGOR_get0(&tbs_alg, NULL, NULL, X509_get0_tbs_sigalg(x));
	i2a_ASN1_OBJECT(bio, tbs_alg);
	if ((rc = bio_take(bio, &c->tbs_sig_alg, true)) != X509_OK)
		return rc;

	const X509_ALGOR *outer = NULL;
	X509_get0_signature(NULL, &outer, x);
	const ASN1_OBJECT *outer_obj = NULL;
	if (outer)
		X509_ALGOR_get0(&outer_obj, NULL, NULL, outer);
	const struct pq_alg *pq_sig = X509_get_signature_nid(x) == NID_undef ? pq_alg_of(outer_obj) : NULL;
	rc = pq_sig ? str_set(&c->sig_alg, pq_sig->name, strlen(pq_sig->name))
		    : oid_text(&c->sig_alg, OBJ_nid2obj(X509_get_signature_nid(x)));
	if (rc != X509_OK)
		return rc;

	if (alg && (rc = parse_key(c, x, alg, pub, pub_len)) != X509_OK)
		return rc;

	int n_ext = X509_get_ext_count(x);
	for (int k = 0; k < n_ext && rc == X509_OK; k++) {
		X509_EXTENSION *ex = X509_get_ext(x, k);
		if (!ex)
			continue;
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ex));
		if (nid == NID_basic_constraints)
			rc = parse_basic_constraints(c, ex);
		else if (nid == NID_subject_alt_name)
			rc = parse_san(c, ex);
	}
	return rc;
}

int x509_parse(const uint8_t *der, size_t n, struct x509_info *out)
{
	memset(out, 0, sizeof *out);
	if (n > (size_t)LONG_MAX)
		return X509_ERR_PARSE;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)n);
	if (!x) {
		ERR_clear_error();
		return X509_ERR_PARSE;
	}
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = bio ? parse_cert(out, x, bio) : X509_ERR_NOMEM;
	BIO_free(bio);
	X509_free(x);
	/* Failed decodes inside (keys, extensions) leave entries behind. */
	ERR_clear_error();
	if (rc != X509_OK)
		x509_info_free(out);
	return rc;
}

/* ---- x509.log ---- */

#define F_TS                                                                                       \
	{                                                                                          \
		"ts", LOG_TIME, LOG_SCALAR                                                         \
	}
#define F_HEAD                                                                                     \
	{"fingerprint", LOG_STRING, LOG_SCALAR}, {"certificate.version", LOG_COUNT, LOG_SCALAR},   \
	    {"certificate.serial", LOG_STRING, LOG_SCALAR},                                        \
	    {"certificate.subject", LOG_STRING, LOG_SCALAR},                                       \
	    {"certificate.issuer", LOG_STRING, LOG_SCALAR},                                        \
	    {"certificate.not_valid_before", LOG_TIME, LOG_SCALAR},                                \
	    {"certificate.not_valid_after", LOG_TIME, LOG_SCALAR},                                 \
	    {"certificate.key_alg", LOG_STRING, LOG_SCALAR},                                       \
	    {"certificate.sig_alg", LOG_STRING, LOG_SCALAR},                                       \
	    {"certificate.key_type", LOG_STRING, LOG_SCALAR},                                      \
	    {"certificate.key_length", LOG_COUNT, LOG_SCALAR},                                     \
	    {"certificate.exponent", LOG_STRING, LOG_SCALAR},                                      \
	{                                                                                          \
		"certificate.curve", LOG_STRING, LOG_SCALAR                                        \
	}
#define F_TBS                                                                                      \
	{                                                                                          \
		"certificate.tbs_sig_alg", LOG_STRING, LOG_SCALAR                                  \
	}
#define F_TAIL                                                                                     \
	{"san.dns", LOG_STRING, LOG_VECTOR}, {"san.uri", LOG_STRING, LOG_VECTOR},                  \
	    {"san.email", LOG_STRING, LOG_VECTOR}, {"san.ip", LOG_ADDR, LOG_VECTOR},               \
	    {"basic_constraints.ca", LOG_BOOL, LOG_SCALAR},                                        \
	    {"basic_constraints.path_len", LOG_COUNT, LOG_SCALAR},                                 \
	    {"host_cert", LOG_BOOL, LOG_SCALAR},                                                   \
	{                                                                                          \
		"client_cert", LOG_BOOL, LOG_SCALAR                                                \
	}
#define F_CERT                                                                                     \
	{                                                                                          \
		"cert", LOG_STRING, LOG_SCALAR                                                     \
	}

static const struct log_field fields_plain[] = {F_TS, F_HEAD, F_TAIL};
static const struct log_field fields_tbs[] = {F_TS, F_HEAD, F_TBS, F_TAIL};
static const struct log_field fields_cert[] = {F_TS, F_HEAD, F_TAIL, F_CERT};
static const struct log_field fields_tbs_cert[] = {F_TS, F_HEAD, F_TBS, F_TAIL, F_CERT};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(N_OF(fields_plain) == X509_N_FIELDS, "x509 columns");
_Static_assert(N_OF(fields_tbs_cert) == X509_MAX_FIELDS, "x509 columns");

const struct log_schema x509_schema = {"x509", fields_plain, N_OF(fields_plain), X509_MAX_FIELD_CONTAINER_ELEMENTS,
						 X509_MAX_TOTAL_CONTAINER_ELEMENTS};
static const struct log_schema schema_tbs = {"x509", fields_tbs, N_OF(fields_tbs), X509_MAX_FIELD_CONTAINER_ELEMENTS,
						 X509_MAX_TOTAL_CONTAINER_ELEMENTS};
static const struct log_schema schema_cert = {"x509", fields_cert, N_OF(fields_cert), X509_MAX_FIELD_CONTAINER_ELEMENTS,
						 X509_MAX_TOTAL_CONTAINER_ELEMENTS};
static const struct log_schema schema_tbs_cert = {"x509", fields_tbs_cert, N_OF(fields_tbs_cert), X509_MAX_FIELD_CONTAINER_ELEMENTS,
						 X509_MAX_TOTAL_CONTAINER_ELEMENTS};

const struct log_schema *x509_log_schema(const struct x509_log_opts *o)
{
	if (!o)
		return &x509_schema;
	if (o->tbs_sig_alg)
		return o->cert_base64 ? &schema_tbs_cert : &schema_tbs;
	return o->cert_base64 ? &schema_cert : &x509_schema;
}

static struct log_value str_value(const struct x509_str *s)
{
	struct log_value v = {.present = s->p != NULL};
	if (s->p) {
		v.u.str.p = s->p;
		v.u.str.n = s->n;
	}
	return v;
}

static struct log_value list_value(const struct x509_strlist *l, struct log_value **items)
{
	struct log_value v = {.present = l->present};
	if (!l->present)
		return v;
	for (size_t i = 0; i < l->n; i++) {
		(*items)[i].present = true;
		(*items)[i].u.str.p = l->items[i].p;
		(*items)[i].u.str.n = l->items[i].n;
	}
	v.u.list.items = *items;
	v.u.list.n = l->n;
	*items += l->n;
	return v;
}

/* encode_base64() with the default alphabet: padded, no line breaks. */
static char *base64(const uint8_t *p, size_t n, size_t *out_n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t m = (n + 2) / 3 * 4;
	char *o = malloc(m + 1);
	if (!o)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		o[j++] = a[v >> 18];
		o[j++] = a[(v >> 12) & 63];
		o[j++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
		o[j++] = i + 2 < n ? a[v & 63] : '=';
	}
	o[j] = '\0';
	*out_n = j;
	return o;
}

int x509_log_row_fill(struct x509_log_row *r, const struct x509_log_opts *o, double ts,
		      const struct x509_info *c, bool host_cert, bool client_cert)
{
	memset(r, 0, sizeof *r);
	size_t n_items = c->san_dns.n + c->san_uri.n + c->san_email.n + c->n_san_ip;
	r->items = calloc(n_items ? n_items : 1, sizeof *r->items);
	if (!r->items)
		return -ENOMEM;
	struct log_value *v = r->v, *items = r->items;
	size_t i = 0;
	v[i].present = true;
	v[i++].u.d = ts;
	v[i].present = true;
	v[i].u.str.p = c->fingerprint;
	v[i++].u.str.n = strlen(c->fingerprint);
	v[i].present = true;
	v[i++].u.count = c->version;
	v[i++] = str_value(&c->serial);
	v[i++] = str_value(&c->subject);
	v[i++] = str_value(&c->issuer);
	v[i].present = true;
	v[i++].u.d = c->not_valid_before;
	v[i].present = true;
	v[i++].u.d = c->not_valid_after;
	v[i++] = str_value(&c->key_alg);
	v[i++] = str_value(&c->sig_alg);
	v[i++] = str_value(&c->key_type);
	v[i].present = c->has_key_length;
	v[i++].u.count = c->key_length;
	v[i++] = str_value(&c->exponent);
	v[i++] = str_value(&c->curve);
	if (o && o->tbs_sig_alg)
		v[i++] = str_value(&c->tbs_sig_alg);
	v[i++] = list_value(&c->san_dns, &items);
	v[i++] = list_value(&c->san_uri, &items);
	v[i++] = list_value(&c->san_email, &items);
	v[i].present = c->san_ip_present;
	if (c->san_ip_present) {
		for (size_t k = 0; k < c->n_san_ip; k++) {
			items[k].present = true;
			items[k].u.addr = c->san_ip[k];
		}
		v[i].u.list.items = items;
		v[i].u.list.n = c->n_san_ip;
	}
	i++;
	v[i].present = c->has_basic_constraints;
	v[i++].u.b = c->bc_ca;
	v[i].present = c->has_basic_constraints && c->bc_has_path_len;
	v[i++].u.count = c->bc_path_len;
	v[i].present = true;
	v[i++].u.b = host_cert;
	v[i].present = true;
	v[i++].u.b = client_cert;
	if (o && o->cert_base64) {
		size_t n = 0;
		r->cert_b64 = base64(c->der, c->der_n, &n);
		if (!r->cert_b64) {
			x509_log_row_free(r);
			return -ENOMEM;
		}
		v[i].present = true;
		v[i].u.str.p = r->cert_b64;
		v[i++].u.str.n = n;
	}
	r->n = i;
	return 0;
}

void x509_log_row_free(struct x509_log_row *r)
{
	free(r->items);
	free(r->cert_b64);
	r->items = NULL;
	r->cert_b64 = NULL;
}

int x509_log_write(struct log_stream *s, const struct x509_log_opts *o, double ts,
		   const struct x509_info *c, bool host_cert, bool client_cert)
{
	struct x509_log_row r;
	int err = x509_log_row_fill(&r, o, ts, c, host_cert, client_cert);
	if (err < 0)
		return err;
	err = log_stream_write(s, r.v);
	x509_log_row_free(&r);
	return err;
}
