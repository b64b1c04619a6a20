/*
 * What a run did, said at its end: on stderr for people (not with -q),
 * and with --stats as one JSON object for scripts.
 */
#ifndef SMTPLOG_CMD_SUMMARY_H
#define SMTPLOG_CMD_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/engine.h"

struct run_summary {
	size_t inputs;			/* captures read (usable) */
	size_t inputs_damaged;		/* ended early: cut short or corrupt */
	size_t inputs_unreadable;	/* named, and could not be read */
	size_t inputs_skipped;		/* found in a folder, not captures */
	uint64_t records;		/* read from the files */
	uint64_t packets;		/* passed the filter */
	uint64_t bytes;			/* of the capture files read */
	const struct engine_stats *engine;
	const struct engine_close_report *logs;
	double elapsed;			/* seconds */
	const char *stopped_by;		/* a signal's name, or NULL */
	int exit_status;
};

void summary_print(FILE *out, const struct run_summary *s);
/* Writes the JSON object to path; 0, or -errno. */
int summary_write_json(const char *path, const struct run_summary *s);

#endif
