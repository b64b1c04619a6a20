/* Zeek's ASCII (TSV) log writer with LogAscii's defaults (§1). */
#ifndef SMTPLOG_OUTPUT_TSV_H
#define SMTPLOG_OUTPUT_TSV_H

#include "core/log.h"

extern const struct log_writer_ops tsv_writer_ops;

#endif
