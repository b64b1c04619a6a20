/*
 * Capture input through libpcap, so that smtplog sees exactly the packet
 * stream Zeek sees (same header checks, same ns -> us scaling, same pcapng
 * support). What libpcap cannot do, this file adds around it:
 *
 *  - speed: a regular, uncompressed classic pcap file is opened by libpcap
 *    (its header checks, link type and snapshot length), then read by
 *    core/pcap_reader.c, which gives the same packets and damage messages
 *    with one copy fewer and no fread() per packet; anything else stays
 *    with libpcap.
 *  - gzip: detected by its magic bytes (1f 8b), never by name, and read
 *    through zlib behind a stdio cookie, so libpcap reads a FILE* as usual.
 *    Standard input always goes through zlib, whose "transparent" mode passes
 *    uncompressed data through unchanged: we cannot peek at a pipe.
 *  - several inputs, merged by timestamp: each input holds at most one
 *    pending packet, which lives in that handle's own buffer (libpcap's
 *    or pcap_reader's) and stays valid until that same handle is read
 *    again.
 *  - the BPF filter is compiled per input (its link type) and run here with
 *    pcap_offline_filter(), the same bpf_filter() pcap_setfilter() would run
 *    inside pcap_next_ex(), so that packet numbers and byte offsets in error
 *    reports count every packet of the file, filtered or not.
 */
#define _GNU_SOURCE

#include "core/capture.h"
#include "core/capture_int.h"
#include "core/pcap_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

/* stdio buffer per input: fewer read() calls than the 4 KiB default. */
#define CAPTURE_STDIO_BUF (64u * 1024u)
/* zlib's own input buffer for .gz inputs. */
#define CAPTURE_GZ_BUF (256u * 1024u)

/* A gzip stream behind a FILE*. Owned by that FILE*: fclose frees it. */
struct gz_cookie {
	gzFile gz;
	int64_t pos;		/* decompressed bytes handed to stdio */
	char err[128];		/* zlib's message once gzread failed */
};

enum input_state { INPUT_NEED, INPUT_PENDING, INPUT_DONE };

struct capture_input {
	char *path;			/* owned copy */
	pcap_t *pcap;			/* owns fp; NULL once reader took over */
	FILE *fp;
	struct gz_cookie *gz;		/* NULL for plain files; owned by fp */
	char *iobuf;			/* fp's stdio buffer, owned; freed after pcap_close */
	struct bpf_program prog;
	bool has_prog;
	int linktype;
	uint64_t size;			/* file size, if size_known */
	bool size_known;		/* a regular, uncompressed file */
	int64_t pos;			/* offset after the last record read */
	bool classic;			/* plain pcap: offsets are counted, not asked */
	uint32_t snapshot;		/* libpcap's snapshot length (pcap_snapshot) */
	struct pcap_reader reader;	/* owned, when own_reader */
	bool own_reader;		/* records come from reader, not from pcap */
	uint64_t number;		/* records read so far (filtered ones too) */
	enum input_state state;
	struct pcap_pkthdr hdr;		/* the pending packet */
	const uint8_t *data;		/* in pcap's buffer or in reader's */
};

struct capture {
	struct capture_input *in;	/* owned array of n inputs */
	size_t n;
	size_t usable;		/* inputs that opened */
	uint64_t handed_out;	/* packets returned by capture_next */
};

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

__attribute__((format(printf, 5, 6))) static void
set_error(struct capture_error *err, const char *path, uint64_t packet,
	  int64_t offset, const char *fmt, ...)
{
	if (!err)
		return;
	copy_str(err->path, sizeof err->path, path);
	err->bad_filter = false;
	err->not_capture = false;
	err->packet = packet;
	err->offset = offset;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof err->reason, fmt, ap);
	va_end(ap);
}

static ssize_t gz_cookie_read(void *cookie, char *buf, size_t size)
{
	struct gz_cookie *g = cookie;
	if (size > (1u << 30))
		size = 1u << 30;
	int n = gzread(g->gz, buf, (unsigned)size);
	if (n < 0) {
		int code;
		const char *msg = gzerror(g->gz, &code);
		copy_str(g->err, sizeof g->err, msg ? msg : "read error");
		errno = EIO;
		return -1;
	}
	g->pos += n;
	return n;
}

/* Only ftell's question (where am I?) is answered; the stream never seeks. */
static int gz_cookie_seek(void *cookie, off64_t *offset, int whence)
{
	struct gz_cookie *g = cookie;
	if (whence == SEEK_CUR && *offset == 0) {
		*offset = g->pos;
		return 0;
	}
	errno = ESPIPE;
	return -1;
}

static int gz_cookie_close(void *cookie)
{
	struct gz_cookie *g = cookie;
	int r = gzclose_r(g->gz);
	free(g);
	return r == Z_OK ? 0 : -1;
}

/* Wraps fd (taken over, also on failure) in a FILE* that gunzips. */
static FILE *gz_fdopen(int fd, struct gz_cookie **out)
{
	struct gz_cookie *g = calloc(1, sizeof *g);
	if (!g) {
		close(fd);
		return NULL;
	}
	g->gz = gzdopen(fd, "rb");
	if (!g->gz) {
		close(fd);
		free(g);
		return NULL;
	}
	gzbuffer(g->gz, CAPTURE_GZ_BUF);
	cookie_io_functions_t io = {
		.read = gz_cookie_read,
		.write = NULL,
		.seek = gz_cookie_seek,
		.close = gz_cookie_close,
	};
	FILE *fp = fopencookie(g, "rb", io);
	if (!fp) {
		gzclose_r(g->gz);
		free(g);
		return NULL;
	}
	*out = g;
	return fp;
}

/* Opens the byte stream of one input: a FILE* positioned at offset 0. */
static int input_open_stream(struct capture_input *in,
			     struct capture_error *err)
{
	if (strcmp(in->path, "-") == 0) {
		int fd = dup(STDIN_FILENO);
		if (fd < 0) {
			set_error(err, in->path, 0, -1, "%s", strerror(errno));
			return -1;
		}
		in->fp = gz_fdopen(fd, &in->gz);
	} else {
		int fd = open(in->path, O_RDONLY);
		if (fd < 0) {
			set_error(err, in->path, 0, -1, "%s", strerror(errno));
			return -1;
		}
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			set_error(err, in->path, 0, -1, "%s", strerror(EISDIR));
			return -1;
		}
		uint8_t magic[2];
		bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
		bool gzip = regular && pread(fd, magic, 2, 0) == 2 &&
			    magic[0] == 0x1f && magic[1] == 0x8b;
		if (gzip || !regular) {
			/* A FIFO cannot be peeked: let zlib decide, as for stdin. */
			in->fp = gz_fdopen(fd, &in->gz);
		} else {
			in->size = (uint64_t)st.st_size;
			in->size_known = true;
			in->fp = fdopen(fd, "rb");
			if (!in->fp)
				close(fd);
		}
	}
	if (!in->fp) {
		set_error(err, in->path, 0, -1, "%s",
			  errno ? strerror(errno) : "cannot open");
		return -1;
	}
	in->iobuf = malloc(CAPTURE_STDIO_BUF);
	if (in->iobuf)
		setvbuf(in->fp, in->iobuf, _IOFBF, CAPTURE_STDIO_BUF);
	return 0;
}

/*
 * Hands a plain pcap file over to pcap_reader once libpcap has read its
 * header. libpcap's handle is no longer needed then: the filter is
 * compiled, and the reader keeps the file open (or mapped) itself.
 */
static void input_take_over(struct capture_input *in, enum capture_reader reader)
{
	if (!in->classic || !in->size_known)
		return;
	enum pcap_reader_source source =
		reader == CAPTURE_READER_MAP ? PCAP_READER_MAP : PCAP_READER_BUFFER;
	if (pcap_reader_open(&in->reader, fileno(in->fp), in->size, in->linktype,
			     (int)in->snapshot, source) < 0)
		return;
	in->own_reader = true;
	pcap_close(in->pcap);	/* fcloses fp */
	in->pcap = NULL;
	in->fp = NULL;
	free(in->iobuf);
	in->iobuf = NULL;
}

static int input_open(struct capture_input *in, const char *bpf,
		      enum capture_reader reader, struct capture_error *err)
{
	if (input_open_stream(in, err) < 0)
		return -1;

	if (in->size_known && in->size == 0) {
		fclose(in->fp);
		in->fp = NULL;
		set_error(err, in->path, 0, 0, "empty file, not a capture");
		if (err)
			err->not_capture = true;
		return -1;
	}
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	in->pcap = pcap_fopen_offline_with_tstamp_precision(
		in->fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (!in->pcap) {
		char gzerr[sizeof in->gz->err] = "";
		if (in->gz)
			copy_str(gzerr, sizeof gzerr, in->gz->err);
		fclose(in->fp);	/* libpcap leaves it open on failure */
		in->fp = NULL;
		in->gz = NULL;
		if (gzerr[0])
			set_error(err, in->path, 0, -1, "gzip: %s", gzerr);
		else if (strcmp(errbuf, "unknown file format") == 0)
			set_error(err, in->path, 0, 0,
				  "not a pcap or pcapng capture (unknown file format)");
		else
			set_error(err, in->path, 0, -1, "%s", errbuf);
		/* libpcap read a header it does not know, or one cut short:
		 * either way the file opened and is not a capture. */
		if (err && !gzerr[0])
			err->not_capture = true;
		return -1;
	}
	in->linktype = pcap_datalink(in->pcap);
	in->pos = ftello(in->fp);
	/* A classic pcap header is 24 bytes; pcapng's first blocks are
	 * longer. Counting record sizes then saves an lseek() per packet. */
	in->classic = in->pos == 24 && !in->gz;
	in->snapshot = (uint32_t)pcap_snapshot(in->pcap);

	if (bpf && *bpf) {
		if (pcap_compile(in->pcap, &in->prog, bpf, 1,
				 PCAP_NETMASK_UNKNOWN) < 0) {
			set_error(err, in->path, 0, -1, "bad filter '%s': %s", bpf,
				  pcap_geterr(in->pcap));
			if (err)
				err->bad_filter = true;
			return -1;
		}
		in->has_prog = true;
	}
	if (reader != CAPTURE_READER_LIBPCAP)
		input_take_over(in, reader);
	in->state = INPUT_NEED;
	return 0;
}

static void input_close(struct capture_input *in)
{
	if (in->has_prog)
		pcap_freecode(&in->prog);
	if (in->own_reader)
		pcap_reader_close(&in->reader);
	if (in->pcap)
		pcap_close(in->pcap);	/* fcloses fp, which frees gz */
	else if (in->fp)
		fclose(in->fp);
	free(in->iobuf);
	free(in->path);
}

static struct capture *open_inputs(const char *const *paths, size_t n_paths, const char *bpf,
				   enum capture_reader reader, capture_report_fn *report,
				   void *ctx, struct capture_error *err)
{
	struct capture *c = calloc(1, sizeof *c);
	if (!c) {
		set_error(err, n_paths ? paths[0] : "", 0, -1, "out of memory");
		return NULL;
	}
	c->in = calloc(n_paths ? n_paths : 1, sizeof *c->in);
	if (!c->in) {
		free(c);
		set_error(err, n_paths ? paths[0] : "", 0, -1, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n_paths; i++) {
		struct capture_input *in = &c->in[i];
		c->n = i + 1;
		in->path = strdup(paths[i]);
		if (!in->path) {
			set_error(err, paths[i], 0, -1, "out of memory");
			capture_close(c);
			return NULL;
		}
		if (input_open(in, bpf, reader, err) < 0) {
			if (!report || (err && err->bad_filter)) {
				capture_close(c);
				return NULL;
			}
			err->input = i;
			report(ctx, err);
			/* Left out: whatever the failed open kept is let go now,
			 * the path stays for the input's index. */
			char *path = in->path;
			in->path = NULL;
			input_close(in);
			memset(in, 0, sizeof *in);
			in->path = path;
			in->state = INPUT_DONE;
			continue;
		}
		c->usable++;
	}
	return c;
}

struct capture *capture_open_reader(const char *const *paths, size_t n_paths,
				    const char *bpf, enum capture_reader reader,
				    struct capture_error *err)
{
	return open_inputs(paths, n_paths, bpf, reader, NULL, NULL, err);
}

struct capture *capture_open(const char *const *paths, size_t n_paths,
			     const char *bpf, struct capture_error *err)
{
	return open_inputs(paths, n_paths, bpf, CAPTURE_READER_BEST, NULL, NULL, err);
}

struct capture *capture_open_each(const char *const *paths, size_t n_paths, const char *bpf,
				  capture_report_fn *report, void *ctx, struct capture_error *err)
{
	struct capture_error scratch;
	if (!err)
		err = &scratch;
	return open_inputs(paths, n_paths, bpf, CAPTURE_READER_BEST, report, ctx, err);
}

size_t capture_usable(const struct capture *c)
{
	return c->usable;
}

void capture_counts(const struct capture *c, uint64_t *records, uint64_t *packets)
{
	uint64_t r = 0;
	for (size_t i = 0; i < c->n; i++)
		r += c->in[i].number;
	*records = r;
	*packets = c->handed_out;
}

const char *capture_input_path(const struct capture *c, size_t input)
{
	return input < c->n && c->in[input].path ? c->in[input].path : "";
}

int64_t capture_input_offset(const struct capture *c, size_t input)
{
	return input < c->n ? c->in[input].pos : -1;
}

enum capture_reader capture_input_reader(const struct capture *c, size_t i)
{
	if (i >= c->n || !c->in[i].own_reader)
		return CAPTURE_READER_LIBPCAP;
	return pcap_reader_mapped(&c->in[i].reader) ? CAPTURE_READER_MAP
						     : CAPTURE_READER_BEST;
}

/*
 * The next record of a libpcap input, filtered or not, into in->hdr and
 * in->data. 1: read; 0: end of input; -1: damaged (err filled).
 */
static int input_next_pcap(struct capture_input *in, struct capture_error *err)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int r = pcap_next_ex(in->pcap, &hdr, &data);
	if (r == 1) {
		/* A record at the snapshot length may have been cut to it,
		 * and then its size in the file is unknown here. */
		if (in->classic && hdr->caplen < in->snapshot)
			in->pos += 16 + (int64_t)hdr->caplen;
		else
			in->pos = ftello(in->fp);
		in->hdr = *hdr;
		in->data = data;
		return 1;
	}
	if (r == PCAP_ERROR_BREAK) {
		/* zlib reports a cut-off gzip stream as a short read. */
		int code = Z_OK;
		if (in->gz)
			gzerror(in->gz->gz, &code);
		if (code == Z_BUF_ERROR) {
			set_error(err, in->path, in->number + 1, in->pos,
				  "gzip: unexpected end of file");
			return -1;
		}
		return 0;
	}
	if (in->gz && in->gz->err[0])
		set_error(err, in->path, in->number + 1, in->pos, "gzip: %s",
			  in->gz->err);
	else
		set_error(err, in->path, in->number + 1, in->pos, "%s",
			  pcap_geterr(in->pcap));
	return -1;
}

/* The same through pcap_reader. */
static int input_next_own(struct capture_input *in, struct capture_error *err)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	int r = pcap_reader_next(&in->reader, &in->hdr, &in->data, errbuf);
	if (r < 0)
		set_error(err, in->path, in->number + 1, in->pos, "%s", errbuf);
	else
		in->pos = (int64_t)in->reader.pos;
	return r;
}

/*
 * Reads the next packet of one input that passes the filter.
 * 1: pending packet set; 0: end of input; -1: damaged (err filled).
 */
static int input_read(struct capture_input *in, struct capture_error *err)
{
	for (;;) {
		int r = in->own_reader ? input_next_own(in, err)
				       : input_next_pcap(in, err);
		if (r <= 0)
			return r;
		in->number++;
		if (!in->has_prog ||
		    pcap_offline_filter(&in->prog, &in->hdr, in->data))
			return 1;
	}
}

static bool ts_before(const struct pcap_pkthdr *a, const struct pcap_pkthdr *b)
{
	if (a->ts.tv_sec != b->ts.tv_sec)
		return a->ts.tv_sec < b->ts.tv_sec;
	return a->ts.tv_usec < b->ts.tv_usec;
}

int capture_next(struct capture *c, struct capture_packet *pkt,
		 struct capture_error *err)
{
	struct capture_input *best = NULL;
	for (size_t i = 0; i < c->n; i++) {
		struct capture_input *in = &c->in[i];
		if (in->state == INPUT_NEED) {
			int r = input_read(in, err);
			if (r <= 0) {
				in->state = INPUT_DONE;
				if (r < 0)
					return -1;
				continue;
			}
			in->state = INPUT_PENDING;
		}
		/* Strictly earlier only: a tie goes to the earlier input. */
		if (in->state == INPUT_PENDING &&
		    (!best || ts_before(&in->hdr, &best->hdr)))
			best = in;
	}
	if (!best)
		return 0;
	pkt->tv_sec = (int64_t)best->hdr.ts.tv_sec;
	pkt->tv_usec = (int64_t)best->hdr.ts.tv_usec;
	pkt->caplen = best->hdr.caplen;
	pkt->wirelen = best->hdr.len;
	pkt->data = best->data;
	pkt->linktype = best->linktype;
	pkt->input = (size_t)(best - c->in);
	pkt->number = best->number;
	best->state = INPUT_NEED;	/* read again on the next call, not now */
	c->handed_out++;
	return 1;
}

void capture_progress(const struct capture *c, uint64_t *done, uint64_t *total)
{
	uint64_t d = 0, t = 0;
	bool unknown = false;
	for (size_t i = 0; i < c->n; i++) {
		const struct capture_input *in = &c->in[i];
		if (in->pos > 0)
			d += (uint64_t)in->pos;
		if (!in->size_known)
			unknown = true;
		t += in->size;
	}
	*done = d;
	*total = unknown ? 0 : t;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		input_close(&c->in[i]);
	free(c->in);
	free(c);
}
