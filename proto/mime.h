/*
 * MIME entity parser for SMTP message bodies, behaving as Zeek 9's
 * MIME_Entity / MIME_Mail (spec §3). Fed one body line at a time; reports
 * what Zeek turns into script events through a callback table.
 *
 * Input (spec §3.1): each line without its terminator, plus "an implicit
 * CRLF follows" (always true in DATA mode; per line in BDAT mode). The
 * caller has already dot-unstuffed DATA lines.
 *
 * Events, in Zeek's order (spec §3.2): entity_begin (mime_begin_entity),
 * header (mime_one_header, once the header is complete), headers_done
 * (mime_all_headers), data (decoded body bytes, in the chunks Zeek hands
 * to file analysis), entity_end (mime_end_entity). A child's events nest
 * between its parent's headers_done and entity_end. weird carries Zeek's
 * weirds by name; note carries Zeek's `mime_event` (no base script logs it).
 *
 * Memory: the parser is one struct the caller owns (about 19 KiB: one
 * slot per possible nesting level and a segment of body bytes). It
 * allocates only through struct buf members, each with a maximum fixed at
 * init (the pending header, the boundaries and the filename slot), and two
 * OpenSSL digest contexts at the first line that several long boundaries
 * are compared with. No allocation per line otherwise; mime_reinit()
 * keeps all of it for the next message.
 *
 * Lifetime: mime_init() (begins the top-level entity, firing entity_begin
 * from inside the call), mime_feed_line()..., mime_end() (Zeek's
 * MIME_Mail::Done: ends every open entity), mime_free().
 */
#ifndef SMTPLOG_PROTO_MIME_H
#define SMTPLOG_PROTO_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "proto/b64.h"

#define MIME_MAX_DEPTH 100          /* Zeek: MIME::max_depth (spec §3.2) */
#define MIME_MAX_HEADER_BYTES 65536 /* Zeek: MIME::max_header_bytes (spec §2.9) */
#define MIME_SEGMENT_LENGTH 1024    /* Zeek: mime_segment_length, overlap 0 (§3.10) */
#define MIME_B64_CHUNK 128          /* Zeek: DecodeBase64()'s output buffer size */
/*
 * Zeek: the ContentLine analyzer's maximum line (spec §2.1); the longest
 * line the SMTP layer can hand us. Bounds the header, boundary and filename
 * buffers (a header stops growing at MIME_MAX_HEADER_BYTES, but the line
 * that crosses it is kept whole). Longer lines are cut to this size.
 */
#define MIME_MAX_LINE_BYTES 16777116
#define MIME_MAX_FIELD_BYTES (MIME_MAX_HEADER_BYTES + MIME_MAX_LINE_BYTES)
/*
 * Bytes of a multipart boundary kept; a longer one (a line can hold 16 MiB,
 * and each of the 101 nesting levels has its own) is matched by this prefix
 * plus the SHA-256 of the whole, so that the open boundaries cost at most
 * ~100 KiB instead of 1.6 GiB. Zeek keeps them whole; the matches are the
 * same.
 */
#define MIME_BOUNDARY_KEEP 1024

#define MIME_WEIRD_MAX_DEPTH "exceeded_mime_max_depth"
#define MIME_WEIRD_MAX_HEADER_BYTES "exceeded_mime_max_header_bytes"

enum mime_content_type {
	MIME_TYPE_MULTIPART,
	MIME_TYPE_MESSAGE,
	MIME_TYPE_TEXT,
	MIME_TYPE_OTHER,
};

enum mime_encoding {
	MIME_ENC_7BIT,
	MIME_ENC_8BIT,
	MIME_ENC_BINARY,
	MIME_ENC_QUOTED_PRINTABLE,
	MIME_ENC_BASE64,
	MIME_ENC_OTHER, /* also the top-level default: pass-through */
};

/* Categories of Zeek's mime_event. */
enum mime_note {
	MIME_NOTE_ILLEGAL_FORMAT,   /* "illegal format" */
	MIME_NOTE_ILLEGAL_ENCODING, /* "illegal encoding" */
};

/* One entity. Callbacks may read the first block of fields. */
struct mime_entity {
	unsigned level;   /* nesting level; the top-level entity is 0 */
	uint64_t ordinal; /* 1-based count of entity_begin in this parser */
	enum mime_content_type type;
	enum mime_encoding encoding;
	uint64_t data_bytes; /* decoded bytes delivered so far */

	/* Private to mime.c. */
	bool in_header, ended, has_child, need_params, has_boundary;
	bool delay_crlf, b64_on;
	struct buf boundary; /* owned; max MIME_MAX_FIELD_BYTES; holds at most
			      * MIME_BOUNDARY_KEEP bytes once parsed */
	size_t boundary_len; /* the whole boundary's length */
	uint8_t boundary_sha256[32]; /* of the whole, when longer than kept */
	struct b64_state b64;
};

/*
 * Any member may be NULL. Views passed to a callback are valid only during
 * that call. Callbacks must not call back into the parser.
 */
struct mime_callbacks {
	void (*entity_begin)(void *ud, const struct mime_entity *e);
	/* name: original spelling (Zeek's original_name; compare it
	 * case-insensitively, Zeek's `name` is its ASCII upper case);
	 * value: after the colon, leading isspace() removed, folds kept. */
	void (*header)(void *ud, const struct mime_entity *e, struct bytes name,
		       struct bytes value);
	void (*headers_done)(void *ud, const struct mime_entity *e);
	void (*data)(void *ud, const struct mime_entity *e, const uint8_t *p,
		     size_t n);
	void (*entity_end)(void *ud, const struct mime_entity *e);
	/* A Zeek weird on the connection: name, addl. limit = true for
	 * Zeek's LimitReachedWeird (also adds 'X' to conn history). */
	void (*weird)(void *ud, const char *name, const char *addl, bool limit);
	void (*note)(void *ud, enum mime_note kind, const char *detail);
};

struct mime_parser {
	struct mime_callbacks cb;
	void *ud; /* borrowed: handed back to every callback */

	unsigned live;
	uint64_t entities; /* entity_begin events so far */

	struct buf header; /* owned: pending header, first line + folds */
	bool header_pending;

	/* The SMTP script's c$smtp$entity$filename: cleared at every entity
	 * begin and end, set by qualifying headers (spec §3.8). */
	struct buf filename; /* owned */
	bool has_filename;

	size_t seg_len;
	bool done;

	/* MIME::max_depth (<= MIME_MAX_DEPTH, the size of ent[]) and
	 * MIME::max_header_bytes (<= MIME_MAX_HEADER_BYTES, what the header
	 * buffer is sized for); mime_init sets the defaults. */
	unsigned max_depth;
	size_t max_header_bytes;

	/* OpenSSL digest contexts for lines compared with several long
	 * boundaries at once; owned, made at the first such line. */
	EVP_MD_CTX *digest, *digest_copy;

	/* The large arrays last: mime_init() leaves them uninitialised (a
	 * message would otherwise cost clearing 19 KB). */
	unsigned ent_ready; /* ent[0..ent_ready) have their boundary buffer */
	/* ent[0..live) is the chain from the top-level entity to the
	 * deepest open one; ent[i].has_child <=> live > i + 1. */
	struct mime_entity ent[MIME_MAX_DEPTH + 1];
	uint8_t seg[MIME_SEGMENT_LENGTH]; /* data not yet handed out: seg_len bytes */
};

void mime_init(struct mime_parser *mp, const struct mime_callbacks *cb,
	       void *ud);
/* mime_init() for a parser that was used before (and ended): a new
 * message, with the storage of the last one's buffers kept. */
void mime_reinit(struct mime_parser *mp, const struct mime_callbacks *cb, void *ud);
void mime_feed_line(struct mime_parser *mp, const uint8_t *line, size_t len,
		    bool crlf);
/* Lowers MIME::max_depth and MIME::max_header_bytes for this message
 * (after mime_init/mime_reinit); 0 or a value above the compile-time
 * maximum keeps the default. */
void mime_set_limits(struct mime_parser *mp, unsigned max_depth, size_t max_header_bytes);
/* Ends the message: every open entity ends (idempotent). */
void mime_end(struct mime_parser *mp);
/* Bytes the parser's buffers hold (beyond the struct itself). */
size_t mime_storage(const struct mime_parser *mp);
/* Releases storage; does not raise events (call mime_end() first). */
void mime_free(struct mime_parser *mp);

/* The deepest open entity (the one whose data is being delivered). */
const struct mime_entity *mime_current(const struct mime_parser *mp);

/* The current filename slot (spec §3.8); false when unset. */
bool mime_filename(const struct mime_parser *mp, struct bytes *out);

#endif
