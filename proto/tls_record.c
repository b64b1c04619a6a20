#include "proto/tls_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"

/* ---- name tables (base/protocols/ssl/consts.zeek) ---- */

struct code_name {
	uint32_t code;
	const char *name;
};

static const struct code_name cipher_names[] = {
#include "proto/tls_ciphers.inc"
};

static const struct code_name curve_names[] = {
    {1, "sect163k1"},
    {2, "sect163r1"},
    {3, "sect163r2"},
    {4, "sect193r1"},
    {5, "sect193r2"},
    {6, "sect233k1"},
    {7, "sect233r1"},
    {8, "sect239k1"},
    {9, "sect283k1"},
    {10, "sect283r1"},
    {11, "sect409k1"},
    {12, "sect409r1"},
    {13, "sect571k1"},
    {14, "sect571r1"},
    {15, "secp160k1"},
    {16, "secp160r1"},
    {17, "secp160r2"},
    {18, "secp192k1"},
    {19, "secp192r1"},
    {20, "secp224k1"},
    {21, "secp224r1"},
    {22, "secp256k1"},
    {23, "secp256r1"},
    {24, "secp384r1"},
    {25, "secp521r1"},
    {26, "brainpoolP256r1"},
    {27, "brainpoolP384r1"},
    {28, "brainpoolP512r1"},
    {29, "x25519"},
    {30, "x448"},
    {31, "brainpoolP256r1tls13"},
    {32, "brainpoolP384r1tls13"},
    {33, "brainpoolP512r1tls13"},
    {34, "GC256A"},
    {35, "GC256B"},
    {36, "GC256C"},
    {37, "GC256D"},
    {38, "GC512A"},
    {39, "GC512B"},
    {40, "GC512C"},
    {41, "curveSM2"},
    {256, "ffdhe2048"},
    {257, "ffdhe3072"},
    {258, "ffdhe4096"},
    {259, "ffdhe6144"},
    {260, "ffdhe8192"},
    {512, "MLKEM512"},
    {513, "MLKEM768"},
    {514, "MLKEM1024"},
    {2570, "grease_0x0A0A"},
    {4587, "SecP256r1MLKEM768"},
    {4588, "X25519MLKEM768"},
    {4589, "SecP384r1MLKEM1024"},
    {4590, "curveSM2MLKEM768"},
    {6682, "grease_0x1A1A"},
    {10794, "grease_0x2A2A"},
    {14906, "grease_0x3A3A"},
    {16696, "CECPQ2"},
    {19018, "grease_0x4A4A"},
    {23130, "grease_0x5A5A"},
    {25497, "X25519Kyber768Draft00"},
    {25498, "SecP256r1Kyber768Draft00"},
    {27242, "grease_0x6A6A"},
    {31354, "grease_0x7A7A"},
    {35466, "grease_0x8A8A"},
    {39578, "grease_0x9A9A"},
    {43690, "grease_0xAAAA"},
    {47802, "grease_0xBABA"},
    {51914, "grease_0xCACA"},
    {56026, "grease_0xDADA"},
    {60138, "grease_0xEAEA"},
    {64250, "grease_0xFAFA"},
    {65281, "arbitrary_explicit_prime_curves"},
    {65282, "arbitrary_explicit_char2_curves"},
};

static const struct code_name alert_names[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {117, "general_error"},
    {120, "no_application_protocol"},
    {121, "ech_required"},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The tables are sorted by code. */
static const char *lookup(const struct code_name *t, size_t n, uint32_t code)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].code == code)
			return t[mid].name;
		if (t[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *tls_cipher_name(uint32_t code)
{
	return lookup(cipher_names, N_OF(cipher_names), code);
}

const char *tls_curve_name(uint16_t code)
{
	return lookup(curve_names, N_OF(curve_names), code);
}

const char *tls_alert_name(uint8_t code)
{
	return lookup(alert_names, N_OF(alert_names), code);
}

const char *tls_version_name(uint16_t v, char *tmp, size_t tmp_n)
{
	switch (v) {
	case 0x0002:
		return "SSLv2";
	case 0x0300:
		return "SSLv3";
	case 0x0301:
		return "TLSv10";
	case 0x0302:
		return "TLSv11";
	case 0x0303:
		return "TLSv12";
	case 0x0304:
		return "TLSv13";
	case 0xFEFF:
		return "DTLSv10";
	case 0xFEFD:
		return "DTLSv12";
	case 0xFEFC:
		return "DTLSv13";
	}
	/* consts.zeek's version_strings default: the draft test is v/0xFF. */
	if (v / 255 == 127)
		snprintf(tmp, tmp_n, "TLSv13-draft%u", (unsigned)(v % 127));
	else
		snprintf(tmp, tmp_n, "unknown-%u", (unsigned)v);
	return tmp;
}

bool tls_version_acceptable(uint16_t v)
{
	return v == 0x0002 || (v >= 0x0300 && v <= 0x0304) || v == 0xFEFF || v == 0xFEFD ||
	       v == 0xFEFC || (v >> 8) == 0x7F;
}

bool tls_version_is_13(uint16_t v)
{
	return v == TLS_V13 || (v >> 8) == 0x7F;
}

/* ---- parser ---- */

/* Zeek's record length is 16 bits (SSLv2: 15) plus the header. */
#define TLS_RECORD_MAX (65535 + 5)

void tls_parser_init(struct tls_parser *p, const struct tls_events *ev, void *u)
{
	memset(p, 0, sizeof *p);
	p->ev = ev;
	p->u = u;
	p->record_version = -1;
	for (int i = 0; i < 2; i++) {
		buf_init(&p->dir[i].rec, TLS_RECORD_MAX);
		buf_init(&p->dir[i].hs, TLS_HANDSHAKE_MAX + 4);
	}
}

void tls_parser_free(struct tls_parser *p)
{
	for (int i = 0; i < 2; i++) {
		buf_free(&p->dir[i].rec);
		buf_free(&p->dir[i].hs);
	}
}

void tls_parser_gap(struct tls_parser *p)
{
	p->skip = true;
}

static bool is_client(const struct tls_parser *p, bool is_orig)
{
	return is_orig != p->flipped;
}

static void violation(struct tls_parser *p, const char *reason, bool skip)
{
	if (skip)
		p->skip = true;
	if (p->ev->violation)
		p->ev->violation(p->u, reason);
}

static void weird(struct tls_parser *p, const char *name)
{
	if (p->ev->weird)
		p->ev->weird(p->u, name);
}

/*
 * A hello from the side that should not send it flips the roles (Zeek's
 * ssl_connection_flipped); a later contradiction flips back once more
 * with a weird.
 */
static void check_direction(struct tls_parser *p, bool is_orig, bool want_client)
{
	if (is_client(p, is_orig) == want_client) {
		p->hello_seen = true;
		return;
	}
	if (p->hello_seen && !p->unclear_weird) {
		p->unclear_weird = true;
		weird(p, "SSL_unclear_connection_direction");
	}
	p->hello_seen = true;
	p->flipped = !p->flipped;
	if (p->ev->flipped)
		p->ev->flipped(p->u);
}

/* Zeek passes session ids zero-padded to 32 bytes; longer ones as zeros. */
static void pad_session_id(struct bytes sid, uint8_t out[32])
{
	memset(out, 0, 32);
	if (sid.n > 0 && sid.n <= 32)
		memcpy(out, sid.p, sid.n);
}

static void parse_extension(struct tls_parser *p, bool client, uint16_t type, struct bytes data)
{
	const struct tls_events *ev = p->ev;
	struct cursor c = cur_make(data.p, data.n);
	if (ev->extension)
		ev->extension(p->u, client, type, data);
	switch (type) {
	case TLS_EXT_SERVER_NAME: {
		if (data.n == 0)
			break; /* a server's empty acknowledgement */
		struct bytes list = cur_take(&c, cur_be16(&c));
		if (c.err)
			break;
		struct cursor l = cur_make(list.p, list.n);
		struct bytes first = {NULL, 0};
		size_t n = 0;
		while (cur_left(&l) > 0 && !l.err) {
			uint8_t nt = cur_u8(&l);
			struct bytes name = cur_take(&l, cur_be16(&l));
			if (l.err)
				break;
			if (nt != 0) {
				weird(p, "ssl_ext_unknown_server_name_type");
				continue;
			}
			if (n++ == 0)
				first = name;
		}
		if (ev->server_name)
			ev->server_name(p->u, client, first, n);
		break;
	}
	case TLS_EXT_ALPN: {
		struct bytes list = cur_take(&c, cur_be16(&c));
		struct cursor l = cur_make(list.p, list.n);
		struct bytes first = {NULL, 0};
		size_t n = 0;
		while (cur_left(&l) > 0) {
			struct bytes proto = cur_take(&l, cur_u8(&l));
			if (l.err)
				break;
			if (n++ == 0)
				first = proto;
		}
		if (!c.err && ev->alpn)
			ev->alpn(p->u, client, first, n);
		break;
	}
	case TLS_EXT_SUPPORTED_VERSIONS: {
		uint16_t first = 0;
		size_t n = 0;
		if (!client) {
			first = cur_be16(&c);
			n = c.err ? 0 : 1;
			if (!c.err) {
				p->chosen_version = first;
				p->version_from_ext = true;
			}
		} else {
			struct bytes list = cur_take(&c, cur_u8(&c));
			struct cursor l = cur_make(list.p, list.n);
			while (cur_left(&l) >= 2) {
				uint16_t v = cur_be16(&l);
				if (n++ == 0)
					first = v;
			}
		}
		if (!c.err && ev->supported_versions)
			ev->supported_versions(p->u, client, first, n);
		break;
	}
	case TLS_EXT_KEY_SHARE_OLD: /* drafts before 23 */
	case TLS_EXT_KEY_SHARE: {
		uint16_t first = 0;
		size_t n = 0;
		if (!client) {
			/* a HelloRetryRequest carries only the group */
			first = cur_be16(&c);
			if (data.n != 2)
				(void)cur_take(&c, cur_be16(&c));
			n = c.err ? 0 : 1;
		} else {
			struct bytes list = cur_take(&c, cur_be16(&c));
			struct cursor l = cur_make(list.p, list.n);
			while (cur_left(&l) > 0) {
				uint16_t g = cur_be16(&l);
				(void)cur_take(&l, cur_be16(&l));
				if (l.err)
					break;
				if (n++ == 0)
					first = g;
			}
		}
		if (!c.err && ev->key_share)
			ev->key_share(p->u, client, first, n);
		break;
	}
	default:
		break;
	}
}

/* The extensions block of a hello; returns false on a length that lies. */
static bool parse_extensions(struct tls_parser *p, bool client, struct cursor *c)
{
	if (cur_left(c) == 0)
		return true; /* no extensions at all */
	struct bytes all = cur_take(c, cur_be16(c));
	if (c->err)
		return false;
	struct cursor e = cur_make(all.p, all.n);
	while (cur_left(&e) > 0) {
		uint16_t type = cur_be16(&e);
		struct bytes data = cur_take(&e, cur_be16(&e));
		if (e.err)
			return false;
		parse_extension(p, client, type, data);
	}
	return true;
}

static void client_hello(struct tls_parser *p, bool is_orig, struct cursor *c)
{
	check_direction(p, is_orig, true);
	bool client = is_client(p, is_orig);
	uint16_t version = cur_be16(c);
	cur_skip(c, 32);
	struct bytes sid = cur_take(c, cur_u8(c));
	(void)cur_take(c, cur_be16(c)); /* cipher suites */
	(void)cur_take(c, cur_u8(c));   /* compression methods */
	if (c->err || !parse_extensions(p, client, c)) {
		violation(p, "Binpac exception", false);
		return;
	}
	if (!tls_version_acceptable(version)) {
		violation(p, "unsupported client SSL version", true);
		return;
	}
	if (p->ev->confirm)
		p->ev->confirm(p->u);
	uint8_t padded[32];
	pad_session_id(sid, padded);
	if (p->ev->client_hello)
		p->ev->client_hello(p->u, version, (uint16_t)p->record_version, padded);
}

static void server_hello(struct tls_parser *p, bool is_orig, struct cursor *c)
{
	check_direction(p, is_orig, false);
	bool client = is_client(p, is_orig);
	uint16_t version = cur_be16(c);
	struct bytes random = cur_take(c, 32);
	struct bytes sid = {NULL, 0};
	uint16_t cipher;
	if (tls_version_is_13(version)) {
		/* the draft layout: no session id, no compression */
		cipher = cur_be16(c);
	} else {
		sid = cur_take(c, cur_u8(c));
		cipher = cur_be16(c);
		(void)cur_u8(c);
	}
	if (c->err) {
		violation(p, "Binpac exception", false);
		return;
	}
	if (!tls_version_acceptable(version)) {
		violation(p, "unsupported server SSL version", true);
		return;
	}
	if (!p->version_from_ext)
		p->chosen_version = version;
	p->chosen_cipher = cipher;
	p->have_chosen_cipher = true;
	if (!parse_extensions(p, client, c)) {
		violation(p, "Binpac exception", false);
		return;
	}
	uint8_t padded[32];
	pad_session_id(sid, padded);
	if (p->ev->server_hello)
		p->ev->server_hello(p->u, version, (uint16_t)p->record_version, random.p, padded,
				    cipher);
}

/* The (EC)DH suites whose ServerKeyExchange Zeek decodes as ECDHE or
 * ECDH_anon (tls-handshake-protocol.pac, type ServerKeyExchange); sorted. */
static const uint16_t ecdh_suites[] = {
    0xC006, 0xC007, 0xC008, 0xC009, 0xC00A, 0xC010, 0xC011, 0xC012, 0xC013, 0xC014, 0xC015,
    0xC016, 0xC017, 0xC018, 0xC019, 0xC023, 0xC024, 0xC027, 0xC028, 0xC02B, 0xC02C, 0xC02F,
    0xC030, 0xC033, 0xC034, 0xC035, 0xC036, 0xC037, 0xC038, 0xC039, 0xC03A, 0xC03B, 0xC048,
    0xC049, 0xC04C, 0xC04D, 0xC05C, 0xC05D, 0xC060, 0xC061, 0xC070, 0xC071, 0xC072, 0xC073,
    0xC076, 0xC077, 0xC086, 0xC087, 0xC08A, 0xC08B, 0xC09A, 0xC09B, 0xC0AC, 0xC0AD, 0xC0AE,
    0xC0AF, 0xCC13, 0xCC14, 0xCCA8, 0xCCA9, 0xD001, 0xD002, 0xD003, 0xD005,
};

/* Only the named-curve case of these reaches ssl.log (§4.2). */
static bool cipher_is_ecdh(uint32_t code)
{
	size_t lo = 0, hi = N_OF(ecdh_suites);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ecdh_suites[mid] == code)
			return true;
		if (ecdh_suites[mid] < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void certificate(struct tls_parser *p, bool client, struct cursor *c)
{
	struct bytes all = cur_take(c, (size_t)cur_u8(c) << 16 | cur_be16(c));
	struct cursor l = cur_make(all.p, all.n);
	size_t index = 0;
	while (cur_left(&l) > 0) {
		size_t n = (size_t)cur_u8(&l) << 16;
		n |= cur_be16(&l);
		struct bytes der = cur_take(&l, n);
		if (l.err)
			break;
		if (der.n == 0)
			weird(p, "zero_length_certificate");
		else if (p->ev->certificate)
			p->ev->certificate(p->u, client, index, der);
		index++;
	}
	if (c->err || l.err)
		violation(p, "Binpac exception", false);
}

/* CertificateRequest: certificate_types, the signature algorithms from
 * TLS 1.2 on, certificate_authorities. A malformed one raises no event. */
static void certificate_request(struct tls_parser *p, bool client, struct cursor *c)
{
	(void)cur_take(c, cur_u8(c));
	if (p->chosen_version > TLS_V11) /* DTLS 1.0 aside: no DTLS here */
		(void)cur_take(c, cur_be16(c));
	struct bytes cas = cur_take(c, cur_be16(c));
	struct cursor l = cur_make(cas.p, cas.n);
	while (cur_left(&l) > 0)
		(void)cur_take(&l, cur_be16(&l));
	if (c->err || l.err) {
		violation(p, "Binpac exception", false);
		return;
	}
	if (p->ev->certificate_request)
		p->ev->certificate_request(p->u, client, cas);
}

static bool handshake_type_known(uint8_t t)
{
	switch (t) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
	case 11:
	case 12:
	case 13:
	case 14:
	case 15:
	case 16:
	case 20:
	case 21:
	case 22:
		return true;
	}
	return false;
}

static void handshake_message(struct tls_parser *p, bool is_orig, uint8_t type, struct bytes body)
{
	struct cursor c = cur_make(body.p, body.n);
	switch (type) {
	case TLS_HS_HELLO_REQUEST:
		check_direction(p, is_orig, false);
		break;
	case TLS_HS_CLIENT_HELLO:
		client_hello(p, is_orig, &c);
		break;
	case TLS_HS_SERVER_HELLO:
		server_hello(p, is_orig, &c);
		break;
	case TLS_HS_CERTIFICATE:
		certificate(p, is_client(p, is_orig), &c);
		break;
	case TLS_HS_CERTIFICATE_REQUEST:
		certificate_request(p, is_client(p, is_orig), &c);
		break;
	case TLS_HS_SERVER_KEY_EXCHANGE:
		if (p->have_chosen_cipher && cipher_is_ecdh(p->chosen_cipher) && cur_u8(&c) == 3) {
			uint16_t curve = cur_be16(&c);
			if (!c.err && p->ev->ecdh_server_params)
				p->ev->ecdh_server_params(p->u, curve);
		}
		break;
	default:
		break;
	}
	if (p->ev->handshake_message)
		p->ev->handshake_message(p->u, is_client(p, is_orig), type, (uint32_t)body.n);
	if (!handshake_type_known(type))
		violation(p, "unknown handshake message", false);
}

/* Appends one cleartext handshake record and parses whole messages. */
/* Parses the whole handshake messages at the start of p[0..n); returns
 * the bytes they took. */
static size_t handshake_messages(struct tls_parser *p, bool is_orig, const uint8_t *d, size_t n)
{
	size_t off = 0;
	while (!p->skip && n - off >= 4) {
		const uint8_t *m = d + off;
		uint32_t len = (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
		if (n - off - 4 < len)
			break;
		struct bytes body = {m + 4, len};
		off += 4 + (size_t)len;
		handshake_message(p, is_orig, m[0], body);
		if (p->dir[is_orig].encrypted)
			break; /* cannot happen in TLS; keeps the stream sane */
	}
	return off;
}

/* Appends one cleartext handshake record and parses whole messages. The
 * usual record holds whole messages: they are parsed where they lie, and
 * only a message that continues in the next record is buffered. */
static void handshake_records(struct tls_parser *p, bool is_orig, struct bytes data)
{
	struct buf *hs = &p->dir[is_orig].hs;
	if (buf_error(hs))
		return;
	if (hs->len == 0) {
		size_t used = handshake_messages(p, is_orig, data.p, data.n);
		buf_append(hs, data.p + used, data.n - used);
		return;
	}
	if (!buf_append(hs, data.p, data.n))
		return;
	size_t off = handshake_messages(p, is_orig, hs->data, hs->len);
	if (off > 0) {
		memmove(hs->data, hs->data + off, hs->len - off);
		hs->len -= off;
	}
}

static void ciphertext(struct tls_parser *p)
{
	if (p->dir[0].encrypted && p->dir[1].encrypted && !p->established) {
		p->established = true;
		if (p->ev->established)
			p->ev->established(p->u);
	}
}

static bool version_plaintext(uint16_t v)
{
	return v == TLS_SSLV2 || (v >= TLS_SSLV3 && v <= TLS_V12);
}

static void v2_client_hello(struct tls_parser *p, bool is_orig, uint16_t version, struct cursor *c)
{
	check_direction(p, is_orig, true);
	uint16_t cs_len = cur_be16(c), sid_len = cur_be16(c), ch_len = cur_be16(c);
	(void)cur_take(c, cs_len);
	struct bytes sid = cur_take(c, sid_len);
	(void)cur_take(c, ch_len);
	if (c->err) {
		violation(p, "Binpac exception", false);
		return;
	}
	if (!tls_version_acceptable(version)) {
		violation(p, "unsupported client SSL version", true);
		return;
	}
	if (p->ev->confirm)
		p->ev->confirm(p->u);
	uint8_t padded[32];
	pad_session_id(sid, padded);
	if (p->ev->client_hello)
		p->ev->client_hello(p->u, version, 0, padded);
}

static void v2_server_hello(struct tls_parser *p, bool is_orig, struct cursor *c)
{
	check_direction(p, is_orig, false);
	uint16_t version = cur_be16(c);
	uint16_t cert_len = cur_be16(c), cs_len = cur_be16(c), cid_len = cur_be16(c);
	struct bytes cert = cur_take(c, cert_len);
	struct bytes ciphers = cur_take(c, cs_len);
	(void)cur_take(c, cid_len);
	if (c->err) {
		violation(p, "Binpac exception", false);
		return;
	}
	if (version != TLS_SSLV2) {
		violation(p, "unsupported server SSL version", true);
		return;
	}
	uint32_t cipher = 0;
	if (ciphers.n >= 3)
		cipher = (uint32_t)ciphers.p[0] << 16 | (uint32_t)ciphers.p[1] << 8 | ciphers.p[2];
	p->chosen_version = version;
	p->chosen_cipher = cipher;
	p->have_chosen_cipher = true;
	if (cert.n > 0 && p->ev->certificate)
		p->ev->certificate(p->u, is_client(p, is_orig), 0, cert);
	uint8_t zero[32] = {0};
	uint8_t random[32] = {0};
	if (p->ev->server_hello)
		p->ev->server_hello(p->u, version, TLS_SSLV2, random, zero, cipher);
}

static void record(struct tls_parser *p, bool is_orig, int type, uint16_t v2_version,
		   struct bytes body)
{
	struct tls_dir *d = &p->dir[is_orig];
	bool client = is_client(p, is_orig);
	struct cursor c = cur_make(body.p, body.n);

	if (type >= 300) {
		switch (type) {
		case TLS_CT_V2_CLIENT_HELLO:
			v2_client_hello(p, is_orig, v2_version, &c);
			break;
		case TLS_CT_V2_SERVER_HELLO:
			v2_server_hello(p, is_orig, &c);
			break;
		case TLS_CT_V2_CLIENT_MASTER_KEY:
			p->dir[0].encrypted = p->dir[1].encrypted = true;
			ciphertext(p);
			break;
		case TLS_CT_V2_ERROR:
			/* the 2-byte error code, reported as an alert */
			if (p->ev->alert)
				p->ev->alert(p->u, client, 0, (uint8_t)(v2_version & 0xFF));
			break;
		default:
			break;
		}
		return;
	}
	if (d->encrypted) {
		ciphertext(p);
		return;
	}
	switch (type) {
	case TLS_CT_CCS:
		for (size_t i = 0; i < body.n; i++) {
			if (p->ev->change_cipher_spec)
				p->ev->change_cipher_spec(p->u, client);
			if (!tls_version_is_13(p->chosen_version))
				d->encrypted = true;
		}
		break;
	case TLS_CT_ALERT: {
		size_t max = tls_version_is_13(p->chosen_version) ? 1 : 10;
		size_t n = 0;
		while (cur_left(&c) >= 2) {
			uint8_t level = cur_u8(&c), desc = cur_u8(&c);
			if (n++ == max) {
				weird(p, "SSL_excessive_alerts_in_record");
				break;
			}
			if (p->ev->alert)
				p->ev->alert(p->u, client, level, desc);
		}
		break;
	}
	case TLS_CT_HANDSHAKE:
		handshake_records(p, is_orig, body);
		break;
	case TLS_CT_APPDATA:
		if (!version_plaintext(p->chosen_version)) {
			d->encrypted = true;
			ciphertext(p);
		}
		break;
	case TLS_CT_HEARTBEAT:
		if (p->ev->heartbeat)
			p->ev->heartbeat(p->u, client);
		break;
	default:
		violation(p, "unknown SSL record type", false);
		break;
	}
}

/*
 * One record from buffered bytes: returns its total size, 0 when more
 * bytes are needed. Header checks follow Zeek's
 * determine_ssl_record_layer.
 */
static size_t next_record(struct tls_parser *p, bool is_orig, const uint8_t *h, size_t n)
{
	if (n < 5)
		return 0;
	bool v2;
	if (p->record_version == TLS_SSLV2) {
		v2 = true;
	} else if (p->record_version >= 0) {
		uint16_t v = (uint16_t)(h[1] << 8 | h[2]);
		if (v < TLS_SSLV3 || v > TLS_V12) {
			violation(p, "Invalid version late in TLS connection", true);
			return 0;
		}
		v2 = false;
	} else if (h[0] & 0x80) {
		if (h[2] == 0x01 && is_orig) {
			uint16_t v = (uint16_t)(h[3] << 8 | h[4]);
			if (v != TLS_SSLV2 && (v < TLS_SSLV3 || v > TLS_V12)) {
				violation(p, "Invalid version in SSL client hello", true);
				return 0;
			}
		} else if (h[2] == 0x04 && h[4] < 2 && !is_orig) {
			p->record_version = TLS_SSLV2;
		} else {
			violation(p, "Invalid headers in SSL connection", true);
			return 0;
		}
		v2 = true;
	} else {
		uint16_t v = (uint16_t)(h[1] << 8 | h[2]);
		if (v < TLS_SSLV3 || v > TLS_V12) {
			violation(p, "Invalid version in TLS connection", true);
			return 0;
		}
		if (h[0] < 20 || h[0] > 30) {
			violation(p, "Invalid type in TLS connection", true);
			return 0;
		}
		p->record_version = v;
		v2 = false;
	}
	size_t len, total;
	int type;
	if (v2) {
		size_t l = (size_t)(h[0] & 0x7F) << 8 | h[1];
		if (l < 3) {
			violation(p, "Binpac exception", true);
			return 0;
		}
		len = l - 3;
		type = h[2] + 300;
	} else {
		len = (size_t)h[3] << 8 | h[4];
		type = h[0];
	}
	total = len + 5;
	if (n < total)
		return 0;
	struct bytes body = {h + 5, len};
	record(p, is_orig, type, (uint16_t)(h[3] << 8 | h[4]), body);
	return total;
}

/* Once parsing is over for the connection (established, or given up),
 * nothing buffered will be read again: long-lived TLS connections must not
 * keep a record and a handshake buffer per direction for their lifetime. */
static void release_if_done(struct tls_parser *p)
{
	if (!p->skip && !p->established)
		return;
	for (int d = 0; d < 2; d++) {
		buf_free(&p->dir[d].rec);
		buf_free(&p->dir[d].hs);
	}
}

void tls_parser_deliver(struct tls_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
	struct buf *b = &p->dir[is_orig].rec;
	size_t off = 0;
	if (p->skip || p->established) {
		release_if_done(p);
		return;
	}
	while (!p->skip && !p->established && off < len) {
		size_t k;
		if (b->len == 0) {
			/* Whole records are parsed where they lie; only a record
			 * cut by the end of this delivery is copied. */
			while (!p->skip && !p->established &&
			       (k = next_record(p, is_orig, data + off, len - off)) > 0)
				off += k;
			if (p->skip || p->established || off == len)
				break;
		}
		size_t want = TLS_RECORD_MAX - b->len;
		size_t take = len - off < want ? len - off : want;
		if (take == 0)
			return; /* cannot happen: a full buffer holds a whole record */
		if (!buf_append(b, data + off, take))
			return;
		off += take;
		size_t used = 0;
		while (!p->skip && !p->established &&
		       (k = next_record(p, is_orig, b->data + used, b->len - used)) > 0)
			used += k;
		/* Only when records were used: a record arriving a byte per
		 * segment must not move what is buffered at every byte. */
		if (used > 0) {
			memmove(b->data, b->data + used, b->len - used);
			b->len -= used;
		}
	}
	release_if_done(p);
}
