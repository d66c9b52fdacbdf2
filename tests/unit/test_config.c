/*
 * Unit tests for config.c: every flag and variable, good and bad values,
 * and which one wins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"

/* Literals are const under -Wwrite-strings; config_load never writes. */
#define ARGV(...)	((char *const *)(const char *const[]){ "healthgate", \
			    __VA_ARGS__, NULL })
#define ENVP(...)	((char *const *)(const char *const[]){ __VA_ARGS__, \
			    NULL })

static char *const no_env[] = { NULL };

static enum config_result
load(struct config *c, char *const argv[], char *const envp[], char *err)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	err[0] = '\0';
	return config_load(c, argc, argv, envp, err);
}

static void
test_config_defaults(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(&c, ARGV(NULL), no_env, err), CONFIG_OK);
	assert_string_equal(c.listen_host, "");
	assert_int_equal(c.listen_port, 8081);
	assert_int_equal(c.interval_ms, 2000);
	assert_int_equal(c.timeout_ms, 1000);
	assert_int_equal(c.rise, 1);
	assert_int_equal(c.fall, 1);
	assert_int_equal(c.drain_timeout_ms, 30000);
	assert_int_equal(c.drain_fall, 2);
	assert_int_equal(c.drain_window_ms, 15000);
	/* A load balancer on the same host probes from loopback. */
	assert_int_equal(c.ndrain_ignore, 0);
	assert_int_equal(c.nchecks, 0);
	assert_int_equal(c.log_format, LOG_FORMAT_TEXT);
	assert_null(c.app_argv);
	assert_int_equal(c.drain_linger_ms, 2000);
	assert_int_equal(c.stop_signal, SIGTERM);
	assert_int_equal(c.stop_timeout_ms, 10000);
	config_free(&c);
}

static void
test_config_flag_wins_over_env(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(&c, ARGV("--interval", "5s", "--listen=:9"),
	    ENVP("HEALTHGATE_INTERVAL=3s", "HEALTHGATE_LISTEN=127.0.0.1:7",
	    "HEALTHGATE_DRAIN_FALL=4"), err), CONFIG_OK);
	assert_int_equal(c.interval_ms, 5000);
	assert_int_equal(c.listen_port, 9);
	assert_int_equal(c.drain_fall, 4);
	config_free(&c);
}

struct bad_case {
	char *const	*argv;
	char *const	*envp;
	const char	*err;	/* exact message */
};

static void
test_config_refuses_bad_values_naming_flag_and_value(void **state)
{
	const struct bad_case cases[] = {
		{ ARGV("--interval", "abc"), no_env,
		    "--interval: \"abc\" is not a duration" },
		{ ARGV("--timeout=0"), no_env,
		    "--timeout: \"0\" must be above zero" },
		{ ARGV("--rise", "0"), no_env,
		    "--rise: \"0\" is not within 1-100" },
		{ ARGV("--drain-fall", "x"), no_env,
		    "--drain-fall: \"x\" is not a number" },
		{ ARGV("--listen", "8081"), no_env, "--listen: \"8081\" is not "
		    "ADDR:PORT (127.0.0.1:8081, [::1]:8081, :8081)" },
		{ ARGV("--drain-ignore", "10.0.0.0/33"), no_env,
		    "--drain-ignore: \"10.0.0.0/33\" is not a list of CIDR "
		    "blocks (or none)" },
		{ ARGV("--log-format", "xml"), no_env,
		    "--log-format: \"xml\" is not text or json" },
		{ ARGV("--check", "ftp://x"), no_env, "--check: \"ftp://x\" "
		    "has an unknown scheme (use http://, https://, tcp://, "
		    "tls://, grpc://, grpcs:// or exec:)" },
		{ ARGV("--bogus"), no_env,
		    "unknown option \"--bogus\" (see --help)" },
		{ ARGV("--interval"), no_env, "--interval: needs a value" },
		{ ARGV("--stop-signal", "SIGNOPE"), no_env,
		    "--stop-signal: \"SIGNOPE\" is not a signal (SIGTERM, "
		    "TERM, 15)" },
		{ ARGV(NULL), ENVP("HEALTHGATE_STOP_SIGNAL=99"),
		    "HEALTHGATE_STOP_SIGNAL: \"99\" is not a signal (SIGTERM, "
		    "TERM, 15)" },
		{ ARGV("--drain-linger", "1x"), no_env,
		    "--drain-linger: \"1x\" is not a duration" },
		{ ARGV(NULL), ENVP("HEALTHGATE_STOP_TIMEOUT=soon"),
		    "HEALTHGATE_STOP_TIMEOUT: \"soon\" is not a duration" },
		{ ARGV("--drain-fall", "2", "--"), no_env, "--: needs a "
		    "command after it (healthgate [options] -- COMMAND "
		    "[ARGS...])" },
		{ ARGV("--", ""), no_env, "--: needs a command after it "
		    "(healthgate [options] -- COMMAND [ARGS...])" },
		{ ARGV(NULL), ENVP("HEALTHGATE_FALL=-1"),
		    "HEALTHGATE_FALL: \"-1\" is not a number" },
		{ ARGV(NULL), ENVP("HEALTHGATE_CHECKS=tcp://1.2.3.4"),
		    "HEALTHGATE_CHECKS: \"tcp://1.2.3.4\" missing :PORT" },
		{ ARGV("--timeout", "2s"), no_env,
		    "--timeout: 2s must be below --interval (2s)" },
		{ ARGV("--check", "tcp://10.0.0.256:1"), no_env,
		    "--check: \"tcp://10.0.0.256:1\" host is neither an IP "
		    "address nor a host name" },
		{ ARGV("--check", "http://-app:1/"), no_env,
		    "--check: \"http://-app:1/\" host name label starts with "
		    "'-'" },
		{ ARGV("--check", "tcp://a:1", "--check", "tcp://a:1"), no_env,
		    "--check: \"tcp://a:1\" repeats the name \"tcp-a-1\" "
		    "(give it NAME=)" },
		{ ARGV("--check", "tcp://127.0.0.1:1", "--check",
		    "tcp://127.0.0.1:1"), no_env, "--check: "
		    "\"tcp://127.0.0.1:1\" repeats the name "
		    "\"tcp-127.0.0.1-1\" (give it NAME=)" },
		{ ARGV("--app-port", "0"), no_env, "--app-port: \"0\" is not "
		    "a list of ports 1-65535 (or none)" },
		{ ARGV("--app-port", "65536"), no_env, "--app-port: \"65536\" "
		    "is not a list of ports 1-65535 (or none)" },
		{ ARGV("--app-port", "80,"), no_env, "--app-port: \"80,\" is "
		    "not a list of ports 1-65535 (or none)" },
		{ ARGV("--app-port", "80 81"), no_env, "--app-port: \"80 81\" "
		    "is not a list of ports 1-65535 (or none)" },
		{ ARGV(NULL), ENVP("HEALTHGATE_APP_PORTS=http"),
		    "HEALTHGATE_APP_PORTS: \"http\" is not a list of ports "
		    "1-65535 (or none)" },
		{ ARGV("--app-port", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,"
		    "17"), no_env, "--app-port: \"1,2,3,4,5,6,7,8,9,10,11,12,13,"
		    "14,15,16,17\" has more than 16 ports" },
		{ ARGV("--drain-quiet", "0"), no_env,
		    "--drain-quiet: \"0\" must be above zero" },
		{ ARGV("--drain-quiet", "sometimes"), no_env,
		    "--drain-quiet: \"sometimes\" is not a duration" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		char err[CONFIG_ERR_MAX];

		assert_int_equal(load(&c, cases[i].argv, cases[i].envp, err),
		    CONFIG_ERROR);
		assert_string_equal(err, cases[i].err);
		/* Nothing half-configured is left to free. */
		assert_null(c.checks);
		assert_null(c.drain_ignore);
	}
}

/* --app-port and --drain-quiet: lists, none, auto, and their defaults. */
static void
test_config_app_ports_and_quiet(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(&c, ARGV(NULL), no_env, err), CONFIG_OK);
	assert_false(c.app_ports_set);
	assert_int_equal(c.drain_quiet_ms, 0);
	config_free(&c);
	assert_int_equal(load(&c, ARGV("--app-port", " 8080 , 8443",
	    "--drain-quiet", "1.5s"), no_env, err), CONFIG_OK);
	assert_true(c.app_ports_set);
	assert_int_equal(c.napp_ports, 2);
	assert_int_equal(c.app_ports[0], 8080);
	assert_int_equal(c.app_ports[1], 8443);
	assert_int_equal(c.drain_quiet_ms, 1500);
	config_free(&c);
	assert_int_equal(load(&c, ARGV("--drain-quiet", "auto"),
	    ENVP("HEALTHGATE_APP_PORTS=none", "HEALTHGATE_DRAIN_QUIET=3s"),
	    err), CONFIG_OK);
	assert_true(c.app_ports_set);
	assert_int_equal(c.napp_ports, 0);
	assert_int_equal(c.drain_quiet_ms, 0);
	config_free(&c);
}

static void
test_config_help_and_version(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(&c, ARGV("--help"), no_env, err), CONFIG_HELP);
	assert_int_equal(load(&c, ARGV("--version"), no_env, err),
	    CONFIG_VERSION);
}

static void
test_config_drain_ignore_none_watches_everyone(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(&c, ARGV("--drain-ignore", "none"), no_env, err),
	    CONFIG_OK);
	assert_int_equal(c.ndrain_ignore, 0);
	config_free(&c);
	assert_int_equal(load(&c, ARGV("--drain-ignore",
	    "10.0.0.0/8,fd00::/8,192.0.2.1"), no_env, err), CONFIG_OK);
	assert_int_equal(c.ndrain_ignore, 3);
	config_free(&c);
}

static void
test_config_check_specs_and_names(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(&c, ARGV("--interval", "5s", "--check",
	    "app=http://127.0.0.1:8080/healthz?expect=200-399&timeout=2s&x=1",
	    "--check", "tcp://[::1]:5432?rise=3", "--check",
	    "exec?fall=2:/bin/true  a   b"), no_env, err), CONFIG_OK);
	assert_int_equal(c.nchecks, 3);

	assert_string_equal(c.checks[0].name, "app");
	assert_int_equal(c.checks[0].kind, CHECK_SPEC_HTTP);
	assert_string_equal(c.checks[0].host, "127.0.0.1");
	assert_int_equal(c.checks[0].port, 8080);
	assert_string_equal(c.checks[0].path, "/healthz?x=1");
	assert_int_equal(c.checks[0].expect_lo, 200);
	assert_int_equal(c.checks[0].expect_hi, 399);
	assert_int_equal(c.checks[0].timeout_ms, 2000);
	assert_int_equal(c.checks[0].interval_ms, 5000);	/* inherited */

	assert_string_equal(c.checks[1].name, "tcp-__1-5432");
	assert_string_equal(c.checks[1].host, "::1");
	assert_int_equal(c.checks[1].rise, 3);

	assert_string_equal(c.checks[2].name, "exec-true");
	assert_int_equal(c.checks[2].fall, 2);
	assert_string_equal(c.checks[2].argv[0], "/bin/true");
	assert_string_equal(c.checks[2].argv[1], "a");
	assert_string_equal(c.checks[2].argv[2], "b");
	assert_null(c.checks[2].argv[3]);
	config_free(&c);
}

/* Names are taken as they are: looked up when the check runs. */
static void
test_config_check_hosts_may_be_names(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(&c, ARGV("--check", "http://app:8080/health",
	    "--check", "tcp://db.internal:5432"), no_env, err), CONFIG_OK);
	assert_int_equal(c.nchecks, 2);
	assert_string_equal(c.checks[0].host, "app");
	assert_string_equal(c.checks[0].name, "http-app-8080");
	assert_string_equal(c.checks[1].host, "db.internal");
	assert_int_equal(c.checks[1].port, 5432);
	assert_string_equal(c.checks[1].name, "tcp-db.internal-5432");
	config_free(&c);
}

static void
test_config_check_flags_replace_env_list(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(&c, ARGV(NULL),
	    ENVP("HEALTHGATE_CHECKS=a=tcp://127.0.0.1:1,b=exec:/bin/true"), err),
	    CONFIG_OK);
	assert_int_equal(c.nchecks, 2);
	assert_string_equal(c.checks[1].name, "b");
	config_free(&c);
	assert_int_equal(load(&c, ARGV("--check", "c=tcp://127.0.0.1:2"),
	    ENVP("HEALTHGATE_CHECKS=a=tcp://127.0.0.1:1"), err), CONFIG_OK);
	assert_int_equal(c.nchecks, 1);
	assert_string_equal(c.checks[0].name, "c");
	config_free(&c);
}

/* The format a refusal goes out in, whatever config_load refuses. */
static void
test_config_log_format_asked_reads_past_a_refusal(void **state)
{
	(void)state;
	assert_int_equal(config_log_format_asked(3, ARGV("--interval", "abc"),
	    no_env), LOG_FORMAT_TEXT);
	assert_int_equal(config_log_format_asked(4, ARGV("--interval", "abc",
	    "--log-format=json"), no_env), LOG_FORMAT_JSON);
	assert_int_equal(config_log_format_asked(1, ARGV(NULL),
	    ENVP("HEALTHGATE_LOG_FORMAT=json")), LOG_FORMAT_JSON);
	assert_int_equal(config_log_format_asked(3, ARGV("--log-format", "xml"),
	    ENVP("HEALTHGATE_LOG_FORMAT=json")), LOG_FORMAT_JSON);
	assert_int_equal(config_log_format_asked(3, ARGV("--log-format", "text"),
	    ENVP("HEALTHGATE_LOG_FORMAT=json")), LOG_FORMAT_TEXT);
	/* A value that merely looks like the flag is a value. */
	assert_int_equal(config_log_format_asked(4, ARGV("--check",
	    "--log-format", "json"), no_env), LOG_FORMAT_TEXT);
	assert_int_equal(config_log_format_asked(2, ARGV("--log-format"),
	    no_env), LOG_FORMAT_TEXT);
}

/* Lists as a user types them: a space after each comma. */
static void
test_config_lists_trim_spaces_around_items(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(&c, ARGV(NULL), ENVP("HEALTHGATE_CHECKS="
	    "a=tcp://127.0.0.1:1, b=exec:/bin/true ,  c = tcp://[::1]:2, "),
	    err), CONFIG_OK);
	assert_int_equal(c.nchecks, 3);
	assert_string_equal(c.checks[0].name, "a");
	assert_string_equal(c.checks[1].name, "b");
	assert_string_equal(c.checks[2].name, "c");
	assert_string_equal(c.checks[2].host, "::1");
	config_free(&c);
	assert_int_equal(load(&c, ARGV("--drain-ignore",
	    "10.0.0.0/8, fd00::/8 ,192.0.2.1"), no_env, err), CONFIG_OK);
	assert_int_equal(c.ndrain_ignore, 3);
	config_free(&c);
	assert_int_equal(load(&c, ARGV(NULL), ENVP("HEALTHGATE_CHECKS="
	    "a=tcp://127.0.0.1:1, my:app=http://127.0.0.1:2/"), err),
	    CONFIG_ERROR);
	assert_non_null(strstr(err, "HEALTHGATE_CHECKS: \" my:app=http://"
	    "127.0.0.1:2/\" has a name that is not one"));
}

static void
test_config_check_bad_specs_table(void **state)
{
	static const char *const bad[] = {
		"http://127.0.0.1:80/?expect=99",
		"http://127.0.0.1:80/?expect=300-200",
		"http://127.0.0.1:80/?timeout=5s",	/* not below 2s */
		"http://127.0.0.1:80/?rise=0",
		"http://app..internal/",
		"tcp://10.0.0.256:1",
		"tcp://127.0.0.1:80/path",
		"tcp://127.0.0.1:80?method=GET",
		"tcp://127.0.0.1:0",
		"exec:",
		"exec:   ",
		"exec?rise=x:/bin/true",
		"exec?interval=1s",
		"execute:/bin/true",
		"=tcp://127.0.0.1:1",
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config c;
		char err[CONFIG_ERR_MAX];

		if (load(&c, ARGV("--check", bad[i]), no_env, err) !=
		    CONFIG_ERROR)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(strstr(err, "--check: \""));
	}
}

static void
test_config_command_after_double_dash(void **state)
{
	char *const *argv = ARGV("--drain-linger", "500ms", "--", "app",
	    "--interval", "x", "--");
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	/* After "--" everything is the app's, its own flags included. */
	assert_int_equal(load(&c, argv, ENVP("HEALTHGATE_STOP_SIGNAL=quit",
	    "HEALTHGATE_STOP_TIMEOUT=3s"), err), CONFIG_OK);
	assert_ptr_equal(c.app_argv, argv + 4);
	assert_string_equal(c.app_argv[0], "app");
	assert_string_equal(c.app_argv[2], "x");
	assert_null(c.app_argv[4]);
	assert_int_equal(c.drain_linger_ms, 500);
	assert_int_equal(c.stop_signal, SIGQUIT);
	assert_int_equal(c.stop_timeout_ms, 3000);
	assert_int_equal(c.interval_ms, 2000);
	config_free(&c);
	assert_int_equal(load(&c, ARGV("--stop-signal", "9",
	    "--stop-timeout=0", "--drain-linger", "0"), no_env, err),
	    CONFIG_OK);
	assert_int_equal(c.stop_signal, SIGKILL);
	assert_int_equal(c.stop_timeout_ms, 0);
	assert_int_equal(c.drain_linger_ms, 0);
	assert_null(c.app_argv);
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_flag_wins_over_env),
		cmocka_unit_test(
		    test_config_refuses_bad_values_naming_flag_and_value),
		cmocka_unit_test(test_config_app_ports_and_quiet),
		cmocka_unit_test(test_config_help_and_version),
		cmocka_unit_test(test_config_drain_ignore_none_watches_everyone),
		cmocka_unit_test(test_config_check_specs_and_names),
		cmocka_unit_test(test_config_check_hosts_may_be_names),
		cmocka_unit_test(test_config_check_flags_replace_env_list),
		cmocka_unit_test(test_config_check_bad_specs_table),
		cmocka_unit_test(test_config_command_after_double_dash),
		cmocka_unit_test(test_config_lists_trim_spaces_around_items),
		cmocka_unit_test(
		    test_config_log_format_asked_reads_past_a_refusal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
