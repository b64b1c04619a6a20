/*
 * Content-based MIME type detection, as Zeek's file analysis does it
 * (zeek-core-spec §5.5): Zeek ignores libmagic and matches its own
 * "file-magic" signatures against the first bytes of a file, the BOF
 * buffer. Each signature is anchored at offset 0 and matches if some prefix
 * of the buffer fits it; every matching signature carries a MIME type and a
 * strength. The highest strength wins; among equal strengths the byte-wise
 * smallest type string wins. No match leaves files.log's mime_type unset.
 *
 * The rule table in magic.c restates those facts (byte patterns, offsets,
 * strengths, types) for smtplog. No allocation, no global mutable state.
 */
#ifndef SMTPLOG_CORE_MAGIC_H
#define SMTPLOG_CORE_MAGIC_H

#include <stddef.h>
#include <stdint.h>

/* Zeek's `default_file_bof_buffer_size`: detection sees at most this many
 * leading bytes of a file. */
#define MAGIC_BOF_SIZE 4096

/*
 * Returns the MIME type Zeek's signatures give to a file whose first bytes
 * are bof[0..len), or NULL when no signature matches (Zeek then leaves
 * mime_type unset; it never says application/octet-stream). Only the first
 * MAGIC_BOF_SIZE bytes are looked at. The string is static.
 */
const char *magic_mime_type(const uint8_t *bof, size_t len);

/* The type the i-th rule gives (types repeat), or NULL past the last:
 * for the check of -x's list. */
const char *magic_rule_type(size_t i);

/*
 * The same answer, faster, for a whole run: the rules are indexed by the
 * first byte they require (most begin with a literal at offset 0), and the
 * answers for the last few distinct buffers are remembered (mail repeats
 * the same attachments, logos and signatures). Built once per run; NULL
 * when memory runs out. Not for concurrent use.
 */
struct magic_index;
struct magic_index *magic_index_new(void);
void magic_index_free(struct magic_index *x);
const char *magic_mime_type_indexed(struct magic_index *x, const uint8_t *bof, size_t len);

#endif
