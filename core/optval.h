/*
 * Zeek option values as written on its command line (NAME=VALUE), for
 * cmd/ and for the options analyzers declare in their descriptors: one
 * reading of T/F, counts and intervals for every option.
 */
#ifndef SMTPLOG_CORE_OPTVAL_H
#define SMTPLOG_CORE_OPTVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* T or F (also true, false). 0, or -1 for anything else. */
int optval_bool(const char *v, bool *out);
/* A count: decimal digits only, no sign, no overflow. 0 or -1. */
int optval_count(const char *v, uint64_t *out);
/* A count within [lo, hi]; out of range: -1 with why saying the range and
 * the reason given (e.g. "smtplog's memory bound, see README, Limits"). */
int optval_count_in(const char *v, uint64_t lo, uint64_t hi, const char *reason, uint64_t *out,
		    char *why, size_t cap);
/* An interval: a decimal number and a unit, "0secs", "1 day", "2.5hrs". */
int optval_interval(const char *v, double *out);
/* One of names[0..n): its index. 0 or -1. */
int optval_enum(const char *v, const char *const *names, size_t n, int *out);

#endif
