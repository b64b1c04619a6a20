#include "proto/smtp_int.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "core/cursor.h"
#include "core/files.h"
#include "core/numtext.h"
#include "proto/mime.h"
#include "proto/scripts.h"
#include "proto/smtp_cmd.h"
#include "proto/smtp_line.h"

/* The run state, made by the first SMTP connection; NULL on OOM. */
static struct smtp_run *run_of(struct analyzer_ctx *ctx)
{
	void **slot = analyzer_run_state(ctx);
	if (!slot)
		return NULL;
	if (!*slot) {
		struct smtp_run *run = calloc(1, sizeof *run);
		if (!run)
			return NULL;
		strlist_init(&run->scratch.a, SMTP_SET_HISTORY_MAX);
		strlist_init(&run->scratch.b, SMTP_SET_HISTORY_MAX);
		uint8_t key[16] = {0};
		/* Without randomness a fixed key still works, only slower under
		 * attack: the sets' contents do not depend on it. */
		(void)RAND_bytes(key, sizeof key);
		run->set_key = siphash_key_from_bytes(key);
		*slot = run;
	}
	return *slot;
}

/* What the record's and the lines' buffers hold. */
static size_t state_storage(const struct smtp *s)
{
	return s->lf[0].line.cap + s->lf[1].line.cap + s->helo.cap + s->q_cap * sizeof(int) +
	       smtp_rec_storage(&s->rec);
}

/* A message's parser goes back to the run (or is freed): a connection
 * that idles after its message must not keep 19 KB. */
static void mail_release(struct smtp *s)
{
	struct smtp_run *run = s->run;
	if (!s->mail)
		return;
	if (run->n_idle_mail < SMTP_IDLE_MAX && mime_storage(s->mail) <= SMTP_IDLE_STORAGE_MAX) {
		run->idle_mail[run->n_idle_mail++] = s->mail;
	} else {
		mime_free(s->mail);
		free(s->mail);
	}
	s->mail = NULL;
}

static void state_free(struct smtp *s)
{
	smtp_line_free(&s->lf[0]);
	smtp_line_free(&s->lf[1]);
	free(s->queue);
	buf_free(&s->helo);
	smtp_rec_free(&s->rec);
	free(s);
}

static void smtp_run_free(void *run_state)
{
	struct smtp_run *run = run_state;
	struct smtp_scratch *sc = &run->scratch;
	strlist_free(&sc->a);
	strlist_free(&sc->b);
	free(sc->order);
	free(sc->elems);
	free(sc->bytes);
	free(sc->values);
	free(sc->line_order);
	for (size_t i = 0; i < run->n_idle; i++)
		state_free(run->idle[i]);
	for (size_t i = 0; i < run->n_idle_mail; i++) {
		mime_free(run->idle_mail[i]);
		free(run->idle_mail[i]);
	}
	free(run);
}

/* ---- helpers exposed for tests ---- */

/* Appends p[0..n) to out (room for cap, NUL kept), as snprintf cuts. */
static void text_cat(char *out, size_t cap, size_t *len, const char *p, size_t n)
{
	if (*len + 1 >= cap)
		return;
	if (n > cap - 1 - *len)
		n = cap - 1 - *len;
	memcpy(out + *len, p, n);
	*len += n;
	out[*len] = '\0';
}

size_t smtp_file_handle(double start_time, uint64_t trans_depth, uint64_t mime_depth, char *out,
			size_t cap)
{
	static const char prefix[] = "Analyzer::ANALYZER_SMTP";
	char ts[FILES_HANDLE_TIME_MAX], num[NUMTEXT_MAX];
	size_t len = 0;
	if (cap)
		out[0] = '\0';
	text_cat(out, cap, &len, prefix, sizeof prefix - 1);
	text_cat(out, cap, &len, ts, files_handle_time(start_time, ts));
	text_cat(out, cap, &len, num, numtext_u64(trans_depth, num));
	/* Here would be rfc822_msg_fuid: unset unless
	 * SMTP::enable_rfc822_msg_file_analysis (off in every mode). */
	text_cat(out, cap, &len, num, numtext_u64(mime_depth, num));
	return len;
}

void smtp_file_id(const struct uid_gen *uids, double start_time, uint64_t trans_depth,
		  uint64_t mime_depth, char out[UID_TEXT_MAX])
{
	char h[128];
	size_t n = smtp_file_handle(start_time, trans_depth, mime_depth, h, sizeof h);
	uid_file_id(uids, h, n, out);
}

/* /^[[:space:]]*220[[:space:]-]/ */
bool smtp_dpd_server(const uint8_t *p, size_t n)
{
	size_t i = bytes_span(p, n, ASCII_SPACE);
	return n - i >= 4 && memcmp(p + i, "220", 3) == 0 &&
	       (ascii_is_space(p[i + 3]) || p[i + 3] == '-');
}

static bool helo_or_ehlo(const uint8_t *p, size_t n)
{
	return n >= 4 && (bytes_ieq(p, 4, "helo") || bytes_ieq(p, 4, "ehlo"));
}

/* /(|.*[\n\r])[[:space:]]*([hH][eE][lL][oO]|[eE][hH][lL][oO])/ */
bool smtp_dpd_client(const uint8_t *p, size_t n)
{
	return bytes_any_line_start(p, n, helo_or_ehlo);
}

static bool smtp_dpd_match(const uint8_t *orig, size_t orig_n, const uint8_t *resp, size_t resp_n)
{
	/* dpd_smtp_client requires the reverse dpd_smtp_server. */
	return smtp_dpd_server(resp, resp_n) && smtp_dpd_client(orig, orig_n);
}

/* ---- the analyzer: Zeek's SMTP_Analyzer ---- */

static void smtp_request_event(struct smtp *s, const char *cmd, struct bytes arg)
{
	/* AnalyzerConfirmation() raises its event once per instance. */
	if (!s->confirmed) {
		s->confirmed = true;
		analyzer_confirm(s->ctx);
		smtp_script_confirmed(s);
	}
	smtp_script_request(s, cmd, arg);
}

static void bdat_sink(void *ud, const struct smtp_bdat_line *line)
{
	struct smtp *s = ud;
	switch (line->weird) {
	case SMTP_BDAT_W_LF_ONLY:
		analyzer_weird(s->ctx, "smtp_bdat_line_lf_only", false);
		break;
	case SMTP_BDAT_W_CR_ONLY:
		analyzer_weird(s->ctx, "smtp_bdat_line_cr_only", false);
		break;
	case SMTP_BDAT_W_TOO_LONG:
		analyzer_weird(s->ctx, "smtp_bdat_line_too_long", false);
		break;
	case SMTP_BDAT_W_UNDELIVERED:
		analyzer_weird(s->ctx, "smtp_bdat_undelivered_at_done", false);
		break;
	default:
		break;
	}
	if (s->mail)
		mime_feed_line(s->mail, line->data.p, line->data.n, line->crlf);
}

static void begin_data(struct smtp *s, bool is_orig, enum smtp_state st)
{
	s->state = st;
	if (s->mail) {
		analyzer_weird(s->ctx, "smtp_nested_mail_transaction", false);
		mime_end(s->mail);
		mail_release(s);
	}
	struct smtp_run *run = s->run;
	bool reuse = run->n_idle_mail > 0;
	if (reuse)
		s->mail = run->idle_mail[--run->n_idle_mail];
	else if (!(s->mail = malloc(sizeof *s->mail)))
		return;
	s->mail_orig = is_orig;
	s->cur_file = false;
	s->file = NULL;
	if (reuse)
		mime_reinit(s->mail, &smtp_mime_callbacks, s);
	else
		mime_init(s->mail, &smtp_mime_callbacks, s);
	mime_set_limits(s->mail, smtp_opts(s)->mime_max_depth, smtp_opts(s)->mime_max_header_bytes);
}

static void end_data(struct smtp *s)
{
	if (s->bdat_on) {
		if (smtp_bdat_remaining(&s->bdat) > 0) {
			analyzer_weird(s->ctx, "smtp_bdat_remaining_at_end_data", false);
			smtp_line_set_raw(&s->lf[0], 0);
			smtp_line_set_raw(&s->lf[1], 0);
		}
		smtp_bdat_done(&s->bdat, bdat_sink, s);
		smtp_bdat_free(&s->bdat);
		s->bdat_on = false;
	}
	if (!s->mail) {
		analyzer_weird(s->ctx, "smtp_unmatched_end_of_data", false);
		return;
	}
	mime_end(s->mail);
	mail_release(s);
}

static void start_tls(struct smtp *s)
{
	s->state = ST_IN_TLS;
	s->lines_removed = true;
	/* The SSL analyzer gets every later byte of both directions (§1.8);
	 * SMTP itself parses nothing more. */
	analyzer_handover(s->ctx, "SSL");
	smtp_script_starttls(s);
}

static void update_state(struct smtp *s, int cmd, int reply, bool is_orig)
{
	enum smtp_state st = s->state;
	switch (cmd) {
	case SMTP_CMD_CONN_ESTABLISHMENT:
		if (reply == 0)
			s->state = ST_INITIATED;
		else if (reply == 421 || reply == 554)
			s->state = ST_NOT_AVAILABLE;
		break;
	case SMTP_CMD_EHLO:
	case SMTP_CMD_HELO:
		if (reply == 0)
			s->state = ST_READY;
		else if (reply == 421 || reply == 500 || reply == 501 || reply == 504 ||
			 reply == 550)
			s->state = ST_INITIATED;
		break;
	case SMTP_CMD_MAIL:
	case SMTP_CMD_SEND:
	case SMTP_CMD_SOML:
	case SMTP_CMD_SAML:
		switch (reply) {
		case 0:
			s->state = ST_MAIL_OK;
			break;
		case 421:
		case 451:
		case 452:
		case 500:
		case 501:
		case 503:
		case 550:
		case 552:
		case 553:
			if (s->state != ST_IN_DATA)
				s->state = ST_READY;
			break;
		default:
			break;
		}
		break;
	case SMTP_CMD_RCPT:
		if (reply == 0)
			s->state = ST_RCPT_OK;
		break;
	case SMTP_CMD_DATA:
		if (reply == 0) {
			begin_data(s, is_orig, ST_IN_DATA);
		} else if (reply == 354) {
		} else if (reply == 421) {
			if (s->state == ST_IN_DATA)
				end_data(s);
			s->state = ST_QUIT;
		} else {
			if (s->state == ST_IN_DATA)
				end_data(s);
			s->state = ST_READY;
		}
		break;
	case SMTP_CMD_BDAT:
		if (reply == 0)
			s->state = ST_IN_BDAT;
		break;
	case SMTP_CMD_END_OF_DATA:
		if (reply == 0) {
			end_data(s);
			s->state = ST_AFTER_DATA;
		}
		if (reply > 0)
			s->state = ST_READY;
		break;
	case SMTP_CMD_RSET:
		if (reply == 0)
			s->state = ST_READY;
		break;
	case SMTP_CMD_QUIT:
		if (reply == 0)
			s->state = ST_QUIT;
		break;
	case SMTP_CMD_AUTH:
	case SMTP_CMD_AUTH_ANSWER:
		if (reply == 334)
			s->state = ST_IN_AUTH;
		else if (reply != 0)
			s->state = ST_INITIATED;
		break;
	case SMTP_CMD_TURN:
		if (reply == 250) {
			s->orig_is_sender = !s->orig_is_sender;
			s->state = ST_CONNECTED;
		}
		break;
	case SMTP_CMD_STARTTLS:
	case SMTP_CMD_X_ANONYMOUSTLS:
		if (reply == 220)
			start_tls(s);
		break;
	default:
		if (st == ST_GAP_RECOVERY && reply == 354)
			begin_data(s, is_orig, ST_IN_DATA);
		break;
	}
}

/* Doubles the pending-command ring (at most SMTP_MAX_PENDING_CMDS),
 * unwrapping it so that the head is at 0. */
static bool queue_grow(struct smtp *s)
{
	size_t cap = s->q_cap ? s->q_cap * 2 : 8;
	if (cap > SMTP_MAX_PENDING_CMDS)
		cap = SMTP_MAX_PENDING_CMDS;
	int *q = malloc(cap * sizeof *q);
	if (!q)
		return false;
	for (size_t i = 0; i < s->q_len; i++)
		q[i] = s->queue[(s->q_head + i) % s->q_cap];
	free(s->queue);
	s->queue = q;
	s->q_cap = cap;
	s->q_head = 0;
	return true;
}

static void new_cmd(struct smtp *s, int code)
{
	/* Zeek always assumes pipelining. */
	if (s->first_cmd < 0) {
		s->first_cmd = code;
		return;
	}
	if (s->q_len == SMTP_MAX_PENDING_CMDS) {
		analyzer_weird(s->ctx, "smtp_excessive_pending_cmds", false);
		s->q_len = 0;
		s->q_head = 0;
	}
	if (s->q_len == s->q_cap && !queue_grow(s))
		return; /* out of memory: the command is lost, as after a gap */
	s->queue[(s->q_head + s->q_len) % s->q_cap] = code;
	s->q_len++;
}

static void new_reply(struct smtp *s, int code, bool is_orig)
{
	if (s->state == ST_AFTER_GAP && code > 0) {
		s->state = ST_GAP_RECOVERY;
		struct bytes empty = {(const uint8_t *)"", 0};
		smtp_request_event(s, "(UNKNOWN)", empty);
	}
	int cmd = s->first_cmd;
	s->last_replied_cmd = s->first_cmd;
	s->first_cmd = -1;
	if (s->q_len > 0) {
		s->first_cmd = s->queue[s->q_head];
		s->q_head = (s->q_head + 1) % s->q_cap;
		s->q_len--;
	}
	update_state(s, cmd, code, is_orig);
}

/* Returns true when the BDAT argument is valid and the chunk started. */
static bool process_bdat_arg(struct smtp *s, struct bytes arg, bool is_orig)
{
	struct smtp_bdat_arg ba;
	int st = smtp_bdat_arg_parse(arg.p, arg.n, &ba);
	if (st != SMTP_BDAT_ARG_OK) {
		analyzer_weird(s->ctx, smtp_bdat_arg_weird(st), false);
		return false;
	}
	smtp_line_set_raw(&s->lf[is_orig], ba.size);
	if (!s->bdat_on) {
		begin_data(s, is_orig, ST_IN_BDAT);
		smtp_bdat_init(&s->bdat, smtp_opts(s)->bdat_max_line);
		s->bdat_on = true;
	}
	smtp_bdat_chunk(&s->bdat, ba.size, ba.last);
	return true;
}

static void process_line(struct smtp *s, bool is_orig, const uint8_t *p, size_t n)
{
	bool is_sender = s->orig_is_sender ? is_orig : !is_orig;
	if (is_sender) {
		int code = -1;
		const char *name = NULL;
		size_t word_len = 0;
		struct bytes arg = {p, n};
		if (s->state == ST_AFTER_GAP) {
			/* Zeek keeps the line (line_after_gap) but never uses it. */
		} else if (s->state == ST_IN_DATA && n == 1 && p[0] == '.') {
			name = SMTP_REQUEST_END_OF_DATA;
			word_len = 1;
			code = SMTP_CMD_END_OF_DATA;
			arg.p = p + 1;
			arg.n = 0;
			new_cmd(s, code);
		} else if (s->state == ST_IN_DATA) {
			if (n > 0 && p[0] == '.') {
				p++;
				n--;
			}
			if (!s->mail)
				begin_data(s, is_orig, ST_IN_DATA);
			if (s->mail)
				mime_feed_line(s->mail, p, n, true);
		} else if (s->state == ST_IN_AUTH) {
			name = SMTP_REQUEST_AUTH_ANSWER;
			word_len = 2;
			code = SMTP_CMD_AUTH_ANSWER;
			new_cmd(s, code);
		} else {
			struct smtp_request rq;
			code = smtp_cmd_parse(p, n, &rq);
			if (code != SMTP_CMD_UNKNOWN) {
				name = rq.name;
				word_len = rq.word.n;
				arg = rq.arg;
				new_cmd(s, code);
			}
		}
		if (code >= 0) {
			if (code == SMTP_CMD_END_OF_DATA)
				update_state(s, code, 0, is_orig);
			if (word_len > 0 || arg.n > 0)
				smtp_request_event(s, name, arg);
			bool do_update = code != SMTP_CMD_END_OF_DATA;
			if (code == SMTP_CMD_BDAT) {
				do_update = process_bdat_arg(s, arg, is_orig);
			} else if (s->bdat_on) {
				analyzer_weird(s->ctx, "smtp_missing_bdat_last_chunk", false);
				end_data(s);
			}
			if (do_update)
				update_state(s, code, 0, is_orig);
		}
		return;
	}

	struct smtp_reply rp;
	int code = smtp_reply_parse(p, n, &rp);
	if (code < 0) {
		/* Zeek formats the code after setting it to -1. */
		analyzer_violation(s->ctx, "reply code -1 out of range");
		return;
	}
	if (s->pending_reply && code != s->pending_reply)
		s->pending_reply = 0;
	if (!s->pending_reply)
		new_reply(s, code, is_orig);
	s->pending_reply = rp.cont ? code : 0;
	smtp_script_reply(s, code, smtp_cmd_reply_name(s->last_replied_cmd), rp.text,
		     s->pending_reply > 0);
	/* ProcessExtension(PIPELINING): pipelining is always on already. */
}

/* SMTP_Analyzer::DeliverStream for one line or raw piece. */
static void deliver_piece(struct smtp *s, bool is_orig, const uint8_t *p, size_t n)
{
	if (s->state == ST_IN_TLS)
		return;
	bool is_sender = s->orig_is_sender ? is_orig : !is_orig;
	if (n > 0 && is_sender && s->bdat_on) {
		uint64_t rem = smtp_bdat_remaining(&s->bdat);
		size_t use = rem < n ? (size_t)rem : n;
		if (use > 0)
			smtp_bdat_feed(&s->bdat, p, use, bdat_sink, s);
		if (smtp_bdat_is_last(&s->bdat) && smtp_bdat_remaining(&s->bdat) == 0)
			update_state(s, SMTP_CMD_END_OF_DATA, 0, is_orig);
		p += use;
		n -= use;
		if (n == 0)
			return;
	}
	/* Some clients end lines with "\r\r\n". */
	while (n > 0 && p[n - 1] == '\r')
		n--;
	process_line(s, is_orig, p, n);
}

static void report_line_weirds(struct smtp *s, unsigned w)
{
	if ((w & SMTP_LINE_W_NUL) && !s->weird_nul) {
		s->weird_nul = true;
		analyzer_weird(s->ctx, "NUL_in_line", false);
	}
	if (w & SMTP_LINE_W_SIZE_EXCEEDED)
		analyzer_weird(s->ctx, "contentline_size_exceeded", false);
	if ((w & SMTP_LINE_W_SINGLE_CR) && !s->weird_cr) {
		s->weird_cr = true;
		analyzer_weird(s->ctx, "line_terminated_with_single_CR", false);
	}
}

static void apply_pending_removal(struct smtp *s)
{
	if (!s->remove_pending || s->removed)
		return;
	s->removed = true;
	analyzer_remove(s->ctx);
	/* Removal calls the analyzer's Done(): an open message ends. */
	if (s->mail)
		end_data(s);
}

static void smtp_deliver(void *state, bool is_orig, const uint8_t *data, size_t len)
{
	struct smtp *s = state;
	if (s->removed || s->state == ST_IN_TLS)
		return;
	if (s->lines_removed) {
		/* After STARTTLS and a gap: no line splitter any more, each
		 * delivery is one "line" (§1.8). */
		deliver_piece(s, is_orig, data, len);
		apply_pending_removal(s);
		return;
	}
	struct smtp_line *lf = &s->lf[is_orig];
	struct cursor in = cur_make(data, len);
	struct smtp_line_out out;
	int k;
	while ((k = smtp_line_next(lf, &in, &out)) != SMTP_LINE_NEED_MORE) {
		if (k < 0)
			break;
		report_line_weirds(s, out.weirds);
		deliver_piece(s, is_orig, out.data.p, out.data.n);
		if (s->state == ST_IN_TLS || s->lines_removed)
			break; /* the rest goes to the SSL child */
	}
	if (k == SMTP_LINE_NEED_MORE)
		report_line_weirds(s, out.weirds);
	apply_pending_removal(s);
}

static void smtp_gap(void *state, bool is_orig, uint64_t len)
{
	(void)is_orig;
	struct smtp *s = state;
	if (s->removed || len == 0)
		return;
	if (s->state == ST_IN_DATA || s->state == ST_IN_BDAT) {
		/* MIME_Mail::Undelivered: the gap goes to the current entity's
		 * file, creating it if it has none (missing_bytes in files.log). */
		if (s->mail && !s->cur_file) {
			s->cur_file = true;
			smtp_script_file_new(s);
		}
		if (s->mail)
			files_gap(analyzer_files(s->ctx), s->file, analyzer_time(s->ctx), len);
		end_data(s);
	}
	s->q_len = 0;
	s->q_head = 0;
	s->first_cmd = s->last_replied_cmd = -1;
	s->state = ST_AFTER_GAP;
}

static void smtp_eof(void *state, bool is_orig)
{
	struct smtp *s = state;
	if (s->removed)
		return;
	if (!s->lines_removed && s->state != ST_IN_TLS) {
		struct smtp_line_out out;
		if (smtp_line_eof(&s->lf[is_orig], &out) == SMTP_LINE_TEXT) {
			report_line_weirds(s, out.weirds);
			deliver_piece(s, is_orig, out.data.p, out.data.n);
		}
	}
	s->eof[is_orig] = true;
	/* ConnectionFinished(half_finished = false) */
	if (s->eof[0] && s->eof[1] && s->mail)
		end_data(s);
	apply_pending_removal(s);
}

static void smtp_finish(void *state)
{
	struct smtp *s = state;
	/* Done(): an open message ends; then the removal hook flushes. */
	if (s->mail)
		end_data(s);
	if (s->has_rec)
		smtp_script_flush(s);
}

/* An idle state made fresh again, keeping what its buffers hold: the
 * same as a zeroed state after smtp_rec_init() and the init of the lines. */
static void state_recycle(struct smtp *s)
{
	struct smtp old = *s;
	memset(s, 0, sizeof *s);
	s->rec = old.rec;
	smtp_rec_reset(&s->rec);
	s->rec.ts = 0;
	s->rec.trans_depth = 0;
	s->rec.process_smtp_headers = false;
	memset(&s->rec.xoip, 0, sizeof s->rec.xoip);
	smtp_line_init(&s->lf[0], 0);
	smtp_line_init(&s->lf[1], 0);
	buf_take_storage(&s->lf[0].line, &old.lf[0].line);
	buf_take_storage(&s->lf[1].line, &old.lf[1].line);
	buf_init(&s->helo, SMTP_FIELD_MAX);
	buf_take_storage(&s->helo, &old.helo);
	s->queue = old.queue;
	s->q_cap = old.q_cap;
}

static void *smtp_create(struct analyzer_ctx *ctx)
{
	struct smtp_run *run = run_of(ctx);
	if (!run)
		return NULL;
	struct smtp *s;
	if (run->n_idle) {
		s = run->idle[--run->n_idle];
		state_recycle(s);
	} else {
		if (!(s = calloc(1, sizeof *s)))
			return NULL;
		smtp_line_init(&s->lf[0], 0);
		smtp_line_init(&s->lf[1], 0);
		buf_init(&s->helo, SMTP_FIELD_MAX);
		smtp_rec_init(&s->rec);
	}
	s->ctx = ctx;
	s->run = run;
	s->scratch = &run->scratch;
	s->orig_is_sender = true;
	s->state = ST_CONNECTED;
	s->first_cmd = SMTP_CMD_CONN_ESTABLISHMENT;
	s->last_replied_cmd = -1;
	update_state(s, SMTP_CMD_CONN_ESTABLISHMENT, 0, true);
	return s;
}

static void smtp_destroy(void *state)
{
	struct smtp *s = state;
	if (!s)
		return;
	/* No events: smtp_finish ended the message when the connection was
	 * removed; only a run torn down early (engine_free) drops one here. */
	mail_release(s);
	if (s->bdat_on)
		smtp_bdat_free(&s->bdat);
	struct smtp_run *run = s->run;
	if (run->n_idle < SMTP_IDLE_MAX && state_storage(s) <= SMTP_IDLE_STORAGE_MAX)
		run->idle[run->n_idle++] = s;
	else
		state_free(s);
}

static const uint16_t smtp_ports[] = {25, 587};

static const struct analyzer_script smtp_scripts[] = {
    {"base/protocols/smtp", SCRIPT_SMTP, "SMTP analysis: smtp.log (files.log for MIME entities)",
     true, NULL},
    {NULL, 0, NULL, false, NULL},
};

static const char *const smtp_logs[] = {"smtp.log", NULL};

const struct analyzer smtp_analyzer = {
    .name = "SMTP",
    .script = SCRIPT_SMTP,
    .scripts = smtp_scripts,
    .logs = smtp_logs,
    .uses_files = true,
    /* base/protocols/smtp's connection_state_remove handler */
    .uid_at_removal = true,
    .options = smtp_options_table,
    .options_size = sizeof(struct smtp_options),
    .tcp_ports = smtp_ports,
    .n_tcp_ports = sizeof smtp_ports / sizeof smtp_ports[0],
    .dpd_match = smtp_dpd_match,
    .create = smtp_create,
    .deliver = smtp_deliver,
    .gap = smtp_gap,
    .eof = smtp_eof,
    .finish = smtp_finish,
    .destroy = smtp_destroy,
    .run_free = smtp_run_free,
};
