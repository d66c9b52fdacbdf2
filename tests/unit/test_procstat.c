/*
 * Unit tests for procstat_parse: the fields of /proc/PID/stat counted
 * from the command's last ')', whatever the command name holds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "procstat.h"

static bool
parse(const char *s, struct procstat_raw *r)
{
	return procstat_parse(s, strlen(s), r);
}

static void
test_procstat_parse_fields(void **state)
{
	/* A real line's shape: pid (comm) state, then fields 4 on. */
	static const char line[] = "4242 (healthgate) S 1 4242 4242 0 -1 "
	    "4194560 300 0 0 0 17 5 0 0 20 0 1 0 123456 12345678 789 "
	    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
	struct procstat_raw r;

	(void)state;
	assert_true(parse(line, &r));
	assert_int_equal(r.utime, 17);
	assert_int_equal(r.stime, 5);
	assert_int_equal(r.starttime, 123456);
	assert_int_equal(r.vsize, 12345678);
	assert_int_equal(r.rss, 789);
}

static void
test_procstat_parse_odd_names_and_bad_text(void **state)
{
	/* A command named "a) b (c" must not shift the fields. */
	static const char odd[] = "7 (a) b (c) R 1 2 3 4 5 6 7 8 9 10 11 "
	    "12 13 14 15 16 17 18 19 20 21";
	static const char *const bad[] = {
		"", "7 healthgate R 1", "7 (x)", "7 (x) R 1 2 3",
		"7 (x) R 1 2 3 4 5 6 7 8 9 10 -3 12 13 14 15 16 17 18 19 20 21",
		"7 (x) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 x",
	};
	struct procstat_raw r;

	(void)state;
	assert_true(parse(odd, &r));
	assert_int_equal(r.utime, 11);
	assert_int_equal(r.stime, 12);
	assert_int_equal(r.starttime, 19);
	assert_int_equal(r.vsize, 20);
	assert_int_equal(r.rss, 21);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(parse(bad[i], &r));
}

static void
test_procstat_read_this_process(void **state)
{
	struct procstat ps;

	(void)state;
	assert_true(procstat_read(&ps));
	assert_true(ps.resident_bytes > 0);
	assert_true(ps.virtual_bytes >= ps.resident_bytes);
	assert_true(ps.open_fds >= 3);
	assert_true(ps.start_time > 1.5e9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_procstat_parse_fields),
		cmocka_unit_test(test_procstat_parse_odd_names_and_bad_text),
		cmocka_unit_test(test_procstat_read_this_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
