#include "core/files.h"

#include <magic.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/files_int.h"
#include "core/magic.h"
#include "core/numtext.h"

static const char *const hash_fetch_names[N_HASHES] = {"MD5", "SHA1", "SHA256"};

struct files *files_new(const struct files_mode *mode, const struct uid_gen *uids)
{
	struct files *fm = calloc(1, sizeof *fm);
	if (!fm)
		return NULL;
	fm->mode = *mode;
	if (fm->mode.n_type_analyzers > FILES_MAX_TYPE_ANALYZERS)
		fm->mode.n_type_analyzers = FILES_MAX_TYPE_ANALYZERS;
	if (mode->mime_libmagic) {
		fm->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
		if (!fm->magic || magic_load(fm->magic, NULL) != 0) {
			if (fm->magic)
				magic_close(fm->magic);
			free(fm);
			return NULL;
		}
	}
	fm->uids = *uids;
	fm->magic_index = magic_index_new();
	for (int i = 0; i < N_HASHES; i++)
		fm->md[i] = EVP_MD_fetch(NULL, hash_fetch_names[i], NULL);	/* NULL: that hash never runs */
	files_log_schema_init(fm);
	return fm;
}

_Static_assert(FILES_HANDLE_TIME_MAX >= NUMTEXT_CAT_MAX, "room for cat()'s time text");

size_t files_handle_time(double t, char out[FILES_HANDLE_TIME_MAX])
{
	size_t len = numtext_cat_time(t, out);
	out[len] = '\0';
	return len;
}

const char *files_fuid(const struct sl_file *f)
{
	return f ? f->fuid : "";
}

static void list_remove(struct file_list *l, struct sl_file *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = NULL;
	l->n--;
}

/* Network time never goes back and the interval is fixed, so a timer
 * scheduled now expires no earlier than any pending one: appending keeps
 * the list in expiry order, ties in scheduling order. */
static void list_append(struct file_list *l, struct sl_file *f)
{
	f->prev = l->tail;
	f->next = NULL;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
	l->n++;
}

/* File::ScheduleInactivityTimer. Without memory for the timer the file
 * cannot time out; the run fails through on_error's caller (the timer
 * structure reports it). */
static void schedule_timer(struct files *fm, struct sl_file *f, double now)
{
	if (fm->mode.timer_add)
		f->timer_pending = fm->mode.timer_add(fm->mode.timer_ctx, f, now + FILES_TIMEOUT_INTERVAL);
}

static void cancel_timer(struct files *fm, struct sl_file *f)
{
	if (f->timer_pending && fm->mode.timer_cancel)
		fm->mode.timer_cancel(fm->mode.timer_ctx, f);
	f->timer_pending = false;
}

size_t files_timer_list_offset(void)
{
	return offsetof(struct sl_file, timers);
}

static EVP_MD_CTX *md_ctx_get(struct files *fm)
{
	if (fm->md_pool_n)
		return fm->md_pool[--fm->md_pool_n];
	return EVP_MD_CTX_new();
}

static void md_ctx_put(struct files *fm, EVP_MD_CTX *ctx)
{
	if (!ctx)
		return;
	if (fm->md_pool_n < FILES_MD_POOL_MAX && EVP_MD_CTX_reset(ctx) == 1)
		fm->md_pool[fm->md_pool_n++] = ctx;
	else
		EVP_MD_CTX_free(ctx);
}

static void hashes_free(struct sl_file *f)
{
	for (int i = 0; i < N_HASHES; i++) {
		md_ctx_put(f->fm, f->md[i]);
		f->md[i] = NULL;
	}
	f->hashes_running = 0;
}

static void file_free(struct files *fm, struct sl_file *f)
{
	cancel_timer(fm, f);
	files_extract_stop(fm, f); /* only where a run stopped early: files_finish ends the rest */
	hashes_free(f);
	free(f->filename);
	free(f->supplied_mime);
	if (fm->pool_n < FILES_POOL_MAX) {
		f->next = fm->pool;
		fm->pool = f;
		fm->pool_n++;
	} else {
		free(f);
	}
}

/* A zeroed record (bof[] aside), from the pool when it has one. */
static struct sl_file *file_alloc(struct files *fm)
{
	struct sl_file *f = fm->pool;
	if (f) {
		fm->pool = f->next;
		fm->pool_n--;
	} else if (!(f = malloc(sizeof *f))) {
		return NULL;
	}
	memset(f, 0, offsetof(struct sl_file, bof));
	return f;
}

/* A hash analyzer quits (a gap, or an error): its name stays in the set,
 * no digest is logged. */
static void hash_stop(struct sl_file *f, int i)
{
	md_ctx_put(f->fm, f->md[i]);
	f->md[i] = NULL;
	f->hashes_running &= ~(1u << i);
}

/* Files::add_analyzer for hash analyzers not yet in the set. */
static void hashes_add(struct sl_file *f, unsigned which)
{
	for (int i = 0; i < N_HASHES; i++) {
		if (!(which & (1u << i)) || (f->hashes_requested & (1u << i)))
			continue;
		f->hashes_requested |= 1u << i;
		f->md[i] = md_ctx_get(f->fm);
		if (f->md[i] && f->fm->md[i] && EVP_DigestInit_ex(f->md[i], f->fm->md[i], NULL) == 1)
			f->hashes_running |= 1u << i;
		else
			hash_stop(f, i);
	}
}

/* ---- the fuid index ---- */

static uint64_t fuid_hash(const char *fuid)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a: fuids are random already */
	for (const char *p = fuid; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	return h;
}

static bool index_grow(struct fuid_index *x)
{
	size_t n = x->slots ? (x->mask + 1) * 2 : 256;
	struct sl_file **slots = calloc(n, sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; x->slots && i <= x->mask; i++) {
		struct sl_file *f = x->slots[i];
		if (!f)
			continue;
		size_t j = fuid_hash(f->fuid) & (n - 1);
		while (slots[j])
			j = (j + 1) & (n - 1);
		slots[j] = f;
	}
	free(x->slots);
	x->slots = slots;
	x->mask = n - 1;
	return true;
}

static void index_add(struct fuid_index *x, struct sl_file *f)
{
	if (x->broken)
		return;
	if ((x->n + 1) * 2 > (x->slots ? x->mask + 1 : 0) && !index_grow(x)) {
		x->broken = true;
		return;
	}
	size_t i = fuid_hash(f->fuid) & x->mask;
	while (x->slots[i])
		i = (i + 1) & x->mask;
	x->slots[i] = f;
	x->n++;
}

static void index_remove(struct fuid_index *x, struct sl_file *f)
{
	if (x->broken || !x->slots)
		return;
	size_t i = fuid_hash(f->fuid) & x->mask;
	while (x->slots[i] && x->slots[i] != f)
		i = (i + 1) & x->mask;
	if (!x->slots[i])
		return;
	for (size_t j = i;;) {
		x->slots[i] = NULL;
		for (;;) {
			j = (j + 1) & x->mask;
			if (!x->slots[j]) {
				x->n--;
				return;
			}
			size_t home = fuid_hash(x->slots[j]->fuid) & x->mask;
			bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
			if (!between)
				break;
		}
		x->slots[i] = x->slots[j];
		i = j;
	}
}

static struct sl_file *open_file_by_fuid(const struct files *fm, const char *fuid)
{
	const struct fuid_index *x = &fm->by_fuid;
	if (x->broken) {
		for (struct sl_file *o = fm->open.head; o; o = o->next)
			if (strcmp(o->fuid, fuid) == 0)
				return o;
		return NULL;
	}
	if (!x->slots)
		return NULL;
	for (size_t i = fuid_hash(fuid) & x->mask; x->slots[i]; i = (i + 1) & x->mask)
		if (strcmp(x->slots[i]->fuid, fuid) == 0)
			return x->slots[i];
	return NULL;
}

/*
 * file_new: fresh state and timer, then hash-all-files' add_analyzer
 * calls. Keeps what the protocol attached (conn, depth, filename), which
 * file_over_new_connection sets again for a file reborn after a timeout.
 */
static void file_start(struct files *fm, struct sl_file *f, double now)
{
	f->ts = f->last_active = now;
	f->seen_bytes = f->missing_bytes = f->overflow_bytes = 0;
	f->timedout = false;
	f->closed = false;
	f->bof_len = 0;
	f->bof_full = false;
	f->sniffed = false;
	f->mime_type = NULL;
	free(f->supplied_mime);
	f->supplied_mime = NULL;
	f->hash_fed = false;
	f->type_analyzers = 0;
	f->digests_done = 0;
	hashes_free(f);
	f->hashes_requested = 0;
	hashes_add(f, fm->mode.hashes & FILES_HASH_ALL);
	/* extract-all-files' file_new handler, after hash-all-files'. */
	files_extract_stop(fm, f);
	f->extract_requested = false;
	f->extract_cutoff = false;
	f->extracted[0] = '\0';
	if (fm->mode.extract_all && !fm->mode.extract_at_sniff)
		files_extract_start(fm, f);
	schedule_timer(fm, f, now);
	list_append(&fm->open, f);
	index_add(&fm->by_fuid, f);
}

struct sl_file *files_begin(struct files *fm, double now, const void *handle, size_t handle_len,
			    const char *source, bool is_orig, const struct file_conn *conn,
			    uint64_t depth, const struct bytes *filename)
{
	if (!fm || handle_len == 0)
		return NULL;
	char fuid[UID_TEXT_MAX];
	uid_file_id(&fm->uids, handle, handle_len, fuid);

	/* Zeek's id_map lookup. A second connection for the same file is
	 * not recorded (Zeek would log one line per connection, §5.7). */
	struct sl_file *o = open_file_by_fuid(fm, fuid);
	if (o) {
		o->last_active = now;
		o->refs++;
		return o;
	}

	struct sl_file *f = file_alloc(fm);
	if (!f)
		return NULL;
	f->fm = fm;
	memcpy(f->fuid, fuid, sizeof fuid);
	if (source) {
		size_t n = strlen(source);
		if (n >= sizeof f->source)
			n = sizeof f->source - 1;
		memcpy(f->source, source, n);
	}
	if (filename) {
		/* One byte more so that an empty name is still a present value. */
		f->filename = malloc(filename->n + 1);
		if (!f->filename) {
			file_free(fm, f);
			return NULL;
		}
		if (filename->n)
			memcpy(f->filename, filename->p, filename->n);
		f->filename_len = filename->n;
	}
	f->depth = depth;
	f->refs = 1;
	if (conn) {
		f->has_conn = true;
		f->is_orig = is_orig;
		if (conn->uid) {
			size_t n = strlen(conn->uid);
			if (n >= sizeof f->uid)
				n = sizeof f->uid - 1;
			memcpy(f->uid, conn->uid, n);
		}
		f->orig_h = conn->orig_h;
		f->resp_h = conn->resp_h;
		f->orig_p = conn->orig_p;
		f->resp_p = conn->resp_p;
		/* file_over_new_connection: the sender's side decides. */
		if (fm->mode.is_local) {
			f->has_local_orig = true;
			f->local_orig = fm->mode.is_local(fm->mode.is_local_ctx,
							  is_orig ? &f->orig_h : &f->resp_h);
		}
	}
	file_start(fm, f, now);
	return f;
}

static bool type_listed(const char *const *types, const char *t)
{
	for (; types && *types; types++)
		if (!strcmp(*types, t))
			return true;
	return false;
}

bool files_set_mime_type(struct sl_file *f, const char *mime_type)
{
	if (!f || f->closed || !mime_type || !*mime_type || f->bof_len != 0 || f->sniffed)
		return false;
	f->supplied_mime = strdup(mime_type);
	if (!f->supplied_mime)
		return false;
	f->sniffed = true;
	f->bof_full = true;
	f->mime_type = f->supplied_mime;
	/* file_sniff with the supplied type, before any data: the
	 * Files::register_for_mime_types analyzers come first. */
	const struct files_mode *m = &f->fm->mode;
	for (size_t k = 0; k < m->n_type_analyzers; k++)
		if (type_listed(m->type_analyzers[k].an->mime_types, mime_type)) {
			f->type_analyzers |= 1u << k;
			hashes_add(f, m->type_analyzers[k].an->hashes);
		}
	if (files_extract_wanted(f->fm, f))
		files_extract_start(f->fm, f);
	return true;
}

/* Zeek's InferMetadata: detection over the BOF buffer; an empty buffer
 * raises no file_sniff, so mime_type stays unset. Returns true when the
 * file_sniff handler added EXTRACT. */
static bool sniff(struct files *fm, struct sl_file *f)
{
	f->sniffed = true;
	if (f->bof_len == 0)
		return false;
	if (fm->magic) {
		/* libmagic's answer, on the same bytes Zeek's rules would see. */
		const char *t = magic_buffer(fm->magic, f->bof, f->bof_len);
		free(f->supplied_mime);
		f->supplied_mime = t ? strdup(t) : NULL;
		f->mime_type = f->supplied_mime;
	} else {
		f->mime_type = magic_mime_type_indexed(fm->magic_index, f->bof, f->bof_len);
	}
	if (!files_extract_wanted(fm, f))
		return false;
	files_extract_start(fm, f);
	return true;
}

/* Zeek's File::DeliverStream (n may be 0: the flush at a gap or the end). */
static void deliver_stream(struct files *fm, struct sl_file *f, const uint8_t *p, size_t n)
{
	size_t take = 0;
	if (!f->bof_full) {
		size_t room = MAGIC_BOF_SIZE - f->bof_len;
		take = n < room ? n : room;
		if (take)
			memcpy(f->bof + f->bof_len, p, take);
		f->bof_len += take;
		if (f->bof_len >= MAGIC_BOF_SIZE)
			f->bof_full = true;
	}
	bool late_extract = false;
	if (!f->sniffed && f->bof_full && f->missing_bytes == 0)
		late_extract = sniff(fm, f);

	if (late_extract) {
		/* Added at file_sniff: the BOF buffer (which holds the first
		 * `take` bytes of this chunk) is replayed so that the file is
		 * written from byte 0, then the rest of the chunk. */
		if (f->bof_len)
			files_extract_data(fm, f, f->bof, f->bof_len);
		if (n > take)
			files_extract_data(fm, f, p + take, n - take);
	} else {
		files_extract_data(fm, f, p, n);
	}

	if (n > 0 && f->hashes_running) {
		f->hash_fed = true;
		for (int i = 0; i < N_HASHES; i++)
			if ((f->hashes_running & (1u << i)) &&
			    EVP_DigestUpdate(f->md[i], p, n) != 1)
				hash_stop(f, i);
	}
	f->seen_bytes += n;
}

/* Zeek's Manager::GetFile for an existing id: a file that is no longer
 * open (timed out) is born again under the same fuid. */
static void file_touch(struct files *fm, struct sl_file *f, double now)
{
	if (f->closed) {
		list_remove(&fm->closed, f);
		file_start(fm, f, now);
	} else
		f->last_active = now;
}

void files_data(struct files *fm, struct sl_file *f, double now, const uint8_t *p, size_t n)
{
	if (!fm || !f)
		return;
	file_touch(fm, f, now);
	deliver_stream(fm, f, p, n);
}

void files_gap(struct files *fm, struct sl_file *f, double now, uint64_t len)
{
	if (!fm || !f)
		return;
	file_touch(fm, f, now);
	/* A gap before the BOF buffer filled: detect on what there is. */
	if (!f->bof_full) {
		f->bof_full = true;
		deliver_stream(fm, f, NULL, 0);
	}
	/* Hash::Undelivered returns false: every hash analyzer quits. */
	for (int i = 0; i < N_HASHES; i++)
		if (f->hashes_running & (1u << i))
			hash_stop(f, i);
	files_extract_gap(fm, f, len);
	f->missing_bytes += len;
}

static void hex(const unsigned char *d, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* File::EndOfFile up to file_state_remove: flush the BOF buffer through
 * detection, let the hashes finish. */
static void end_of_file(struct files *fm, struct sl_file *f)
{
	if (!f->bof_full) {
		f->bof_full = true;
		deliver_stream(fm, f, NULL, 0);
	}
	files_extract_stop(fm, f);
	for (int i = 0; i < N_HASHES; i++) {
		if (!(f->hashes_running & (1u << i)))
			continue;
		unsigned char d[EVP_MAX_MD_SIZE];
		unsigned int dn = 0;
		if (f->hash_fed && EVP_DigestFinal_ex(f->md[i], d, &dn) == 1) {
			hex(d, dn, f->digest[i]);
			f->digests_done |= 1u << i;
		}
	}
	hashes_free(f);
}

void files_data_whole(struct files *fm, struct sl_file *f, double now, const uint8_t *p, size_t n,
		      const struct files_digests *d)
{
	if (!fm || !f)
		return;
	file_touch(fm, f, now);
	if (d && n > 0 && f->seen_bytes == 0 && f->missing_bytes == 0) {
		const uint8_t *known[N_HASHES] = {d->md5, d->sha1, d->sha256};
		static const unsigned size[N_HASHES] = {16, 20, 32};
		for (int i = 0; i < N_HASHES; i++) {
			if (!(f->hashes_running & (1u << i)) || !known[i])
				continue;
			hex(known[i], size[i], f->digest[i]);
			f->digests_done |= 1u << i;
			f->hash_fed = true;
			hash_stop(f, i);
		}
	}
	deliver_stream(fm, f, p, n);
}

/* RemoveFile: end of file, the files.log line, off the open list. */
static int file_remove(struct files *fm, struct sl_file *f, struct log_stream *stream)
{
	end_of_file(fm, f);
	list_remove(&fm->open, f);
	index_remove(&fm->by_fuid, f);
	list_append(&fm->closed, f);
	f->closed = true;
	cancel_timer(fm, f);
	/* A type analyzer's Files::log_policy hook may veto the line. */
	for (size_t k = 0; k < fm->mode.n_type_analyzers; k++)
		if ((f->type_analyzers & (1u << k)) && !fm->mode.type_analyzers[k].logged)
			return 0;
	return files_log_write(fm, f, stream);
}

int files_end(struct files *fm, struct sl_file *f, struct log_stream *stream)
{
	if (!fm || !f)
		return 0;
	int rc = 0;
	if (!f->closed)
		rc = file_remove(fm, f, stream);
	if (f->refs > 0)
		f->refs--;
	if (f->refs == 0) {
		list_remove(&fm->closed, f);
		file_free(fm, f);
	}
	return rc;
}

/* file_timeout (timedout = T; nothing postpones it), then RemoveFile. */
static int file_time_out(struct files *fm, struct sl_file *f, struct log_stream *stream)
{
	f->timedout = true;
	return file_remove(fm, f, stream);
}

/* FileTimer::Dispatch at time t (its timer has fired). */
int files_timer(struct files *fm, struct sl_file *f, double t, bool is_expire,
		struct log_stream *stream)
{
	if (!fm || !f || f->closed)
		return 0;
	double idle = t > f->last_active ? t - f->last_active : 0.0;
	f->timer_pending = false;
	if (idle >= FILES_TIMEOUT_INTERVAL)
		return file_time_out(fm, f, stream);
	if (!is_expire)
		schedule_timer(fm, f, t);
	return 0;
}

static int fuid_cmp(const void *a, const void *b)
{
	const struct sl_file *x = *(const struct sl_file *const *)a;
	const struct sl_file *y = *(const struct sl_file *const *)b;
	return strcmp(x->fuid, y->fuid);
}

int files_finish(struct files *fm, struct log_stream *stream)
{
	if (!fm || fm->open.n == 0)
		return 0;
	/* Zeek's id_map is a std::map: Terminate() walks it in fuid order. */
	struct sl_file **all = malloc(fm->open.n * sizeof *all);
	if (!all)
		return -ENOMEM;
	size_t n = 0;
	for (struct sl_file *f = fm->open.head; f; f = f->next)
		all[n++] = f;
	qsort(all, n, sizeof *all, fuid_cmp);
	int rc = 0;
	for (size_t k = 0; k < n; k++) {
		int r = file_time_out(fm, all[k], stream);
		if (r && !rc)
			rc = r;
	}
	free(all);
	return rc;
}

void files_free(struct files *fm)
{
	if (!fm)
		return;
	struct file_list *lists[2] = {&fm->open, &fm->closed};
	for (int k = 0; k < 2; k++) {
		struct sl_file *next;
		for (struct sl_file *f = lists[k]->head; f; f = next) {
			next = f->next;
			file_free(fm, f);
		}
	}
	free(fm->by_fuid.slots);
	magic_index_free(fm->magic_index);
	while (fm->pool) {
		struct sl_file *next = fm->pool->next;
		free(fm->pool);
		fm->pool = next;
	}
	for (size_t i = 0; i < fm->md_pool_n; i++)
		EVP_MD_CTX_free(fm->md_pool[i]);
	for (int i = 0; i < N_HASHES; i++)
		EVP_MD_free(fm->md[i]);
	if (fm->magic)
		magic_close(fm->magic);
	free(fm);
}

