/*
 * Classic pcap records read without libpcap, from a buffer of our own or
 * from a read-only mapping of the file.
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
 * The time fields are where byte order, and libpcap's version, show: see
 * time_field().
 *
 * Not handled here (pcap_reader_open declines, libpcap reads the file):
 * Kuznetzov's longer record headers, versions other than 2.4 (their caplen
 * and len may be swapped), and link types whose pseudo-header libpcap
 * rewrites in its buffer (pcap_post_process): a read-only mapping cannot
 * be rewritten, and the rewrites are libpcap's business.
 */
#define _DEFAULT_SOURCE /* u_int in libpcap's headers, madvise */

#include "core/pcap_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cursor.h"

#define PCAP_FILE_HEADER   24u
#define PCAP_RECORD_HEADER 16u

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du

/*
 * The buffer's size, and so how much one pread() asks for: few calls (four
 * per MiB), yet small enough that what was read is still in the CPU's
 * cache when its packets are decoded. Grows for a longer record.
 */
#define PCAP_READER_BLOCK (256u * 1024u)

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
 * Whether the libpcap in use sign-extends the time fields of a file in
 * this host's byte order, as 1.10.3 (Debian 12) and 1.10.4 do; 1.10.5 made
 * them unsigned. Asked of libpcap itself, with a one-record capture in
 * memory at 0xffffffff seconds: 1 signed, 0 unsigned, -1 no answer.
 */
static int libpcap_signed_times(void)
{
	uint8_t file[PCAP_FILE_HEADER + PCAP_RECORD_HEADER] = {0};
	uint32_t magic = PCAP_MAGIC_US, snaplen = 65535, dlt = DLT_EN10MB, sec = 0xffffffffu;
	uint16_t major = 2, minor = 4;
	memcpy(file, &magic, 4); /* the host's byte order */
	memcpy(file + 4, &major, 2);
	memcpy(file + 6, &minor, 2);
	memcpy(file + 16, &snaplen, 4);
	memcpy(file + 20, &dlt, 4);
	memcpy(file + PCAP_FILE_HEADER, &sec, 4);
	FILE *fp = fmemopen(file, sizeof file, "rb");
	if (!fp)
		return -1;
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline(fp, errbuf);
	if (!p) {
		fclose(fp);
		return -1;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int answer = pcap_next_ex(p, &h, &data) == 1 ? h->ts.tv_sec < 0 : -1;
	pcap_close(p); /* fcloses fp */
	return answer;
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

/* The whole file as the window: nothing to read, ever. */
static int window_map(struct pcap_reader *r, int fd, uint64_t size)
{
	if (size > SIZE_MAX)
		return -1;
	void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	/* Only advice: a kernel that ignores it reads the file all the same. */
	(void)madvise(p, (size_t)size, MADV_SEQUENTIAL);
	r->map = p;
	r->map_len = (size_t)size;
	r->win = p;
	r->win_off = 0;
	r->win_len = (size_t)size;
	r->at_end = true;
	return 0;
}

/* An empty window at the first record, in a buffer of our own. */
static int window_buffer(struct pcap_reader *r, int fd)
{
	r->buf = malloc(PCAP_READER_BLOCK);
	if (!r->buf)
		return -1;
	/* libpcap's FILE* closes fd; the reader keeps the file open itself. */
	r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (r->fd < 0) {
		free(r->buf);
		r->buf = NULL;
		return -1;
	}
	r->cap = PCAP_READER_BLOCK;
	r->win = r->buf;
	r->win_off = PCAP_FILE_HEADER;
	r->win_len = 0;
	return 0;
}

int pcap_reader_open(struct pcap_reader *r, int fd, uint64_t size, int dlt, int snapshot,
		     enum pcap_reader_source source)
{
	uint8_t head[PCAP_FILE_HEADER];
	bool big_endian, nano;
	if (size < PCAP_FILE_HEADER || snapshot <= 0)
		return -1;
	if (pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head)
		return -1;
	if (!header_plain(head, sizeof head, &big_endian, &nano))
		return -1;
	bool swapped = big_endian != host_is_big_endian();
	if (link_type_rewritten(dlt, swapped))
		return -1;
	int signed_times = libpcap_signed_times();
	if (signed_times < 0)
		return -1;
	*r = (struct pcap_reader){
	    .fd = -1,
	    .pos = PCAP_FILE_HEADER,
	    .big_endian = big_endian,
	    .swapped = swapped,
	    .signed_times = signed_times && !swapped,
	    .nano = nano,
	    .snapshot = snapshot,
	    .max_caplen = max_caplen_for_dlt(dlt),
	};
	if (source == PCAP_READER_MAP && window_map(r, fd, size) == 0)
		return 0;
	return window_buffer(r, fd);
}

/* Bytes of the window from pos on. */
static size_t window_left(const struct pcap_reader *r)
{
	return (size_t)(r->win_off + r->win_len - r->pos);
}

/*
 * Room for need bytes, but no more than the file still holds: a lying
 * length must not allocate what the file cannot contain.
 */
static int buffer_grow(struct pcap_reader *r, size_t need)
{
	struct stat st;
	if (fstat(r->fd, &st) == 0 && (uint64_t)st.st_size > r->pos &&
	    (uint64_t)st.st_size - r->pos < need)
		need = (size_t)((uint64_t)st.st_size - r->pos);
	if (need <= r->cap)
		return 0;
	uint8_t *p = realloc(r->buf, need);
	if (!p)
		return -1;
	r->buf = p;
	r->win = p;
	r->cap = need;
	return 0;
}

/*
 * Makes the window hold the need bytes from pos on, or all that the file
 * has left. 0, or -1 with libpcap's message when reading fails.
 */
static int window_fill(struct pcap_reader *r, size_t need, char errbuf[PCAP_ERRBUF_SIZE])
{
	size_t have = window_left(r);
	if (have >= need || r->at_end)
		return 0;
	/* What is left of the window moves to the front of the buffer. */
	memmove(r->buf, r->buf + (r->pos - r->win_off), have);
	r->win_off = r->pos;
	r->win_len = have;
	if (need > r->cap && buffer_grow(r, need) < 0) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "out of memory");
		return -1;
	}
	while (r->win_len < need) {
		ssize_t n = pread(r->fd, r->buf + r->win_len, r->cap - r->win_len,
				  (off_t)(r->win_off + r->win_len));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(errbuf, PCAP_ERRBUF_SIZE, "error reading dump file: %s",
				 strerror(errno));
			return -1;
		}
		if (n == 0) {
			r->at_end = true;
			break;
		}
		r->win_len += (size_t)n;
	}
	return 0;
}

static uint32_t file_u32(const struct pcap_reader *r, struct cursor *c)
{
	return r->big_endian ? cur_be32(c) : cur_le32(c);
}

/*
 * libpcap 1.10.3 reads the time stamp into signed 32-bit fields, but its
 * byte swap yields an unsigned int: in a file of this host's byte order the
 * fields are sign-extended, in the other order zero-extended. So the same
 * seconds 0xffffffff are -1 in one file and 4294967295 in the other (and
 * 4294967295 in both with libpcap 1.10.5).
 */
static int64_t time_field(const struct pcap_reader *r, uint32_t v)
{
	return r->signed_times ? (int64_t)(int32_t)v : (int64_t)v;
}

/* A record header's fields, in this host's byte order. */
struct record_header {
	uint32_t sec, frac, caplen, wirelen;
};

/* 1 with *h read, 0 at the end of the file, -1 when it is cut off. */
static int record_header_read(struct pcap_reader *r, struct record_header *h,
			      char errbuf[PCAP_ERRBUF_SIZE])
{
	if (window_fill(r, PCAP_RECORD_HEADER, errbuf) < 0)
		return -1;
	struct cursor c = cur_make(r->win + (r->pos - r->win_off), window_left(r));
	if (cur_left(&c) == 0)
		return 0;
	if (cur_left(&c) < PCAP_RECORD_HEADER) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE,
			 "truncated dump file; tried to read %u header bytes, only got %zu",
			 PCAP_RECORD_HEADER, cur_left(&c));
		return -1;
	}
	h->sec = file_u32(r, &c);
	h->frac = file_u32(r, &c);
	h->caplen = file_u32(r, &c);
	h->wirelen = file_u32(r, &c);
	return 1;
}

/* libpcap's bound: beyond it the length is taken for damage. */
static bool caplen_believable(const struct pcap_reader *r, uint32_t caplen,
			      char errbuf[PCAP_ERRBUF_SIZE])
{
	if (caplen <= r->max_caplen)
		return true;
	if (caplen > (uint32_t)r->snapshot)
		snprintf(errbuf, PCAP_ERRBUF_SIZE,
			 "invalid packet capture length %u, bigger than snaplen of %d", caplen,
			 r->snapshot);
	else
		snprintf(errbuf, PCAP_ERRBUF_SIZE,
			 "invalid packet capture length %u, bigger than maximum of %u", caplen,
			 r->max_caplen);
	return false;
}

/* The caplen bytes after the record header, or -1 when they are cut off. */
static int record_data(struct pcap_reader *r, uint32_t caplen, const uint8_t **data,
		       char errbuf[PCAP_ERRBUF_SIZE])
{
	if (window_fill(r, PCAP_RECORD_HEADER + (size_t)caplen, errbuf) < 0)
		return -1;
	struct cursor c = cur_make(r->win + (r->pos - r->win_off), window_left(r));
	cur_skip(&c, PCAP_RECORD_HEADER);
	if (cur_left(&c) < caplen) {
		/* libpcap first reads the part it keeps, then the rest. */
		uint32_t snapshot = (uint32_t)r->snapshot;
		bool kept_short = caplen > snapshot && cur_left(&c) < snapshot;
		snprintf(errbuf, PCAP_ERRBUF_SIZE,
			 "truncated dump file; tried to read %u captured bytes, only got %zu",
			 kept_short ? snapshot : caplen, cur_left(&c));
		return -1;
	}
	*data = cur_take(&c, caplen).p;
	return 0;
}

int pcap_reader_next(struct pcap_reader *r, struct pcap_pkthdr *hdr, const uint8_t **data,
		     char errbuf[PCAP_ERRBUF_SIZE])
{
	struct record_header h;
	int got = record_header_read(r, &h, errbuf);
	if (got <= 0)
		return got;
	if (!caplen_believable(r, h.caplen, errbuf) || record_data(r, h.caplen, data, errbuf) < 0)
		return -1;
	hdr->ts.tv_sec = (time_t)time_field(r, h.sec);
	int64_t usec = time_field(r, h.frac);
	hdr->ts.tv_usec = (suseconds_t)(r->nano ? usec / 1000 : usec);
	/* Past the snapshot length, the rest of the record is skipped. */
	uint32_t snapshot = (uint32_t)r->snapshot;
	hdr->caplen = h.caplen > snapshot ? snapshot : h.caplen;
	hdr->len = h.wirelen;
	r->pos += PCAP_RECORD_HEADER + h.caplen;
	return 1;
}

bool pcap_reader_mapped(const struct pcap_reader *r)
{
	return r->map != NULL;
}

void pcap_reader_close(struct pcap_reader *r)
{
	if (r->map)
		munmap((void *)r->map, r->map_len);
	free(r->buf);
	if (r->fd >= 0)
		close(r->fd);
	*r = (struct pcap_reader){.fd = -1};
}
