/*
 * Unit tests for answer.c: TTL floor and ceiling, which address a check
 * uses (IPv4 first, sticky, past a failed one) and when it is stale. Time
 * is whatever the test says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "answer.h"

#define MAXN	4

/* Up to MAXN addresses, NULL-terminated, into list; returns how many. */
static unsigned
addrs(struct addr *list, const char *const *s)
{
	unsigned n = 0;

	for (; *s; s++, n++)
		assert_null(addr_parse_ip(*s, &list[n]));
	return n;
}

static const char *
in_use(const struct answer *an, char *buf)
{
	const struct addr *a = answer_addr(an);

	if (a == NULL)
		return "none";
	addr_format(a, buf, ADDR_STR_MAX);
	return buf;
}

static void
test_answer_ttl_floor_and_ceiling(void **state)
{
	static const struct {
		unsigned in, out;
	} cases[] = {
		{ 0, ANSWER_TTL_FLOOR },	/* /etc/hosts */
		{ 1, 1 }, { 5, 5 }, { 300, 300 },
		{ 301, ANSWER_TTL_CEILING }, { 86400, ANSWER_TTL_CEILING },
		{ 4294967295u, ANSWER_TTL_CEILING },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (answer_ttl(cases[i].in) != cases[i].out)
			fail_msg("ttl %u: %u, not %u", cases[i].in,
			    answer_ttl(cases[i].in), cases[i].out);
}

/*
 * A sequence of events on one answer: take a new answer ("take"), or a
 * failed connect ("fail"); after each, the address in use and whether
 * take said it is a new one.
 */
struct step {
	const char	*op;		/* "take" or "fail" */
	const char	*list[MAXN + 1];	/* take: the answer */
	const char	*want;		/* address in use after */
	bool		 changed;	/* take's return */
};

struct seq {
	const char	*what;
	struct step	 steps[6];
};

static const struct seq seqs[] = {
	{ "IPv4 first, whatever the answer's order", {
	    { "take", { "::1", "127.0.0.1", NULL }, "127.0.0.1", true },
	    { NULL, { NULL }, NULL, false } } },
	{ "only AAAA: the IPv6 address", {
	    { "take", { "2001:db8::5", NULL }, "2001:db8::5", true },
	    { NULL, { NULL }, NULL, false } } },
	{ "the same answer again is no change", {
	    { "take", { "10.0.0.2", NULL }, "10.0.0.2", true },
	    { "take", { "10.0.0.2", NULL }, "10.0.0.2", false },
	    { NULL, { NULL }, NULL, false } } },
	{ "a changed answer is followed, and said once", {
	    { "take", { "10.0.0.2", NULL }, "10.0.0.2", true },
	    { "take", { "10.0.0.3", NULL }, "10.0.0.3", true },
	    { "take", { "10.0.0.3", NULL }, "10.0.0.3", false },
	    { NULL, { NULL }, NULL, false } } },
	{ "the address in use sticks while the answer holds it", {
	    { "take", { "10.0.0.2", "10.0.0.3", NULL }, "10.0.0.2", true },
	    { "take", { "10.0.0.3", "10.0.0.2", NULL }, "10.0.0.2", false },
	    { "take", { "10.0.0.4", "10.0.0.2", NULL }, "10.0.0.2", false },
	    { NULL, { NULL }, NULL, false } } },
	{ "after a failed connect, the next address", {
	    { "take", { "10.0.0.2", "10.0.0.3", "::1", NULL }, "10.0.0.2",
	      true },
	    { "fail", { NULL }, "10.0.0.2", false },
	    { "take", { "10.0.0.2", "10.0.0.3", "::1", NULL }, "10.0.0.3",
	      true },
	    { "fail", { NULL }, "10.0.0.3", false },
	    { "take", { "10.0.0.2", "10.0.0.3", "::1", NULL }, "::1", true },
	    { NULL, { NULL }, NULL, false } } },
	{ "past the last address, round to the first", {
	    { "take", { "10.0.0.2", "::1", NULL }, "10.0.0.2", true },
	    { "fail", { NULL }, "10.0.0.2", false },
	    { "take", { "10.0.0.2", "::1", NULL }, "::1", true },
	    { "fail", { NULL }, "::1", false },
	    { "take", { "::1", "10.0.0.2", NULL }, "10.0.0.2", true },
	    { NULL, { NULL }, NULL, false } } },
	{ "a failed address that is gone: the first of the new answer", {
	    { "take", { "10.0.0.2", NULL }, "10.0.0.2", true },
	    { "fail", { NULL }, "10.0.0.2", false },
	    { "take", { "10.0.0.9", "10.0.0.8", NULL }, "10.0.0.9", true },
	    { NULL, { NULL }, NULL, false } } },
	{ "one address that failed: still that one", {
	    { "take", { "10.0.0.2", NULL }, "10.0.0.2", true },
	    { "fail", { NULL }, "10.0.0.2", false },
	    { "take", { "10.0.0.2", NULL }, "10.0.0.2", false },
	    { NULL, { NULL }, NULL, false } } },
	{ "duplicates are one address", {
	    { "take", { "10.0.0.2", "10.0.0.2", "::ffff:10.0.0.2", NULL },
	      "10.0.0.2", true },
	    { "fail", { NULL }, "10.0.0.2", false },
	    { "take", { "10.0.0.2", "10.0.0.2", NULL }, "10.0.0.2", false },
	    { NULL, { NULL }, NULL, false } } },
};

static void
test_answer_address_choice_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		struct answer an;
		char buf[ADDR_STR_MAX];

		memset(&an, 0, sizeof(an));
		assert_string_equal(in_use(&an, buf), "none");
		for (const struct step *st = seqs[i].steps; st->op; st++) {
			struct addr list[MAXN];
			bool changed = false;

			if (strcmp(st->op, "take") == 0)
				changed = answer_take(&an, list,
				    addrs(list, st->list), 30, 100.0);
			else
				answer_failed(&an);
			if (strcmp(in_use(&an, buf), st->want) != 0 ||
			    changed != st->changed)
				fail_msg("%s, step %zu: %s (changed %d), "
				    "wanted %s (changed %d)", seqs[i].what,
				    (size_t)(st - seqs[i].steps), buf, changed,
				    st->want, st->changed);
		}
	}
}

static void
test_answer_fresh_until_ttl_and_stale_after_failure(void **state)
{
	struct answer an;
	struct addr a[1];

	(void)state;
	memset(&an, 0, sizeof(an));
	assert_false(answer_fresh(&an, 0.0));	/* before any: look up */
	assert_null(addr_parse_ip("10.0.0.2", &a[0]));
	answer_take(&an, a, 1, 5, 100.0);
	assert_true(answer_fresh(&an, 100.0));
	assert_true(answer_fresh(&an, 104.999));
	assert_false(answer_fresh(&an, 105.0));	/* the TTL ran out */
	answer_take(&an, a, 1, 0, 200.0);	/* hosts file: TTL 0 */
	assert_true(answer_fresh(&an, 200.5));
	assert_false(answer_fresh(&an, 200.0 + ANSWER_TTL_FLOOR));
	answer_take(&an, a, 1, 86400, 300.0);	/* a day: the ceiling */
	assert_true(answer_fresh(&an, 300.0 + ANSWER_TTL_CEILING - 0.001));
	assert_false(answer_fresh(&an, 300.0 + ANSWER_TTL_CEILING));
	answer_failed(&an);			/* a failed connect */
	assert_false(answer_fresh(&an, 301.0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_ttl_floor_and_ceiling),
		cmocka_unit_test(test_answer_address_choice_table),
		cmocka_unit_test(
		    test_answer_fresh_until_ttl_and_stale_after_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
