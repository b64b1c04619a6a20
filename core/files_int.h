/*
 * The file manager's private parts, shared by its three modules:
 * files.c (the files, their data, hashes, detection and timers),
 * files_log.c (files.log) and files_extract.c (EXTRACT). Nothing outside
 * them includes this.
 */
#ifndef SMTPLOG_CORE_FILES_INT_H
#define SMTPLOG_CORE_FILES_INT_H

#include <magic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "core/files.h"
#include "core/magic.h"
#include "core/uid.h"

/* MD5, SHA1, SHA256: the bits of enum files_hash, in that order. */
#define N_HASHES 3
#define FILES_SOURCE_MAX 32
/* files.log's columns with every optional group (files_log.c). */
#define FILES_LOG_FIELDS_MAX 27

/* Digest contexts kept for reuse (reset), at most. */
#define FILES_MD_POOL_MAX 32

/*
 * One file. Owned by the manager; `refs` counts the files_begin() calls
 * not yet matched by files_end(). An open file is on the manager's open
 * list, which is also its timer queue; a closed one (logged) is on the
 * closed list and waits for its last files_end().
 */
struct sl_file {
	struct files *fm;	/* the owner */
	char fuid[UID_TEXT_MAX];
	char source[FILES_SOURCE_MAX];
	bool has_conn;
	char uid[UID_TEXT_MAX];
	struct sl_addr orig_h, resp_h;
	uint16_t orig_p, resp_p;
	bool is_orig;
	bool has_local_orig, local_orig;
	uint64_t depth;
	uint8_t *filename;	/* owned; NULL: unset */
	size_t filename_len;
	char *supplied_mime;	/* owned: files_set_mime_type's copy */

	double ts, last_active;
	uint64_t seen_bytes, missing_bytes, overflow_bytes;
	bool timedout;
	bool closed;		/* logged; no longer open */
	unsigned refs;

	/* MIME detection: Zeek's bof_buffer and did_metadata_inference. */
	size_t bof_len;
	bool bof_full;
	bool sniffed;
	const char *mime_type;	/* static (magic) or supplied_mime; NULL: unset */
	unsigned type_analyzers;	/* attached: bits of mode.type_analyzers */

	/* Hash analyzers: requested (the `analyzers` set) and still running.
	 * fed: some non-empty chunk reached them (Zeek logs no hash else). */
	unsigned hashes_requested, hashes_running;
	bool hash_fed;
	EVP_MD_CTX *md[N_HASHES];
	char digest[N_HASHES][EVP_MAX_MD_SIZE * 2 + 1];
	unsigned digests_done;

	/* EXTRACT: requested (in `analyzers`, extracted* logged) and the open
	 * sink handle while it runs (NULL: stopped, at the limit or on error).
	 * written counts bytes and holes, as Zeek's Extract::written does. */
	bool extract_requested;
	bool extract_cutoff;
	void *extract_h;
	uint64_t extract_written;
	char extracted[FILES_EXTRACT_NAME_MAX];

	/* Inactivity timer; the open list is kept in expiry order. */
	bool timer_pending;
	struct timer *timers;	/* the caller's timer structure's list head */
	struct sl_file *prev, *next;

	/* Last, and not cleared for a new file: only bof_len bytes count. */
	uint8_t bof[MAGIC_BOF_SIZE];
};

/* Freed files kept for reuse, at most: a file's record is 5 KB. */
#define FILES_POOL_MAX 64

struct file_list {
	struct sl_file *head, *tail;
	size_t n;
};

/* The open files by fuid (Zeek's id_map): open addressing, linear probing,
 * backward-shift deletion. Sized for at most half full. */
struct fuid_index {
	struct sl_file **slots;	/* owned array; the files are the lists' */
	size_t mask, n;
	bool broken;		/* out of memory once: lookups scan the list */
};

/* The manager: the files, open and closed, and the files.log schema. */
struct files {
	struct files_mode mode;
	struct uid_gen uids;
	struct log_field fields[FILES_LOG_FIELDS_MAX];
	struct log_schema schema;
	struct file_list open;		/* in timer (expiry) order */
	struct fuid_index by_fuid;	/* the open list's files */
	struct file_list closed;	/* logged, awaiting files_end() */
	struct sl_file *pool;		/* freed records, linked by next; owned */
	size_t pool_n;
	/* Fetched once: an implicit fetch per EVP_DigestInit costs more than
	 * hashing a small attachment. Owned. */
	EVP_MD *md[N_HASHES];
	EVP_MD_CTX *md_pool[FILES_MD_POOL_MAX];	/* owned */
	size_t md_pool_n;
	magic_t magic;			/* owned: --mime-engine libmagic; else NULL */
	struct magic_index *magic_index;	/* owned; NULL: detection unindexed */
	uint64_t extracted_files, extracted_bytes;	/* for the run's summary */
	/* The first extraction failure, FILES_EXTRACT_DIR "/" name. */
	char failed[FILES_EXTRACT_DIR_MAX + FILES_EXTRACT_NAME_MAX];
};

/* ---- files_log.c ---- */

/* fm->schema from fm->mode (hash and extract columns). */
void files_log_schema_init(struct files *fm);
/* The file's files.log line; 0 or a negative errno. */
int files_log_write(struct files *fm, const struct sl_file *f, struct log_stream *stream);

/* ---- files_extract.c ---- */

/* Files::add_analyzer(f, EXTRACT), when a sink is set. */
void files_extract_start(struct files *fm, struct sl_file *f);
/* The analyzer is done (end of file, the limit, an error). */
void files_extract_stop(struct files *fm, struct sl_file *f);
void files_extract_data(struct files *fm, struct sl_file *f, const uint8_t *p, size_t n);
void files_extract_gap(struct files *fm, struct sl_file *f, uint64_t len);
/* A file_sniff handler: whether EXTRACT is added for the file's type. */
bool files_extract_wanted(const struct files *fm, const struct sl_file *f);

#endif
