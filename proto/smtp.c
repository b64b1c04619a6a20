#include "proto/smtp.h"

#include "core/files.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "core/config.h"
#include "core/cursor.h"
#include "core/numtext.h"
#include "core/siphash.h"
#include "core/zset.h"
#include "proto/mime.h"
#include "proto/smtp_addr.h"
#include "proto/smtp_cmd.h"
#include "proto/smtp_line.h"
#include "proto/smtp_options.h"
#include "proto/strset.h"
#include "proto/scripts.h"

/* ---- limits ---- */

#define SMTP_MAX_PENDING_CMDS                                                                      \
	1000                      /* SMTP_Analyzer's max_pending_cmd_q_size                        \
				   */
#define SMTP_MAX_INVALID_TRANS 25 /* SMTP::max_invalid_mail_transactions */
#define SMTP_FIELD_MAX         ((size_t)MIME_MAX_FIELD_BYTES) /* a header value, a command argument */
/* Insertions remembered per set (duplicates included, they can move
 * entries during a table remap). Far above what the 1000-element limits
 * let through in practice. */
#define SMTP_SET_HISTORY_MAX 200000
#define SMTP_MAX_FUIDS       100000

/* Zeek's SMTP_State. */
enum smtp_state {
	ST_CONNECTED,
	ST_INITIATED,
	ST_NOT_AVAILABLE,
	ST_READY,
	ST_MAIL_OK,
	ST_RCPT_OK,
	ST_IN_DATA,
	ST_IN_BDAT,
	ST_AFTER_DATA,
	ST_IN_AUTH,
	ST_IN_TLS,
	ST_QUIT,
	ST_AFTER_GAP,
	ST_GAP_RECOVERY,
};

/* ---- working storage ---- */

/*
 * Grow-only arrays the script's steps reuse, so that once they have grown
 * its messages allocate nothing for address lists, set orders or log
 * lines. One per run (the analyzer's run state, freed by run_free): steps
 * never overlap, and a connection must not keep them while it idles.
 */
struct smtp_scratch {
	struct strlist a, b;		/* find_all() results, their cleaned forms */
	size_t *order;			/* a set's print order */
	size_t order_cap;
	struct zset_elem *elems;	/* a set's elements for zset_order */
	size_t elems_cap;
	uint8_t *bytes;			/* one transformed address */
	size_t bytes_cap;
	struct log_value *values;	/* a log line's list items */
	size_t values_cap;
	size_t *line_order;		/* set orders while a line is built */
	size_t line_order_cap;
	bool grown;			/* SCRATCH's result */
};

/* p with room for n elements of `size` bytes: p itself, or where realloc
 * moved it (*cap then grows). Without memory p, unchanged, and !*ok. */
static void *scratch_grow(void *p, size_t *cap, size_t n, size_t size, bool *ok)
{
	*ok = true;
	if (n <= *cap)
		return p;
	size_t c = *cap ? *cap : 16;
	while (c < n)
		c *= 2;
	void *q = realloc(p, c * size);
	if (!q) {
		*ok = false;
		return p;
	}
	*cap = c;
	return q;
}

/* Room for n elements in the scratch array `field`; false without memory. */
#define SCRATCH(sc, field, n)                                                                  \
	((sc)->field = scratch_grow((sc)->field, &(sc)->field##_cap, (n), sizeof *(sc)->field, \
				    &(sc)->grown),                                             \
	 (sc)->grown)


/*
 * Print order of a list of insertions: fills order[] (room for l->n) with
 * indexes into l of the distinct elements. Without a table key (no seed)
 * or on allocation failure, insertion order.
 */
static size_t strlist_order(const struct strlist *l, const struct siphash_key *key, size_t *order,
			    struct smtp_scratch *sc)
{
	size_t n_out = 0;
	if (l->n && SCRATCH(sc, elems, l->n)) {
		struct zset_elem *el = sc->elems;
		for (size_t i = 0; i < l->n; i++) {
			struct bytes b = strlist_get(l, i);
			el[i].str = (const char *)b.p;
			el[i].len = b.n;
			el[i].num = 0;
		}
		if (zset_order(key, ZSET_STRING, el, l->n, order, &n_out) == 0)
			return n_out;
	}
	/* Fallback: first occurrences in insertion order. */
	n_out = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct bytes b = strlist_get(l, i);
		bool dup = false;
		for (size_t k = 0; k < n_out && !dup; k++) {
			struct bytes c = strlist_get(l, order[k]);
			dup = c.n == b.n && memcmp(c.p, b.p, b.n) == 0;
		}
		if (!dup)
			order[n_out++] = i;
	}
	return n_out;
}

/* ---- the smtp.log record (Zeek's SMTP::Info) ---- */

struct opt_str {
	bool present;
	struct buf v; /* owned */
};

static void opt_init(struct opt_str *o)
{
	o->present = false;
	buf_init(&o->v, SMTP_FIELD_MAX);
}

static void opt_set(struct opt_str *o, const void *p, size_t n)
{
	buf_reset(&o->v);
	buf_append(&o->v, p, n);
	o->present = true;
}

struct smtp_rec {
	double ts;
	uint64_t trans_depth;
	struct opt_str helo, mailfrom, date, from, reply_to, msg_id, in_reply_to, subject;
	struct opt_str first_received, second_received, last_reply, user_agent;
	struct strset rcptto, to, cc;
	bool has_xoip;
	struct sl_addr xoip;
	struct sl_addr *path; /* owned */
	size_t n_path, cap_path;
	bool tls;
	struct strlist fuids;
	bool has_client_activity, process_smtp_headers;
	uint64_t entity_count;
};

#define REC_OPTS(r)                                                                                \
	{                                                                                          \
		&(r)->helo, &(r)->mailfrom, &(r)->date, &(r)->from, &(r)->reply_to, &(r)->msg_id,  \
		    &(r)->in_reply_to, &(r)->subject, &(r)->first_received, &(r)->second_received, \
		    &(r)->last_reply, &(r)->user_agent                                             \
	}

static void rec_init(struct smtp_rec *r)
{
	memset(r, 0, sizeof *r);
	struct opt_str *o[] = REC_OPTS(r);
	for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
		opt_init(o[i]);
	strset_init(&r->rcptto, SMTP_SET_HISTORY_MAX);
	strset_init(&r->to, SMTP_SET_HISTORY_MAX);
	strset_init(&r->cc, SMTP_SET_HISTORY_MAX);
	strlist_init(&r->fuids, SMTP_MAX_FUIDS);
}

static void rec_free(struct smtp_rec *r)
{
	struct opt_str *o[] = REC_OPTS(r);
	for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
		buf_free(&o[i]->v);
	strset_free(&r->rcptto);
	strset_free(&r->to);
	strset_free(&r->cc);
	strlist_free(&r->fuids);
	free(r->path);
}

/* Empties every field, keeping storage. */
static void rec_reset(struct smtp_rec *r)
{
	struct opt_str *o[] = REC_OPTS(r);
	for (size_t i = 0; i < sizeof o / sizeof o[0]; i++) {
		o[i]->present = false;
		buf_reset(&o[i]->v);
	}
	strset_clear(&r->rcptto);
	strset_clear(&r->to);
	strset_clear(&r->cc);
	strlist_clear(&r->fuids);
	r->has_xoip = false;
	r->n_path = 0;
	r->tls = false;
	r->has_client_activity = false;
	r->process_smtp_headers = true;
	r->entity_count = 0;
}

static void rec_path_add(struct smtp_rec *r, const struct sl_addr *a)
{
	if (r->n_path == r->cap_path) {
		size_t nc = r->cap_path ? r->cap_path * 2 : 8;
		struct sl_addr *p = realloc(r->path, nc * sizeof *p);
		if (!p)
			return;
		r->path = p;
		r->cap_path = nc;
	}
	r->path[r->n_path++] = *a;
}

/* ---- analyzer state ---- */

struct smtp {
	struct analyzer_ctx *ctx;

	/* Zeek's SMTP_Analyzer. */
	struct smtp_line lf[2]; /* [is_orig]: the ContentLine support analyzers */
	bool lines_removed;     /* STARTTLS removed them */
	enum smtp_state state;
	int first_cmd, last_replied_cmd, pending_reply;
	/* pending_cmd_q, a ring grown on demand up to SMTP_MAX_PENDING_CMDS
	 * (inline it would cost every port-25 connection 4 KB, SYN floods
	 * included); owned. */
	int *queue;
	size_t q_head, q_len, q_cap;
	bool orig_is_sender;
	struct mime_parser *mail; /* owned; NULL outside a message */
	bool mail_orig;
	bool bdat_on;
	struct smtp_bdat bdat;
	bool cur_file;            /* MIME_Mail's cur_entity_id is set */
	struct sl_file *file;     /* that entity's file (borrowed from core/files) */
	bool weird_nul, weird_cr; /* Connection::FlagEvent: once per connection */
	bool eof[2];
	bool remove_pending, removed;
	bool confirmed;

	/* The script's SMTP::State (c$smtp_state). */
	bool has_helo;
	struct buf helo; /* owned */
	uint64_t messages_transferred, mime_depth, invalid_transactions;
	bool trans_mail_from_seen, trans_rcpt_to_seen, bdat_last_observed;
	bool analyzer_id; /* c$smtp_state?$analyzer_id */

	/* c$smtp */
	bool has_rec;
	struct smtp_rec rec;

	struct smtp_run *run;         /* borrowed */
	struct smtp_scratch *scratch; /* the run's (borrowed) */
};

/* ---- what the analyzer keeps for the whole run ---- */

/* States of finished connections kept for reuse, at most: with them,
 * a new connection reuses the buffers an earlier one grew. */
#define SMTP_IDLE_MAX 16
/* A state whose buffers hold more than this is freed, not kept. */
#define SMTP_IDLE_STORAGE_MAX ((size_t)64 * 1024)

struct smtp_run {
	struct smtp_scratch scratch;
	struct siphash_key set_key;	/* the address sets' index: random */
	/* Connection states kept for the next connection, owned: state_recycle
	 * keeps their line, HELO and queue storage; their record's strings
	 * were freed already, when script_flush logged it. */
	struct smtp *idle[SMTP_IDLE_MAX];
	size_t n_idle;
	/* Parsers kept for the next message, owned; mime_reinit starts them
	 * afresh whether or not their last message ended. */
	struct mime_parser *idle_mail[SMTP_IDLE_MAX];
	size_t n_idle_mail;
};

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
	const struct smtp_rec *r = &s->rec;
	const struct opt_str *o[] = REC_OPTS(r);
	size_t n = s->lf[0].line.cap + s->lf[1].line.cap + s->helo.cap + s->q_cap * sizeof(int);
	for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
		n += o[i]->v.cap;
	n += strset_storage(&r->rcptto) + strset_storage(&r->to) + strset_storage(&r->cc);
	return n + strlist_storage(&r->fuids) + r->cap_path * sizeof *r->path;
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
	rec_free(&s->rec);
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

static const struct siphash_key *table_key(struct smtp *s)
{
	return uid_gen_table_key(analyzer_uids(s->ctx));
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

/* /(|.*[\n\r])[[:space:]]*([hH][eE][lL][oO]|[eE][hH][lL][oO])/ */
bool smtp_dpd_client(const uint8_t *p, size_t n)
{
	/* A line start inside the whitespace skipped from an earlier one
	 * reaches the same first non-space byte, which has failed already:
	 * skipping such starts keeps this linear (DPD calls it again on the
	 * whole buffer for every delivery, and "\r\n" * 500 made every start
	 * rescan the rest). */
	size_t i = 0;
	for (size_t start = 0; start <= n; start++) {
		if (start > 0 && p[start - 1] != '\r' && p[start - 1] != '\n')
			continue;
		if (start > 0 && start <= i)
			continue;
		i = start + bytes_span(p + start, n - start, ASCII_SPACE);
		if (n - i >= 4 && (bytes_ieq(p + i, 4, "helo") || bytes_ieq(p + i, 4, "ehlo")))
			return true;
	}
	return false;
}

static bool smtp_dpd_match(const uint8_t *orig, size_t orig_n, const uint8_t *resp, size_t resp_n)
{
	/* dpd_smtp_client requires the reverse dpd_smtp_server. */
	return smtp_dpd_server(resp, resp_n) && smtp_dpd_client(orig, orig_n);
}

/* ---- the log ---- */

static const struct log_field smtp_fields[] = {
    LOG_FIELDS_TS_UID_ID,
    {"trans_depth", LOG_COUNT, LOG_SCALAR},
    {"helo", LOG_STRING, LOG_SCALAR},
    {"mailfrom", LOG_STRING, LOG_SCALAR},
    {"rcptto", LOG_STRING, LOG_SET},
    {"date", LOG_STRING, LOG_SCALAR},
    {"from", LOG_STRING, LOG_SCALAR},
    {"to", LOG_STRING, LOG_SET},
    {"cc", LOG_STRING, LOG_SET},
    {"reply_to", LOG_STRING, LOG_SCALAR},
    {"msg_id", LOG_STRING, LOG_SCALAR},
    {"in_reply_to", LOG_STRING, LOG_SCALAR},
    {"subject", LOG_STRING, LOG_SCALAR},
    {"x_originating_ip", LOG_ADDR, LOG_SCALAR},
    {"first_received", LOG_STRING, LOG_SCALAR},
    {"second_received", LOG_STRING, LOG_SCALAR},
    {"last_reply", LOG_STRING, LOG_SCALAR},
    {"path", LOG_ADDR, LOG_VECTOR},
    {"user_agent", LOG_STRING, LOG_SCALAR},
    {"tls", LOG_BOOL, LOG_SCALAR},
    {"fuids", LOG_STRING, LOG_VECTOR},
    /* is_webmail (policy/protocols/smtp/software, local mode) plugs in
     * here once modes other than bare are supported (§2.12). */
};
#define SMTP_N_FIELDS (sizeof smtp_fields / sizeof smtp_fields[0])

const struct log_schema smtp_schema = {.path = "smtp", .fields = smtp_fields, .n_fields = SMTP_N_FIELDS};

static struct log_value opt_value(const struct opt_str *o)
{
	struct log_value v = {.present = o->present};
	if (o->present) {
		v.u.str.p = o->v.data ? (const char *)o->v.data : "";
		v.u.str.n = o->v.len;
	}
	return v;
}

/* Fills items (room for set->hist.n) in print order. */
static struct log_value set_value(struct smtp *s, const struct strset *set, struct log_value *items,
				  size_t *order)
{
	struct log_value v = {.present = set->present};
	if (!set->present)
		return v;
	size_t n = strlist_order(&set->hist, table_key(s), order, s->scratch);
	for (size_t i = 0; i < n; i++) {
		struct bytes b = strlist_get(&set->hist, order[i]);
		items[i].present = true;
		items[i].u.str.p = (const char *)b.p;
		items[i].u.str.n = b.n;
	}
	v.u.list.items = items;
	v.u.list.n = n;
	return v;
}

static void rec_write(struct smtp *s)
{
	struct smtp_rec *r = &s->rec;
	struct log_stream *ls = analyzer_log(s->ctx, &smtp_schema);
	if (!ls) {
		analyzer_log_failed(s->ctx, -ENOMEM, "smtp.log");
		return;
	}
	const struct analyzer_conn *c = analyzer_conn(s->ctx);
	const char *uid = analyzer_uid(s->ctx);
	struct log_value v[SMTP_N_FIELDS];
	memset(v, 0, sizeof v);

	/* The list items of path, fuids and the three sets, back to back in
	 * the scratch array; one order array serves the sets in turn. */
	const struct strset *sets[3] = {&r->rcptto, &r->to, &r->cc};
	struct smtp_scratch *sc = s->scratch;
	size_t total = r->n_path + r->fuids.n, most = 1;
	for (int k = 0; k < 3; k++) {
		total += sets[k]->hist.n;
		if (sets[k]->hist.n > most)
			most = sets[k]->hist.n;
	}
	if (!SCRATCH(sc, values, total ? total : 1) || !SCRATCH(sc, line_order, most)) {
		analyzer_log_failed(s->ctx, -ENOMEM, "smtp.log");
		return;
	}
	memset(sc->values, 0, (total ? total : 1) * sizeof *sc->values);
	struct log_value *path = sc->values, *fuids = path + r->n_path, *items[3];
	items[0] = fuids + r->fuids.n;
	items[1] = items[0] + sets[0]->hist.n;
	items[2] = items[1] + sets[1]->hist.n;
	size_t *order = sc->line_order;

	size_t i = 0;
	i += log_put_ts_uid_id(v, r->ts, uid, &c->orig_h, c->orig_p, &c->resp_h, c->resp_p);
	v[i].present = true;
	v[i++].u.count = r->trans_depth;
	v[i++] = opt_value(&r->helo);
	v[i++] = opt_value(&r->mailfrom);
	v[i++] = set_value(s, &r->rcptto, items[0], order);
	v[i++] = opt_value(&r->date);
	v[i++] = opt_value(&r->from);
	v[i++] = set_value(s, &r->to, items[1], order);
	v[i++] = set_value(s, &r->cc, items[2], order);
	v[i++] = opt_value(&r->reply_to);
	v[i++] = opt_value(&r->msg_id);
	v[i++] = opt_value(&r->in_reply_to);
	v[i++] = opt_value(&r->subject);
	v[i].present = r->has_xoip;
	v[i++].u.addr = r->xoip;
	v[i++] = opt_value(&r->first_received);
	v[i++] = opt_value(&r->second_received);
	v[i++] = opt_value(&r->last_reply);
	for (size_t k = 0; k < r->n_path; k++) {
		path[k].present = true;
		path[k].u.addr = r->path[k];
	}
	v[i].present = true;
	v[i].u.list.items = path;
	v[i++].u.list.n = r->n_path;
	v[i++] = opt_value(&r->user_agent);
	v[i].present = true;
	v[i++].u.b = r->tls;
	for (size_t k = 0; k < r->fuids.n; k++) {
		struct bytes b = strlist_get(&r->fuids, k);
		fuids[k].present = true;
		fuids[k].u.str.p = (const char *)b.p;
		fuids[k].u.str.n = b.n;
	}
	v[i].present = true;
	v[i].u.list.items = fuids;
	v[i++].u.list.n = r->fuids.n;
	/* The values go by position: a field added to the schema must be
	 * filled here too. */
	assert(i == SMTP_N_FIELDS);

	int err = log_stream_write(ls, v);
	if (err < 0)
		analyzer_log_failed(s->ctx, err, "smtp.log");
}

/* ---- the script: base/protocols/smtp ---- */

/* new_smtp_log() */
static void script_new_record(struct smtp *s)
{
	struct smtp_rec *r = &s->rec;
	const struct analyzer_conn *c = analyzer_conn(s->ctx);
	rec_reset(r);
	s->has_rec = true;
	r->ts = analyzer_time(s->ctx);
	r->trans_depth = s->messages_transferred + 1;
	if (s->has_helo)
		opt_set(&r->helo, s->helo.data, s->helo.len);
	rec_path_add(r, &c->resp_h);
	rec_path_add(r, &c->orig_h);
}

/* set_smtp_session(); every SMTP event with a handler draws the UID. */
static void script_session(struct smtp *s)
{
	analyzer_uid(s->ctx);
	if (!s->has_rec)
		script_new_record(s);
}

/* smtp_message(): the "flush" of §2.5. */
static void script_flush(struct smtp *s)
{
	if (s->rec.has_client_activity) {
		rec_write(s);
		/* The logged record's strings and sets are let go: most sessions
		 * carry one message and then linger until their removal, and
		 * thousands of them holding a message's headers was a third of
		 * the heap. The next message takes memory malloc has at hand. */
		rec_free(&s->rec);
		rec_init(&s->rec);
		script_new_record(s);
	}
}

/* A limit of the run's options (struct smtp_options), or its default. */
static uint64_t opt_or(uint64_t v, uint64_t dflt)
{
	return v ? v : dflt;
}

static const struct smtp_options *smtp_opts(const struct smtp *s)
{
	static const struct smtp_options defaults; /* zero: Zeek's defaults */
	const struct smtp_options *o = analyzer_options(s->ctx);
	return o ? o : &defaults;
}

static void script_invalid_transaction(struct smtp *s)
{
	analyzer_weird(s->ctx, "smtp_mail_transaction_invalid", false);
	s->invalid_transactions++;
	/* SMTP_OPT_UNLIMITED (Zeek's 0) is never exceeded. */
	uint64_t max = opt_or(smtp_opts(s)->max_invalid_transactions, SMTP_MAX_INVALID_TRANS);
	if (s->invalid_transactions > max && s->analyzer_id) {
		analyzer_weird(s->ctx, "smtp_excessive_invalid_mail_transactions", true);
		/* disable_analyzer() takes effect once the packet's events
		 * have run: the rest of this delivery is still parsed. */
		s->remove_pending = true;
		s->analyzer_id = false;
	}
}

/* The three-set insertion sequence of §2.8 for RCPT TO: arguments. */
static void script_rcpt(struct smtp *s, struct bytes arg)
{
	struct smtp_rec *r = &s->rec;
	struct smtp_scratch *sc = s->scratch;
	r->rcptto.present = true;
	struct strlist *a = &sc->a, *b = &sc->b;
	strlist_clear(a);
	strlist_clear(b);
	struct smtp_addr_scan scan;
	struct bytes m;
	if (!smtp_addr_scan_email(&scan, arg))
		analyzer_weird(s->ctx, SMTP_ADDR_WEIRD_FIND_ALL, false);
	while (smtp_addr_next(&scan, &m))
		strlist_add(a, m.p, m.n);
	/* Cleaning and stripping only shorten: arg.n bytes hold any of them. */
	if (!SCRATCH(sc, order, a->n ? a->n : 1) || !SCRATCH(sc, bytes, arg.n ? arg.n : 1))
		return;
	size_t n = strlist_order(a, table_key(s), sc->order, sc);
	for (size_t i = 0; i < n; i++) {
		size_t tn = smtp_addr_clean(strlist_get(a, sc->order[i]), sc->bytes);
		strlist_add(b, sc->bytes, tn);
	}
	n = strlist_order(b, table_key(s), sc->order, sc);
	for (size_t i = 0; i < n; i++) {
		if (r->rcptto.members.n >= opt_or(smtp_opts(s)->max_rcptto, SMTP_ADDR_MAX_RCPTTO)) {
			analyzer_weird(s->ctx, "smtp_too_many_rcptto_addresses", false);
			break;
		}
		size_t tn = smtp_addr_strip_orcpt(strlist_get(b, sc->order[i]), sc->bytes);
		strset_add(&r->rcptto, &s->run->set_key, sc->bytes, tn);
	}
}

/* To:/Cc: values through split_mime_email_addresses(), §2.8. */
static void script_mime_addrs(struct smtp *s, struct strset *set, struct bytes value,
			      size_t max, const char *limit_weird)
{
	struct smtp_scratch *sc = s->scratch;
	set->present = true;
	struct strlist *a = &sc->a, *b = &sc->b;
	strlist_clear(a);
	strlist_clear(b);
	struct smtp_addr_scan scan;
	struct bytes m;
	if (!smtp_addr_scan_mime(&scan, value))
		analyzer_weird(s->ctx, SMTP_ADDR_WEIRD_FIND_ALL, false);
	while (smtp_addr_next(&scan, &m))
		strlist_add(a, m.p, m.n);
	if (!SCRATCH(sc, order, a->n ? a->n : 1))
		return;
	size_t n = strlist_order(a, table_key(s), sc->order, sc);
	for (size_t i = 0; i < n; i++) {
		struct bytes t = smtp_addr_trim(strlist_get(a, sc->order[i]));
		strlist_add(b, t.p, t.n);
	}
	n = strlist_order(b, table_key(s), sc->order, sc);
	for (size_t i = 0; i < n; i++) {
		if (set->members.n >= max) {
			analyzer_weird(s->ctx, limit_weird, false);
			break;
		}
		struct bytes t = strlist_get(b, sc->order[i]);
		strset_add(set, &s->run->set_key, t.p, t.n);
	}
}

/* event smtp_request (main.zeek). */
static void script_request(struct smtp *s, const char *cmd, struct bytes arg)
{
	script_session(s);
	struct smtp_rec *r = &s->rec;
	if (!strcmp(cmd, "HELO") || !strcmp(cmd, "EHLO")) {
		buf_reset(&s->helo);
		buf_append(&s->helo, arg.p, arg.n);
		s->has_helo = true;
		opt_set(&r->helo, arg.p, arg.n);
	} else if (!strcmp(cmd, "RCPT") && smtp_arg_is_rcpt_to(arg)) {
		script_rcpt(s, arg);
		r->has_client_activity = true;
		s->trans_rcpt_to_seen = true;
		if (!smtp_opts(s)->no_transaction_validation && !s->trans_mail_from_seen)
			script_invalid_transaction(s); /* "rcpt to missing mail from" */
	} else if (!strcmp(cmd, "MAIL") && smtp_arg_is_mail_from(arg)) {
		script_flush(s);
		struct smtp_scratch *sc = s->scratch;
		if (SCRATCH(sc, bytes, arg.n ? arg.n : 1)) {
			struct bytes v;
			bool too_long = false;
			if (smtp_addr_mailfrom(arg, sc->bytes, arg.n, &v, &too_long))
				opt_set(&s->rec.mailfrom, v.p, v.n);
			else if (too_long)
				analyzer_weird(s->ctx, SMTP_ADDR_WEIRD_FIND_ALL, false);
		}
		s->rec.has_client_activity = true;
		s->trans_mail_from_seen = true;
		s->trans_rcpt_to_seen = false;
	} else if (!strcmp(cmd, "DATA") || !strcmp(cmd, "BDAT")) {
		if (!smtp_opts(s)->no_transaction_validation && !s->trans_rcpt_to_seen)
			script_invalid_transaction(s); /* "data missing rcpt to" */
		if (!strcmp(cmd, "BDAT") && smtp_arg_ends_with_last(arg)) {
			s->trans_mail_from_seen = false;
			s->trans_rcpt_to_seen = false;
			s->bdat_last_observed = true;
		}
	} else if (!strcmp(cmd, ".")) {
		s->trans_mail_from_seen = false;
		s->trans_rcpt_to_seen = false;
	}
}

/* event smtp_reply, both priorities. */
static void script_reply(struct smtp *s, int code, const char *cmd, struct bytes msg, bool cont)
{
	script_session(s);
	struct opt_str *lr = &s->rec.last_reply;
	char num[NUMTEXT_MAX];
	buf_reset(&lr->v);
	buf_append(&lr->v, num, numtext_i64(code, num));
	buf_putc(&lr->v, ' ');
	buf_append(&lr->v, msg.p, msg.n);
	lr->present = true;

	if (!strcmp(cmd, ".") || (!cont && !strcmp(cmd, "BDAT") && s->bdat_last_observed)) {
		s->messages_transferred++;
		s->bdat_last_observed = false;
		script_flush(s);
		script_new_record(s);
	}
}

/* event smtp_starttls. */
static void script_starttls(struct smtp *s)
{
	analyzer_uid(s->ctx);
	if (s->has_rec) {
		s->rec.tls = true;
		s->rec.has_client_activity = true;
	}
}

/* event analyzer_confirmation_info for SMTP. */
static void script_confirmed(struct smtp *s)
{
	script_session(s);
	s->analyzer_id = true;
}

/* A file is created for the current MIME entity (its first data, or a
 * gap): Zeek asks get_file_handle(), then file_over_new_connection adds
 * the fuid. files.log (source SMTP, depth = mime_depth, filename from the
 * entity, §6.1), hashing and extraction plug in here. */
static void script_file_new(struct smtp *s)
{
	const char *uid = analyzer_uid(s->ctx);
	const struct analyzer_conn *c = analyzer_conn(s->ctx);
	char handle[160];
	size_t hn = smtp_file_handle(c->start_time, s->rec.trans_depth, s->mime_depth, handle,
				     sizeof handle);
	struct files *fm = analyzer_files(s->ctx);
	struct file_conn fc = {uid, c->orig_h, c->resp_h, c->orig_p, c->resp_p};
	struct bytes name;
	bool has_name = s->mail && mime_filename(s->mail, &name);
	/* file_over_new_connection: depth and filename from the entity. */
	s->file = files_begin(fm, analyzer_time(s->ctx), handle, hn, "SMTP", s->mail_orig, &fc,
			      s->mime_depth, has_name ? &name : NULL);
	if (!s->has_rec || s->rec.tls)
		return;
	/* The file's ID is the one files_begin drew from the same handle. */
	char fuid[UID_TEXT_MAX];
	if (s->file)
		snprintf(fuid, sizeof fuid, "%s", files_fuid(s->file));
	else
		uid_file_id(analyzer_uids(s->ctx), handle, hn, fuid);
	strlist_add(&s->rec.fuids, fuid, strlen(fuid));
}

/* file_state_remove: the entity's files.log line. */
static void script_file_end(struct smtp *s)
{
	if (!s->file)
		return;
	struct files *fm = analyzer_files(s->ctx);
	int rc = files_end(fm, s->file, analyzer_files_log(s->ctx));
	if (rc < 0)
		analyzer_log_failed(s->ctx, rc, "files.log");
	s->file = NULL;
}

/* ---- MIME callbacks (MIME_Mail -> the script's mime_* handlers) ---- */

static void mime_cb_begin(void *ud, const struct mime_entity *e)
{
	(void)e;
	struct smtp *s = ud;
	/* Zeek forgets the current file at a new entity without ending it
	 * (MIME_Mail::BeginEntity); file analysis logs it at its timeout or
	 * at the end of the trace. */
	s->cur_file = false;
	s->file = NULL;
	analyzer_uid(s->ctx);
	/* entities.zeek, priority 10 (the entity's filename slot lives in
	 * the MIME parser) */
	s->mime_depth++;
	/* main.zeek, priority 5 */
	if (s->has_rec && ++s->rec.entity_count > 1)
		s->rec.process_smtp_headers = false;
}

static void mime_cb_header(void *ud, const struct mime_entity *e, struct bytes name,
			   struct bytes value)
{
	(void)e;
	struct smtp *s = ud;
	analyzer_uid(s->ctx);
	if (!s->has_rec || !s->rec.process_smtp_headers)
		return;
	struct smtp_rec *r = &s->rec;
	if (bytes_ieq(name.p, name.n, "MESSAGE-ID")) {
		opt_set(&r->msg_id, value.p, value.n);
	} else if (bytes_ieq(name.p, name.n, "RECEIVED")) {
		if (r->first_received.present)
			opt_set(&r->second_received, r->first_received.v.data,
				r->first_received.v.len);
		opt_set(&r->first_received, value.p, value.n);
		/* priority 3: the path */
		struct sl_addr ip;
		if (smtp_addr_received_ip(value, &ip) &&
		    sl_addr_cmp(&r->path[r->n_path - 1], &ip) != 0) {
			if (r->n_path >= opt_or(smtp_opts(s)->max_path, SMTP_ADDR_MAX_PATH))
				analyzer_weird(s->ctx, "smtp_max_path_length_exceeded", false);
			else
				rec_path_add(r, &ip);
		}
	} else if (bytes_ieq(name.p, name.n, "IN-REPLY-TO")) {
		opt_set(&r->in_reply_to, value.p, value.n);
	} else if (bytes_ieq(name.p, name.n, "SUBJECT")) {
		opt_set(&r->subject, value.p, value.n);
	} else if (bytes_ieq(name.p, name.n, "FROM")) {
		opt_set(&r->from, value.p, value.n);
	} else if (bytes_ieq(name.p, name.n, "REPLY-TO")) {
		opt_set(&r->reply_to, value.p, value.n);
	} else if (bytes_ieq(name.p, name.n, "DATE")) {
		opt_set(&r->date, value.p, value.n);
	} else if (bytes_ieq(name.p, name.n, "TO")) {
		script_mime_addrs(s, &r->to, value, opt_or(smtp_opts(s)->max_to, SMTP_ADDR_MAX_TO),
				  "smtp_too_many_to_addresses");
	} else if (bytes_ieq(name.p, name.n, "CC")) {
		script_mime_addrs(s, &r->cc, value, opt_or(smtp_opts(s)->max_cc, SMTP_ADDR_MAX_CC),
				  "smtp_too_many_cc_addresses");
	} else if (bytes_ieq(name.p, name.n, "X-ORIGINATING-IP")) {
		struct sl_addr ip;
		if (smtp_addr_x_originating_ip(value, &ip)) {
			r->xoip = ip;
			r->has_xoip = true;
		}
	} else if (bytes_ieq(name.p, name.n, "X-MAILER") ||
		   bytes_ieq(name.p, name.n, "USER-AGENT") ||
		   bytes_ieq(name.p, name.n, "X-USER-AGENT")) {
		opt_set(&r->user_agent, value.p, value.n);
	}
}

static void mime_cb_data(void *ud, const struct mime_entity *e, const uint8_t *p, size_t n)
{
	(void)e;
	struct smtp *s = ud;
	if (n == 0)
		return;
	if (!s->cur_file) {
		s->cur_file = true;
		script_file_new(s);
	}
	files_data(analyzer_files(s->ctx), s->file, analyzer_time(s->ctx), p, n);
}

static void mime_cb_end(void *ud, const struct mime_entity *e)
{
	(void)e;
	struct smtp *s = ud;
	analyzer_uid(s->ctx);
	script_file_end(s);
	s->cur_file = false;
}

static void mime_cb_weird(void *ud, const char *name, const char *addl, bool limit)
{
	(void)addl;
	struct smtp *s = ud;
	analyzer_weird(s->ctx, name, limit);
}

static const struct mime_callbacks mime_cbs = {
    .entity_begin = mime_cb_begin,
    .header = mime_cb_header,
    .entity_end = mime_cb_end,
    .data = mime_cb_data,
    .weird = mime_cb_weird,
};

/* ---- the analyzer: Zeek's SMTP_Analyzer ---- */

static void smtp_request_event(struct smtp *s, const char *cmd, struct bytes arg)
{
	/* AnalyzerConfirmation() raises its event once per instance. */
	if (!s->confirmed) {
		s->confirmed = true;
		analyzer_confirm(s->ctx);
		script_confirmed(s);
	}
	script_request(s, cmd, arg);
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
		mime_reinit(s->mail, &mime_cbs, s);
	else
		mime_init(s->mail, &mime_cbs, s);
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
	script_starttls(s);
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
	script_reply(s, code, smtp_cmd_reply_name(s->last_replied_cmd), rp.text,
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
			script_file_new(s);
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
		script_flush(s);
}

/* An idle state made fresh again, keeping what its buffers hold: the
 * same as a zeroed state after rec_init() and the init of the lines. */
static void state_recycle(struct smtp *s)
{
	struct smtp old = *s;
	memset(s, 0, sizeof *s);
	s->rec = old.rec;
	rec_reset(&s->rec);
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
		rec_init(&s->rec);
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
     true},
    {NULL, 0, NULL, false},
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
