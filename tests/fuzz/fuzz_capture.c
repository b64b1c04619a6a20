/*
 * Whole capture files (pcap in both byte orders and resolutions, pcapng,
 * gzip of either) through core/capture.c and then the engine, as
 * cmd/run.c reads them. The input is the file itself, so captures are
 * seeds as they are. The file lives in a memfd, opened by its
 * /proc/self/fd path: no disk I/O per input.
 *
 * Choices come from the input's last bytes (which in a capture are packet
 * payload): the last two are the config of fuzz_engine.h (low byte last),
 * and bit 0 of the third-last reads the file twice as two inputs, which
 * exercises the timestamp merge.
 */
#define _GNU_SOURCE
#include "core/capture.h"
#include "proto/registry.h"
#include "tests/fuzz/fuzz_engine.h"

#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_memfd = -1;
static char fuzz_memfd_path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_memfd < 0) {
		fuzz_memfd = memfd_create("smtplog-fuzz-capture", 0);
		if (fuzz_memfd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(fuzz_memfd_path, sizeof fuzz_memfd_path, "/proc/self/fd/%d", fuzz_memfd);
	}
	if (ftruncate(fuzz_memfd, 0) != 0 ||
	    (size && pwrite(fuzz_memfd, data, size, 0) != (ssize_t)size))
		abort();

	unsigned bits = size > 1 ? (data[size - 1] | (unsigned)data[size - 2] << 8) : 0;
	bool twice = size > 2 && (data[size - 3] & 1);
	const char *paths[2] = {fuzz_memfd_path, fuzz_memfd_path};
	struct capture_error err;
	memset(&err, 0, sizeof err);
	struct capture *cap = capture_open(paths, twice ? 2 : 1, NULL, &err);
	if (!cap)
		return 0;
	struct config cfg;
	fuzz_config(&cfg, bits);
	struct engine *e = fuzz_engine_new(&cfg, proto_analyzers);
	struct capture_packet pkt;
	/* As run(): an input that turned out damaged is finished, the loop
	 * goes on with the others. */
	int rc;
	while ((rc = capture_next(cap, &pkt, &err)) != 0)
		if (rc > 0)
			engine_packet(e, &pkt);
	uint64_t done, total;
	capture_progress(cap, &done, &total);
	fuzz_engine_end(e);
	capture_close(cap);
	return 0;
}
