/*
 * rss_timeline: how a command's resident memory grows with the capture
 * time it has read, for tools/bench.sh's long-capture plateau.
 *
 *   rss_timeline CAPTURE STEP_SECONDS CMD [ARG...]
 *
 * CAPTURE must be a classic pcap file (its packet offsets follow from the
 * record headers). Runs CMD, samples its VmRSS and the bytes it has read
 * (rchar of /proc/PID/io) every 20 ms, turns bytes read into the capture
 * time of the packet at that offset, and prints on stdout one line per
 * STEP_SECONDS of capture time: "capture_seconds peak_rss_mb", the peak
 * until the command had read that far. rchar also counts other files the command reads; smtplog reads
 * a few MB besides the capture, a fraction of a second of capture time.
 * Exits with CMD's status (128 + signal when it was killed).
 */
#define _DEFAULT_SOURCE /* usleep; pcap.h needs the BSD types */

#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* One point of the capture every INDEX_STEP bytes: plenty for seconds. */
#define INDEX_STEP (4u << 20)
#define SAMPLE_US 20000

struct point {
	uint64_t offset;	/* bytes of the file up to this packet's end */
	double seconds;		/* its time since the first packet */
};

struct index {
	struct point *p;
	size_t n, cap;
};

static int index_add(struct index *ix, uint64_t offset, double seconds)
{
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? 2 * ix->cap : 1024;
		struct point *p = realloc(ix->p, cap * sizeof *p);
		if (!p)
			return -1;
		ix->p = p;
		ix->cap = cap;
	}
	ix->p[ix->n++] = (struct point){ offset, seconds };
	return 0;
}

static int index_capture(const char *path, struct index *ix)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);
	if (!p) {
		fprintf(stderr, "rss_timeline: %s: %s\n", path, errbuf);
		return -1;
	}
	/* The record header of a classic pcap is 16 bytes, the file header 24. */
	uint64_t offset = 24, next = 0;
	double first = -1, seconds = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	int r;
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		double t = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
		if (first < 0)
			first = t;
		seconds = t - first;
		offset += 16 + (uint64_t)h->caplen;
		if (offset >= next) {
			if (index_add(ix, offset, seconds) < 0)
				break;
			next = offset + INDEX_STEP;
		}
	}
	pcap_close(p);
	if (r != PCAP_ERROR_BREAK || index_add(ix, UINT64_MAX, seconds) < 0) {
		fprintf(stderr, "rss_timeline: %s: cannot index the capture\n", path);
		return -1;
	}
	return 0;
}

/* The capture time reached once `offset` bytes have been read. */
static double time_at(const struct index *ix, uint64_t offset)
{
	size_t lo = 0, hi = ix->n - 1;	/* the last point's offset is the maximum */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->p[mid].offset >= offset)
			hi = mid;
		else
			lo = mid + 1;
	}
	return ix->p[lo].seconds;
}

/* The first number after `key` in /proc/PID/NAME, or -1. */
static long long proc_field(pid_t pid, const char *name, const char *key)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long long v = -1;
	size_t klen = strlen(key);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, klen) == 0) {
			v = strtoll(line + klen, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	char *end;
	double step = argc > 2 ? strtod(argv[2], &end) : 0;
	if (argc < 4 || *end || !(step > 0)) {
		fprintf(stderr, "usage: rss_timeline CAPTURE STEP_SECONDS CMD [ARG...]\n");
		return 125;
	}
	struct index ix = { 0 };
	if (index_capture(argv[1], &ix) < 0)
		return 125;
	double span = ix.p[ix.n - 1].seconds;
	size_t steps = (size_t)(span / step);
	if ((double)steps * step < span || steps == 0)
		steps++;
	long long *peak_kb = calloc(steps, sizeof *peak_kb);
	if (!peak_kb) {
		fprintf(stderr, "rss_timeline: out of memory\n");
		return 125;
	}

	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "rss_timeline: fork: %s\n", strerror(errno));
		return 125;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "rss_timeline: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	int status = 0;
	long long rss_peak = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			fprintf(stderr, "rss_timeline: waitpid: %s\n", strerror(errno));
			return 125;
		}
		long long rss = proc_field(pid, "status", "VmRSS:");
		long long read_bytes = proc_field(pid, "io", "rchar:");
		if (rss > rss_peak)
			rss_peak = rss;
		if (read_bytes >= 0) {
			size_t i = (size_t)(time_at(&ix, (uint64_t)read_bytes) / step);
			if (i >= steps)
				i = steps - 1;
			if (rss_peak > peak_kb[i])
				peak_kb[i] = rss_peak;
		}
		usleep(SAMPLE_US);
	}
	/* A step with no sample (the run was quicker there) carries the peak
	 * before it. */
	long long carried = 0;
	for (size_t i = 0; i < steps; i++) {
		if (peak_kb[i] > carried)
			carried = peak_kb[i];
		double at = (double)(i + 1) * step;
		if (at > span)
			at = span;
		printf("%.0f %.1f\n", at, (double)carried / 1024);
	}
	free(peak_kb);
	free(ix.p);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
