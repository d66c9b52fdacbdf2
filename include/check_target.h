#ifndef HEALTHGATE_CHECK_TARGET_H
#define HEALTHGATE_CHECK_TARGET_H

/*
 * The host of a socket check (tcp, http) as an address to connect to. A
 * numeric host or "localhost" is one at once. A name is looked up through
 * the checks' resolver before the check's first run, and again once its
 * answer's TTL has run out (answer.h: floor and ceiling) or a run failed
 * to connect; in between, runs use the answer kept. A check has at most
 * one lookup under way: a run that ends at its deadline while waiting
 * leaves the lookup going, and the next run waits for the same one. A
 * lookup that fails fails the run ("resolve app: no such name"), never
 * the process.
 */

#include <sys/socket.h>

#include "checks.h"

/*
 * What the run gets: the address (with the spec's port) or, with ss NULL,
 * why it has none ("resolve app: no such name").
 */
typedef void (*check_target_cb)(struct check *,
	    const struct sockaddr_storage *ss, socklen_t len, const char *why);

/*
 * Gives the run its address through then: at once (possibly before this
 * returns) when it is known, else when the lookup ends.
 */
void	check_target_get(struct check *, check_target_cb then);
/* Whether the run is waiting for a lookup. */
bool	check_target_waiting(const struct check *);
/* The run is over: then is not called; a lookup under way goes on. */
void	check_target_stop(struct check *);
/* The run could not connect: look the name up again before the next. */
void	check_target_failed(struct check *);
/* Cancels the lookup and frees what the check kept. */
void	check_target_free(struct check *);
/* Lookups started and failed so far; false if the host needs none. */
bool	check_target_counts(const struct check *, unsigned long long *lookups,
	    unsigned long long *failures);

#endif
