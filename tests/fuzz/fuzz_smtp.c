/*
 * The SMTP analyzer (with MIME, files.log and the STARTTLS hand-over to
 * SSL) on one TCP connection to port 25. Input format: fuzz_stream.h.
 */
#include "proto/registry.h"
#include "tests/fuzz/fuzz_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The whole table, as in a real run: STARTTLS hands over to SSL. */
	fuzz_stream_run(proto_analyzers, 25, data, size);
	return 0;
}
