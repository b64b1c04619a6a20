/*
 * Differential: a capture file read by core/pcap_reader.c (buffered and
 * mapped) must give exactly what libpcap gives: the same packets, progress
 * and damage reports (tests/core/test_pcap_reader.c does the same for
 * chosen mutations). The file lives in a memfd, as in fuzz_capture.c.
 */
#define _GNU_SOURCE
#include "core/capture.h"
#include "core/capture_int.h"
#include "tests/fuzz/fuzz_check.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_memfd = -1;
static char fuzz_memfd_path[64];

static void same_error(const struct capture_error *a, const struct capture_error *b)
{
	FUZZ_CHECK(a->bad_filter == b->bad_filter);
	FUZZ_CHECK(a->packet == b->packet && a->offset == b->offset);
	FUZZ_CHECK(!strcmp(a->reason, b->reason));
}

static void compare(enum capture_reader reader)
{
	const char *paths[1] = {fuzz_memfd_path};
	struct capture_error et, el;
	memset(&et, 0, sizeof et);
	memset(&el, 0, sizeof el);
	struct capture *t = capture_open_reader(paths, 1, NULL, reader, &et);
	struct capture *l = capture_open_reader(paths, 1, NULL, CAPTURE_READER_LIBPCAP, &el);
	FUZZ_CHECK(!t == !l);
	if (!t || !l) {
		same_error(&et, &el);
		capture_close(t);
		capture_close(l);
		return;
	}
	for (;;) {
		struct capture_packet pt, pl;
		int rt = capture_next(t, &pt, &et);
		int rl = capture_next(l, &pl, &el);
		FUZZ_CHECK(rt == rl);
		uint64_t dt, tt, dl, tl;
		capture_progress(t, &dt, &tt);
		capture_progress(l, &dl, &tl);
		FUZZ_CHECK(dt == dl && tt == tl);
		if (rt == 0)
			break;
		if (rt < 0) {
			same_error(&et, &el);
			continue;
		}
		FUZZ_CHECK(pt.tv_sec == pl.tv_sec && pt.tv_usec == pl.tv_usec);
		FUZZ_CHECK(pt.caplen == pl.caplen && pt.wirelen == pl.wirelen);
		FUZZ_CHECK(pt.linktype == pl.linktype && pt.number == pl.number);
		FUZZ_CHECK(!memcmp(pt.data, pl.data, pt.caplen));
	}
	capture_close(t);
	capture_close(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_memfd < 0) {
		fuzz_memfd = memfd_create("smtplog-fuzz-pcap-reader", 0);
		if (fuzz_memfd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(fuzz_memfd_path, sizeof fuzz_memfd_path, "/proc/self/fd/%d", fuzz_memfd);
	}
	if (ftruncate(fuzz_memfd, 0) != 0 ||
	    (size && pwrite(fuzz_memfd, data, size, 0) != (ssize_t)size))
		abort();
	compare(CAPTURE_READER_BEST);
	compare(CAPTURE_READER_MAP);
	return 0;
}
