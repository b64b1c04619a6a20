/*
 * Number text exactly as Zeek prints it in fixed notation: integers,
 * printf("%.6f") and ODesc::Add(double). Every function writes into a
 * caller's array (no allocation, no NUL) and returns the bytes written.
 * The writers' other number forms (JSON doubles, ISO 8601) are in
 * output/numfmt.h.
 */
#ifndef SMTPLOG_CORE_NUMTEXT_H
#define SMTPLOG_CORE_NUMTEXT_H

#include <stddef.h>
#include <stdint.h>

/* Room for any result below: DBL_MAX in fixed notation is 309 digits. */
#define NUMTEXT_MAX 336

/* Decimal integers. */
size_t numtext_u64(uint64_t v, char *out);
size_t numtext_i64(int64_t v, char *out);

/*
 * TSV time and interval: printf("%.6f"), correctly rounded from the binary
 * value (Zeek's std::to_chars(fixed, 6)). -0.0 prints "-0.000000";
 * non-finite values print nan, -nan, inf, -inf.
 */
size_t numtext_fixed6(double v, char *out);

/* TSV double (§1.6, ODesc::Add(double, no_exp=true)): "1.123457",
 * "50000.0", "-0.0" for tiny negatives, nan/inf/-inf. */
size_t numtext_double(double v, char *out);

/* Room for numtext_cat_time()'s text and a NUL. */
#define NUMTEXT_CAT_MAX 40

/*
 * A time as Zeek's cat() prints it, in file handles and in extracted
 * files' names (core spec §4.7: util::double_to_str(d, 6, no_exp=false)
 * and ODesc's ".0"): "%.6f" with trailing zeros and a bare '.' cut, ".0"
 * when integral ("1400168396.80601", "1400000000.0"); the shortest
 * scientific above 2^31-1 and the shortest %g below 1e-6; nan, inf,
 * -inf. out holds NUMTEXT_CAT_MAX bytes; no NUL is added.
 */
size_t numtext_cat_time(double t, char *out);

#endif
