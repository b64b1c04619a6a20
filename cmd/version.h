/* --version: smtplog's, the libraries it runs on, and the Zeek whose logs it
 * writes. */
#ifndef SMTPLOG_CMD_VERSION_H
#define SMTPLOG_CMD_VERSION_H

#include <stdio.h>

#define SMTPLOG_VERSION "0.1.0"

void version_print(FILE *out);

#endif
