#include "proto/mime.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "proto/mime_hdr.h"
#include "proto/qp.h"

enum mime_field { FIELD_CONTENT_TYPE, FIELD_CTE, FIELD_OTHER };
enum mime_delim { DELIM_NONE, DELIM_PART, DELIM_CLOSE };

/* ---- byte classes (Zeek reads header bytes as signed char, so bytes
 * >= 0x80 are never token, name or space characters) ---- */

static bool is_field_name_char(uint8_t c)
{
	return ascii_is_graph(c) && c != ':';
}

static bool is_token_char(uint8_t c, bool boundary)
{
	if (!ascii_is_graph(c))
		return false;
	if (boundary) /* quirk kept from Zeek: boundaries accept nearly all */
		return c != '"';
	return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* ---- RFC 822 lexical helpers; each returns an offset into b ---- */

/* Length of a "( ... )" comment at the start of b (nesting, \ escapes);
 * all of b when it is not closed, 0 when b does not start with '('. */
static size_t skip_comment(struct bytes b)
{
	if (b.n == 0 || b.p[0] != '(')
		return 0;
	unsigned long depth = 0;
	for (size_t i = 0; i < b.n; i++) {
		if (b.p[i] == '(') {
			depth++;
		} else if (b.p[i] == ')') {
			if (--depth == 0)
				return i + 1;
		} else if (b.p[i] == '\\') {
			i++;
		}
	}
	return b.n;
}

static size_t skip_lws_comments(struct bytes b)
{
	size_t i = 0;
	while (i < b.n) {
		if (ascii_is_blank(b.p[i]))
			i++;
		else if (b.p[i] == '(')
			i += skip_comment(bytes_from(b, i));
		else
			return i;
	}
	return b.n;
}

/* Zeek's token search: skips anything that cannot start a token. Returns
 * the offset after the token, or -1 when b holds none. */
static long get_token(struct bytes b, bool boundary, struct bytes *tok)
{
	size_t i = boundary ? 0 : skip_lws_comments(b);
	while (i < b.n) {
		if (is_token_char(b.p[i], boundary)) {
			size_t j = i;
			while (j < b.n && is_token_char(b.p[j], boundary))
				j++;
			tok->p = b.p + i;
			tok->n = j - i;
			return (long)j;
		}
		size_t k = skip_lws_comments(bytes_from(b, i));
		i += k > 0 ? k : 1;
	}
	return -1;
}

static long get_slash_token_pair(struct bytes b, struct bytes *ty,
				 struct bytes *sub)
{
	long off = get_token(b, false, ty);
	if (off < 0)
		return -1;
	size_t at = (size_t)off;
	at += skip_lws_comments(bytes_from(b, at));
	if (at >= b.n || b.p[at] != '/')
		return -1;
	at++;
	off = get_token(bytes_from(b, at), false, sub);
	if (off < 0)
		return -1;
	return (long)(at + (size_t)off);
}

static long get_quoted_string(struct bytes b, struct bytes *str)
{
	size_t off = skip_lws_comments(b);
	if (off >= b.n || b.p[off] != '"')
		return -1;
	for (size_t i = off + 1; i < b.n; i++) {
		if (b.p[i] == '"') {
			str->p = b.p + off + 1;
			str->n = i - off - 1;
			return (long)(i + 1);
		}
		if (b.p[i] == '\\')
			i++;
	}
	return -1;
}

/* A parameter value (token or quoted string). For a boundary, leading
 * blanks are not skipped as such and the value (quoted pairs decoded) is
 * stored in *out; *got tells whether a value was found. */
static long get_value(struct bytes b, bool boundary, struct buf *out,
		      bool *got)
{
	size_t off = boundary ? 0 : skip_lws_comments(b);
	struct bytes rest = bytes_from(b, off), v;
	long end;

	*got = false;
	if (rest.n > 0 && rest.p[0] == '"') {
		end = get_quoted_string(rest, &v);
		if (end < 0)
			return -1;
		if (out) {
			buf_reset(out);
			for (size_t i = 0; i < v.n; i++) {
				if (v.p[i] == '\\' && ++i >= v.n)
					break; /* a trailing '\' is dropped */
				buf_putc(out, v.p[i]);
			}
		}
	} else {
		end = get_token(rest, boundary, &v);
		if (end < 0)
			return -1;
		if (out) {
			buf_reset(out);
			buf_append(out, v.p, v.n);
		}
	}
	*got = true;
	return (long)off + end;
}

/* Keeps the first MIME_BOUNDARY_KEEP bytes of a longer boundary and the
 * SHA-256 of the whole (see MIME_BOUNDARY_KEEP in mime.h). */
static void boundary_compact(struct mime_entity *e)
{
	e->boundary_len = e->boundary.len;
	if (e->boundary.len <= MIME_BOUNDARY_KEEP)
		return;
	unsigned int dn = 0;
	if (EVP_Digest(e->boundary.data, e->boundary.len, e->boundary_sha256, &dn, EVP_sha256(),
		       NULL) != 1 ||
	    dn != sizeof e->boundary_sha256)
		return; /* kept whole */
	struct buf kept;
	buf_init(&kept, MIME_MAX_FIELD_BYTES);
	if (!buf_append(&kept, e->boundary.data, MIME_BOUNDARY_KEEP)) {
		buf_free(&kept);
		return;
	}
	buf_free(&e->boundary);
	e->boundary = kept;
}

/* ---- events ---- */

static void note(struct mime_parser *mp, enum mime_note kind, const char *s)
{
	if (mp->cb.note)
		mp->cb.note(mp->ud, kind, s);
}

static void weird_limit(struct mime_parser *mp, const char *name, uint64_t v)
{
	char addl[32];
	snprintf(addl, sizeof addl, "%" PRIu64, v);
	if (mp->cb.weird)
		mp->cb.weird(mp->ud, name, addl, true);
}

static void emit_segment(struct mime_parser *mp, unsigned i)
{
	if (mp->seg_len == 0)
		return;
	mp->ent[i].data_bytes += mp->seg_len;
	if (mp->cb.data)
		mp->cb.data(mp->ud, &mp->ent[i], mp->seg, mp->seg_len);
	mp->seg_len = 0;
}

/* Zeek's DataOctets: a segment is handed out when full, or at FlushData. */
static void data_octets(struct mime_parser *mp, unsigned i, const uint8_t *p,
			size_t n)
{
	while (n > 0) {
		size_t room = sizeof mp->seg - mp->seg_len;
		size_t k = n < room ? n : room;
		memcpy(mp->seg + mp->seg_len, p, k);
		mp->seg_len += k;
		p += k;
		n -= k;
		if (mp->seg_len == sizeof mp->seg)
			emit_segment(mp, i);
	}
}

static void b64_report(struct mime_parser *mp, struct b64_state *st)
{
	struct b64_weird w;
	char addl[80];
	while (b64_weird_next(st, &w)) {
		b64_weird_format(&w, addl, sizeof addl);
		if (mp->cb.weird)
			mp->cb.weird(mp->ud, B64_WEIRD_NAME, addl, false);
	}
}

/* ---- entity life ---- */

static void entity_begin(struct mime_parser *mp, unsigned i, unsigned level,
			 enum mime_encoding enc)
{
	struct mime_entity *e = &mp->ent[i];
	/* Entities begin in order, one level deeper at a time. */
	if (i == mp->ent_ready) {
		buf_init(&e->boundary, MIME_MAX_FIELD_BYTES);
		mp->ent_ready++;
	}
	struct buf keep = e->boundary; /* storage reused across slots */

	memset(e, 0, sizeof *e);
	e->boundary = keep;
	buf_reset(&e->boundary);
	e->level = level;
	e->type = MIME_TYPE_TEXT;
	e->encoding = enc;
	e->in_header = true;
	e->ordinal = ++mp->entities;
	mp->live = i + 1;
	mp->has_filename = false; /* the script's `c$smtp$entity = Entity()` */
	if (mp->cb.entity_begin)
		mp->cb.entity_begin(mp->ud, e);
}

static void entity_end(struct mime_parser *mp, unsigned i);
static void finish_header(struct mime_parser *mp, unsigned i);

static void begin_child(struct mime_parser *mp, unsigned i)
{
	struct mime_entity *e = &mp->ent[i];
	if (e->level >= mp->max_depth) {
		/* No child: its lines are dropped by this entity. */
		weird_limit(mp, MIME_WEIRD_MAX_DEPTH, e->level);
		return;
	}
	e->has_child = true;
	entity_begin(mp, i + 1, e->level + 1, e->encoding);
}

static void end_child(struct mime_parser *mp, unsigned i)
{
	entity_end(mp, i + 1);
	mp->ent[i].has_child = false;
	mp->live = i + 1;
}

/* Recursion depth is bounded by MIME_MAX_DEPTH + 1. */
static void entity_end(struct mime_parser *mp, unsigned i)
{
	struct mime_entity *e = &mp->ent[i];

	if (e->ended)
		return;
	e->ended = true;

	if (e->in_header) {
		finish_header(mp, i);
		e->in_header = false;
		if (mp->cb.headers_done)
			mp->cb.headers_done(mp->ud, e);
		note(mp, MIME_NOTE_ILLEGAL_FORMAT, "entity body missing");
	} else {
		if (e->has_child) {
			if (e->type == MIME_TYPE_MULTIPART)
				note(mp, MIME_NOTE_ILLEGAL_FORMAT,
				     "multipart closing boundary delimiter "
				     "missing");
			end_child(mp, i);
		}
		if (e->b64_on) {
			uint8_t out[B64_FINISH_MAX];
			size_t n = b64_finish(&e->b64, out, sizeof out);
			b64_report(mp, &e->b64);
			data_octets(mp, i, out, n);
			e->b64_on = false;
		}
		emit_segment(mp, i);
	}
	if (mp->cb.entity_end)
		mp->cb.entity_end(mp->ud, e);
	mp->has_filename = false; /* the script deletes c$smtp$entity */
}

/* ---- headers ---- */

static void parse_params(struct mime_parser *mp, struct mime_entity *e,
			 enum mime_field field, struct bytes b)
{
	for (;;) {
		size_t off = skip_lws_comments(b);
		if (off >= b.n || b.p[off] != ';')
			break;
		b = bytes_from(b, off + 1);

		struct bytes attr;
		long t = get_token(b, false, &attr);
		if (t < 0) {
			note(mp, MIME_NOTE_ILLEGAL_FORMAT,
			     "attribute name not found in parameter "
			     "specification");
			return;
		}
		b = bytes_from(b, (size_t)t);

		off = skip_lws_comments(b);
		if (off >= b.n || b.p[off] != '=') {
			note(mp, MIME_NOTE_ILLEGAL_FORMAT,
			     "= not found in parameter specification");
			continue;
		}
		b = bytes_from(b, off + 1);

		bool got;
		long v;
		if (field == FIELD_CONTENT_TYPE &&
		    e->type == MIME_TYPE_MULTIPART &&
		    bytes_ieq(attr.p, attr.n, "boundary")) {
			/* Parse into a scratch view first: a failed value
			 * must leave the previous boundary in place. */
			v = get_value(b, true, NULL, &got);
			if (!got) {
				note(mp, MIME_NOTE_ILLEGAL_FORMAT,
				     "Could not parse multipart boundary");
				continue;
			}
			(void)get_value(b, true, &e->boundary, &got);
			e->has_boundary = true;
			boundary_compact(e);
		} else {
			v = get_value(b, false, NULL, &got);
		}
		if (v < 0) {
			note(mp, MIME_NOTE_ILLEGAL_FORMAT,
			     "value not found in parameter specification");
			continue;
		}
		b = bytes_from(b, (size_t)v);
	}
}

static void parse_content_type(struct mime_parser *mp, struct mime_entity *e,
			       struct bytes value)
{
	struct bytes ty, sub;
	long off = get_slash_token_pair(value, &ty, &sub);
	if (off < 0) {
		note(mp, MIME_NOTE_ILLEGAL_FORMAT,
		     "media type/subtype not found in content type");
		return;
	}
	if (bytes_ieq(ty.p, ty.n, "MULTIPART"))
		e->type = MIME_TYPE_MULTIPART;
	else if (bytes_ieq(ty.p, ty.n, "MESSAGE"))
		e->type = MIME_TYPE_MESSAGE;
	else if (bytes_ieq(ty.p, ty.n, "TEXT"))
		e->type = MIME_TYPE_TEXT;
	else
		e->type = MIME_TYPE_OTHER;
	e->need_params =
		e->type == MIME_TYPE_MULTIPART || e->type == MIME_TYPE_MESSAGE;
	if (e->need_params)
		parse_params(mp, e, FIELD_CONTENT_TYPE,
			     bytes_from(value, (size_t)off));
	/* A boundary from an earlier Content-Type still counts (Zeek). */
	if (e->type == MIME_TYPE_MULTIPART && !e->has_boundary) {
		note(mp, MIME_NOTE_ILLEGAL_FORMAT,
		     "boundary delimiter is not specified for a multipart "
		     "entity -- content is treated as type "
		     "application/octet-stream");
		e->type = MIME_TYPE_OTHER;
	}
}

static void parse_encoding(struct mime_parser *mp, struct mime_entity *e,
			   struct bytes value)
{
	static const char *const names[] = {"7BIT", "8BIT", "BINARY",
					    "QUOTED-PRINTABLE", "BASE64"};
	struct bytes tok;
	long off = get_token(value, false, &tok);
	if (off < 0) {
		note(mp, MIME_NOTE_ILLEGAL_FORMAT,
		     "encoding type not found in content encoding");
		return;
	}
	e->encoding = MIME_ENC_OTHER;
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		if (bytes_ieq(tok.p, tok.n, names[k]))
			e->encoding = (enum mime_encoding)k;
	if (e->need_params)
		parse_params(mp, e, FIELD_CTE, bytes_from(value, (size_t)off));
}

/* Splits a complete header into name and value as MIME_Header does;
 * false when it has no name or no colon (Zeek drops it silently). */
static bool split_header(struct bytes h, struct bytes *name,
			 struct bytes *value)
{
	size_t i = skip_lws_comments(h);
	bool found = false;
	while (i < h.n) {
		if (is_field_name_char(h.p[i])) {
			size_t j = i;
			while (j < h.n && is_field_name_char(h.p[j]))
				j++;
			name->p = h.p + i;
			name->n = j - i;
			i = j;
			found = true;
			break;
		}
		size_t k = skip_lws_comments(bytes_from(h, i));
		i += k > 0 ? k : 1;
	}
	if (!found)
		return false;
	i += skip_lws_comments(bytes_from(h, i));
	if (i >= h.n || h.p[i] != ':')
		return false;
	i++;
	i += bytes_span(h.p + i, h.n - i, ASCII_SPACE);
	*value = bytes_from(h, i);
	return true;
}

static void finish_header(struct mime_parser *mp, unsigned i)
{
	struct mime_entity *e = &mp->ent[i];
	struct bytes h = {mp->header.data, mp->header.len}, name, value;

	if (!mp->header_pending)
		return;
	mp->header_pending = false;
	if (!split_header(h, &name, &value))
		return;

	if (bytes_ieq(name.p, name.n, "content-type"))
		parse_content_type(mp, e, value);
	else if (bytes_ieq(name.p, name.n, "content-transfer-encoding"))
		parse_encoding(mp, e, value);

	if (mp->cb.header)
		mp->cb.header(mp->ud, e, name, value);
	if (mime_header_filename(name, value, &mp->filename))
		mp->has_filename = true;
}

static void header_append(struct mime_parser *mp, const uint8_t *p, size_t n)
{
	size_t room = mp->header.max - mp->header.len;
	buf_append(&mp->header, p, n < room ? n : room);
}

static void new_header(struct mime_parser *mp, unsigned i, const uint8_t *p,
		       size_t n)
{
	finish_header(mp, i);
	if (n == 0)
		return;
	buf_reset(&mp->header);
	header_append(mp, p, n);
	mp->header_pending = true;
}

static void cont_header(struct mime_parser *mp, unsigned i, const uint8_t *p,
			size_t n)
{
	if (!mp->header_pending) {
		note(mp, MIME_NOTE_ILLEGAL_FORMAT,
		     "first header line starts with linear whitespace");
		size_t ws = bytes_span(p, n, ASCII_BLANK);
		new_header(mp, i, p + ws, n - ws);
		return;
	}
	if (mp->header.len >= mp->max_header_bytes) {
		weird_limit(mp, MIME_WEIRD_MAX_HEADER_BYTES, mp->header.len);
		return;
	}
	header_append(mp, p, n);
}

static void begin_body(struct mime_parser *mp, unsigned i)
{
	struct mime_entity *e = &mp->ent[i];
	if (e->encoding == MIME_ENC_BASE64) {
		b64_init(&e->b64);
		e->b64_on = true;
	}
	if (e->type == MIME_TYPE_MESSAGE)
		begin_child(mp, i);
}

static void header_line(struct mime_parser *mp, unsigned i, const uint8_t *p,
			size_t n)
{
	struct mime_entity *e = &mp->ent[i];
	if (n == 0 || p[0] == '\0') {
		finish_header(mp, i);
		e->in_header = false;
		if (mp->cb.headers_done)
			mp->cb.headers_done(mp->ud, e);
		if (!e->ended)
			begin_body(mp, i);
	} else if (ascii_is_blank(p[0])) {
		cont_header(mp, i, p, n);
	} else {
		new_header(mp, i, p, n);
	}
}

/* ---- bodies ---- */

/*
 * The SHA-256 of a body line's first bytes after "--", at each length a
 * long boundary of an open level needs. Each level compares a line with
 * its own boundary, so 100 nested long boundaries sharing their kept
 * prefix would each hash the line from its start: 100 hashes of a long
 * line. Made once per line instead, in one pass over it (in increasing
 * length, the context copied at each), when two or more levels need one.
 */
struct line_digests {
	bool tried;
	size_t n;
	size_t len[MIME_MAX_DEPTH + 1];
	uint8_t d[MIME_MAX_DEPTH + 1][32];
};

/* Whether line p[0..n) gets as far as the digest for entity e. */
static bool needs_digest(const struct mime_entity *e, const uint8_t *p, size_t n)
{
	size_t bn = e->boundary_len, kept = e->boundary.len;
	return e->type == MIME_TYPE_MULTIPART && e->has_boundary && bn > kept && n >= 2 &&
	       p[0] == '-' && p[1] == '-' && n - 2 >= bn &&
	       (kept == 0 || memcmp(p + 2, e->boundary.data, kept) == 0);
}

static void line_digests_fill(struct mime_parser *mp, struct line_digests *ld, const uint8_t *p,
			      size_t n)
{
	ld->tried = true;
	ld->n = 0;
	/* The levels the line can reach: down to the first in its header. */
	for (unsigned i = 0; i < mp->live && !mp->ent[i].in_header; i++) {
		if (!needs_digest(&mp->ent[i], p, n))
			continue;
		size_t bn = mp->ent[i].boundary_len, k = ld->n;
		while (k > 0 && ld->len[k - 1] > bn) /* insertion sort, no repeats */
			k--;
		if (k > 0 && ld->len[k - 1] == bn)
			continue;
		memmove(ld->len + k + 1, ld->len + k, (ld->n - k) * sizeof ld->len[0]);
		ld->len[k] = bn;
		ld->n++;
	}
	if (ld->n < 2) {
		ld->n = 0; /* one digest: made where it is needed */
		return;
	}
	if (!mp->digest)
		mp->digest = EVP_MD_CTX_new();
	if (!mp->digest_copy)
		mp->digest_copy = EVP_MD_CTX_new();
	bool ok =
	    mp->digest && mp->digest_copy && EVP_DigestInit_ex(mp->digest, EVP_sha256(), NULL) == 1;
	size_t done = 0;
	for (size_t k = 0; ok && k < ld->n; k++) {
		unsigned int dn = 0;
		ok = EVP_DigestUpdate(mp->digest, p + 2 + done, ld->len[k] - done) == 1 &&
		     EVP_MD_CTX_copy_ex(mp->digest_copy, mp->digest) == 1 &&
		     EVP_DigestFinal_ex(mp->digest_copy, ld->d[k], &dn) == 1 && dn == 32;
		done = ld->len[k];
	}
	if (!ok)
		ld->n = 0; /* each level hashes for itself */
}

static enum mime_delim check_delimiter(struct mime_parser *mp, const struct mime_entity *e,
				       const uint8_t *p, size_t n, struct line_digests *ld)
{
	const uint8_t *b = e->boundary.data;
	size_t bn = e->boundary_len, kept = e->boundary.len;

	if (!e->has_boundary || n < 2 || p[0] != '-' || p[1] != '-')
		return DELIM_NONE;
	if (n - 2 < bn || (kept > 0 && memcmp(p + 2, b, kept) != 0))
		return DELIM_NONE;
	if (bn > kept) {
		if (!ld->tried)
			line_digests_fill(mp, ld, p, n);
		const uint8_t *d = NULL;
		for (size_t k = 0; k < ld->n && !d; k++)
			if (ld->len[k] == bn)
				d = ld->d[k];
		uint8_t own[32];
		unsigned int dn = 0;
		if (!d) {
			if (EVP_Digest(p + 2, bn, own, &dn, EVP_sha256(), NULL) != 1 ||
			    dn != sizeof own)
				return DELIM_NONE;
			d = own;
		}
		if (memcmp(d, e->boundary_sha256, 32) != 0)
			return DELIM_NONE;
	}
	if (n - 2 - bn >= 2 && p[2 + bn] == '-' && p[3 + bn] == '-')
		return DELIM_CLOSE;
	return DELIM_PART;
}

static void decode_binary(struct mime_parser *mp, unsigned i, const uint8_t *p,
			  size_t n, bool crlf)
{
	struct mime_entity *e = &mp->ent[i];
	if (e->delay_crlf) {
		e->delay_crlf = false;
		data_octets(mp, i, (const uint8_t *)"\r\n", 2);
	}
	data_octets(mp, i, p, n);
	if (!crlf)
		return;
	/* The CRLF before a multipart delimiter belongs to the delimiter:
	 * hold it until more content of this entity arrives. */
	if (i > 0 && mp->ent[i - 1].type == MIME_TYPE_MULTIPART)
		e->delay_crlf = true;
	else
		data_octets(mp, i, (const uint8_t *)"\r\n", 2);
}

static void decode_qp(struct mime_parser *mp, unsigned i, const uint8_t *p,
		      size_t n)
{
	struct qp_line q;
	uint8_t out[MIME_B64_CHUNK];
	size_t k;
	char detail[96];

	qp_line_begin(&q, p, n);
	while ((k = qp_line_decode(&q, out, sizeof out)) > 0) {
		/* Zeek notes the problem before writing the byte. */
		if (q.issue != QP_ISSUE_NONE) {
			data_octets(mp, i, out, k - 1);
			/* One per bad byte: worth formatting only for a reader. */
			if (mp->cb.note) {
				qp_issue_format(q.issue, q.issue_byte, detail, sizeof detail);
				note(mp, MIME_NOTE_ILLEGAL_ENCODING, detail);
			}
			data_octets(mp, i, out + k - 1, 1);
		} else {
			data_octets(mp, i, out, k);
		}
	}
}

static void decode_base64(struct mime_parser *mp, unsigned i, const uint8_t *p,
			  size_t n)
{
	struct mime_entity *e = &mp->ent[i];
	uint8_t out[MIME_B64_CHUNK];

	if (!e->b64_on)
		return;
	/* Zeek decodes into a 128-byte buffer and hands each one on; a group
	 * that does not fit may wait for the next line (chunking matters
	 * only for where data segments are cut). */
	while (n > 0) {
		size_t w = 0;
		size_t used = b64_feed(&e->b64, p, n, out, sizeof out, &w);
		b64_report(mp, &e->b64);
		data_octets(mp, i, out, w);
		p += used;
		n -= used;
	}
}

static void decode_line(struct mime_parser *mp, unsigned i, const uint8_t *p,
			size_t n, bool crlf)
{
	switch (mp->ent[i].encoding) {
	case MIME_ENC_QUOTED_PRINTABLE:
		decode_qp(mp, i, p, n);
		break;
	case MIME_ENC_BASE64:
		decode_base64(mp, i, p, n);
		break;
	default:
		decode_binary(mp, i, p, n, crlf);
		break;
	}
	emit_segment(mp, i);
}

/* ---- public ---- */

void mime_init(struct mime_parser *mp, const struct mime_callbacks *cb,
	       void *ud)
{
	memset(mp, 0, offsetof(struct mime_parser, ent));
	if (cb)
		mp->cb = *cb;
	mp->ud = ud;
	mp->max_depth = MIME_MAX_DEPTH;
	mp->max_header_bytes = MIME_MAX_HEADER_BYTES;
	buf_init(&mp->header, MIME_MAX_FIELD_BYTES);
	buf_init(&mp->filename, MIME_MAX_FIELD_BYTES);
	entity_begin(mp, 0, 0, MIME_ENC_OTHER);
}

void mime_reinit(struct mime_parser *mp, const struct mime_callbacks *cb, void *ud)
{
	struct buf header = mp->header, filename = mp->filename;
	EVP_MD_CTX *digest = mp->digest, *digest_copy = mp->digest_copy;
	unsigned ready = mp->ent_ready; /* the slots keep their boundary buffers */
	memset(mp, 0, offsetof(struct mime_parser, ent));
	if (cb)
		mp->cb = *cb;
	mp->ud = ud;
	mp->header = header;
	buf_reset(&mp->header);
	mp->filename = filename;
	buf_reset(&mp->filename);
	mp->digest = digest;
	mp->digest_copy = digest_copy;
	mp->ent_ready = ready;
	mp->max_depth = MIME_MAX_DEPTH;
	mp->max_header_bytes = MIME_MAX_HEADER_BYTES;
	entity_begin(mp, 0, 0, MIME_ENC_OTHER);
}

void mime_set_limits(struct mime_parser *mp, unsigned max_depth, size_t max_header_bytes)
{
	if (max_depth > 0 && max_depth <= MIME_MAX_DEPTH)
		mp->max_depth = max_depth;
	if (max_header_bytes > 0 && max_header_bytes <= MIME_MAX_HEADER_BYTES)
		mp->max_header_bytes = max_header_bytes;
}

void mime_feed_line(struct mime_parser *mp, const uint8_t *line, size_t len,
		    bool crlf)
{
	if (mp->done || mp->live == 0)
		return;
	if (len > MIME_MAX_LINE_BYTES)
		len = MIME_MAX_LINE_BYTES;

	/* Each line enters at the top: the outermost multipart gets the
	 * first look at delimiters (spec §3.5). */
	struct line_digests ld;
	ld.tried = false;
	ld.n = 0;
	for (unsigned i = 0; i < mp->live; i++) {
		struct mime_entity *e = &mp->ent[i];

		if (e->in_header) {
			header_line(mp, i, line, len);
			return;
		}
		if (e->type == MIME_TYPE_MULTIPART) {
			switch (check_delimiter(mp, e, line, len, &ld)) {
			case DELIM_PART:
				if (e->has_child)
					end_child(mp, i);
				if (!e->ended)
					begin_child(mp, i);
				return;
			case DELIM_CLOSE:
				if (e->has_child)
					end_child(mp, i);
				entity_end(mp, i);
				return;
			case DELIM_NONE:
				break;
			}
		}
		if (e->type == MIME_TYPE_MULTIPART ||
		    e->type == MIME_TYPE_MESSAGE) {
			if (!e->has_child)
				return; /* preamble, epilogue, past max depth */
			continue;
		}
		decode_line(mp, i, line, len, crlf);
		return;
	}
}

void mime_end(struct mime_parser *mp)
{
	if (mp->done || mp->live == 0)
		return;
	mp->done = true;
	entity_end(mp, 0);
}

size_t mime_storage(const struct mime_parser *mp)
{
	size_t n = mp->header.cap + mp->filename.cap;
	for (size_t i = 0; i < mp->ent_ready; i++)
		n += mp->ent[i].boundary.cap;
	return n;
}

void mime_free(struct mime_parser *mp)
{
	for (size_t i = 0; i < mp->ent_ready; i++)
		buf_free(&mp->ent[i].boundary);
	mp->ent_ready = 0;
	buf_free(&mp->header);
	buf_free(&mp->filename);
	EVP_MD_CTX_free(mp->digest);
	EVP_MD_CTX_free(mp->digest_copy);
	mp->digest = mp->digest_copy = NULL;
	mp->live = 0;
}

const struct mime_entity *mime_current(const struct mime_parser *mp)
{
	return mp->live ? &mp->ent[mp->live - 1] : NULL;
}

bool mime_filename(const struct mime_parser *mp, struct bytes *out)
{
	if (!mp->has_filename)
		return false;
	out->p = mp->filename.data;
	out->n = mp->filename.len;
	return true;
}
