/*
 * Two Zeek logs, or two folders of them, compared record by record and
 * field by field, by field name (each side TSV or JSON, gzipped or not),
 * the way Zeek's test canonifier compares them: #open/#close never count;
 * the options mask the ts field, rename random UIDs and file IDs, compare
 * lines as a multiset, skip named fields or sort a set's elements. What
 * differs is printed on standard output. The canonical form of values is
 * output/logread.c's; smtplog(1), DIFF, documents both.
 */
#ifndef SMTPLOG_OUTPUT_LOGDIFF_H
#define SMTPLOG_OUTPUT_LOGDIFF_H

#include <stdbool.h>
#include <stddef.h>

#define LOGDIFF_MAX_FIELDS 256 /* --skip and --sort entries, each */

/* A field named for all logs (log NULL) or for one ("conn" for conn.log). */
struct logdiff_field {
	char *log;   /* owned; NULL: every log */
	char *field; /* owned */
};

struct logdiff_opts {
	bool mask_ts, rename_ids, unordered, quiet;
	unsigned long max_diffs;	/* differences printed per log */
	struct logdiff_field skips[LOGDIFF_MAX_FIELDS];
	size_t nskips;
	struct logdiff_field sorts[LOGDIFF_MAX_FIELDS];
	size_t nsorts;
};

/* Compares a and b, two folders or two log files. Returns 0 the same, 1
 * different, 2 an error (message on stderr: "smtplog: PATH: reason"). */
int logdiff_paths(const char *a, const char *b, const struct logdiff_opts *o);

#endif
