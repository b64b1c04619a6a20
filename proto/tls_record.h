/*
 * The SSL/TLS wire parser (spec §4.1-4.3, §4.10-4.11): Zeek's SSL
 * analyzer (record layer, SSLv2, the TLS handshake sub-analyzer) without
 * the script. It reassembles records and handshake messages per
 * direction and reports what it finds through callbacks, in the order
 * Zeek raises the matching events. It knows no connection, log or
 * clock, so tests drive it directly; proto/tls.c is the script side.
 *
 * "is_client" in the callbacks is already corrected for a flipped
 * connection (is_orig XOR flipped).
 */
#ifndef SMTPLOG_PROTO_TLS_RECORD_H
#define SMTPLOG_PROTO_TLS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/bytes.h"

/* Versions as Zeek's SSL analyzer spells them. */
enum {
	TLS_SSLV2 = 0x0002,
	TLS_SSLV3 = 0x0300,
	TLS_V10 = 0x0301,
	TLS_V11 = 0x0302,
	TLS_V12 = 0x0303,
	TLS_V13 = 0x0304,
};

/* Record content types; SSLv2 messages are their type + 300. */
enum {
	TLS_CT_CCS = 20,
	TLS_CT_ALERT = 21,
	TLS_CT_HANDSHAKE = 22,
	TLS_CT_APPDATA = 23,
	TLS_CT_HEARTBEAT = 24,
	TLS_CT_V2_ERROR = 300,
	TLS_CT_V2_CLIENT_HELLO = 301,
	TLS_CT_V2_CLIENT_MASTER_KEY = 302,
	TLS_CT_V2_SERVER_HELLO = 304,
};

/* Handshake message types that reach the logs. */
enum {
	TLS_HS_HELLO_REQUEST = 0,
	TLS_HS_CLIENT_HELLO = 1,
	TLS_HS_SERVER_HELLO = 2,
	TLS_HS_CERTIFICATE = 11,
	TLS_HS_SERVER_KEY_EXCHANGE = 12,
	TLS_HS_CERTIFICATE_REQUEST = 13,
	TLS_HS_CLIENT_KEY_EXCHANGE = 16,
};

/* Extension codes the script looks at. */
enum {
	TLS_EXT_SERVER_NAME = 0,
	TLS_EXT_ALPN = 16,
	TLS_EXT_SESSION_TICKET = 35,
	TLS_EXT_KEY_SHARE_OLD = 40,
	TLS_EXT_PRE_SHARED_KEY = 41,
	TLS_EXT_SUPPORTED_VERSIONS = 43,
	TLS_EXT_KEY_SHARE = 51,
};

/*
 * What the parser reports; every member may be NULL. Views are valid
 * during the call only. The names follow Zeek's events.
 */
struct tls_events {
	void (*confirm)(void *u);
	/* skip: the analyzer parses nothing more. */
	void (*violation)(void *u, const char *reason);
	void (*weird)(void *u, const char *name);
	void (*flipped)(void *u);
	/* record_version 0 = SSLv2-framed hello. session_id is Zeek's 32-byte
	 * zero-padded form (longer ids become 32 zero bytes). */
	void (*client_hello)(void *u, uint16_t version, uint16_t record_version,
			     const uint8_t session_id[32]);
	void (*server_hello)(void *u, uint16_t version, uint16_t record_version,
			     const uint8_t random[32], const uint8_t session_id[32],
			     uint32_t cipher);
	/* Every extension, raw, before its specific event. */
	void (*extension)(void *u, bool is_client, uint16_t code, struct bytes data);
	/* First name of type 0 and how many there were. */
	void (*server_name)(void *u, bool is_client, struct bytes first, size_t n);
	void (*alpn)(void *u, bool is_client, struct bytes first, size_t n);
	void (*supported_versions)(void *u, bool is_client, uint16_t first, size_t n);
	void (*key_share)(void *u, bool is_client, uint16_t first, size_t n);
	void (*ecdh_server_params)(void *u, uint16_t curve);
	/* One non-empty certificate of a Certificate message, wire order;
	 * index counts empty entries too. The x509 plug-in point. */
	void (*certificate)(void *u, bool is_client, size_t index, struct bytes der);
	/* A well-formed CertificateRequest (TLS 1.2 and before): its
	 * certificate_authorities, a list of (uint16 length, DER name). */
	void (*certificate_request)(void *u, bool is_client, struct bytes authorities);
	void (*handshake_message)(void *u, bool is_client, uint8_t type, uint32_t len);
	void (*change_cipher_spec)(void *u, bool is_client);
	void (*alert)(void *u, bool is_client, uint8_t level, uint8_t desc);
	void (*heartbeat)(void *u, bool is_client);
	void (*established)(void *u);
};

/* Largest handshake message reassembled (Zeek has no such limit; a
 * message bigger than this makes the direction stop parsing handshakes). */
#define TLS_HANDSHAKE_MAX ((size_t)1 << 24)

struct tls_dir {
	struct buf rec; /* bytes of the record being reassembled */
	struct buf hs;  /* handshake stream not yet parsed */
	bool encrypted;
};

/* Owner: whoever embeds it; tls_parser_free() releases the buffers. */
struct tls_parser {
	const struct tls_events *ev;
	void *u;
	struct tls_dir dir[2];   /* [1] = originator */
	int record_version;      /* -1 while unknown */
	uint16_t chosen_version; /* 0 until a ServerHello */
	uint32_t chosen_cipher;
	bool have_chosen_cipher;
	bool version_from_ext;
	bool flipped;
	bool hello_seen; /* a hello fixed the direction */
	bool unclear_weird;
	bool established;
	bool skip; /* violation with skip, or a content gap */
};

void tls_parser_init(struct tls_parser *p, const struct tls_events *ev, void *u);
void tls_parser_free(struct tls_parser *p);
void tls_parser_deliver(struct tls_parser *p, bool is_orig, const uint8_t *data, size_t len);
/* A content gap: Zeek's SSL analyzer parses nothing more. */
void tls_parser_gap(struct tls_parser *p);

/* True for the ClientHello versions Zeek accepts (§1.5). */
bool tls_version_acceptable(uint16_t v);
/* TLS 1.3 or a 1.3 draft. */
bool tls_version_is_13(uint16_t v);

/* Names as base/protocols/ssl/consts.zeek prints them; NULL when the
 * table has none (the script then prints "unknown-<decimal>"). */
const char *tls_version_name(uint16_t v, char *tmp, size_t tmp_n);
const char *tls_cipher_name(uint32_t code);
const char *tls_curve_name(uint16_t code);
const char *tls_alert_name(uint8_t code);

#endif
