/*
 * The file-analysis framework and files.log (zeek-core-spec §5): Zeek's
 * file_analysis::Manager and File, with the script handlers of
 * base/frameworks/files, base/files/hash and hash-all-files folded in.
 *
 * A protocol analyzer begins a file from its handle string (the fuid is
 * uid_file_id of it), hands it the in-order bytes and gaps, and ends it;
 * the end writes the files.log line. Files nobody ended are logged by the
 * inactivity timeout or, at the end of the trace, by files_finish().
 *
 * Per file, memory is bounded: the BOF buffer (MAGIC_BOF_SIZE bytes, for
 * MIME detection), the running hash states and a copy of the filename.
 * No file data is kept beyond the BOF buffer.
 *
 * Ownership: the manager owns every struct sl_file. A file handed out by
 * files_begin() stays valid until the caller's files_end() for it (or
 * files_free()), even after a timeout or files_finish() logged it, so an
 * analyzer never holds a dangling pointer. Each files_begin() must be
 * matched by one files_end().
 */
#ifndef SMTPLOG_CORE_FILES_H
#define SMTPLOG_CORE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/log.h"
#include "core/uid.h"
#include "core/value.h"

/* Zeek's default_file_timeout_interval. */
#define FILES_TIMEOUT_INTERVAL 120.0

/* FileExtract::prefix without "./": extracted files live in this folder
 * under the output folder (zeek-core-spec §6.1). */
#define FILES_EXTRACT_DIR "extract_files"
/* Longest folder name given as FileExtract::prefix, with its NUL. */
#define FILES_EXTRACT_DIR_MAX 128
/* Room for an extracted file's bare name, NUL included. */
#define FILES_EXTRACT_NAME_MAX 256

struct files;	/* manager: one per engine */
struct sl_file;	/* one file; owned by the manager */

/* What a file sink learns about a file when EXTRACT is added to it. */
struct file_sink_file {
	const char *fuid;	/* "F..." */
	const char *source;	/* "SMTP", "SSL" */
	double last_active;	/* f$last_active when the analyzer is added */
	const char *mime_type;	/* NULL: none detected (yet) */
	const uint8_t *bof;	/* the first bytes seen so far (may be 0) */
	size_t bof_len;
};

/*
 * The extraction contract: core/files.c calls it for each file it
 * extracts (Zeek's EXTRACT file analyzer); output/extract.c implements
 * it and cmd/ wires it. Per file: one open, then write/skip calls with
 * the file's bytes in stream order, then exactly one close (also after a
 * failed write). Errors are negative errno values.
 *   open   creates the file and writes its bare name (NUL-terminated,
 *          < FILES_EXTRACT_NAME_MAX) to name -- also when creating it
 *          fails, so that the error can name it. Returns the handle, or
 *          NULL with *err set.
 *   write  appends n bytes.
 *   skip   leaves a hole of n bytes (a gap), as Zeek's fseek does: a
 *          hole at the very end does not lengthen the file.
 *   close  releases the handle; returns the error of the final flush.
 */
struct file_sink_ops {
	void *(*open)(void *ctx, const struct file_sink_file *file, char *name, int *err);
	int (*write)(void *ctx, void *h, const uint8_t *p, size_t n);
	int (*skip)(void *ctx, void *h, uint64_t n);
	int (*close)(void *ctx, void *h);
};

/* FileExtract::default_limit: per-file cap on extracted bytes, 0 = none. */
#define FILES_EXTRACT_DEFAULT_LIMIT 104857600u

/* File analyzers that hash (Files::ANALYZER_MD5 ...), as bits. */
enum files_hash {
	FILES_HASH_MD5 = 1u << 0,
	FILES_HASH_SHA1 = 1u << 1,
	FILES_HASH_SHA256 = 1u << 2,
	FILES_HASH_ALL = 7u,
};

/*
 * A file analyzer that a protocol's scripts attach by MIME type (Zeek's
 * Files::register_for_mime_types; base/files/x509 for certificates),
 * described in proto/ with its analyzer (struct analyzer's file_attach).
 * A file given one of mime_types by files_set_mime_type gets it, named
 * in files.log's analyzers, and the hash analyzers in hashes.
 */
struct files_type_analyzer {
	const char *name;
	const char *const *mime_types;	/* NULL-terminated */
	unsigned hashes;		/* enum files_hash bits */
};

/* Type analyzers one run can hold. */
#define FILES_MAX_TYPE_ANALYZERS 4

/*
 * What the loaded scripts make of files, built by cmd/ from the config:
 *   hashes        analyzers added at file_new (policy hash-all-files = ALL,
 *                 "--hash md5" = MD5 only); their names fill `analyzers`
 *   hash_columns  base/files/hash is loaded (hashing on, or ssl analysed):
 *                 files.log gains md5 sha1 sha256
 *   is_local      Site::is_local_addr, or NULL when Site::local_nets is
 *                 empty (local_orig then stays unset)
 */
struct files_mode {
	unsigned hashes;
	bool hash_columns;
	bool extract_columns;	/* base/files/extract loaded: extracted* columns */
	bool mime_libmagic;	/* --mime-engine libmagic instead of Zeek's rules */
	/* The loaded scripts' type analyzers (files_set_mime_type), each
	 * with whether its files get files.log lines (core spec 5.8: a
	 * certificate's only with X509::log_x509_in_files_log). Borrowed. */
	struct {
		const struct files_type_analyzer *an;
		bool logged;
	} type_analyzers[FILES_MAX_TYPE_ANALYZERS];
	size_t n_type_analyzers;
	bool (*is_local)(const void *ctx, const struct sl_addr *a);
	const void *is_local_ctx;

	/*
	 * Extraction (zeek-core-spec §6); off while sink is NULL.
	 *   extract_all    add EXTRACT at file_new (extract-all-files);
	 *                  else at file_sniff when the detected type is one
	 *                  of extract_types ("none": no type was detected)
	 *   extract_limit  FileExtract::default_limit (0 = none)
	 *   extract_dir    the folder's name (FileExtract::prefix) for
	 *                  messages; NULL or "": FILES_EXTRACT_DIR. Borrowed.
	 *   on_error       told of the first failing open/write/close; what
	 *                  is extract_dir "/" name and lives as long as
	 *                  the manager. The file's extraction stops there.
	 * extract_types (borrowed) must outlive the manager.
	 */
	/*
	 * The files' inactivity timers on the caller's timer structure:
	 * timer_add schedules one for f at `when` (false: out of memory),
	 * timer_cancel drops f's. NULL: files never time out while open
	 * (files_finish still ends them).
	 */
	bool (*timer_add)(void *ctx, struct sl_file *f, double when);
	void (*timer_cancel)(void *ctx, struct sl_file *f);
	void *timer_ctx;

	const struct file_sink_ops *sink;
	void *sink_ctx;
	bool extract_all;
	bool extract_at_sniff;	/* extract_all, but at file_sniff (the name
				 * needs the MIME type); files that get no
				 * file_sniff are then not extracted */
	const char *const *extract_types;
	size_t n_extract_types;
	uint64_t extract_limit;
	const char *extract_dir;
	void (*on_error)(void *ctx, int err, const char *what);
	void *on_error_ctx;
};


/* The connection a network file is seen over (the conn_id at logging). */
struct file_conn {
	const char *uid;
	struct sl_addr orig_h, resp_h;
	uint16_t orig_p, resp_p;
};

/* mode and uids are copied. Returns NULL when memory runs out. */
struct files *files_new(const struct files_mode *mode, const struct uid_gen *uids);
/* Frees every file, logged or not; writes nothing. */
void files_free(struct files *fm);

/* files.log's columns for the mode (§5.1); lives as long as fm. */
const struct log_schema *files_schema(const struct files *fm);

/*
 * Zeek's GetFile for a network file: file_new and file_over_new_connection.
 * The fuid is uid_file_id(handle). If a file with that fuid is open, that
 * file is returned (its last activity refreshed) and needs its own
 * files_end(). `source` is the analyzer name ("SMTP"), `depth` the SMTP
 * mime_depth (0 elsewhere), filename NULL when there is none; all are
 * copied. conn NULL: a file seen over no connection. An empty handle means
 * "no file" in Zeek: NULL is returned, as on allocation failure. Every
 * files_* call accepts a NULL file and does nothing.
 */
struct sl_file *files_begin(struct files *fm, double now, const void *handle, size_t handle_len,
			    const char *source, bool is_orig, const struct file_conn *conn,
			    uint64_t depth, const struct bytes *filename);

/* Longest text files_handle_time() writes, NUL included. */
#define FILES_HANDLE_TIME_MAX 64

/* A time as file handles print it (core spec 4.7, Zeek's cat() of a
 * double): "%.6f" with trailing zeros cut, ".0" when integral
 * ("1400168396.80601", "1400000000.0"), shortest scientific past 2^31.
 * Returns the length; out is NUL-terminated. */
size_t files_handle_time(double t, char out[FILES_HANDLE_TIME_MAX]);

/* The file's ID, "F..." (NUL-terminated). */
const char *files_fuid(const struct sl_file *f);

/*
 * A MIME type supplied by the protocol (SSL certificates, OCSP): Zeek's
 * SetMime, effective only before any data and before detection; it
 * replaces content detection. Returns false when too late (or no memory).
 * A type that a type analyzer registers for attaches it (and its hashes).
 */
bool files_set_mime_type(struct sl_file *f, const char *mime_type);

/* In-order bytes of the file at network time now. Data for a file that
 * timed out starts a new file with the same fuid, as in Zeek. */
void files_data(struct files *fm, struct sl_file *f, double now, const uint8_t *p, size_t n);

/* A content's digests, raw; a NULL member is not known. */
struct files_digests {
	const uint8_t *md5;	/* 16 bytes */
	const uint8_t *sha1;	/* 20 bytes */
	const uint8_t *sha256;	/* 32 bytes */
};
/*
 * files_data() for the whole content of a file, delivered in this one
 * call, when the caller knows its digests (a certificate seen before):
 * the MD5/SHA1/SHA256 analyzers take them instead of hashing again; the
 * log is the same. Nothing more may be delivered to f: end it next.
 */
void files_data_whole(struct files *fm, struct sl_file *f, double now, const uint8_t *p, size_t n,
		      const struct files_digests *d);

/* len bytes the protocol could not deliver (missing_bytes; hashes abort). */
void files_gap(struct files *fm, struct sl_file *f, double now, uint64_t len);

/*
 * End of file (file_state_remove): writes its files.log line through
 * stream and releases the caller's hold on f. A file already logged (by a
 * timeout or files_finish) writes nothing. Returns 0 or log_stream_write's
 * negative error.
 */
int files_end(struct files *fm, struct sl_file *f, struct log_stream *stream);

/*
 * Inactivity timers (§5.2 step 7): Zeek's FileTimer, on the caller's timer
 * structure (files_mode.timer_add), so that they fire in time order among
 * the connections' timers and count towards the same per-packet cap, as in
 * Zeek's one timer manager. The caller fires each with files_timer() at
 * network time now: a file idle for FILES_TIMEOUT_INTERVAL times out
 * (logged with timedout T); otherwise its timer is scheduled again, except
 * in the expire pass at the end of input (is_expire, core spec §7.1 step
 * 1). Returns 0 or the first write error.
 */
int files_timer(struct files *fm, struct sl_file *f, double now, bool is_expire,
		struct log_stream *stream);
/* Where a file keeps its timers' list head: the owner offset of the timer
 * kind the caller fires with files_timer() (timers_owner_offset). */
size_t files_timer_list_offset(void);

/* Shutdown (§7.1 step 5): every file still open is timed out and logged,
 * in fuid order. The files stay allocated until files_end/files_free. */
int files_finish(struct files *fm, struct log_stream *stream);

/* Whether a -x type matches a file's type: equal, or "major/ *" (without
 * the space) for every type under major. */
bool files_type_matches(const char *pattern, const char *type);

/* Files extracted so far (opened in the sink) and the bytes written to
 * them (gaps skipped are not counted). fm may be NULL. */
void files_extract_counts(const struct files *fm, uint64_t *files, uint64_t *bytes);

#endif
