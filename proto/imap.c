/*
 * The IMAP analyzer: Zeek's, which parses IMAP only as far as STARTTLS
 * (src/analyzer/protocol/imap). It confirms the protocol, and when the
 * client's STARTTLS gets the server's OK under the same tag it hands the
 * connection to the SSL analyzer, so conn.log says "imap,ssl" and ssl.log
 * and x509.log follow.
 *
 * Zeek's grammar treats every delivered chunk as a whole datagram of
 * tokens "TAG SP COMMAND [SP] rest NEWLINE", where TAG and COMMAND are runs
 * of [[:alnum:][:punct:]]; a chunk that does not fit raises a protocol
 * violation. Nothing is buffered across chunks, exactly as there.
 */
#include "proto/imap.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/config.h"
#include "proto/scripts.h"

struct imap {
	struct analyzer_ctx *ctx;
	bool skip;       /* past the point where STARTTLS can come */
	bool had_gap;    /* a content gap: nothing more is parsed */
	bool tls_active; /* handed to SSL */
	uint8_t *starttls_tag; /* owned copy; NULL until the client asks */
	size_t starttls_tag_n;
};

/* Length of the run of bytes from p that pred accepts. */
static size_t run(const uint8_t *p, size_t n, bool (*pred)(uint8_t))
{
	size_t k = 0;
	while (k < n && pred(p[k]))
		k++;
	return k;
}

/* The grammar's SP: a space only, not isspace(). */
static bool is_sp(uint8_t c)
{
	return c == ' ';
}

static bool is_newline(uint8_t c)
{
	return c == '\r' || c == '\n';
}

static bool not_newline(uint8_t c)
{
	return !is_newline(c);
}

static bool word_is(struct bytes w, const char *s)
{
	return w.n == strlen(s) && memcmp(w.p, s, w.n) == 0;
}

static bool word_is_nocase(struct bytes w, const char *s)
{
	return bytes_ieq(w.p, w.n, s);
}

static void start_tls(struct imap *m)
{
	m->tls_active = true;
	analyzer_handover(m->ctx, "SSL");
}

/* proc_imap_token: what one token means for STARTTLS. The command is
 * compared exactly in some places and case-blind in others, as in Zeek. */
static void token(struct imap *m, bool is_orig, struct bytes tag, struct bytes cmd)
{
	if (!is_orig && word_is(tag, "*") && word_is_nocase(cmd, "ok"))
		analyzer_confirm(m->ctx);
	if (is_orig && (word_is(cmd, "capability") || word_is_nocase(cmd, "starttls")))
		analyzer_confirm(m->ctx);
	static const char *const past_starttls[] = {"authenticate", "login",  "examine",
						    "create",       "list",   "fetch"};
	for (size_t i = 0; i < sizeof past_starttls / sizeof past_starttls[0]; i++) {
		if (word_is(cmd, past_starttls[i])) {
			analyzer_confirm(m->ctx);
			m->skip = true;
			return;
		}
	}
	if (is_orig && word_is_nocase(cmd, "starttls")) {
		if (m->starttls_tag)
			analyzer_weird(m->ctx, "IMAP: client sent duplicate StartTLS", false);
		/* The tag is part of one delivered chunk: bounded by it. */
		uint8_t *copy = malloc(tag.n);
		if (!copy) {
			analyzer_violation(m->ctx, "out of memory");
			return;
		}
		memcpy(copy, tag.p, tag.n);
		free(m->starttls_tag);
		m->starttls_tag = copy;
		m->starttls_tag_n = tag.n;
	}
	if (!is_orig && m->starttls_tag && tag.n == m->starttls_tag_n &&
	    memcmp(tag.p, m->starttls_tag, tag.n) == 0) {
		if (word_is_nocase(cmd, "ok"))
			start_tls(m);
		else
			analyzer_weird(m->ctx, "IMAP: server refused StartTLS", false);
	}
}

/* One chunk as Zeek's IMAP_PDU: tokens until the chunk is used up. */
static void parse_chunk(struct imap *m, bool is_orig, const uint8_t *p, size_t n)
{
	size_t pos = 0;
	while (pos < n) {
		size_t k = bytes_span(p + pos, n - pos, ASCII_GRAPH);
		struct bytes tag = {p + pos, k};
		pos += k;
		size_t sp = run(p + pos, n - pos, is_sp);
		pos += sp;
		k = bytes_span(p + pos, n - pos, ASCII_GRAPH);
		struct bytes cmd = {p + pos, k};
		pos += k;
		if (tag.n == 0 || sp == 0 || cmd.n == 0)
			goto bad;
		pos += run(p + pos, n - pos, is_sp);
		if (!is_orig && word_is(tag, "*") && word_is_nocase(cmd, "capability")) {
			/* ServerCapability: words up to the first newline. */
			for (;;) {
				k = bytes_span(p + pos, n - pos, ASCII_GRAPH);
				if (k == 0)
					goto bad;
				pos += k;
				pos += run(p + pos, n - pos, is_sp);
				k = run(p + pos, n - pos, is_newline);
				pos += k;
				if (k > 0)
					break;
			}
		} else {
			pos += run(p + pos, n - pos, not_newline);
			k = run(p + pos, n - pos, is_newline);
			if (k == 0)
				goto bad;
			pos += k;
		}
		token(m, is_orig, tag, cmd);
	}
	return;
bad:
	analyzer_violation(m->ctx, "Binpac exception: IMAP token");
}

static void *imap_create(struct analyzer_ctx *ctx)
{
	struct imap *m = calloc(1, sizeof *m);
	if (m)
		m->ctx = ctx;
	return m;
}

static void imap_deliver(void *state, bool is_orig, const uint8_t *data, size_t len)
{
	struct imap *m = state;
	/* After STARTTLS the SSL analyzer has the stream. */
	if (m->tls_active || m->skip || m->had_gap)
		return;
	parse_chunk(m, is_orig, data, len);
}

static void imap_gap(void *state, bool is_orig, uint64_t len)
{
	struct imap *m = state;
	(void)is_orig;
	(void)len;
	m->had_gap = true;
}

static void imap_destroy(void *state)
{
	struct imap *m = state;
	if (m)
		free(m->starttls_tag);
	free(m);
}

static const uint16_t imap_ports[] = {143};

static const struct analyzer_script imap_scripts[] = {
    {"base/protocols/imap", SCRIPT_IMAP, "IMAP as far as STARTTLS: service imap, then SSL", true,
     NULL},
    {NULL, 0, NULL, false, NULL},
};

const struct analyzer imap_analyzer = {
    .name = "IMAP",
    .script = SCRIPT_IMAP,
    .scripts = imap_scripts,
    .tcp_ports = imap_ports,
    .n_tcp_ports = sizeof imap_ports / sizeof imap_ports[0],
    .create = imap_create,
    .deliver = imap_deliver,
    .gap = imap_gap,
    .destroy = imap_destroy,
};
