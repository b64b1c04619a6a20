/*
 * The SSL/TLS analyzer (records, handshakes, SSLv2, certificates into
 * x509.log) on one TCP connection to port 443. Input format: fuzz_stream.h.
 */
#include "proto/tls.h"
#include "tests/fuzz/fuzz_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct analyzer *const only_tls[] = {&tls_analyzer, NULL};
	fuzz_stream_run(only_tls, 443, data, size);
	return 0;
}
