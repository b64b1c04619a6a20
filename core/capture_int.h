/*
 * For the tests of core/capture.c only: a choice of reader, so that a test
 * can read the same file through core/pcap_reader.c, in both of its ways,
 * and through libpcap, and compare the streams. cmd/ uses capture_open(),
 * which picks the best.
 */
#ifndef SMTPLOG_CORE_CAPTURE_INT_H
#define SMTPLOG_CORE_CAPTURE_INT_H

#include <stddef.h>

#include "core/capture.h"

enum capture_reader {
	CAPTURE_READER_BEST,    /* pcap_reader's buffer wherever it applies */
	CAPTURE_READER_MAP,     /* pcap_reader's mapping (the file must not
				 * shrink while it is read: SIGBUS) */
	CAPTURE_READER_LIBPCAP, /* pcap_next_ex for every input */
};

struct capture *capture_open_reader(const char *const *paths, size_t n_paths, const char *bpf,
				    enum capture_reader reader, struct capture_error *err);

/* The reader input i got: LIBPCAP where pcap_reader declined the file. */
enum capture_reader capture_input_reader(const struct capture *c, size_t i);

#endif
