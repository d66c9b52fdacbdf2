/*
 * check_target.c: a socket check's host as an address, names looked up
 * through resolve.c and kept as answer.c says (see check_target.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "check_target.h"
#include "clock.h"
#include "log.h"
#include "resolve.h"

struct check_target {
	struct check	*check;
	struct answer	 an;
	struct resolve_query *query;	/* the lookup under way, or NULL */
	check_target_cb	 then;		/* the run waiting for it, or NULL */
	unsigned long long lookups;	/* started */
	unsigned long long failures;	/* ended without an address */
};

/* The address in use to the run waiting for it. */
static void
give(struct check *c, check_target_cb then)
{
	struct sockaddr_storage ss;
	socklen_t len;

	addr_sockaddr(answer_addr(&c->target->an), c->spec->port, &ss, &len);
	then(c, &ss, len, NULL);
}

static void
looked_up(void *arg, const struct resolve_result *res)
{
	struct check_target *t = arg;
	struct check *c = t->check;
	check_target_cb then = t->then;
	char was[ADDR_STR_MAX], now[ADDR_STR_MAX], why[ADDR_HOST_MAX + 128];
	bool had = answer_addr(&t->an) != NULL;

	t->query = NULL;
	t->then = NULL;
	if (!res->ok) {
		t->failures++;
		snprintf(why, sizeof(why), "resolve %s: %s", c->spec->host,
		    res->why);
		if (then)
			then(c, NULL, 0, why);
		return;
	}
	if (had)
		addr_format(answer_addr(&t->an), was, sizeof(was));
	if (answer_take(&t->an, res->addrs, res->n, res->ttl, clock_mono())) {
		addr_format(answer_addr(&t->an), now, sizeof(now));
		if (had)
			log_kv(LOG_INFO, "check_address",
			    LOG_S("name", c->spec->name),
			    LOG_S("host", c->spec->host), LOG_S("addr", now),
			    LOG_S("was", was), LOG_U("addrs", t->an.n),
			    LOG_U("ttl", answer_ttl(res->ttl)));
		else
			log_kv(LOG_INFO, "check_address",
			    LOG_S("name", c->spec->name),
			    LOG_S("host", c->spec->host), LOG_S("addr", now),
			    LOG_U("addrs", t->an.n),
			    LOG_U("ttl", answer_ttl(res->ttl)));
	}
	if (then)
		give(c, then);
}

void
check_target_get(struct check *c, check_target_cb then)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct check_target *t = c->target;
	char why[ADDR_HOST_MAX + 64];

	if (addr_to_sockaddr(c->spec->host, c->spec->port, &ss, &len) == NULL) {
		then(c, &ss, len, NULL);
		return;
	}
	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL) {
			then(c, NULL, 0, "resolve: out of memory");
			return;
		}
		t->check = c;
		c->target = t;
	}
	if (answer_fresh(&t->an, clock_mono())) {
		give(c, then);
		return;
	}
	if (c->resolver == NULL) {
		t->lookups++;
		t->failures++;
		snprintf(why, sizeof(why), "resolve %s: no resolver (c-ares "
		    "did not start)", c->spec->host);
		then(c, NULL, 0, why);
		return;
	}
	t->then = then;
	if (t->query != NULL)		/* an earlier run's, still going */
		return;
	t->lookups++;
	if ((t->query = resolve_start(c->resolver, c->spec->host, looked_up,
	    t)) == NULL) {
		t->then = NULL;
		t->failures++;
		snprintf(why, sizeof(why), "resolve %s: out of memory",
		    c->spec->host);
		then(c, NULL, 0, why);
	}
}

bool
check_target_waiting(const struct check *c)
{
	return c->target && c->target->then;
}

void
check_target_stop(struct check *c)
{
	if (c->target)
		c->target->then = NULL;
}

void
check_target_failed(struct check *c)
{
	if (c->target)
		answer_failed(&c->target->an);
}

void
check_target_free(struct check *c)
{
	if (c->target == NULL)
		return;
	resolve_cancel(c->target->query);
	free(c->target);
	c->target = NULL;
}

bool
check_target_counts(const struct check *c, unsigned long long *lookups,
    unsigned long long *failures)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (c->spec->kind == CHECK_SPEC_EXEC ||
	    addr_to_sockaddr(c->spec->host, 80, &ss, &len) == NULL)
		return false;
	*lookups = c->target ? c->target->lookups : 0;
	*failures = c->target ? c->target->failures : 0;
	return true;
}
