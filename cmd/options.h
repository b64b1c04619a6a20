/* The command line: Zeek's flags, scripts and NAME=VALUE options, plus
 * smtplog's own. One table drives parsing and --help. */
#ifndef SMTPLOG_CMD_OPTIONS_H
#define SMTPLOG_CMD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

#define OPTIONS_MAX_INPUTS 64

enum progress_mode { PROGRESS_AUTO, PROGRESS_ALWAYS, PROGRESS_NEVER };

struct options {
	struct config cfg;
	const char *inputs[OPTIONS_MAX_INPUTS];
	size_t n_inputs;
	const char *filter;
	const char *output_dir;
	/* Log::default_logdir, decoded; output_dir points here when it is
	 * used (see zeek_options_finish in options.c). */
	char logdir[4096];
	bool logdir_set;
	const char *seed_file;	/* -G, or ZEEK_SEED_FILE */
	bool force;
	bool quiet;
	bool recursive;		/* -r DIR reads subfolders too */
	const char *stats_file;	/* --stats: the summary as JSON */
	/* Each analyzer's options block, by registry index; owned (options_free). */
	void *analyzer_opts[CONFIG_MAX_ANALYZERS];
	/* smtplog's own options given, for the "has no effect" warnings */
	bool set_extract_limit, set_extract_naming, set_json_ts;
	/* The first script loaded by name whose log smtplog does not write. */
	const struct analyzer_script *unwritten;
	enum progress_mode progress;
	bool exit_now;		/* --help, --version and friends were handled */
};

/* Fills *o from argv. Returns 0, or 1 (usage error; a message was
 * printed to stderr). */
int options_parse(int argc, char **argv, struct options *o);
/* Frees what options_parse allocated (the analyzers' options blocks). */
void options_free(struct options *o);

#endif
