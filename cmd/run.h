#ifndef SMTPLOG_CMD_RUN_H
#define SMTPLOG_CMD_RUN_H

#include "cmd/options.h"

/* Exit statuses (CLI.md). */
enum run_status {
	RUN_OK = 0,
	RUN_USAGE = 1,
	RUN_INPUT = 2,
	RUN_OUTPUT = 3,
};

/* Reads every input and writes the logs. Prints its own messages. */
enum run_status run(const struct options *o);

#endif
