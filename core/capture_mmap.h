/*
 * A classic pcap file read in place: mapped read-only, each record handed
 * out as a pointer into the mapping, so no byte is copied and no read()
 * runs per packet. The packets, their headers and the damage messages are
 * the ones libpcap 1.10's sf-pcap.c gives for the same file. Only for
 * capture.c, which opens the file with libpcap first (so that libpcap
 * checks the file header and says what its link type and snapshot length
 * are) and falls back to libpcap when pcap_map_open() declines.
 */
#ifndef SMTPLOG_CORE_CAPTURE_MMAP_H
#define SMTPLOG_CORE_CAPTURE_MMAP_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Owns the mapping: pcap_map_close() unmaps it. */
struct pcap_map {
	const uint8_t *base; /* the whole file */
	size_t size;
	size_t pos;          /* offset of the next record header */
	bool big_endian;     /* the file's byte order */
	bool swapped;        /* not this host's byte order */
	bool nano;           /* nanosecond time stamps, scaled to us */
	int snapshot;        /* libpcap's, from pcap_snapshot() */
	uint32_t max_caplen; /* libpcap's sanity bound for the link type */
};

/*
 * Maps the file behind fd (size bytes, already opened by libpcap as link
 * type dlt with that snapshot length) when it is a classic pcap file that
 * libpcap reads without rewriting anything; the next record is the first.
 * Returns 0, or -1 when the caller should keep reading through libpcap:
 * another header variant, a link type libpcap edits in place, or mmap
 * failed. fd stays the caller's; the mapping outlives it.
 */
int pcap_map_open(struct pcap_map *m, int fd, uint64_t size, int dlt, int snapshot);

/*
 * The next record, as pcap_next_ex() would give it: 1 with *hdr and *data
 * set (data points into the mapping, valid until pcap_map_close), 0 at the
 * end of the file, -1 when the record is damaged: errbuf then holds
 * libpcap's message and the position stays at that record.
 */
int pcap_map_next(struct pcap_map *m, struct pcap_pkthdr *hdr, const uint8_t **data,
		  char errbuf[PCAP_ERRBUF_SIZE]);

void pcap_map_close(struct pcap_map *m);

#endif
