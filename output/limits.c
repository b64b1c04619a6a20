#include "output/limits.h"

/* Manager.cc calculate_allowed(): the field cap, then what the record's
 * total has left. */
static size_t limits_allowed(size_t n, size_t field_max, size_t total_max,
			     size_t used)
{
	size_t allowed = n < field_max ? n : field_max;
	size_t left = total_max - used;
	return allowed < left ? allowed : left;
}

static size_t cap_or(size_t v, size_t dflt)
{
	return v ? v : dflt;
}

void limits_begin(struct limits_budget *b, const struct log_format *fmt)
{
	b->string_bytes = 0;
	b->container_elements = 0;
	b->truncations = 0;
	b->field_string = cap_or(fmt ? fmt->max_field_string_bytes : 0, LIMITS_FIELD_STRING_BYTES);
	b->total_string = cap_or(fmt ? fmt->max_total_string_bytes : 0, LIMITS_TOTAL_STRING_BYTES);
	b->field_container = cap_or(fmt ? fmt->max_field_container_elements : 0,
				    LIMITS_FIELD_CONTAINER_ELEMENTS);
	b->total_container = cap_or(fmt ? fmt->max_total_container_elements : 0,
				    LIMITS_TOTAL_CONTAINER_ELEMENTS);
}

size_t limits_take_string(struct limits_budget *b, size_t n)
{
	size_t k = limits_allowed(n, b->field_string, b->total_string, b->string_bytes);
	if (k < n)
		b->truncations++;
	b->string_bytes += k;
	return k;
}

size_t limits_take_container(struct limits_budget *b, size_t n)
{
	size_t k = limits_allowed(n, b->field_container, b->total_container,
				  b->container_elements);
	if (k < n)
		b->truncations++;
	b->container_elements += k;
	return k;
}
