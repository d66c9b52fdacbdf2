/*
 * check_param.c: a check's query parameters, one row each (see
 * check_param.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check_param.h"
#include "opts.h"

#define HTTP	CHECK_PARAM_KIND(CHECK_SPEC_HTTP)

static const char *
check_param_interval(struct check_spec *cs, const char *v)
{
	return opts_parse_duration(v, &cs->interval_ms) ?
	    "is not a duration" : NULL;
}

static const char *
check_param_timeout(struct check_spec *cs, const char *v)
{
	return opts_parse_duration(v, &cs->timeout_ms) ?
	    "is not a duration" : NULL;
}

/* rise and fall: a count of 1-100. */
static const char *
check_param_streak(const char *v, unsigned *n)
{
	return opts_parse_count(v, n) || *n < 1 || *n > 100 ?
	    "is not 1-100" : NULL;
}

static const char *
check_param_rise(struct check_spec *cs, const char *v)
{
	return check_param_streak(v, &cs->rise);
}

static const char *
check_param_fall(struct check_spec *cs, const char *v)
{
	return check_param_streak(v, &cs->fall);
}

/* http's expect: a status or a range of them, 100-599. */
static const char *
check_param_status(struct check_spec *cs, const char *v)
{
	unsigned lo, hi;
	char tail;

	if (sscanf(v, "%3u-%3u%c", &lo, &hi, &tail) == 2) {
		/* a range */
	} else if (sscanf(v, "%3u%c", &lo, &tail) == 1)
		hi = lo;
	else
		return "is not STATUS or LO-HI";
	if (lo < 100 || hi > 599 || lo > hi || strspn(v, "0123456789-") !=
	    strlen(v))
		return "is not STATUS or LO-HI within 100-599";
	cs->expect_lo = lo;
	cs->expect_hi = hi;
	return NULL;
}

/*
 * Every parameter, grouped by the kinds it belongs to. A name may have
 * one row per kind, each with its own meaning.
 */
static const struct check_param check_param_rows[] = {
	{ "interval", CHECK_PARAM_ANY, 0, check_param_interval },
	{ "timeout", CHECK_PARAM_ANY, 0, check_param_timeout },
	{ "rise", CHECK_PARAM_ANY, 0, check_param_rise },
	{ "fall", CHECK_PARAM_ANY, 0, check_param_fall },

	{ "expect", HTTP, 0, check_param_status },
};

#define CHECK_PARAM_NROWS	(sizeof(check_param_rows) / \
	sizeof(check_param_rows[0]))
_Static_assert(CHECK_PARAM_NROWS <= 64, "a row's bit fits a uint64_t");

static const struct check_param *
check_param_find(const char *name, enum check_spec_kind kind, unsigned *row)
{
	for (unsigned i = 0; i < CHECK_PARAM_NROWS; i++)
		if ((check_param_rows[i].kinds & CHECK_PARAM_KIND(kind)) &&
		    strcmp(check_param_rows[i].name, name) == 0) {
			*row = i;
			return &check_param_rows[i];
		}
	return NULL;
}

/* The names kind takes, for a refusal: "interval, timeout, ...". */
static void
check_param_names(enum check_spec_kind kind, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < CHECK_PARAM_NROWS && len < size; i++)
		if (check_param_rows[i].kinds & CHECK_PARAM_KIND(kind))
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			    len ? ", " : "", check_param_rows[i].name);
}

/* Puts why into cs->error, led by the parameter's name; returns it. */
static const char *
check_param_refuse(struct check_spec *cs, const char *name, const char *why)
{
	snprintf(cs->error, sizeof(cs->error), "parameter %.40s %s", name, why);
	return cs->error;
}

/* One "name[=value]" of ours into cs; NULL, or why in cs->error. */
static const char *
check_param_one(struct check_spec *cs, const struct check_param *p,
    const char *val, uint64_t *seen, unsigned row)
{
	const char *why;

	if (val == NULL && !(p->flags & CHECK_PARAM_BARE))
		return check_param_refuse(cs, p->name, "needs =VALUE");
	if ((*seen & (1ull << row)) && !(p->flags & CHECK_PARAM_REPEAT))
		return check_param_refuse(cs, p->name, "is given twice");
	*seen |= 1ull << row;
	if ((why = p->set(cs, val)) != NULL)
		return check_param_refuse(cs, p->name, why);
	return NULL;
}

const char *
check_param_take(char *query, struct check_spec *cs, bool keep_others)
{
	char out[ADDR_PATH_MAX] = "", *save = NULL, *kv;
	uint64_t seen = 0;
	size_t olen = 0;

	for (kv = strtok_r(query, "&", &save); kv;
	    kv = strtok_r(NULL, "&", &save)) {
		char *val = strchr(kv, '=');
		const struct check_param *p;
		unsigned row;

		if (val)
			*val++ = '\0';
		if ((p = check_param_find(kv, cs->kind, &row)) != NULL) {
			if (check_param_one(cs, p, val, &seen, row) != NULL)
				return cs->error;
		} else if (keep_others) {
			/* The app's, as it was; the query never grows. */
			olen += (size_t)snprintf(out + olen, sizeof(out) - olen,
			    "%s%s%s%s", olen ? "&" : "", kv, val ? "=" : "",
			    val ? val : "");
		} else {
			char names[256];

			check_param_names(cs->kind, names, sizeof(names));
			snprintf(cs->error, sizeof(cs->error), "has an unknown "
			    "parameter %.40s (it takes %s)", kv, names);
			return cs->error;
		}
	}
	strcpy(query, out);
	return NULL;
}

const char *
check_param_agree(struct check_spec *cs)
{
	if (cs->timeout_ms == 0 || cs->interval_ms == 0)
		return "interval and timeout must be above zero";
	if (cs->timeout_ms >= cs->interval_ms)
		return "timeout must be below the interval";
	return NULL;
}
