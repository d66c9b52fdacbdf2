/*
 * opts.c: options from a table, read from argv and the environment, and
 * the value syntaxes they share (durations, counts).
 *
 * Both the daemon (config.c) and "healthgate plan" (plan_cli.c) read their
 * flags through here, so "--flag=v" and "--flag v", a missing value and a
 * refused one read and fail the same way in both.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "opts.h"

const char *
opts_env(char *const envp[], const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

unsigned *
opts_field(const struct opts_def *o, struct opts_ctx *ctx)
{
	return (unsigned *)((char *)ctx->fields + o->off);
}

const struct opts_def *
opts_find(const struct opts_def *tab, size_t n, const char *arg,
    const char **inline_val)
{
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(tab[k].flag);

		if (strncmp(arg, tab[k].flag, len) != 0)
			continue;
		if (arg[len] == '\0' || arg[len] == '=') {
			*inline_val = arg[len] ? arg + len + 1 : NULL;
			return &tab[k];
		}
	}
	return NULL;
}

enum opts_result
opts_take(const struct opts_def *tab, size_t n, int argc, char *const argv[],
    int *i, struct opts_ctx *ctx, char *err, size_t errlen)
{
	const struct opts_def *o;
	const char *v, *why;

	if ((o = opts_find(tab, n, argv[*i], &v)) == NULL)
		return OPTS_UNKNOWN;
	if (v == NULL) {
		if (*i + 1 >= argc) {
			snprintf(err, errlen, "%s: needs a value", o->flag);
			return OPTS_ERROR;
		}
		v = argv[++*i];
	}
	ctx->from_env = false;
	if ((why = o->set(o, v, ctx)) != NULL) {
		snprintf(err, errlen, "%s: \"%s\" %s", o->flag, v, why);
		return OPTS_ERROR;
	}
	return OPTS_TAKEN;
}

bool
opts_from_env(const struct opts_def *tab, size_t n, char *const envp[],
    struct opts_ctx *ctx, char *err, size_t errlen)
{
	for (size_t k = 0; k < n; k++) {
		const char *v, *why;

		if (tab[k].env == NULL || (v = opts_env(envp, tab[k].env)) ==
		    NULL)
			continue;
		ctx->from_env = true;
		if ((why = tab[k].set(&tab[k], v, ctx)) != NULL) {
			snprintf(err, errlen, "%s: \"%s\" %s", tab[k].env, v,
			    why);
			return false;
		}
	}
	return true;
}

void
opts_usage(const struct opts_def *tab, size_t n, int width,
    const void *defaults, opts_show_fn *show)
{
	for (size_t k = 0; k < n; k++) {
		const struct opts_def *o = &tab[k];
		char left[64], dflt[OPTS_DURATION_LEN + 16] = "";

		char shown[OPTS_DURATION_LEN];

		if (defaults && show && show(o, defaults, shown, sizeof(shown)))
			snprintf(dflt, sizeof(dflt), " (default %s)", shown);
		else if (defaults && (o->set == opts_set_duration ||
		    o->set == opts_set_count)) {
			unsigned v = *(const unsigned *)((const char *)defaults +
			    o->off);
			char d[OPTS_DURATION_LEN];

			if (o->set == opts_set_duration)
				opts_format_duration(v, d, sizeof(d));
			else
				snprintf(d, sizeof(d), "%u", v);
			snprintf(dflt, sizeof(dflt), " (default %s)", d);
		}
		snprintf(left, sizeof(left), "%s %s", o->flag, o->arg);
		if (o->env)
			printf("  %-*s %s\n      %s%s\n", width, left, o->env,
			    o->help, dflt);
		else
			printf("  %-*s %s%s\n", width, left, o->help, dflt);
	}
}

/* The units a duration takes, longest name first where one prefixes another. */
static const struct {
	const char	*name;
	unsigned	 ms;
} units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
};

#define FRAC_DIGITS	9	/* enough for a millisecond of an hour */

/*
 * Go's duration forms, in whole milliseconds: one or more NUMBER UNIT
 * ("250ms", "1.5s", "1m30s", "1h30m"), or one bare NUMBER of seconds ("5",
 * "0.5"). A NUMBER is digits with an optional fraction ("1.5", ".5",
 * "5."). A part finer than a millisecond is refused rather than rounded, so
 * what is accepted is exactly what runs, and opts_format_duration reads
 * back the same.
 */
const char *
opts_parse_duration(const char *s, unsigned *ms)
{
	unsigned long long total = 0;
	const char *p = s;

	if (*p == '\0')
		return "is not a duration";
	while (*p) {
		unsigned long long whole = 0, frac = 0, scale = 1, part;
		const char *start = p;
		bool digits = false;
		unsigned unit = 0, nfrac = 0;
		size_t k;

		if ((k = decimal_span(p, strlen(p))) > 0) {
			if (!decimal_parse(p, k, OPTS_DURATION_MAX, &whole))
				return "is too long (at most 24h)";
			digits = true;
			p += k;
		}
		if (*p == '.') {
			for (p++; *p >= '0' && *p <= '9'; p++) {
				digits = true;
				/* Zeros past FRAC_DIGITS change nothing. */
				if (nfrac == FRAC_DIGITS) {
					if (*p != '0')
						return "is finer than a "
						    "millisecond";
					continue;
				}
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
				nfrac++;
			}
		}
		if (!digits)
			return "is not a duration";
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
			size_t n = strlen(units[k].name);

			if (strncmp(p, units[k].name, n) == 0) {
				unit = units[k].ms;
				p += n;
				break;
			}
		}
		if (unit == 0) {
			/* A bare number is seconds, but only on its own. */
			if (start != s || *p != '\0')
				return "is not a duration";
			unit = 1000;
		}
		if (frac * unit % scale != 0)
			return "is finer than a millisecond";
		part = whole * unit + frac * unit / scale;
		if (part > OPTS_DURATION_MAX || total + part > OPTS_DURATION_MAX)
			return "is too long (at most 24h)";
		total += part;
	}
	*ms = (unsigned)total;
	return NULL;
}

const char *
opts_parse_count(const char *s, unsigned *out)
{
	size_t n = strlen(s);
	unsigned long long v;

	if (n == 0 || decimal_span(s, n) != n)
		return "is not a number";
	if (!decimal_parse(s, n, OPTS_COUNT_MAX, &v))
		return "is too large";
	*out = (unsigned)v;
	return NULL;
}

void
opts_format_duration(unsigned ms, char *buf, size_t len)
{
	unsigned h = ms / 3600000u, m = ms / 60000u % 60, s = ms / 1000u % 60;
	unsigned frac = ms % 1000u;
	size_t at = 0;
	int w;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (ms == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	if (ms < 1000u) {
		snprintf(buf, len, "%ums", ms);
		return;
	}
	/* Only the parts that are there: 1h30m, not 1h30m0s. */
	if (h && (w = snprintf(buf + at, len - at, "%uh", h)) > 0)
		at += (size_t)w < len - at ? (size_t)w : len - at - 1;
	if (m && (w = snprintf(buf + at, len - at, "%um", m)) > 0)
		at += (size_t)w < len - at ? (size_t)w : len - at - 1;
	if (s == 0 && frac == 0)
		return;
	if (frac == 0)
		snprintf(buf + at, len - at, "%us", s);
	else if (frac % 100u == 0)
		snprintf(buf + at, len - at, "%u.%us", s, frac / 100u);
	else if (frac % 10u == 0)
		snprintf(buf + at, len - at, "%u.%02us", s, frac / 10u);
	else
		snprintf(buf + at, len - at, "%u.%03us", s, frac);
}

const char *
opts_set_duration(const struct opts_def *o, const char *v,
    struct opts_ctx *ctx)
{
	char lo[OPTS_DURATION_LEN], hi[OPTS_DURATION_LEN];
	unsigned ms;
	const char *err;

	if ((err = opts_parse_duration(v, &ms)) != NULL)
		return err;
	if (o->seconds && ms % 1000u != 0)
		return "is not whole seconds";
	if (ms == 0 && o->min > 0)
		return "must be above zero";
	if (ms < o->min || ms > o->max) {
		opts_format_duration(o->min, lo, sizeof(lo));
		opts_format_duration(o->max, hi, sizeof(hi));
		snprintf(ctx->why, sizeof(ctx->why), "is not within %s-%s",
		    lo, hi);
		return ctx->why;
	}
	*opts_field(o, ctx) = ms;
	return NULL;
}

const char *
opts_set_count(const struct opts_def *o, const char *v, struct opts_ctx *ctx)
{
	unsigned n;
	const char *err;

	if ((err = opts_parse_count(v, &n)) != NULL)
		return err;
	if (n < o->min || n > o->max) {
		snprintf(ctx->why, sizeof(ctx->why), "is not within %u-%u",
		    o->min, o->max);
		return ctx->why;
	}
	*opts_field(o, ctx) = n;
	return NULL;
}
