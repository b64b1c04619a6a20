/*
 * For the tests of core/capture.c only: a choice of reader, so that a test
 * can read the same file through the mapping and through libpcap and
 * compare the two streams. cmd/ uses capture_open(), which picks the best.
 */
#ifndef SMTPLOG_CORE_CAPTURE_INT_H
#define SMTPLOG_CORE_CAPTURE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/capture.h"

enum capture_reader {
	CAPTURE_READER_BEST,    /* the mapping wherever it applies (capture_open) */
	CAPTURE_READER_LIBPCAP, /* pcap_next_ex for every input */
};

struct capture *capture_open_reader(const char *const *paths, size_t n_paths, const char *bpf,
				    enum capture_reader reader, struct capture_error *err);

/* Whether input i is read through the mapping (core/capture_mmap.c). */
bool capture_input_mapped(const struct capture *c, size_t i);

#endif
