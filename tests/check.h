/*
 * A tiny test harness. Each test program includes this once, calls the
 * CHECK macros from its test functions, and returns check_summary() from
 * main(), which prints "N passed, N failed" as its last line.
 */
#ifndef SMTPLOG_TESTS_CHECK_H
#define SMTPLOG_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond) {                                                  \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, \
				__LINE__, #cond);                            \
		}                                                            \
	} while (0)

/* Compares a byte range with a NUL-terminated expectation. */
#define CHECK_BYTES(ptr, len, expect)                                        \
	do {                                                                 \
		const char *check_e_ = (expect);                             \
		size_t check_el_ = strlen(check_e_), check_l_ = (len);       \
		if (check_l_ == check_el_ &&                                 \
		    memcmp((ptr), check_e_, check_el_) == 0) {               \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: got \"%.*s\", want \"%s\"\n", \
				__FILE__, __LINE__, (int)check_l_,           \
				(const char *)(ptr), check_e_);              \
		}                                                            \
	} while (0)

#define CHECK_STR(got, expect) CHECK_BYTES((got), strlen(got), (expect))

static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
