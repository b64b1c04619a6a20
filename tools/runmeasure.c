/*
 * runmeasure: runs a command and reports its wall time and peak RSS, for
 * tools/bench.sh on machines without /usr/bin/time.
 *
 *   runmeasure [-c] REPORT CMD [ARG...]
 *
 * Writes "SECONDS MAXRSS_KB STATUS" to the file REPORT (STATUS: the exit
 * code, or 128+signal), and exits with the command's status. The command's
 * stdin, stdout and stderr are left alone. With -c a fourth field follows:
 * the CPU seconds (user + system) of the command and of the descendants
 * it waited for, from wait4 (tests/limits.sh compares them).
 */
/* pcap.h and wait4 need the BSD types and calls hidden by strict POSIX. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	bool cpu = argc > 1 && strcmp(argv[1], "-c") == 0;
	if (cpu) {
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: runmeasure [-c] REPORT CMD [ARG...]\n");
		return 125;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("runmeasure: fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "runmeasure: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("runmeasure: wait4");
			return 125;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 125;
	}
	if (cpu) {
		double used = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
		fprintf(f, "%.3f %ld %d %.3f\n", secs, ru.ru_maxrss, code, used);
	} else {
		fprintf(f, "%.3f %ld %d\n", secs, ru.ru_maxrss, code);
	}
	if (fclose(f) != 0) {
		perror(argv[1]);
		return 125;
	}
	return code;
}
