#ifndef HEALTHGATE_OPTS_H
#define HEALTHGATE_OPTS_H

/*
 * Command-line options from a table: each row names a --flag, the
 * HEALTHGATE_* variable that also sets it (or none), the setter that parses
 * a value, and the field it sets. The table is read from argv ("--flag=v"
 * or "--flag v") and from an envp array, and printed as usage text. The
 * value syntaxes the options share (durations, counts) live here too, with
 * the one duration formatter. No I/O but the usage text on stdout.
 */

#include <stdbool.h>
#include <stddef.h>

#define OPTS_WHY_MAX		96	/* room for a setter's message */
#define OPTS_DURATION_MAX	(24u * 3600 * 1000)	/* one day, in ms */
#define OPTS_COUNT_MAX		1000000u
#define OPTS_DURATION_LEN	32	/* enough for any formatted duration */

struct opts_def;

/* What one reading of a table works on. */
struct opts_ctx {
	void		*fields;	/* what each opts_def.off counts from */
	void		*user;		/* for the caller's own setters */
	bool		 from_env;	/* the value came from the variable */
	char		 why[OPTS_WHY_MAX];	/* a setter's message, if built */
};

/* Parses value into the option's field; NULL, or why the value is refused. */
typedef const char *opts_set_fn(const struct opts_def *, const char *value,
		    struct opts_ctx *);

struct opts_def {
	const char	*flag;		/* "--interval" */
	const char	*env;		/* "HEALTHGATE_INTERVAL", or NULL */
	opts_set_fn	*set;
	size_t		 off;		/* of the field set, in ctx->fields */
	unsigned	 min, max;	/* bounds: ms for durations, counts */
	bool		 seconds;	/* a duration in whole seconds only */
	const char	*arg;		/* the value's name, for usage */
	const char	*help;		/* for usage, without a shown default */
};

/*
 * The words of a row's default, from the defaults opts_usage is given,
 * for rows with a setter of their own; false: none to show.
 */
typedef bool opts_show_fn(const struct opts_def *, const void *defaults,
		    char *buf, size_t len);

enum opts_result {
	OPTS_TAKEN,		/* argv[*i] (and its value) applied */
	OPTS_UNKNOWN,		/* not in the table; nothing consumed */
	OPTS_ERROR,		/* err names the flag and the value */
};

/*
 * Reads argv[*i] against the table; on OPTS_TAKEN *i is left on the last
 * word consumed. err (errlen bytes) gets "FLAG: \"VALUE\" WHY".
 */
enum opts_result opts_take(const struct opts_def *, size_t n, int argc,
		    char *const argv[], int *i, struct opts_ctx *, char *err,
		    size_t errlen);

/*
 * The row whose flag arg is, alone (*inline_val NULL: the value is the
 * next word) or as "--flag=value"; NULL when none is.
 */
const struct opts_def *opts_find(const struct opts_def *, size_t n,
		    const char *arg, const char **inline_val);

/*
 * Applies every row's variable that envp sets, in table order; false with
 * err ("VAR: \"VALUE\" WHY") at the first refused one.
 */
bool		 opts_from_env(const struct opts_def *, size_t n,
		    char *const envp[], struct opts_ctx *, char *err,
		    size_t errlen);

/* The value of NAME in envp, or NULL. */
const char	*opts_env(char *const envp[], const char *name);

/*
 * Usage lines, "  FLAG ARG  VARIABLE" then the help below it (rows with a
 * variable), or "  FLAG ARG  HELP" (rows without). width is the first
 * column's. With defaults (laid out as ctx->fields), rows set by the
 * shared setters end in "(default X)" from their field, and so do rows
 * show (when not NULL) has words for; other rows say theirs in the help.
 */
void		 opts_usage(const struct opts_def *, size_t n, int width,
		    const void *defaults, opts_show_fn *show);

/* The field a row sets, as the unsigned every shared setter writes. */
unsigned	*opts_field(const struct opts_def *, struct opts_ctx *);

/* Setters for rows whose field is an unsigned: within [min, max]. */
opts_set_fn	 opts_set_duration, opts_set_count;

/* The shared value syntaxes: NULL, or why the text is refused. */
const char	*opts_parse_duration(const char *, unsigned *ms);
const char	*opts_parse_count(const char *, unsigned *);

/* ms as opts_parse_duration reads it back: 0s, 250ms, 1.5s, 2m33s, 1h30m. */
void		 opts_format_duration(unsigned ms, char *, size_t);

#endif
