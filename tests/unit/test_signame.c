/*
 * Unit tests for signame.c: names and numbers both ways, good and bad.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <cmocka.h>

#include "signame.h"

static void
test_signame_parse_table(void **state)
{
	static const struct {
		const char	*in;
		int		 sig;	/* 0: refused */
	} cases[] = {
		{ "SIGTERM", SIGTERM }, { "TERM", SIGTERM }, { "term", SIGTERM },
		{ "sigquit", SIGQUIT }, { "SIGINT", SIGINT }, { "15", SIGTERM },
		{ "9", SIGKILL }, { "SIGUSR2", SIGUSR2 }, { "WINCH", SIGWINCH },
		{ "", 0 }, { "SIG", 0 }, { "SIGTERMX", 0 }, { "TERM ", 0 },
		{ "0", 0 }, { "99", 0 }, { "1x", 0 }, { "-15", 0 },
		{ "99999999999", 0 }, { "SIGRTMIN", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int sig = -1;
		const char *err = signame_parse(cases[i].in, &sig);

		if (cases[i].sig == 0) {
			if (err == NULL)
				fail_msg("\"%s\" accepted as %d", cases[i].in,
				    sig);
			assert_int_equal(sig, -1);
		} else {
			if (err != NULL)
				fail_msg("\"%s\": %s", cases[i].in, err);
			assert_int_equal(sig, cases[i].sig);
		}
	}
}

static void
test_signame_name_round_trips(void **state)
{
	(void)state;
	assert_string_equal(signame_name(SIGTERM), "SIGTERM");
	assert_string_equal(signame_name(SIGKILL), "SIGKILL");
	assert_null(signame_name(0));
	assert_null(signame_name(SIGRTMIN));
	for (int sig = 1; sig < 32; sig++) {
		const char *n = signame_name(sig);
		int back = 0;

		if (n == NULL)
			continue;
		assert_null(signame_parse(n, &back));
		assert_int_equal(back, sig);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signame_parse_table),
		cmocka_unit_test(test_signame_name_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
