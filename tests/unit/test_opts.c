/*
 * Unit tests for opts.c: reading a table from argv and the environment,
 * and the duration and count syntaxes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "opts.h"

#define ARGV(...)	((char *const *)(const char *const[]){ "prog", \
			    __VA_ARGS__, NULL })
#define ENVP(...)	((char *const *)(const char *const[]){ __VA_ARGS__, \
			    NULL })

struct dur_case {
	const char	*in;
	unsigned	 ms;	/* UINT32_MAX: refused */
};

static const struct dur_case dur_cases[] = {
	{ "250ms", 250 }, { "2s", 2000 }, { "1m", 60000 }, { "5", 5000 },
	{ "0", 0 }, { "1h", 3600000 }, { "24h", 86400000 },
	/* Go's forms: decimals, compounds, a bare decimal is seconds. */
	{ "1.5s", 1500 }, { "1m30s", 90000 }, { "0.5", 500 },
	{ "1h30m", 5400000 }, { "2m33s", 153000 }, { "1.25s", 1250 },
	{ ".5s", 500 }, { "5.s", 5000 }, { "0.5m", 30000 }, { "1.5h", 5400000 },
	{ "1h0m0s", 3600000 }, { "1m30.5s", 90500 }, { "0.001s", 1 },
	{ "1.000000000000s", 1000 }, { "23h59m59.999s", 86399999 },
	{ "0s", 0 }, { "0ms", 0 }, { "1s500ms", 1500 },
	/* Refused: */
	{ "25h", UINT32_MAX }, { "abc", UINT32_MAX }, { "", UINT32_MAX },
	{ "2 s", UINT32_MAX }, { "-1s", UINT32_MAX }, { "+1s", UINT32_MAX },
	{ "10sec", UINT32_MAX }, { "99999999999999999999", UINT32_MAX },
	{ "1m30", UINT32_MAX },		/* a bare number only on its own */
	{ "1.5ms", UINT32_MAX },	/* finer than a millisecond */
	{ "0.0001s", UINT32_MAX }, { "1.0000000001s", UINT32_MAX },
	{ ".", UINT32_MAX }, { ".s", UINT32_MAX }, { "s", UINT32_MAX },
	{ "1..5s", UINT32_MAX }, { "1.5.5s", UINT32_MAX },
	{ "1us", UINT32_MAX }, { "1d", UINT32_MAX }, { "1s ", UINT32_MAX },
	{ " 1s", UINT32_MAX }, { "24h1ms", UINT32_MAX },
	{ "23h60m1s", UINT32_MAX }, { "86400.001", UINT32_MAX },
	{ "86400", 86400000 },
};

static void
test_opts_parse_duration_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dur_cases) / sizeof(dur_cases[0]);
	    i++) {
		unsigned ms = 7;
		const char *err = opts_parse_duration(dur_cases[i].in, &ms);

		if (dur_cases[i].ms == UINT32_MAX) {
			if (err == NULL)
				fail_msg("\"%s\" accepted as %u ms",
				    dur_cases[i].in, ms);
		} else {
			if (err)
				fail_msg("\"%s\": %s", dur_cases[i].in, err);
			assert_int_equal(ms, dur_cases[i].ms);
		}
	}
}

/* What is printed is read back the same: every ms of the first minutes,
 * then a walk across the whole range. */
static void
test_opts_format_duration_reads_back_the_same(void **state)
{
	static const struct {
		unsigned	 ms;
		const char	*text;
	} cases[] = {
		{ 0, "0s" }, { 1, "1ms" }, { 250, "250ms" }, { 999, "999ms" },
		{ 1000, "1s" }, { 1500, "1.5s" }, { 1250, "1.25s" },
		{ 1001, "1.001s" }, { 60000, "1m" }, { 90000, "1m30s" },
		{ 153000, "2m33s" }, { 90500, "1m30.5s" }, { 3600000, "1h" },
		{ 5400000, "1h30m" }, { 3601000, "1h1s" },
		{ 86400000, "24h" }, { 86399999, "23h59m59.999s" },
	};
	char buf[OPTS_DURATION_LEN];
	unsigned back;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		opts_format_duration(cases[i].ms, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
	for (unsigned ms = 0; ms <= OPTS_DURATION_MAX;
	    ms += ms < 200000 ? 1 : 7919) {
		back = UINT32_MAX;
		opts_format_duration(ms, buf, sizeof(buf));
		if (opts_parse_duration(buf, &back) != NULL || back != ms)
			fail_msg("%u ms prints \"%s\", read back as %u", ms,
			    buf, back);
	}
	/* A short buffer is cut, never overrun. */
	opts_format_duration(86399999, buf, 6);
	assert_int_equal(strlen(buf), 5);
}

static void
test_opts_parse_count_table(void **state)
{
	static const struct {
		const char	*in;
		unsigned	 n;	/* UINT32_MAX: refused */
	} cases[] = {
		{ "0", 0 }, { "7", 7 }, { "1000000", 1000000 },
		{ "1000001", UINT32_MAX }, { "", UINT32_MAX },
		{ "-1", UINT32_MAX }, { "1x", UINT32_MAX }, { " 1", UINT32_MAX },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned n = 7;
		const char *err = opts_parse_count(cases[i].in, &n);

		if (cases[i].n == UINT32_MAX)
			assert_non_null(err);
		else {
			assert_null(err);
			assert_int_equal(n, cases[i].n);
		}
	}
}

struct fields {
	unsigned	 wait_ms;
	unsigned	 tries;
};

static const struct opts_def tab[] = {
	{ "--wait", "T_WAIT", opts_set_duration, offsetof(struct fields,
	    wait_ms), 1, 60000, false, "D", "how long" },
	{ "--wait-more", NULL, opts_set_duration, offsetof(struct fields,
	    wait_ms), 1000, 60000, true, "D", "how long, whole seconds" },
	{ "--tries", "T_TRIES", opts_set_count, offsetof(struct fields,
	    tries), 1, 10, false, "N", "how often" },
};

#define NTAB	(sizeof(tab) / sizeof(tab[0]))

/* Takes every word of argv, as a caller's loop would. */
static enum opts_result
take_all(char *const argv[], struct fields *f, char *err, size_t errlen)
{
	struct opts_ctx ctx = { .fields = f };
	enum opts_result r = OPTS_TAKEN;
	int argc = 0;

	while (argv[argc])
		argc++;
	for (int i = 1; i < argc && r == OPTS_TAKEN; i++)
		r = opts_take(tab, NTAB, argc, argv, &i, &ctx, err, errlen);
	return r;
}

static void
test_opts_take_both_forms_and_the_longer_flag(void **state)
{
	struct fields f = { 0, 0 };
	char err[128];

	(void)state;
	assert_int_equal(take_all(ARGV("--wait=2s", "--tries", "3"), &f, err,
	    sizeof(err)), OPTS_TAKEN);
	assert_int_equal(f.wait_ms, 2000);
	assert_int_equal(f.tries, 3);
	/* "--wait-more" is its own flag, not "--wait" with a tail. */
	assert_int_equal(take_all(ARGV("--wait-more", "5s"), &f, err,
	    sizeof(err)), OPTS_TAKEN);
	assert_int_equal(f.wait_ms, 5000);
	assert_int_equal(take_all(ARGV("--waiting=1s"), &f, err, sizeof(err)),
	    OPTS_UNKNOWN);
}

static void
test_opts_take_refusals_name_flag_and_value(void **state)
{
	static const struct {
		const char	*arg, *val;
		const char	*err;
	} cases[] = {
		{ "--tries", NULL, "--tries: needs a value" },
		{ "--tries", "11", "--tries: \"11\" is not within 1-10" },
		{ "--tries", "x", "--tries: \"x\" is not a number" },
		{ "--wait", "0", "--wait: \"0\" must be above zero" },
		{ "--wait", "2m", "--wait: \"2m\" is not within 1ms-1m" },
		{ "--wait-more", "1500ms",
		    "--wait-more: \"1500ms\" is not whole seconds" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fields f = { 0, 0 };
		char err[128] = "";
		char *argv[] = { (char *)(uintptr_t)"prog",
		    (char *)(uintptr_t)cases[i].arg,
		    (char *)(uintptr_t)cases[i].val, NULL };

		assert_int_equal(take_all(argv, &f, err, sizeof(err)),
		    OPTS_ERROR);
		assert_string_equal(err, cases[i].err);
	}
}

static void
test_opts_from_env_reads_each_variable(void **state)
{
	struct fields f = { 0, 0 };
	struct opts_ctx ctx = { .fields = &f };
	char err[128];

	(void)state;
	assert_true(opts_from_env(tab, NTAB, ENVP("T_WAITX=1s", "T_WAIT=3s",
	    "T_TRIES=4"), &ctx, err, sizeof(err)));
	assert_int_equal(f.wait_ms, 3000);
	assert_int_equal(f.tries, 4);
	assert_false(opts_from_env(tab, NTAB, ENVP("T_TRIES=0"), &ctx, err,
	    sizeof(err)));
	assert_string_equal(err, "T_TRIES: \"0\" is not within 1-10");
	assert_null(opts_env(ENVP("T_WAITX=1s"), "T_WAIT"));
	assert_string_equal(opts_env(ENVP("T_WAIT="), "T_WAIT"), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_parse_duration_table),
		cmocka_unit_test(test_opts_format_duration_reads_back_the_same),
		cmocka_unit_test(test_opts_parse_count_table),
		cmocka_unit_test(test_opts_take_both_forms_and_the_longer_flag),
		cmocka_unit_test(test_opts_take_refusals_name_flag_and_value),
		cmocka_unit_test(test_opts_from_env_reads_each_variable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
