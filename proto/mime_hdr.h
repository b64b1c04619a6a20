/*
 * MIME header parameters the SMTP script reads itself: the filename of an
 * entity (spec §3.8), with RFC 2231's charset'language' prefix dropped and
 * URI escapes decoded as Zeek's extract_filename_from_content_disposition
 * does. proto/mime.c calls it for every complete header.
 */
#ifndef SMTPLOG_PROTO_MIME_HDR_H
#define SMTPLOG_PROTO_MIME_HDR_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/bytes.h"

/*
 * The SMTP script's filename rule for one header: true when the header
 * (CONTENT-DISPOSITION with filename[blanks]*= / CONTENT-TYPE with
 * name[blanks]=) sets the filename; then out receives it (reset first).
 */
bool mime_header_filename(struct bytes name, struct bytes value, struct buf *out);

#endif
