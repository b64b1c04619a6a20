#define _GNU_SOURCE
#include "cmd/signals.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t first_signal;
/* Read by the handler: set before the handlers are, and only by pointer
 * stores afterwards. */
static const char *volatile abort_text;

static void on_signal(int sig)
{
	if (!first_signal) {
		first_signal = sig;
		return;
	}
	const char *m = abort_text;
	if (m) {
		ssize_t ignored = write(STDERR_FILENO, m, strlen(m));
		(void)ignored;
	}
	/* The shell's convention: 128 + the signal's number. */
	_exit(128 + sig);
}

void signals_set_abort_message(const char *abort_message)
{
	abort_text = abort_message;
}

void signals_install(const char *abort_message)
{
	abort_text = abort_message;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* A read from a pipe (-r -) that the signal interrupts starts again,
	 * rather than failing and passing for a damaged input; the run
	 * stops after the packet it was waiting for (or at the pipe's end). */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int signals_pending(void)
{
	return first_signal;
}

const char *signals_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}
