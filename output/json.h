/* Zeek's JSON log writer (LogAscii::use_json = T, §2): one object a line,
 * no header or footer. */
#ifndef SMTPLOG_OUTPUT_JSON_H
#define SMTPLOG_OUTPUT_JSON_H

#include "core/log.h"

extern const struct log_writer_ops json_writer_ops;

#endif
