/*
 * One Zeek log file, TSV or JSON (told apart by its first line; a btest
 * "### " banner line before it is skipped), read a record at a time as
 * field name -> canonical text, so that records of a TSV and a JSON log
 * compare by string equality. The canonical form is documented in
 * smtplog(1), DIFF; in short: unset "-", empty "(empty)", bytes outside
 * 0x20-0x7e and '\' escaped as \xNN, set and vector elements joined by ','
 * (a ',' inside an element as \x2c), booleans T/F, time, interval and
 * double values with six decimals (JSON ISO 8601 and millisecond times
 * converted to epoch seconds).
 *
 * Reading streams: one line is held at a time, in a buffer that grows up
 * to LOGREAD_MAX_LINE. Files are read through zlib, so .gz logs work too.
 * Owner: whoever embeds struct logread; logread_close() frees everything
 * it holds, and a record's text belongs to the reader until the next call.
 */
#ifndef SMTPLOG_OUTPUT_LOGREAD_H
#define SMTPLOG_OUTPUT_LOGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Longest line read; a longer one is an error. */
#define LOGREAD_MAX_LINE ((size_t)64 << 20)

enum logread_format {
	LOGREAD_EMPTY, /* no line at all (or only the banner) */
	LOGREAD_TSV,
	LOGREAD_JSON,
};

/* A header line other than #open and #close: "#key" and the rest. */
struct logread_header {
	char *key;   /* "fields", "types", "path", ... (owned) */
	char *value; /* the line after the key and its separator (owned) */
};

struct logread_field {
	const char *name; /* NUL-terminated */
	const char *val;  /* canonical text, NUL-terminated */
	size_t len;
	size_t pos; /* index in the record's own field order */
};

struct logread_record {
	struct logread_field *f; /* owned by the reader */
	size_t n;
	uint64_t line;   /* data line number in its file, from 1 */
	const char *raw; /* the line as read (valid until the next call) */
	size_t raw_len;
};

struct logread_name;
struct logread_slot;

struct logread {
	const char *path; /* not owned */
	void *gz;         /* zlib's gzFile */
	char *lb;         /* line buffer (owned) */
	size_t lb_cap, lb_start, lb_end, lb_scan;
	bool lb_eof;
	bool pending; /* the line in cur is read but not yet handed out */
	char *cur;
	size_t cur_len;
	uint64_t file_line, data_line;

	enum logread_format fmt;
	/* TSV schema (owned): separators, #fields and #types. */
	char *sep, *set_sep, *empty, *unset;
	char **names, **types;
	size_t nfields, ntypes;
	struct logread_name *by_name; /* names with their index, sorted */
	struct logread_header *hdr;
	size_t nhdr;

	/* A TSV reader whose #types give a JSON reader its field types. */
	const struct logread *types_from;

	struct buf text; /* this record's names and values */
	struct buf scratch;
	struct logread_slot *slots; /* the record while it is built */
	size_t slots_cap;
	struct logread_field *f;
	size_t f_cap;
	char err[320]; /* the reason after a -1 */
};

/* Opens path and reads its header. 0, or -1 with r->err set. */
int logread_open(struct logread *r, const char *path);
/* The next record: 1, 0 at the end, -1 with r->err set. */
int logread_next(struct logread *r, struct logread_record *rec);
void logread_close(struct logread *r);

/* The #types entry of a TSV reader's field, or NULL. */
const char *logread_type(const struct logread *r, const char *name);
/* The first value of header key in the file, or NULL. */
const char *logread_header(const struct logread *r, const char *key);

#endif
