/*
 * Number text exactly as Zeek's log writers produce it, beyond the fixed
 * notation of core/numtext.h. Every function
 * writes into a caller's array (no allocation, no NUL unless stated) and
 * returns the number of bytes written.
 */
#ifndef SMTPLOG_OUTPUT_NUMFMT_H
#define SMTPLOG_OUTPUT_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/numtext.h"

/* Room for any result below (and for core/numtext.h's). */
#define NUMFMT_MAX NUMTEXT_MAX

/*
 * JSON number as RapidJSON's Writer::Double writes it (Grisu2 + Prettify,
 * maxDecimalPlaces 324): "100.0", "-0.0", "1e-7", "1.79e308". NaN and
 * infinities give "null", as Zeek's NullDoubleWriter does.
 */
size_t numfmt_format_json_double(double v, char *out);

/* JSON::TS_ISO8601 without quotes: "2008-07-09T16:13:30.005432Z". */
size_t numfmt_format_iso8601(double t, char *out);

/* JSON::TS_MILLIS: int64 of t * 1000 truncated toward zero. Out-of-range
 * and NaN give INT64_MIN (what the x86 conversion Zeek relies on yields). */
int64_t numfmt_millis(double t);

#endif
