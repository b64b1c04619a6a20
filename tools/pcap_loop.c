/*
 * pcap_loop: the benchmark's baseline, the least any libpcap reader does.
 * Reads a capture with pcap_open_offline + pcap_next_ex, touches each
 * packet's first and last byte and sums captured lengths, then prints
 * "packets N bytes N" (bytes = sum of caplen) on stdout.
 */
/* pcap.h and wait4 need the BSD types and calls hidden by strict POSIX. */
#define _DEFAULT_SOURCE

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pcap_loop FILE.pcap\n");
		return 1;
	}
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "pcap_loop: %s: %s\n", argv[1], errbuf);
		return 2;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t packets = 0, bytes = 0;
	unsigned touch = 0;
	int r;
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		packets++;
		bytes += h->caplen;
		if (h->caplen)
			touch += d[0] ^ d[h->caplen - 1];
	}
	if (r == PCAP_ERROR) {
		fprintf(stderr, "pcap_loop: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 2;
	}
	pcap_close(p);
	printf("packets %llu bytes %llu touch %u\n", (unsigned long long)packets,
	       (unsigned long long)bytes, touch & 0xff);
	return 0;
}
