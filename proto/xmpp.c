/*
 * The XMPP analyzer: Zeek's, which parses XMPP only as far as STARTTLS
 * (src/analyzer/protocol/xmpp). It confirms on the client's stream:stream,
 * stops where STARTTLS can no longer come, and when the server answers the
 * client's <starttls> with <proceed> it hands the connection to SSL.
 *
 * Zeek's grammar reads every delivered chunk as a whole run of tokens
 * "blanks < NAME rest > content", NAME being an optional '/' and then
 * [?:[:alnum:]]+; a chunk that does not fit raises a protocol violation.
 * Nothing is buffered across chunks, exactly as there.
 */
#include "proto/xmpp.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/config.h"
#include "proto/scripts.h"

struct xmpp {
	struct analyzer_ctx *ctx;
	bool skip;            /* past the point where STARTTLS can come */
	bool had_gap;         /* a content gap: nothing more is parsed */
	bool tls_active;      /* handed to SSL */
	bool client_starttls; /* the client asked */
};

static bool name_char(uint8_t c)
{
	return c == '?' || c == ':' || ascii_is_alnum(c);
}

static bool is_name(struct bytes w, const char *s)
{
	return w.n == strlen(s) && memcmp(w.p, s, w.n) == 0;
}

/* The name without its namespace: what follows the first ':', when
 * something does. */
static struct bytes local_name(struct bytes w)
{
	const uint8_t *colon = memchr(w.p, ':', w.n);
	if (!colon || (size_t)(colon - w.p) + 1 >= w.n)
		return w;
	size_t off = (size_t)(colon - w.p) + 1;
	return (struct bytes){w.p + off, w.n - off};
}

/* proc_xmpp_token */
static void token(struct xmpp *x, bool is_orig, struct bytes name)
{
	struct bytes local = local_name(name);
	if (is_orig && is_name(name, "stream:stream"))
		analyzer_confirm(x->ctx);
	static const char *const past_starttls[] = {"success", "message", "db:result", "db:verify",
						    "presence"};
	for (size_t i = 0; i < sizeof past_starttls / sizeof past_starttls[0]; i++)
		if (is_name(name, past_starttls[i]))
			x->skip = true;
	if (is_orig && (is_name(name, "starttls") || is_name(local, "starttls")))
		x->client_starttls = true;
	if (!is_orig && (is_name(name, "proceed") || is_name(local, "proceed")) &&
	    x->client_starttls) {
		x->tls_active = true;
		analyzer_handover(x->ctx, "SSL");
	} else if (!is_orig && is_name(name, "proceed")) {
		analyzer_weird(x->ctx, "XMPP: proceed without starttls", false);
	}
}

static size_t skip_while(const uint8_t *p, size_t n, size_t pos, const char *set, bool in)
{
	while (pos < n && (strchr(set, p[pos]) != NULL) == in && p[pos])
		pos++;
	return pos;
}

/* One chunk as Zeek's XMPP_PDU: tokens until the chunk is used up. */
static void parse_chunk(struct xmpp *x, bool is_orig, const uint8_t *p, size_t n)
{
	size_t pos = 0;
	while (pos < n) {
		pos = skip_while(p, n, pos, " \r\n", true);
		if (pos == n || p[pos] != '<')
			goto bad;
		pos++;
		size_t start = pos;
		if (pos < n && p[pos] == '/')
			pos++;
		size_t name_start = pos;
		while (pos < n && name_char(p[pos]))
			pos++;
		if (pos == name_start)
			goto bad;
		struct bytes name = {p + start, pos - start};
		/* rest and content: [^<>]* (a NUL is an ordinary byte there) */
		pos += bytes_span_not3(p + pos, n - pos, '<', '>', '>');
		if (pos == n || p[pos] != '>')
			goto bad;
		pos++;
		pos += bytes_span_not3(p + pos, n - pos, '<', '>', '>');
		token(x, is_orig, name);
	}
	return;
bad:
	analyzer_violation(x->ctx, "Binpac exception: XMPP token");
}

bool xmpp_signature(const uint8_t *p, size_t n)
{
	size_t pos = 0;
	static const char decl[] = "<?xml";
	if (n >= sizeof decl - 1 && memcmp(p, decl, sizeof decl - 1) == 0) {
		/* (<\?xml[^?>]*\?>)? -- optional: fall back to no declaration */
		size_t k = sizeof decl - 1;
		while (k < n && p[k] != '?' && p[k] != '>')
			k++;
		if (k + 1 < n && p[k] == '?' && p[k + 1] == '>')
			pos = k + 2;
	}
	while (pos < n && (p[pos] == '\n' || p[pos] == '\r' || p[pos] == ' '))
		pos++;
	static const char open[] = "<stream:stream ";
	if (n - pos < sizeof open - 1 || memcmp(p + pos, open, sizeof open - 1) != 0)
		return false;
	pos += sizeof open - 1;
	static const char ns[] = "xmlns='jabber:";
	for (; pos + sizeof ns - 1 <= n && p[pos] != '>'; pos++)
		if (memcmp(p + pos, ns, sizeof ns - 1) == 0)
			return true;
	return false;
}

static bool xmpp_dpd_match(const uint8_t *orig, size_t orig_n, const uint8_t *resp,
			   size_t resp_n)
{
	return xmpp_signature(orig, orig_n) || xmpp_signature(resp, resp_n);
}

static void *xmpp_create(struct analyzer_ctx *ctx)
{
	struct xmpp *x = calloc(1, sizeof *x);
	if (x)
		x->ctx = ctx;
	return x;
}

static void xmpp_deliver(void *state, bool is_orig, const uint8_t *data, size_t len)
{
	struct xmpp *x = state;
	/* After STARTTLS the SSL analyzer has the stream. */
	if (x->tls_active || x->skip || x->had_gap)
		return;
	parse_chunk(x, is_orig, data, len);
}

static void xmpp_gap(void *state, bool is_orig, uint64_t len)
{
	struct xmpp *x = state;
	(void)is_orig;
	(void)len;
	x->had_gap = true;
}

static void xmpp_destroy(void *state)
{
	free(state);
}

static const uint16_t xmpp_ports[] = {5222, 5269};

static const struct analyzer_script xmpp_scripts[] = {
    {"base/protocols/xmpp", SCRIPT_XMPP, "XMPP as far as STARTTLS: service xmpp, then SSL", true,
     NULL},
    {NULL, 0, NULL, false, NULL},
};

const struct analyzer xmpp_analyzer = {
    .name = "XMPP",
    .script = SCRIPT_XMPP,
    .scripts = xmpp_scripts,
    .tcp_ports = xmpp_ports,
    .n_tcp_ports = sizeof xmpp_ports / sizeof xmpp_ports[0],
    .dpd_match = xmpp_dpd_match,
    .create = xmpp_create,
    .deliver = xmpp_deliver,
    .gap = xmpp_gap,
    .destroy = xmpp_destroy,
};
