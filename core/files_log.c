/* files.log: its schema as the loaded scripts shape it, and one file's
 * line as set_info fills it at file_state_remove. */
#include "core/files_int.h"

#include <errno.h>
#include <string.h>

#include "core/zset.h"

static const struct log_field files_fields[] = {
	{"ts", LOG_TIME, LOG_SCALAR},
	{"fuid", LOG_STRING, LOG_SCALAR},
	{"uid", LOG_STRING, LOG_SCALAR},
	{"id.orig_h", LOG_ADDR, LOG_SCALAR},
	{"id.orig_p", LOG_PORT, LOG_SCALAR},
	{"id.resp_h", LOG_ADDR, LOG_SCALAR},
	{"id.resp_p", LOG_PORT, LOG_SCALAR},
	{"source", LOG_STRING, LOG_SCALAR},
	{"depth", LOG_COUNT, LOG_SCALAR},
	{"analyzers", LOG_STRING, LOG_SET},
	{"mime_type", LOG_STRING, LOG_SCALAR},
	{"filename", LOG_STRING, LOG_SCALAR},
	{"duration", LOG_INTERVAL, LOG_SCALAR},
	{"local_orig", LOG_BOOL, LOG_SCALAR},
	{"is_orig", LOG_BOOL, LOG_SCALAR},
	{"seen_bytes", LOG_COUNT, LOG_SCALAR},
	{"total_bytes", LOG_COUNT, LOG_SCALAR},
	{"missing_bytes", LOG_COUNT, LOG_SCALAR},
	{"overflow_bytes", LOG_COUNT, LOG_SCALAR},
	{"timedout", LOG_BOOL, LOG_SCALAR},
	{"parent_fuid", LOG_STRING, LOG_SCALAR},
	/* base/files/hash */
	{"md5", LOG_STRING, LOG_SCALAR},
	{"sha1", LOG_STRING, LOG_SCALAR},
	{"sha256", LOG_STRING, LOG_SCALAR},
};
#define N_BASE_FIELDS 21
#define N_HASH_FIELDS 3

/* base/files/extract (loaded in Zeek's default mode): always after the
 * hash columns in the configurations smtplog reproduces (core spec 5.1). */
static const struct log_field extract_fields[] = {
	{"extracted", LOG_STRING, LOG_SCALAR},
	{"extracted_cutoff", LOG_BOOL, LOG_SCALAR},
	{"extracted_size", LOG_COUNT, LOG_SCALAR},
};
#define N_EXTRACT_FIELDS 3
#define N_ALL_FIELDS (N_BASE_FIELDS + N_HASH_FIELDS + N_EXTRACT_FIELDS)
_Static_assert(N_ALL_FIELDS == FILES_LOG_FIELDS_MAX, "struct files has room for every column");

/* Indexed by the bit number of enum files_hash; also the order in which
 * hash-all-files adds them, which decides the printed set order. */
static const char *const hash_names[N_HASHES] = {"MD5", "SHA1", "SHA256"};

void files_log_schema_init(struct files *fm)
{
	size_t n = fm->mode.hash_columns ? N_BASE_FIELDS + N_HASH_FIELDS : N_BASE_FIELDS;
	memcpy(fm->fields, files_fields, n * sizeof files_fields[0]);
	if (fm->mode.extract_columns) {
		memcpy(fm->fields + n, extract_fields, sizeof extract_fields);
		n += N_EXTRACT_FIELDS;
	}
	fm->schema.path = "files";
	fm->schema.fields = fm->fields;
	fm->schema.n_fields = n;
}

const struct log_schema *files_schema(const struct files *fm)
{
	return &fm->schema;
}

static struct log_value str_value(const char *s, size_t n)
{
	struct log_value v = {.present = true};
	v.u.str.p = s;
	v.u.str.n = n;
	return v;
}

static struct log_value cstr_value(const char *s)
{
	return str_value(s, strlen(s));
}

static struct log_value count_value(uint64_t n)
{
	struct log_value v = {.present = true};
	v.u.count = n;
	return v;
}

static struct log_value bool_value(bool b)
{
	struct log_value v = {.present = true};
	v.u.b = b;
	return v;
}

/* set_info at file_state_remove, then Log::write (one connection). */
int files_log_write(struct files *fm, const struct sl_file *f, struct log_stream *stream)
{
	struct log_value v[N_ALL_FIELDS];
	memset(v, 0, sizeof v);
	size_t i = 0;

	v[i].present = true;
	v[i++].u.d = f->ts;
	v[i++] = cstr_value(f->fuid);
	if (f->has_conn) {
		v[i++] = cstr_value(f->uid);
		v[i].present = true;
		v[i++].u.addr = f->orig_h;
		v[i].present = true;
		v[i++].u.port = f->orig_p;
		v[i].present = true;
		v[i++].u.addr = f->resp_h;
		v[i].present = true;
		v[i++].u.port = f->resp_p;
	} else {
		i += 5;
	}
	if (f->source[0])
		v[i] = cstr_value(f->source);
	i++;
	v[i++] = count_value(f->depth);

	/* analyzers: the requested names in Zeek's set order. */
	enum { MAX_NAMES = FILES_MAX_TYPE_ANALYZERS + N_HASHES + 1 };
	struct zset_elem elems[MAX_NAMES];
	size_t n_elems = 0, order[MAX_NAMES], n_order = 0;
	struct log_value names[MAX_NAMES];
	for (size_t k = 0; k < fm->mode.n_type_analyzers; k++)
		if (f->type_analyzers & (1u << k)) {
			const char *name = fm->mode.type_analyzers[k].an->name;
			elems[n_elems++] = (struct zset_elem){.str = name, .len = strlen(name)};
		}
	for (int k = 0; k < N_HASHES; k++)
		if (f->hashes_requested & (1u << k))
			elems[n_elems++] = (struct zset_elem){
				.str = hash_names[k], .len = strlen(hash_names[k])};
	if (f->extract_requested)
		elems[n_elems++] = (struct zset_elem){.str = "EXTRACT", .len = 7};
	if (n_elems && zset_order(uid_gen_table_key(&fm->uids), ZSET_STRING, elems, n_elems,
				  order, &n_order) != 0)
		return -ENOMEM;
	for (size_t k = 0; k < n_order; k++)
		names[k] = str_value(elems[order[k]].str, elems[order[k]].len);
	v[i].present = true;
	v[i].u.list.items = names;
	v[i++].u.list.n = n_order;

	if (f->mime_type)
		v[i] = cstr_value(f->mime_type);
	i++;
	if (f->filename)
		v[i] = str_value((const char *)f->filename, f->filename_len);
	i++;
	v[i].present = true;
	v[i++].u.d = f->last_active - f->ts;
	if (f->has_local_orig)
		v[i] = bool_value(f->local_orig);
	i++;
	if (f->has_conn)
		v[i] = bool_value(f->is_orig);
	i++;
	v[i++] = count_value(f->seen_bytes);
	i++;	/* total_bytes: neither SMTP nor SSL announces a size */
	v[i++] = count_value(f->missing_bytes);
	v[i++] = count_value(f->overflow_bytes);
	v[i++] = bool_value(f->timedout);
	i++;	/* parent_fuid: only with SMTP's rfc822 file analysis */
	if (fm->mode.hash_columns) {
		for (int k = 0; k < N_HASHES; k++, i++)
			if (f->digests_done & (1u << k))
				v[i] = cstr_value(f->digest[k]);
	}
	if (fm->mode.extract_columns && f->extract_requested) {
		v[i] = cstr_value(f->extracted);
		v[i + 1] = bool_value(f->extract_cutoff);
		/* file_extraction_limit sets the size to the limit; a complete
		 * extraction leaves it unset (§6.2). */
		if (f->extract_cutoff)
			v[i + 2] = count_value(fm->mode.extract_limit);
	}
	return log_stream_write(stream, v);
}

