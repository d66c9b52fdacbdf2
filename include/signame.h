#ifndef HEALTHGATE_SIGNAME_H
#define HEALTHGATE_SIGNAME_H

/*
 * Signal names and numbers, both ways: --stop-signal takes a name
 * ("SIGTERM", "TERM", any case) or a number, and logs print names. Pure.
 */

/* "SIGTERM" for SIGTERM; NULL for a signal outside the table. */
const char	*signame_name(int signum);

/* Sets *signum and returns NULL, or returns why s is not a signal. */
const char	*signame_parse(const char *s, int *signum);

#endif
