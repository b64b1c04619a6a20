/*
 * smtp.log: the record (Zeek's SMTP::Info), its line, and the event
 * handlers of base/protocols/smtp (main, entities, files) that fill it,
 * called by the analyzer (smtp.c) where Zeek raises their events.
 */
#include "proto/smtp_int.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "core/numtext.h"
#include "core/zset.h"
#include "proto/smtp_addr.h"
#include "proto/smtp_cmd.h"

/* ---- working storage ---- */

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

/* ---- the record ---- */

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

#define REC_OPTS(r)                                                                                \
	{                                                                                          \
		&(r)->helo, &(r)->mailfrom, &(r)->date, &(r)->from, &(r)->reply_to, &(r)->msg_id,  \
		    &(r)->in_reply_to, &(r)->subject, &(r)->first_received, &(r)->second_received, \
		    &(r)->last_reply, &(r)->user_agent                                             \
	}

void smtp_rec_init(struct smtp_rec *r)
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

void smtp_rec_free(struct smtp_rec *r)
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
void smtp_rec_reset(struct smtp_rec *r)
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


/* What the record's buffers hold. */
size_t smtp_rec_storage(const struct smtp_rec *r)
{
	const struct opt_str *o[] = REC_OPTS(r);
	size_t n = 0;
	for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
		n += o[i]->v.cap;
	n += strset_storage(&r->rcptto) + strset_storage(&r->to) + strset_storage(&r->cc);
	return n + strlist_storage(&r->fuids) + r->cap_path * sizeof *r->path;
}

static const struct siphash_key *table_key(struct smtp *s)
{
	return uid_gen_table_key(analyzer_uids(s->ctx));
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
	smtp_rec_reset(r);
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
void smtp_script_flush(struct smtp *s)
{
	if (s->rec.has_client_activity) {
		rec_write(s);
		/* The logged record's strings and sets are let go: most sessions
		 * carry one message and then linger until their removal, and
		 * thousands of them holding a message's headers was a third of
		 * the heap. The next message takes memory malloc has at hand. */
		smtp_rec_free(&s->rec);
		smtp_rec_init(&s->rec);
		script_new_record(s);
	}
}

/* A limit of the run's options (struct smtp_options), or its default. */
static uint64_t opt_or(uint64_t v, uint64_t dflt)
{
	return v ? v : dflt;
}

const struct smtp_options *smtp_opts(const struct smtp *s)
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
void smtp_script_request(struct smtp *s, const char *cmd, struct bytes arg)
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
		smtp_script_flush(s);
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
void smtp_script_reply(struct smtp *s, int code, const char *cmd, struct bytes msg, bool cont)
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
		smtp_script_flush(s);
		script_new_record(s);
	}
}

/* event smtp_starttls. */
void smtp_script_starttls(struct smtp *s)
{
	analyzer_uid(s->ctx);
	if (s->has_rec) {
		s->rec.tls = true;
		s->rec.has_client_activity = true;
	}
}

/* event analyzer_confirmation_info for SMTP. */
void smtp_script_confirmed(struct smtp *s)
{
	script_session(s);
	s->analyzer_id = true;
}

/* A file is created for the current MIME entity (its first data, or a
 * gap): Zeek asks get_file_handle(), then file_over_new_connection adds
 * the fuid. files.log (source SMTP, depth = mime_depth, filename from the
 * entity, §6.1), hashing and extraction plug in here. */
void smtp_script_file_new(struct smtp *s)
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
		smtp_script_file_new(s);
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

const struct mime_callbacks smtp_mime_callbacks = {
    .entity_begin = mime_cb_begin,
    .header = mime_cb_header,
    .entity_end = mime_cb_end,
    .data = mime_cb_data,
    .weird = mime_cb_weird,
};

