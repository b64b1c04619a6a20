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

size_t limits_take_string(struct limits_budget *b, size_t n)
{
	size_t k = limits_allowed(n, LIMITS_FIELD_STRING_BYTES,
				  LIMITS_TOTAL_STRING_BYTES, b->string_bytes);
	if (k < n)
		b->truncations++;
	b->string_bytes += k;
	return k;
}

size_t limits_take_container(struct limits_budget *b, size_t n)
{
	size_t k = limits_allowed(n, LIMITS_FIELD_CONTAINER_ELEMENTS,
				  LIMITS_TOTAL_CONTAINER_ELEMENTS,
				  b->container_elements);
	if (k < n)
		b->truncations++;
	b->container_elements += k;
	return k;
}
