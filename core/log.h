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

/* Options shared by all writers (LogAscii::*, Log::default_max_*). */
struct log_format {
	enum log_json_ts json_ts;
	/* Log::default_max_{field,total}_{string_bytes,container_elements}:
	 * 0 keeps Zeek's default; LOG_LIMIT_NONE is Zeek's 0 (no limit). */
	size_t max_field_string_bytes, max_total_string_bytes;
	size_t max_field_container_elements, max_total_container_elements;
};
#define LOG_LIMIT_NONE ((size_t)-1)

/*
 * A writer renders into a buffer; it does no I/O and keeps no state, so
 * one ops table serves every stream. `header` and `footer` get the
 * wall-clock time already formatted as Zeek's "%Y-%m-%d-%H-%M-%S".
 * Any of the three may append nothing (JSON has no header).
 */
struct log_writer_ops {
	const char *name;
	void (*header)(struct buf *out, const struct log_schema *schema,
		       const char *open_time);
	void (*record)(struct buf *out, const struct log_schema *schema,
		       const struct log_value *values,
		       const struct log_format *fmt);
	void (*footer)(struct buf *out, const struct log_schema *schema,
		       const char *close_time);
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

/* The file name, e.g. "conn.log". */
const char *log_stream_filename(const struct log_stream *s);
/* Records written so far. */
uint64_t log_stream_records(const struct log_stream *s);

/* Writes the footer if the file was opened, closes it, and frees the
 * stream. Returns the first error the stream met, or 0. */
int log_stream_close(struct log_stream *s);

#endif
