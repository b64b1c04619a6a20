/*
 * Zeek option values: T/F, counts, intervals (every unit, with and without
 * a space, exponents; hex, inf, nan and a bare unit refused), enums.
 */
#include <string.h>

#include "core/optval.h"
#include "tests/check.h"

static bool interval_is(const char *v, double want)
{
	double d = -1;
	return optval_interval(v, &d) == 0 && d == want;
}

static bool interval_refused(const char *v)
{
	double d = 0;
	return optval_interval(v, &d) == -1;
}

static void test_interval(void)
{
	CHECK(interval_is("10mins", 600));
	CHECK(interval_is("1 min", 60));
	CHECK(interval_is("2.5hrs", 9000));
	CHECK(interval_is("1day", 86400) && interval_is("3 days", 259200));
	CHECK(interval_is("0secs", 0) && interval_is("1sec", 1));
	double d = 0;
	CHECK(optval_interval("250msecs", &d) == 0 && d > 0.2499999 && d < 0.2500001);
	CHECK(optval_interval("5usec", &d) == 0 && d > 4.999e-6 && d < 5.001e-6);
	CHECK(interval_is("1e2secs", 100) && interval_is("1.5E-1 secs", 0.15));
	CHECK(interval_is(".5 hr", 1800));
	CHECK(interval_refused("0x10secs"));
	CHECK(interval_refused("inf secs") && interval_refused("nan mins"));
	CHECK(interval_refused("mins") && interval_refused("10") && interval_refused(""));
	CHECK(interval_refused("10 fortnights") && interval_refused("-5secs"));
	CHECK(interval_refused("1e400secs"));	/* not finite */
	CHECK(interval_refused("1..2secs"));
}

static void test_others(void)
{
	bool b = false;
	CHECK(optval_bool("T", &b) == 0 && b);
	CHECK(optval_bool("false", &b) == 0 && !b);
	CHECK(optval_bool("yes", &b) == -1);
	uint64_t n = 0;
	CHECK(optval_count("42", &n) == 0 && n == 42);
	CHECK(optval_count("-1", &n) == -1 && optval_count("18446744073709551616", &n) == -1);
	char why[128];
	CHECK(optval_count_in("9", 0, 8, "a test", &n, why, sizeof why) == -1 && strstr(why, "a test"));
	static const char *const names[] = {"A", "B"};
	int i = -1;
	CHECK(optval_enum("B", names, 2, &i) == 0 && i == 1);
	CHECK(optval_enum("C", names, 2, &i) == -1);
}

int main(void)
{
	test_interval();
	test_others();
	return check_summary();
}
