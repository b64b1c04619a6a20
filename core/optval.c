#include "core/optval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int optval_bool(const char *v, bool *out)
{
	if (strcmp(v, "T") == 0 || strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "F") == 0 || strcmp(v, "false") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

int optval_count(const char *v, uint64_t *out)
{
	if (!*v)
		return -1;
	uint64_t n = 0;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9' || n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*out = n;
	return 0;
}

int optval_count_in(const char *v, uint64_t lo, uint64_t hi, const char *reason, uint64_t *out,
		    char *why, size_t cap)
{
	if (optval_count(v, out) != 0)
		return -1;
	if (*out < lo || *out > hi) {
		snprintf(why, cap, "%llu to %llu (%s)", (unsigned long long)lo,
			 (unsigned long long)hi, reason);
		return -1;
	}
	return 0;
}

int optval_interval(const char *v, double *out)
{
	static const struct {
		const char *unit;
		double secs;
	} units[] = {
	    {"usec", 1e-6}, {"usecs", 1e-6}, {"msec", 1e-3}, {"msecs", 1e-3}, {"sec", 1},
	    {"secs", 1},    {"min", 60},     {"mins", 60},   {"hr", 3600},    {"hrs", 3600},
	    {"day", 86400}, {"days", 86400},
	};
	/* Decimal only (digits, a point, an exponent): strtod alone would
	 * also take hex, "inf" and "nan". The number is read from a copy of
	 * just that span, so that the unit ("mins") is never part of it. */
	size_t len = 0;
	while ((v[len] >= '0' && v[len] <= '9') || v[len] == '.')
		len++;
	if (len && (v[len] == 'e' || v[len] == 'E')) {
		size_t e = len + 1;
		if (v[e] == '+' || v[e] == '-')
			e++;
		if (v[e] >= '0' && v[e] <= '9') {
			while (v[e] >= '0' && v[e] <= '9')
				e++;
			len = e;
		}
	}
	char num[64];
	if (len == 0 || len >= sizeof num)
		return -1;
	memcpy(num, v, len);
	num[len] = '\0';
	char *end;
	double n = strtod(num, &end);
	if (*end || !isfinite(n))
		return -1;
	end = (char *)v + len;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (!strcmp(end, units[i].unit)) {
			*out = n * units[i].secs;
			return 0;
		}
	}
	return -1;
}

int optval_enum(const char *v, const char *const *names, size_t n, int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	return -1;
}
