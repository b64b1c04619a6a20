/*
 * Classic pcap records straight from a read-only mapping of the file.
 *
 * What libpcap 1.10.3 does with a record (sf-pcap.c, pcap_next_packet), and
 * so what this file does too:
 *  - a record header cut off by the end of the file is damage, no header at
 *    all is the end;
 *  - a captured length above max_snaplen_for_dlt() is damage; one above the
 *    file's snapshot length but within that bound is cut to the snapshot
 *    length, and the rest of the record is skipped;
 *  - record data cut off by the end of the file is damage;
 *  - nanosecond fractions are divided by 1000 (truncated, never rounded);
 *  - captured > wire length, and zero-length records, pass as they are.
 * The time fields are where byte order shows: see time_field().
 *
 * Not handled here (pcap_map_open declines, libpcap reads the file):
 * Kuznetzov's longer record headers, versions other than 2.4 (their caplen
 * and len may be swapped), and link types whose pseudo-header libpcap
 * rewrites in its buffer (pcap_post_process), which a read-only mapping
 * cannot be.
 */
#define _DEFAULT_SOURCE /* u_int in libpcap's headers, madvise */

#include "core/capture_mmap.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/cursor.h"

#define PCAP_FILE_HEADER   24u
#define PCAP_RECORD_HEADER 16u

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du

static bool host_is_big_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

/* libpcap 1.10's max_snaplen_for_dlt() (pcap-common.c, MAXIMUM_SNAPLEN). */
static uint32_t max_caplen_for_dlt(int dlt)
{
	switch (dlt) {
	case DLT_DBUS:
		return 128u * 1024 * 1024;
	case DLT_EBHSCR:
		return 8u * 1024 * 1024;
	case DLT_USBPCAP:
		return 1024u * 1024;
	default:
		return 262144u;
	}
}

/*
 * Link types whose packets pcap_post_process() edits before handing them
 * out: pseudo-headers written in the capturing host's byte order (only
 * when that differs from ours), and the USB length fix-up (always).
 */
static bool link_type_rewritten(int dlt, bool swapped)
{
	switch (dlt) {
	case DLT_USB_LINUX_MMAPPED:
		return true;
	case DLT_PFLOG:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_USB_LINUX:
	case DLT_NFLOG:
		return swapped;
	default:
		return false;
	}
}

/*
 * Reads the file header's magic and version: true for a 2.4 file with the
 * standard micro- or nanosecond magic, in either byte order.
 */
static bool header_plain(const uint8_t *head, size_t n, bool *big_endian, bool *nano)
{
	struct cursor c = cur_make(head, n);
	struct cursor le = c;
	uint32_t magic = cur_be32(&c);
	uint32_t magic_le = cur_le32(&le);
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		*big_endian = true;
	} else if (magic_le == PCAP_MAGIC_US || magic_le == PCAP_MAGIC_NS) {
		*big_endian = false;
		magic = magic_le;
		c = le;
	} else {
		return false;
	}
	*nano = magic == PCAP_MAGIC_NS;
	uint16_t major = *big_endian ? cur_be16(&c) : cur_le16(&c);
	uint16_t minor = *big_endian ? cur_be16(&c) : cur_le16(&c);
	return !c.err && major == 2 && minor == 4;
}

int pcap_map_open(struct pcap_map *m, int fd, uint64_t size, int dlt, int snapshot)
{
	uint8_t head[PCAP_FILE_HEADER];
	bool big_endian, nano;
	if (size < PCAP_FILE_HEADER || size > SIZE_MAX || snapshot <= 0)
		return -1;
	if (pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head)
		return -1;
	if (!header_plain(head, sizeof head, &big_endian, &nano))
		return -1;
	bool swapped = big_endian != host_is_big_endian();
	if (link_type_rewritten(dlt, swapped))
		return -1;

	void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	/* Only advice: a kernel that ignores it reads the file all the same. */
	(void)madvise(p, (size_t)size, MADV_SEQUENTIAL);
	*m = (struct pcap_map){
	    .base = p,
	    .size = (size_t)size,
	    .pos = PCAP_FILE_HEADER,
	    .big_endian = big_endian,
	    .swapped = swapped,
	    .nano = nano,
	    .snapshot = snapshot,
	    .max_caplen = max_caplen_for_dlt(dlt),
	};
	return 0;
}

static uint32_t file_u32(const struct pcap_map *m, struct cursor *c)
{
	return m->big_endian ? cur_be32(c) : cur_le32(c);
}

/*
 * libpcap reads the time stamp into signed 32-bit fields, but its byte
 * swap yields an unsigned int: in a file of this host's byte order the
 * fields are sign-extended, in the other order zero-extended. So the same
 * seconds 0xffffffff are -1 in one file and 4294967295 in the other.
 */
static int64_t time_field(const struct pcap_map *m, uint32_t v)
{
	return m->swapped ? (int64_t)v : (int64_t)(int32_t)v;
}

int pcap_map_next(struct pcap_map *m, struct pcap_pkthdr *hdr, const uint8_t **data,
		  char errbuf[PCAP_ERRBUF_SIZE])
{
	struct cursor c = cur_make(m->base + m->pos, m->size - m->pos);
	if (cur_left(&c) == 0)
		return 0;
	if (cur_left(&c) < PCAP_RECORD_HEADER) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE,
			 "truncated dump file; tried to read %u header bytes, only got %zu",
			 PCAP_RECORD_HEADER, cur_left(&c));
		return -1;
	}
	uint32_t sec = file_u32(m, &c);
	uint32_t frac = file_u32(m, &c);
	uint32_t caplen = file_u32(m, &c);
	uint32_t wirelen = file_u32(m, &c);

	uint32_t snapshot = (uint32_t)m->snapshot;
	if (caplen > m->max_caplen) {
		if (caplen > snapshot)
			snprintf(errbuf, PCAP_ERRBUF_SIZE,
				 "invalid packet capture length %u, bigger than snaplen of %d",
				 caplen, m->snapshot);
		else
			snprintf(errbuf, PCAP_ERRBUF_SIZE,
				 "invalid packet capture length %u, bigger than maximum of %u",
				 caplen, m->max_caplen);
		return -1;
	}
	if (cur_left(&c) < caplen) {
		/* libpcap first reads the part it keeps, then the rest. */
		bool keep_short = caplen > snapshot && cur_left(&c) < snapshot;
		snprintf(errbuf, PCAP_ERRBUF_SIZE,
			 "truncated dump file; tried to read %u captured bytes, only got %zu",
			 keep_short ? snapshot : caplen, cur_left(&c));
		return -1;
	}
	*data = cur_take(&c, caplen).p;
	hdr->ts.tv_sec = (time_t)time_field(m, sec);
	int64_t usec = time_field(m, frac);
	hdr->ts.tv_usec = (suseconds_t)(m->nano ? usec / 1000 : usec);
	hdr->caplen = caplen > snapshot ? snapshot : caplen;
	hdr->len = wirelen;
	m->pos += PCAP_RECORD_HEADER + caplen;
	return 1;
}

void pcap_map_close(struct pcap_map *m)
{
	if (m->base)
		munmap((void *)m->base, m->size);
	m->base = NULL;
}
