#ifndef HEALTHGATE_RESOLVE_H
#define HEALTHGATE_RESOLVE_H

/*
 * Names to addresses with c-ares, on the libev loop: c-ares's sockets sit
 * in ev_io watchers and its timeouts in one ev_timer, so a lookup never
 * blocks the loop and needs no thread. c-ares reads /etc/resolv.conf (once,
 * at resolve_new) and /etc/hosts (at each lookup) itself, without NSS,
 * which a static binary in a FROM scratch image cannot load. A and AAAA
 * are asked for together; answer.h says which is used first.
 */

#include <ev.h>
#include <stdbool.h>

#include "answer.h"

/* What one lookup found. */
struct resolve_result {
	bool		 ok;			/* else why says what failed */
	struct addr	 addrs[ANSWER_ADDRS_MAX];
	unsigned	 n;			/* > 0 when ok */
	unsigned	 ttl;			/* s, the least in the answer */
	char		 why[96];		/* "no such name", ... */
};

struct resolver;
struct resolve_query;

/*
 * Called once per lookup, always from the loop (never from inside
 * resolve_start), unless the lookup was cancelled first. The result is
 * the callee's to read, not to keep.
 */
typedef void (*resolve_cb)(void *arg, const struct resolve_result *);

/* NULL with the reason in err (c-ares could not start). */
struct resolver	*resolve_new(struct ev_loop *, char *err, unsigned errlen);
/* Ends every lookup without calling its callback. NULL is fine. */
void		 resolve_free(struct resolver *);

/* Starts a lookup of name (A and AAAA). NULL when out of memory. */
struct resolve_query *resolve_start(struct resolver *, const char *name,
		    resolve_cb, void *arg);
/* The callback will not be called; the query's memory is freed. */
void		 resolve_cancel(struct resolve_query *);

/*
 * For a blocking caller (healthgate probe): resolves name on a private
 * loop until the answer or the monotonic deadline (clock_mono() seconds),
 * and gives the address answer.h puts first. false with why on failure.
 */
bool		 resolve_wait(const char *name, double deadline,
		    struct addr *, char *why, unsigned whylen);

#endif
