/*
 * String escaping for the log writers, appended straight into the output
 * buffer. Both functions take raw bytes (any content, not NUL-terminated).
 */
#ifndef SMTPLOG_OUTPUT_ESCAPE_H
#define SMTPLOG_OUTPUT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/*
 * One TSV string or enum value (zeek-core-spec §1.8 steps A-C, with
 * LogAscii::enable_utf_8 = T): "(empty)" for n == 0, reserved values
 * "-" and "(empty)" with their first byte as \xNN, '\' doubled, TAB as
 * \x09, and each segment between those either raw (clean UTF-8) or with
 * every byte outside 0x20-0x7e as \xNN. `in_container` adds ',' -> \x2c
 * for set and vector elements. Line-start '#' (step D) is the writer's.
 */
void escape_append_tsv(struct buf *out, const char *p, size_t n,
		       bool in_container);

/*
 * A header value (#separator, #set_separator, ... #path): whitespace and
 * non-printable bytes as \xNN, everything else raw (util::get_escaped_string).
 */
void escape_append_tsv_meta(struct buf *out, const char *p, size_t n);

/*
 * A JSON string, quotes included, under Zeek's default HEX policy (§2.5):
 * if any byte is not printable ASCII, one of \b\f\n\r\t, or part of an
 * allowed UTF-8 character, every byte outside those two groups becomes
 * the text \xNN; then RapidJSON's escaping ('"', '\', controls).
 */
void escape_append_json(struct buf *out, const char *p, size_t n);

/* One sequence Zeek's ODesc escapes (a separator); bytes, not a C string. */
struct escape_seq {
	const char *p;
	size_t n;
};

/* The sequences in effect, in std::set<std::string> order (bytewise, a
 * prefix first); at most the separator and the set separator. */
struct escape_seqs {
	struct escape_seq s[2];
	size_t n;
};

/* Adds a sequence where std::set::insert would put it (no duplicates). */
void escape_seqs_insert(struct escape_seqs *set, const char *p, size_t n);

/*
 * Zeek's ODesc::AddBytes with escaping and UTF-8 on, for any separators:
 * a backslash becomes "\\", the first sequence of `seqs` that starts at
 * a byte has each of its bytes as \xNN (an empty sequence ahead of the
 * others matches nothing and hides them, as in Zeek), and the stretches
 * between go through step C of escape_append_tsv. Reserved values are the
 * caller's. The TSV writer's path for custom LogAscii separators.
 */
void escape_append_desc(struct buf *out, const char *p, size_t n,
			const struct escape_seqs *seqs);

/* A JSON string with RapidJSON's escaping only (object keys). */
void escape_append_json_raw(struct buf *out, const char *p, size_t n);

#endif
