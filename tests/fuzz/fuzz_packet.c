/*
 * Packets through decode (every link type, IPv4/IPv6, fragments) and
 * connection tracking (TCP state, reassembly, timers, conn.log), without
 * the capture reader in the way.
 *
 *   input  = config-lo config-hi link-byte packet*
 *   packet = dt len-hi len-lo byte[len]
 * config: fuzz_engine.h; link-byte: fuzz_links.h.
 * dt advances the clock by dt*dt/100 s (up to 650 s, so that inactivity
 * and fragment timers fire). A short last packet is a snaplen cut: caplen
 * is what is left, wirelen stays len. One packet is the common case;
 * several let fragments and connections meet.
 */
#include "proto/registry.h"
#include "tests/fuzz/fuzz_engine.h"
#include "tests/fuzz/fuzz_links.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	struct config cfg;
	fuzz_config(&cfg, data[0] | (unsigned)data[1] << 8);
	struct engine *e = fuzz_engine_new(&cfg, proto_analyzers);
	int link = fuzz_links[data[2] % FUZZ_N_LINKS];
	double t = 1700000000.0;
	size_t at = 3;
	while (at + 3 <= size) {
		unsigned dt = data[at];
		uint32_t len = (uint32_t)data[at + 1] << 8 | data[at + 2];
		at += 3;
		size_t cap = len < size - at ? len : size - at;
		t += dt * dt / 100.0;
		struct capture_packet cp = {
		    .tv_sec = (int64_t)t,
		    .tv_usec = (int64_t)((t - (double)(int64_t)t) * 1e6),
		    .caplen = (uint32_t)cap,
		    .wirelen = len,
		    /* A copy of exactly caplen bytes: ASan then catches any
		     * read past the captured data. */
		    .data = cap ? malloc(cap) : NULL,
		    .linktype = link,
		};
		if (cap && !cp.data)
			abort();
		if (cap)
			memcpy((uint8_t *)cp.data, data + at, cap);
		engine_packet(e, &cp);
		free((void *)cp.data);
		at += cap;
	}
	fuzz_engine_end(e);
	return 0;
}
