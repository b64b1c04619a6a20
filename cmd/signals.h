/*
 * SIGINT, SIGTERM and SIGHUP during a run. The first asks the run to stop
 * reading: it then ends as at the end of the trace, with complete logs.
 * A second one ends the process at once, after printing the message
 * prepared for it (nothing else is safe inside a signal handler).
 */
#ifndef SMTPLOG_CMD_SIGNALS_H
#define SMTPLOG_CMD_SIGNALS_H

/* Installs the handlers. abort_message: printed by a second signal (kept,
 * not copied; may be changed with signals_set_abort_message). */
void signals_install(const char *abort_message);
void signals_set_abort_message(const char *abort_message);

/* The first signal received, or 0. */
int signals_pending(void);

/* The signal's name ("SIGINT"). */
const char *signals_name(int sig);

#endif
