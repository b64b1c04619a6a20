/* Small helpers every fuzz target uses. */
#ifndef SMTPLOG_TESTS_FUZZ_CHECK_H
#define SMTPLOG_TESTS_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A broken promise of the code under test: abort, so that libFuzzer
 * saves the input as a crash. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz check failed: %s:%d: %s\n", __FILE__, __LINE__,      \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Where fuzz_touch() leaves its result, so that the reads are not optimised out. */
static volatile uint8_t fuzz_touched;

/* Reads every byte of a view handed out by the code under test, so that
 * ASan checks the whole range it claims. */
static inline void fuzz_touch(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= b[i];
	fuzz_touched = x;
}

#endif
