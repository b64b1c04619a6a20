/*
 * smtplog diff A B: compares two folders of Zeek logs (each log TSV or
 * JSON, gzipped or not) record by record and field by field, the way
 * Zeek's test canonifier compares them (#open/#close masked; optionally
 * the ts field, random UIDs and file IDs, line order, named fields).
 * See smtplog(1), DIFF.
 */
#ifndef SMTPLOG_CMD_DIFF_H
#define SMTPLOG_CMD_DIFF_H

/* argv[0] is "diff". Returns the exit status: 0 the same, 1 different,
 * 2 an error (bad usage, an unreadable folder or file, a malformed log). */
int diff_main(int argc, char **argv);

#endif
