/* Zeek's ASCII (TSV) log writer (§1), with LogAscii's separators and
 * markers from the log_format (its defaults when none were given). */
#ifndef SMTPLOG_OUTPUT_TSV_H
#define SMTPLOG_OUTPUT_TSV_H

#include "core/log.h"

extern const struct log_writer_ops tsv_writer_ops;

#endif
