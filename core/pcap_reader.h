/*
 * A classic pcap file read by smtplog itself: the packets, their headers
 * and the damage messages are the ones libpcap 1.10's sf-pcap.c gives for
 * the same file, without its two copies and two fread() calls per packet.
 * Only for capture.c, which opens the file with libpcap first (so that
 * libpcap checks the file header and says what its link type and snapshot
 * length are) and keeps libpcap when pcap_reader_open() declines.
 */
#ifndef SMTPLOG_CORE_PCAP_READER_H
#define SMTPLOG_CORE_PCAP_READER_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the bytes come from. */
enum pcap_reader_source {
	/* pread() into a buffer of the reader's own, a large block at a time,
	 * packets handed out as pointers into it. The default: on the bench
	 * machine (a VM) it reads twice as fast as libpcap, the mapping half
	 * as fast, because there every first touch of a mapped page costs
	 * about a microsecond. */
	PCAP_READER_BUFFER,
	/* A read-only mapping of the whole file: no copy at all. Falls back
	 * to the buffer when mmap fails. */
	PCAP_READER_MAP,
};

/*
 * The file's bytes from win_off on, win_len of them, at win: the whole
 * file when mapped, else the part of it in buf.
 */
struct pcap_reader {
	int fd;       /* owned; -1 once mapped */
	uint8_t *buf; /* owned, cap bytes; NULL when mapped */
	size_t cap;
	const uint8_t *map; /* owned mapping of map_len bytes, or NULL */
	size_t map_len;
	const uint8_t *win;
	size_t win_len;
	uint64_t win_off;
	bool at_end;         /* nothing past the window: end of file seen */
	uint64_t pos;        /* offset of the next record header */
	bool big_endian;     /* the file's byte order */
	bool swapped;        /* not this host's byte order */
	bool signed_times;   /* time fields sign-extended: see time_field() */
	bool nano;           /* nanosecond time stamps, scaled to us */
	int snapshot;        /* libpcap's, from pcap_snapshot() */
	uint32_t max_caplen; /* libpcap's sanity bound for the link type */
};

/*
 * Takes over the file behind fd (size bytes at open, already opened by
 * libpcap as link type dlt with that snapshot length) when it is a
 * classic pcap file that libpcap reads without rewriting anything; the
 * next record is the first. Returns 0, or -1 when the caller should keep
 * reading through libpcap: another header variant, a link type libpcap
 * edits in place, a libpcap whose time stamps cannot be told, or no
 * memory. fd stays the caller's either way.
 */
int pcap_reader_open(struct pcap_reader *r, int fd, uint64_t size, int dlt, int snapshot,
		     enum pcap_reader_source source);

/*
 * The next record, as pcap_next_ex() would give it: 1 with *hdr and *data
 * set (data valid until the next call), 0 at the end of the file, -1 when
 * the record is damaged or cannot be read: errbuf then holds libpcap's
 * message and pos stays at that record.
 */
int pcap_reader_next(struct pcap_reader *r, struct pcap_pkthdr *hdr, const uint8_t **data,
		     char errbuf[PCAP_ERRBUF_SIZE]);

bool pcap_reader_mapped(const struct pcap_reader *r);

void pcap_reader_close(struct pcap_reader *r);

#endif
