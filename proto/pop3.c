/*
 * The POP3 analyzer: Zeek's (src/analyzer/protocol/pop3), as far as it
 * decides conn.log's service and the hand-over to SSL after STLS. Zeek
 * finds POP3 only by its DPD signatures (base/protocols/pop3 registers no
 * port) and logs nothing of its own for it.
 *
 * Zeek's state machine is followed where it leads to AnalyzerConfirmation
 * (a +OK to USER, CAPA or STLS), AnalyzerViolation (a server line that is
 * neither +OK nor -ERR, outside an AUTH exchange; more unknown client
 * commands than POP3::max_unknown_client_commands) and StartTLS: the
 * pending-command queue (POP3::max_pending_commands), the master state,
 * "guessing" after transaction commands in the authorization state, and
 * multi-line replies. Its events, the login tracking and the MIME parsing
 * of RETR (which reaches no log: POP3 registers no file handle) are left
 * out. Lines are Zeek's ContentLine lines with NULs kept; like Zeek, which
 * reads them as C strings, a line counts only up to its first NUL.
 */
#include "proto/pop3.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/cursor.h"
#include "core/optval.h"
#include "proto/scripts.h"
#include "proto/smtp_line.h"

/* init-bare.zeek's POP3::max_pending_commands and max_unknown_client_commands
 * (0: no limit); smtplog keeps at most POP3_PENDING_BOUND commands. */
#define POP3_MAX_PENDING 10
#define POP3_MAX_UNKNOWN 10
#define POP3_PENDING_BOUND 1000

struct pop3_options {
	uint64_t max_pending;	/* 1 .. POP3_PENDING_BOUND */
	uint64_t max_unknown;	/* 0: no limit */
};

static void pop3_options_init(void *opts)
{
	struct pop3_options *o = opts;
	o->max_pending = POP3_MAX_PENDING;
	o->max_unknown = POP3_MAX_UNKNOWN;
}

static int set_max_pending(void *opts, const char *v, bool add, char *why, size_t cap)
{
	return add ? -1
		   : optval_count_in(v, 1, POP3_PENDING_BOUND,
				     "smtplog's memory bound (Zeek's 0, no limit, is not taken)",
				     &((struct pop3_options *)opts)->max_pending, why, cap);
}

static int set_max_unknown(void *opts, const char *v, bool add, char *why, size_t cap)
{
	(void)why, (void)cap;
	return add ? -1 : optval_count(v, &((struct pop3_options *)opts)->max_unknown);
}

static const struct analyzer_option pop3_options_table[] = {
    {"POP3::max_pending_commands",
     "count 1-1000: client commands kept while the server has not answered (10)", set_max_pending},
    {"POP3::max_unknown_client_commands",
     "count: unknown client commands before a protocol violation (10; 0 = no limit)",
     set_max_unknown},
    {NULL, NULL, NULL},
};

/* POP3_cmd.def's order, which ParseCmd walks. */
enum pop3_cmd {
	CMD_OK, CMD_ERR, CMD_USER, CMD_PASS, CMD_APOP, CMD_AUTH, CMD_STAT, CMD_LIST, CMD_RETR,
	CMD_DELE, CMD_RSET, CMD_NOOP, CMD_LAST, CMD_QUIT, CMD_TOP, CMD_CAPA, CMD_UIDL, CMD_STLS,
	CMD_XSENDER, CMD_END,
	CMD_UNKNOWN = -1,
};

static const char *const cmd_words[CMD_END] = {
    "OK",   "ERR",  "USER", "PASS", "APOP", "AUTH", "STAT", "LIST", "RETR",    "DELE",
    "RSET", "NOOP", "LAST", "QUIT", "TOP",  "CAPA", "UIDL", "STLS", "XSENDER",
};

enum master { M_START, M_AUTHORIZATION, M_TRANSACTION, M_UPDATE, M_FINISHED };

enum state {
	S_START, S_USER, S_PASS, S_APOP, S_AUTH, S_AUTH_PLAIN, S_AUTH_LOGIN, S_AUTH_CRAM_MD5,
	S_STAT, S_LIST, S_RETR, S_DELE, S_RSET, S_NOOP, S_LAST, S_QUIT, S_TOP, S_CAPA, S_UIDL,
	S_STLS, S_XSENDER,
};

/* A client command as ProcessClientCmd reads it: what it is does not
 * depend on the state, so the queue keeps this instead of the line. */
struct pending {
	signed char code;	/* enum pop3_cmd */
	bool has_message;	/* a second token */
	signed char auth;	/* AUTH's method: S_AUTH_LOGIN ... or S_AUTH */
};

struct pop3 {
	struct analyzer_ctx *ctx;
	struct smtp_line lf[2];	/* [is_orig]: the ContentLine support analyzers */
	bool tls;		/* handed to SSL */
	bool stopped;		/* out of memory: nothing more is parsed */
	enum master master;
	enum state state, last_state;
	bool guessing, waiting_auth, request_multi, multi;
	unsigned unknown_client_cmds;
	struct pending *q;	/* owned: a ring of max_pending + 1; Zeek's cmds */
	size_t q_head, q_len, q_cap;
	uint64_t max_pending, max_unknown;
};

/* The line up to its first NUL, past leading blanks and tabs
 * (util::skip_whitespace); then its first token, up to a space. */
struct words {
	struct bytes tok;	/* tokens[0] */
	struct bytes rest;	/* after the first space, to the NUL */
	bool has_message;	/* tokens[1]: a non-space byte in rest */
};

static struct words split_line(struct bytes line)
{
	const uint8_t *nul = memchr(line.p, 0, line.n);
	size_t n = nul ? (size_t)(nul - line.p) : line.n;
	size_t i = 0;
	while (i < n && (line.p[i] == ' ' || line.p[i] == '\t'))
		i++;
	size_t t = i;
	while (t < n && line.p[t] != ' ')
		t++;
	struct words w = {{line.p + i, t - i}, {line.p + t, n - t}, false};
	for (size_t k = t; k < n; k++)
		if (line.p[k] != ' ') {
			w.has_message = true;
			break;
		}
	return w;
}

/* ParseCmd: each round drops one leading '+' or '-' (if the token still
 * has one) before comparing with the round's word, so "+OK" is OK but
 * "++OK" is nothing. */
static int parse_cmd(struct bytes tok)
{
	if (tok.n == 0)
		return CMD_UNKNOWN;
	size_t dropped = 0;
	for (int code = 0; code < CMD_END; code++) {
		if (dropped < tok.n && (tok.p[dropped] == '+' || tok.p[dropped] == '-'))
			dropped++;
		size_t wn = strlen(cmd_words[code]);
		if (tok.n - dropped == wn && bytes_ieq(tok.p + dropped, wn, cmd_words[code]))
			return code;
	}
	return CMD_UNKNOWN;
}

static bool contains(struct bytes b, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i + n <= b.n; i++)
		if (memcmp(b.p + i, s, n) == 0)
			return true;
	return false;
}

static void process_client_cmd(struct pop3 *m);

/* FinishClientCmd. */
static void finish_client_cmd(struct pop3 *m)
{
	if (m->q_len == 0)
		return;
	m->q_head = (m->q_head + 1) % m->q_cap;
	m->q_len--;
	process_client_cmd(m);
}

/* A transaction command outside the transaction state: the next +OK
 * means no authentication was needed. */
static void guess(struct pop3 *m, enum state s)
{
	m->guessing = true;
	m->last_state = s;
}

/* A command that only the transaction state takes. */
static void transaction_cmd(struct pop3 *m, enum state s)
{
	if (m->master == M_TRANSACTION)
		m->state = s;
	else
		guess(m, s);
}

static void process_client_cmd(struct pop3 *m)
{
	if (m->q_len == 0)
		return;
	const struct pending *c = &m->q[m->q_head];
	switch (c->code) {
	case CMD_UNKNOWN:
		if (!m->waiting_auth) {
			analyzer_weird(m->ctx, "pop3_client_command_unknown", false);
			if (++m->unknown_client_cmds > m->max_unknown && m->max_unknown > 0)
				analyzer_violation(m->ctx, "too many unknown client commands");
		}
		break;
	case CMD_OK:
	case CMD_ERR:
		analyzer_weird(m->ctx, "pop3_client_sending_server_commands", false);
		break;
	case CMD_USER:
		if (m->master == M_AUTHORIZATION)
			m->state = S_USER;
		break;
	case CMD_PASS:
		if (m->master == M_AUTHORIZATION && m->state == S_USER)
			m->state = S_PASS;
		break;
	case CMD_APOP:
		if (m->master == M_AUTHORIZATION)
			m->state = S_APOP;
		break;
	case CMD_AUTH:
		if (m->master != M_AUTHORIZATION)
			break;
		if (!c->has_message) {
			m->request_multi = true;	/* the list of mechanisms */
			m->state = S_AUTH;
		} else {
			m->state = (enum state)c->auth;
			m->waiting_auth = true;
		}
		break;
	case CMD_STAT:
		if (m->master == M_TRANSACTION)
			m->state = S_STAT;
		break;
	case CMD_LIST:
	case CMD_UIDL:
		if (!c->has_message)
			m->request_multi = true;
		transaction_cmd(m, c->code == CMD_LIST ? S_LIST : S_UIDL);
		break;
	case CMD_RETR:
	case CMD_TOP:
		m->request_multi = true;
		transaction_cmd(m, c->code == CMD_RETR ? S_RETR : S_TOP);
		break;
	case CMD_DELE:
		transaction_cmd(m, S_DELE);
		break;
	case CMD_RSET:
		transaction_cmd(m, S_RSET);
		break;
	case CMD_NOOP:
		transaction_cmd(m, S_NOOP);
		break;
	case CMD_LAST:
		transaction_cmd(m, S_LAST);
		break;
	case CMD_QUIT:
		if (m->master == M_AUTHORIZATION || m->master == M_TRANSACTION || m->master == M_START)
			m->state = S_QUIT;
		else
			guess(m, S_LAST);
		break;
	case CMD_CAPA:
		m->state = S_CAPA;
		m->request_multi = true;
		break;
	case CMD_STLS:
		m->state = S_STLS;
		break;
	case CMD_XSENDER:
		if (m->master == M_TRANSACTION)
			m->state = S_LAST;	/* as Zeek has it */
		else
			guess(m, S_XSENDER);
		break;
	default:
		break;
	}
}

/* ProcessRequest. */
static void client_line(struct pop3 *m, struct bytes line)
{
	if (line.n == 0)
		return;
	if (m->waiting_auth)
		return;	/* an AUTH exchange's base64 lines */
	struct words w = split_line(line);
	struct pending c = {(signed char)parse_cmd(w.tok), w.has_message, S_AUTH};
	if (c.code == CMD_AUTH && w.has_message)
		c.auth = contains(w.rest, "LOGIN")      ? S_AUTH_LOGIN
			 : contains(w.rest, "PLAIN")    ? S_AUTH_PLAIN
			 : contains(w.rest, "CRAM-MD5") ? S_AUTH_CRAM_MD5
							: S_AUTH;
	m->q[(m->q_head + m->q_len) % m->q_cap] = c;
	m->q_len++;
	if (m->q_len > m->max_pending) {
		analyzer_weird(m->ctx, "pop3_client_too_many_pending_commands", false);
		m->q_head = (m->q_head + 1) % m->q_cap;
		m->q_len--;
	}
	if (m->q_len == 1)
		process_client_cmd(m);
}

static void start_tls(struct pop3 *m)
{
	m->tls = true;
	analyzer_handover(m->ctx, "SSL");
}

/* ProcessReply. */
static void server_line(struct pop3 *m, struct bytes line)
{
	if (m->multi) {
		const uint8_t *p = line.p;
		size_t n = line.n;
		bool terminator = n >= 1 && p[0] == '.' &&
				  (n == 1 || p[1] == '\n' || (n > 2 && p[1] == '\r' && p[2] == '\n'));
		if (terminator) {
			m->request_multi = false;
			m->multi = false;
			finish_client_cmd(m);
		}
		return;
	}
	struct words w = split_line(line);
	int code = w.tok.n ? parse_cmd(w.tok) : CMD_UNKNOWN;
	if (code == CMD_UNKNOWN) {
		if (!m->waiting_auth) {
			analyzer_violation(m->ctx, "unknown server command");
			analyzer_weird(m->ctx, "pop3_server_command_unknown", false);
		}
		return;
	}
	if (code == CMD_OK) {
		if (m->guessing) {
			m->master = M_TRANSACTION;
			m->guessing = false;
			m->state = m->last_state;
		}
		switch (m->state) {
		case S_START:
			m->master = M_AUTHORIZATION;
			break;
		case S_USER:
			m->master = M_AUTHORIZATION;
			analyzer_confirm(m->ctx);
			break;
		case S_PASS:
		case S_APOP:
		case S_NOOP:
		case S_LAST:
		case S_STAT:
		case S_RSET:
		case S_DELE:
		case S_XSENDER:
			m->master = M_TRANSACTION;
			break;
		case S_AUTH:
		case S_AUTH_PLAIN:
		case S_AUTH_CRAM_MD5:
		case S_AUTH_LOGIN:
			if (m->request_multi)
				m->multi = true;
			if (m->waiting_auth)
				m->master = M_TRANSACTION;
			m->waiting_auth = false;
			break;
		case S_CAPA:
			analyzer_confirm(m->ctx);
			/* fall through */
		case S_TOP:
		case S_RETR:
		case S_UIDL:
		case S_LIST:
			if (m->request_multi)
				m->multi = true;
			break;
		case S_STLS:
			analyzer_confirm(m->ctx);
			start_tls(m);
			return;
		case S_QUIT:
			if (m->master == M_AUTHORIZATION || m->master == M_START)
				m->master = M_FINISHED;
			else if (m->master == M_TRANSACTION)
				m->master = M_UPDATE;
			break;
		}
		if (!m->multi)
			finish_client_cmd(m);
		return;
	}
	if (code == CMD_ERR) {
		m->multi = false;
		m->request_multi = false;
		m->guessing = false;
		m->waiting_auth = false;
		switch (m->state) {
		case S_USER:
		case S_PASS:
		case S_APOP:
		case S_AUTH:
		case S_AUTH_LOGIN:
		case S_AUTH_PLAIN:
		case S_AUTH_CRAM_MD5:
			m->master = M_AUTHORIZATION;
			m->state = S_START;
			break;
		case S_NOOP:
		case S_LAST:
		case S_STAT:
		case S_RSET:
		case S_DELE:
		case S_LIST:
		case S_RETR:
		case S_UIDL:
		case S_TOP:
		case S_XSENDER:
			m->master = M_TRANSACTION;
			break;
		case S_QUIT:
			if (m->master == M_AUTHORIZATION || m->master == M_TRANSACTION ||
			    m->master == M_START)
				m->master = M_FINISHED;
			break;
		default:
			break;
		}
		finish_client_cmd(m);
		return;
	}
	analyzer_weird(m->ctx, "pop3_server_sending_client_commands", false);
}

static void *pop3_create(struct analyzer_ctx *ctx)
{
	struct pop3 *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->ctx = ctx;
	const struct pop3_options *o = analyzer_options(ctx);
	struct pop3_options defaults;
	if (!o) {
		pop3_options_init(&defaults);
		o = &defaults;
	}
	m->max_pending = o->max_pending;
	m->max_unknown = o->max_unknown;
	m->q_cap = (size_t)m->max_pending + 1;
	m->q = calloc(m->q_cap, sizeof *m->q);
	if (!m->q) {
		free(m);
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		smtp_line_init(&m->lf[i], 0);
		smtp_line_keep_nuls(&m->lf[i]);	/* ContentLine's default */
	}
	return m;
}

static void line_weirds(struct pop3 *m, unsigned w)
{
	if (w & SMTP_LINE_W_SIZE_EXCEEDED)
		analyzer_weird(m->ctx, "contentline_size_exceeded", false);
	if (w & SMTP_LINE_W_SINGLE_CR)
		analyzer_weird(m->ctx, "line_terminated_with_single_CR", false);
}

static void one_line(struct pop3 *m, bool is_orig, struct bytes line)
{
	if (is_orig)
		client_line(m, line);
	else
		server_line(m, line);
}

static void pop3_deliver(void *state, bool is_orig, const uint8_t *data, size_t len)
{
	struct pop3 *m = state;
	if (m->tls || m->stopped)
		return;	/* after STLS the SSL analyzer has the stream */
	struct smtp_line *lf = &m->lf[is_orig];
	struct cursor in = cur_make(data, len);
	struct smtp_line_out out;
	int k;
	while (!m->tls && (k = smtp_line_next(lf, &in, &out)) != SMTP_LINE_NEED_MORE) {
		if (k < 0) {
			m->stopped = true;
			analyzer_violation(m->ctx, "out of memory");
			return;
		}
		line_weirds(m, out.weirds);
		one_line(m, is_orig, out.data);
	}
	line_weirds(m, out.weirds);
}

static void pop3_eof(void *state, bool is_orig)
{
	struct pop3 *m = state;
	if (m->tls || m->stopped)
		return;
	struct smtp_line_out out;
	if (smtp_line_eof(&m->lf[is_orig], &out) == SMTP_LINE_TEXT)
		one_line(m, is_orig, out.data);
}

static void pop3_destroy(void *state)
{
	struct pop3 *m = state;
	if (!m)
		return;
	smtp_line_free(&m->lf[0]);
	smtp_line_free(&m->lf[1]);
	free(m->q);
	free(m);
}

/* dpd.sig: dpd_pop3_server, /^\+OK/ on the responder's stream, requires
 * the reverse dpd_pop3_client: at the start of the originator's stream or
 * of a line, blanks, then USER or APOP and a blank, CAPA, AUTH or STLS. */
static bool pop3_client_word(const uint8_t *p, size_t n)
{
	static const char *const words[] = {"user", "apop", "capa", "auth", "stls"};
	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		if (n < 4 || !bytes_ieq(p, 4, words[w]))
			continue;
		/* USER and APOP need a blank after them. */
		if (w >= 2 || (n > 4 && ascii_is_space(p[4])))
			return true;
	}
	return false;
}

bool pop3_dpd_client(const uint8_t *p, size_t n)
{
	return bytes_any_line_start(p, n, pop3_client_word);
}

bool pop3_dpd_server(const uint8_t *p, size_t n)
{
	return n >= 3 && p[0] == '+' && p[1] == 'O' && p[2] == 'K';
}

static bool pop3_dpd_match(const uint8_t *orig, size_t orig_n, const uint8_t *resp, size_t resp_n)
{
	return pop3_dpd_server(resp, resp_n) && pop3_dpd_client(orig, orig_n);
}

static const struct analyzer_script pop3_scripts[] = {
    {"base/protocols/pop3", SCRIPT_POP3,
     "POP3 as far as STLS (found by its signatures only): service pop3, then SSL", true, NULL},
    {NULL, 0, NULL, false, NULL},
};

const struct analyzer pop3_analyzer = {
    .name = "POP3",
    .script = SCRIPT_POP3,
    .scripts = pop3_scripts,
    .options = pop3_options_table,
    .options_size = sizeof(struct pop3_options),
    .options_init = pop3_options_init,
    .dpd_match = pop3_dpd_match,
    .create = pop3_create,
    .deliver = pop3_deliver,
    .eof = pop3_eof,
    .destroy = pop3_destroy,
};
