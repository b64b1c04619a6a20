/*
 * Number text exactly as Zeek's log writers produce it. Every function
 * writes into a caller's array (no allocation, no NUL unless stated) and
 * returns the number of bytes written.
 */
#ifndef SMTPLOG_OUTPUT_NUMFMT_H
#define SMTPLOG_OUTPUT_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Room for any result below: DBL_MAX in fixed notation is 309 digits. */
#define NUMFMT_MAX 336

/* Decimal integers. */
size_t numfmt_format_u64(uint64_t v, char *out);
size_t numfmt_format_i64(int64_t v, char *out);

/*
 * TSV time and interval: printf("%.6f"), correctly rounded from the binary
 * value (Zeek's std::to_chars(fixed, 6)). -0.0 prints "-0.000000";
 * non-finite values print nan, -nan, inf, -inf.
 */
size_t numfmt_format_fixed6(double v, char *out);

/* TSV double (§1.6, ODesc::Add(double, no_exp=true)): "1.123457",
 * "50000.0", "-0.0" for tiny negatives, nan/inf/-inf. */
size_t numfmt_format_double(double v, char *out);

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
