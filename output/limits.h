/*
 * Zeek's per-record logging limits (Log::default_max_* options), applied
 * to the raw values before a writer renders them: a cut string keeps its
 * first bytes, a cut container its first elements, and nothing marks the
 * cut (zeek-core-spec §1.8 "Field size limits"; Manager::ValToLogVal).
 * Only string values count; enums are not limited.
 */
#ifndef SMTPLOG_OUTPUT_LIMITS_H
#define SMTPLOG_OUTPUT_LIMITS_H

#include <stddef.h>

#define LIMITS_FIELD_STRING_BYTES 4096		/* Log::default_max_field_string_bytes */
#define LIMITS_TOTAL_STRING_BYTES 256000	/* Log::default_max_total_string_bytes */
#define LIMITS_FIELD_CONTAINER_ELEMENTS 100	/* Log::default_max_field_container_elements */
#define LIMITS_TOTAL_CONTAINER_ELEMENTS 500	/* Log::default_max_total_container_elements */

#include "core/log.h"

/* What one record has used so far, and its caps; on the writer's stack. */
struct limits_budget {
	size_t string_bytes;
	size_t container_elements;
	unsigned truncations;	/* cuts made (Zeek raises a weird for each) */
	size_t field_string, total_string, field_container, total_container;
};

/* Starts a record; fmt may be NULL (Zeek's defaults). */
void limits_begin(struct limits_budget *b, const struct log_format *fmt);

/* Bytes of an n-byte string value to keep; charges them to the record. */
size_t limits_take_string(struct limits_budget *b, size_t n);

/* Elements of an n-element set or vector to keep; charges them. */
size_t limits_take_container(struct limits_budget *b, size_t n);

#endif
