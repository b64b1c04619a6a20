/*
 * Capture input: one or more files (classic pcap in either byte order,
 * micro- or nanosecond, pcapng, any of them gzip-compressed, or "-" for
 * standard input), read through libpcap and merged into one stream by
 * timestamp; a regular, uncompressed classic pcap file is read by
 * core/pcap_reader.c instead, faster, with the same packets and reports.
 * Damage is reported as data; this module never prints.
 */
#ifndef SMTPLOG_CORE_CAPTURE_H
#define SMTPLOG_CORE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capture;

struct capture_packet {
	int64_t tv_sec;
	int64_t tv_usec;	/* libpcap's microseconds (ns files are scaled by libpcap) */
	uint32_t caplen;
	uint32_t wirelen;
	const uint8_t *data;	/* valid until the next capture_next(); not aligned */
	int linktype;		/* DLT_* */
	size_t input;		/* index into the paths given to capture_open */
	uint64_t number;	/* 1-based packet number within that input */
};

/* What went wrong, where: for the one message cmd/ prints. */
struct capture_error {
	bool bad_filter;	/* the BPF expression, not the input, is at fault */
	bool not_capture;	/* the input opened but is not a capture (or empty) */
	size_t input;		/* which one, for capture_open_each's report */
	char path[512];
	uint64_t packet;	/* 0 when not about a packet */
	int64_t offset;		/* byte offset in the (decompressed) file, -1 unknown */
	char reason[256];
};

/*
 * Opens every input and compiles the BPF filter (NULL: none) for each.
 * Returns NULL and fills *err when an input cannot be opened or is not a
 * capture, or when the filter does not compile.
 */
struct capture *capture_open(const char *const *paths, size_t n_paths,
			     const char *bpf, struct capture_error *err);

/*
 * capture_open(), except that an input that cannot be opened or is not a
 * capture is left out: report(ctx, e) hears about each such input, and
 * the others are read. NULL (with *err) only when the filter does not
 * compile or memory runs out; a capture of no usable input is returned
 * (capture_usable() says 0).
 */
typedef void capture_report_fn(void *ctx, const struct capture_error *e);
struct capture *capture_open_each(const char *const *paths, size_t n_paths, const char *bpf,
				  capture_report_fn *report, void *ctx, struct capture_error *err);

/* Inputs that opened as captures. */
size_t capture_usable(const struct capture *c);

/* Where reading stands: records read from the files (filtered ones too)
 * and packets handed out by capture_next(). */
void capture_counts(const struct capture *c, uint64_t *records, uint64_t *packets);

/* The input a packet came from, for messages ("" past the last), and the
 * byte offset reading has reached in it (-1 unknown). */
const char *capture_input_path(const struct capture *c, size_t input);
int64_t capture_input_offset(const struct capture *c, size_t input);

/*
 * The next packet that passes the filter, in timestamp order across
 * inputs (ties: the earlier input on the command line; within one input,
 * file order even when time goes backwards).
 * Returns 1 with *pkt filled, 0 at the end of all inputs, or -1 when an
 * input turned out damaged: *err says where; that input is finished and
 * the other inputs continue on the following calls.
 */
int capture_next(struct capture *c, struct capture_packet *pkt,
		 struct capture_error *err);

/* Bytes consumed so far and the total (0 if unknown, e.g. stdin or .gz)
 * for the progress line. */
void capture_progress(const struct capture *c, uint64_t *done, uint64_t *total);

void capture_close(struct capture *c);

#endif
