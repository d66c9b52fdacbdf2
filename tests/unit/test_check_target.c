/*
 * Unit tests for check_target.c, the name step of socket checks: the
 * resolver (resolve_start/resolve_cancel) is this file's fake (so the
 * linker never takes resolve.o), the clock and the log the shared fake
 * loop's (fake_loop.c, through -Wl,--wrap=), so a test
 * says when a lookup answers, with what, and what time it is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "check_target.h"
#include "fake_loop.h"
#include "resolve.h"

/* --- the fake world ------------------------------------------------ */

struct resolve_query {
	resolve_cb	 cb;
	void		*arg;
	bool		 live;
};
static struct resolve_query queries[16];
static unsigned nqueries, ncancelled;

/* What the run was given. */
static unsigned ngiven;
static char given[ADDR_STR_MAX + 160];

struct resolve_query *
resolve_start(struct resolver *r, const char *name, resolve_cb cb, void *arg)
{
	struct resolve_query *q = &queries[nqueries++];

	(void)r;
	assert_string_equal(name, "app");
	assert_true(nqueries < 16);
	q->cb = cb;
	q->arg = arg;
	q->live = true;
	return q;
}

void
resolve_cancel(struct resolve_query *q)
{
	if (q == NULL)
		return;
	q->live = false;
	ncancelled++;
}

/* The last lookup answers: addresses (NULL-terminated) or a failure. */
static void
answer(const char *why, unsigned ttl, const char *const *ips)
{
	struct resolve_query *q = &queries[nqueries - 1];
	struct resolve_result res;

	assert_true(q->live);
	memset(&res, 0, sizeof(res));
	res.ok = why == NULL;
	res.ttl = ttl;
	if (why)
		snprintf(res.why, sizeof(res.why), "%s", why);
	for (; ips && *ips; ips++)
		assert_null(addr_parse_ip(*ips, &res.addrs[res.n++]));
	q->live = false;
	q->cb(q->arg, &res);
}

static void
then(struct check *c, const struct sockaddr_storage *ss, socklen_t len,
    const char *why)
{
	char a[ADDR_STR_MAX];

	(void)c;
	(void)len;
	ngiven++;
	if (ss == NULL) {
		snprintf(given, sizeof(given), "why %s", why);
		return;
	}
	addr_format_sockaddr((const struct sockaddr *)ss, a, sizeof(a));
	snprintf(given, sizeof(given), "%s", a);
}

struct fixture {
	struct check_spec spec;
	struct check	 c;
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	snprintf(f.spec.name, sizeof(f.spec.name), "web");
	f.spec.kind = CHECK_SPEC_TCP;
	snprintf(f.spec.host, sizeof(f.spec.host), "app");
	f.spec.port = 8080;
	f.c.spec = &f.spec;
	f.c.resolver = (struct resolver *)&f;	/* never looked into */
	fake_loop_reset(100.0);
	nqueries = ncancelled = ngiven = 0;
	given[0] = '\0';
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	check_target_free(&f->c);
	return 0;
}

static const char *const one[] = { "10.0.0.2", NULL };
static const char *const other[] = { "10.0.0.3", NULL };

/* --- the tests ------------------------------------------------------ */

static void
test_check_target_literal_host_needs_no_lookup(void **state)
{
	struct fixture *f = *state;
	unsigned long long l, fl;

	snprintf(f->spec.host, sizeof(f->spec.host), "127.0.0.1");
	check_target_get(&f->c, then);
	assert_int_equal(ngiven, 1);
	assert_string_equal(given, "127.0.0.1:8080");
	assert_int_equal(nqueries, 0);
	assert_false(check_target_counts(&f->c, &l, &fl));
}

static void
test_check_target_name_is_looked_up_then_kept_for_its_ttl(void **state)
{
	struct fixture *f = *state;
	unsigned long long l, fl;

	assert_true(check_target_counts(&f->c, &l, &fl));	/* 0, 0 */
	assert_int_equal(l, 0);
	check_target_get(&f->c, then);
	assert_int_equal(nqueries, 1);
	assert_int_equal(ngiven, 0);			/* the run waits */
	assert_true(check_target_waiting(&f->c));
	answer(NULL, 5, one);
	assert_int_equal(ngiven, 1);
	assert_string_equal(given, "10.0.0.2:8080");
	assert_false(check_target_waiting(&f->c));
	assert_int_equal(fake_loop_nlogged, 1);
	assert_string_equal(fake_loop_logged[0], "1 check_address name=web host=app "
	    "addr=10.0.0.2 addrs=1 ttl=5");

	fake_loop_now = 104.9;				/* within the TTL */
	check_target_get(&f->c, then);
	assert_int_equal(nqueries, 1);
	assert_int_equal(ngiven, 2);

	fake_loop_now = 105.0;				/* expired */
	check_target_get(&f->c, then);
	assert_int_equal(nqueries, 2);
	answer(NULL, 5, one);
	assert_int_equal(ngiven, 3);
	assert_int_equal(fake_loop_nlogged, 1);			/* same answer: quiet */
	assert_true(check_target_counts(&f->c, &l, &fl));
	assert_int_equal(l, 2);
	assert_int_equal(fl, 0);
}

static void
test_check_target_changed_answer_is_used_and_logged_once(void **state)
{
	struct fixture *f = *state;

	check_target_get(&f->c, then);
	answer(NULL, 1, one);
	fake_loop_now += 1.0;
	check_target_get(&f->c, then);
	answer(NULL, 1, other);
	assert_string_equal(given, "10.0.0.3:8080");
	assert_int_equal(fake_loop_nlogged, 2);
	assert_string_equal(fake_loop_logged[1], "1 check_address name=web host=app "
	    "addr=10.0.0.3 was=10.0.0.2 addrs=1 ttl=1");
	fake_loop_now += 1.0;
	check_target_get(&f->c, then);
	answer(NULL, 1, other);
	assert_int_equal(fake_loop_nlogged, 2);
}

static void
test_check_target_failed_lookup_fails_the_run_and_is_asked_again(
    void **state)
{
	struct fixture *f = *state;
	unsigned long long l, fl;

	check_target_get(&f->c, then);
	answer("no such name", 0, NULL);
	assert_int_equal(ngiven, 1);
	assert_string_equal(given, "why resolve app: no such name");
	check_target_get(&f->c, then);			/* no negative cache */
	assert_int_equal(nqueries, 2);
	answer(NULL, 30, one);
	assert_string_equal(given, "10.0.0.2:8080");
	assert_true(check_target_counts(&f->c, &l, &fl));
	assert_int_equal(l, 2);
	assert_int_equal(fl, 1);
}

static void
test_check_target_run_that_timed_out_leaves_the_lookup_to_the_next(
    void **state)
{
	struct fixture *f = *state;

	check_target_get(&f->c, then);
	assert_true(check_target_waiting(&f->c));
	check_target_stop(&f->c);			/* the deadline */
	assert_false(check_target_waiting(&f->c));
	fake_loop_now += 2.0;
	check_target_get(&f->c, then);			/* the next run */
	assert_int_equal(nqueries, 1);			/* joins it */
	answer(NULL, 30, one);
	assert_int_equal(ngiven, 1);			/* once, to the new run */

	/* An answer that comes when no run waits is still kept. */
	check_target_free(&f->c);
	setup(state);
	f = *state;
	check_target_get(&f->c, then);
	check_target_stop(&f->c);
	answer(NULL, 30, one);
	assert_int_equal(ngiven, 0);
	check_target_get(&f->c, then);
	assert_int_equal(nqueries, 1);
	assert_int_equal(ngiven, 1);
	assert_string_equal(given, "10.0.0.2:8080");
}

static void
test_check_target_failed_connect_asks_again_within_the_ttl(void **state)
{
	struct fixture *f = *state;

	check_target_get(&f->c, then);
	answer(NULL, 300, one);
	check_target_failed(&f->c);
	check_target_get(&f->c, then);
	assert_int_equal(nqueries, 2);
	answer(NULL, 300, other);
	assert_string_equal(given, "10.0.0.3:8080");
}

static void
test_check_target_free_cancels_the_lookup(void **state)
{
	struct fixture *f = *state;

	check_target_get(&f->c, then);
	check_target_free(&f->c);
	assert_int_equal(ncancelled, 1);
	assert_false(queries[0].live);
	assert_null(f->c.target);
}

static void
test_check_target_without_a_resolver_fails_the_run(void **state)
{
	struct fixture *f = *state;

	f->c.resolver = NULL;
	check_target_get(&f->c, then);
	assert_int_equal(ngiven, 1);
	assert_string_equal(given, "why resolve app: no resolver (c-ares did "
	    "not start)");
	assert_int_equal(nqueries, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_check_target_literal_host_needs_no_lookup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_target_name_is_looked_up_then_kept_for_its_ttl,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_target_changed_answer_is_used_and_logged_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_target_failed_lookup_fails_the_run_and_is_asked_again,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_target_run_that_timed_out_leaves_the_lookup_to_the_next,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_target_failed_connect_asks_again_within_the_ttl,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_target_free_cancels_the_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_target_without_a_resolver_fails_the_run, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
