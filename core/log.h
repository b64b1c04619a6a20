/*
 * The log contract. A producer (conn.log in core, smtp.log in proto/, ...)
 * describes its columns with a static schema and hands records as arrays of
 * typed values, one per field. A writer (output/) renders them; a
 * log_stream ties the two to one file and opens it lazily, because Zeek
 * creates no file for a log without records.
 */
#ifndef SMTPLOG_CORE_LOG_H
#define SMTPLOG_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/value.h"

enum log_type {
	LOG_BOOL,
	LOG_COUNT,
	LOG_INT,
	LOG_PORT,
	LOG_TIME,
	LOG_INTERVAL,
	LOG_DOUBLE,
	LOG_STRING,
	LOG_ENUM,
	LOG_ADDR,
	LOG_SUBNET,
};

enum log_container {
	LOG_SCALAR,
	LOG_SET,
	LOG_VECTOR,
};

struct log_field {
	const char *name;	/* flattened column name, e.g. "id.orig_h" */
	enum log_type type;	/* element type for sets and vectors */
	enum log_container container;
};

struct log_schema {
	const char *path;	/* "conn" -> conn.log, "#path conn" */
	const struct log_field *fields;
	size_t n_fields;
	/* The stream's own container limits (Log::Stream's
	 * max_field/total_container_elements); 0: the run's defaults. */
	size_t max_field_container_elements;
	size_t max_total_container_elements;
};

/*
 * One value. `present == false` is Zeek's unset (TSV "-", omitted in
 * JSON). A present set or vector with n == 0 is "(empty)" / []. Strings
 * are raw bytes (not NUL-terminated, may contain anything): escaping is
 * the writer's job. Sets are given in the order they must be printed.
 * The record and everything it points to is borrowed for the duration of
 * one log_stream_write() call.
 */
struct log_value {
	bool present;
	union {
		bool b;
		uint64_t count;
		int64_t i;
		uint16_t port;
		double d;	/* time, interval, double: seconds */
		struct {
			const char *p;
			size_t n;
		} str;		/* string, enum */
		struct sl_addr addr;
		struct sl_subnet subnet;
		struct {
			const struct log_value *items;
			size_t n;
		} list;		/* set, vector */
	} u;
};

enum log_json_ts {
	LOG_JSON_TS_EPOCH,	/* JSON::TS_EPOCH (default) */
	LOG_JSON_TS_ISO8601,	/* JSON::TS_ISO8601 */
	LOG_JSON_TS_MILLIS,	/* JSON::TS_MILLIS */
};

/* Longest LogAscii:: string option smtplog takes (bytes). The TSV
 * escaper compares each of a value's bytes with the separators, so this
 * also bounds the time a hostile value costs per byte. */
#define LOG_TEXT_MAX 64
/* Longest LogAscii::gzip_file_extension (a file name part). */
#define LOG_GZIP_EXT_MAX 32

/* A LogAscii:: string: bytes, which may include NUL. */
struct log_text {
	char p[LOG_TEXT_MAX];
	size_t n;
};

/*
 * LogAscii's TSV settings. All-zero is Zeek's default (TAB, ",",
 * "(empty)", "-", meta lines on), so that a zeroed log_format needs no
 * setup; `custom` is set once any of the four strings was given, and the
 * writer then takes them from here instead of its fast built-in path.
 */
struct log_ascii {
	bool custom;
	struct log_text separator, set_separator, empty_field, unset_field;
	bool no_meta;		/* LogAscii::include_meta = F */
};

/* Options shared by all writers (LogAscii::*, Log::default_max_*). */
struct log_format {
	enum log_json_ts json_ts;
	/* Log::default_max_{field,total}_{string_bytes,container_elements}:
	 * 0 keeps Zeek's default; LOG_LIMIT_NONE is Zeek's 0 (no limit). */
	size_t max_field_string_bytes, max_total_string_bytes;
	size_t max_field_container_elements, max_total_container_elements;
	struct log_ascii ascii;
	/* LogAscii::gzip_level (0: plain files) and gzip_file_extension
	 * ("" is Zeek's "gz"): NAME.log.EXT, compressed by zlib's gzdopen
	 * at that level, as Zeek's writer does. */
	int gzip_level;
	char gzip_ext[LOG_GZIP_EXT_MAX];
};
#define LOG_LIMIT_NONE ((size_t)-1)

/*
 * What a writer carries from one line of a file to the next; zero at the
 * file's start. Zeek's TSV writer keeps its escape sequences in a std::set
 * for the writer's life: a set field adds the set separator and removes it
 * afterwards, so when the two separators are equal the first non-empty set
 * removes the separator's escape for the rest of the file.
 */
struct log_writer_state {
	bool separator_unescaped;
};

/*
 * A writer renders into a buffer; it does no I/O and keeps no state of
 * its own (what one line leaves for the next is in the caller's
 * log_writer_state; NULL: a fresh one), so one ops table serves every
 * stream. `header` and `footer` get the wall-clock time already formatted
 * as Zeek's "%Y-%m-%d-%H-%M-%S". Any of the three may append nothing
 * (JSON has no header, nor has TSV with LogAscii::include_meta = F).
 */
struct log_writer_ops {
	const char *name;
	void (*header)(struct buf *out, const struct log_schema *schema,
		       const struct log_format *fmt, const char *open_time);
	void (*record)(struct buf *out, const struct log_schema *schema,
		       const struct log_value *values,
		       const struct log_format *fmt, struct log_writer_state *state);
	void (*footer)(struct buf *out, const struct log_schema *schema,
		       const struct log_format *fmt, const char *close_time);
};

/* The columns most logs start with, for a schema's field table; fill them
 * with log_put_ts_uid_id(). */
#define LOG_FIELDS_TS_UID_ID                                                    \
	{"ts", LOG_TIME, LOG_SCALAR}, {"uid", LOG_STRING, LOG_SCALAR},         \
	{"id.orig_h", LOG_ADDR, LOG_SCALAR}, {"id.orig_p", LOG_PORT, LOG_SCALAR}, \
	{"id.resp_h", LOG_ADDR, LOG_SCALAR}, { "id.resp_p", LOG_PORT, LOG_SCALAR }

/*
 * Fills the columns most logs start with: ts, uid, id.orig_h, id.orig_p,
 * id.resp_h, id.resp_p. The uid string is borrowed. Returns 6, the number
 * of values written.
 */
size_t log_put_ts_uid_id(struct log_value *v, double ts, const char *uid,
			 const struct sl_addr *orig_h, uint16_t orig_p,
			 const struct sl_addr *resp_h, uint16_t resp_p);

struct outdir;
struct log_stream;

/* Longest file name log_file_name() makes, with its NUL. */
#define LOG_FILE_NAME_MAX 128

/* The file of a log path under fmt, as Zeek's writer names it:
 * PATH.log, or PATH.log.EXT when gzip_level > 0. */
void log_file_name(const char *path, const struct log_format *fmt,
		   char out[LOG_FILE_NAME_MAX]);

/*
 * Creates a stream; nothing touches the disk until the first record.
 * The schema, ops, format and outdir are borrowed and must outlive it.
 */
struct log_stream *log_stream_new(const struct log_schema *schema,
				  const struct log_writer_ops *ops,
				  const struct log_format *fmt,
				  struct outdir *dir);

/* Renders and writes one record. Returns 0, or a negative errno value
 * (sticky: later writes fail the same way). */
int log_stream_write(struct log_stream *s, const struct log_value *values);

/* True once the file exists (a record was written). */
bool log_stream_opened(const struct log_stream *s);

/* The file name, e.g. "conn.log" ("conn.log.gz" with gzip_level). */
const char *log_stream_filename(const struct log_stream *s);
/* Records written so far. */
uint64_t log_stream_records(const struct log_stream *s);

/* Writes the footer if the file was opened, closes it, and frees the
 * stream. Returns the first error the stream met, or 0. */
int log_stream_close(struct log_stream *s);

#endif
