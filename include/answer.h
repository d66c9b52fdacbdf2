#ifndef HEALTHGATE_ANSWER_H
#define HEALTHGATE_ANSWER_H

/*
 * What a check knows of its host's name: the addresses of the last answer,
 * until when it holds, and which address the check connects to. Pure: the
 * time comes in as an argument (monotonic seconds), nothing here does I/O.
 *
 * Order: IPv4 addresses first, then IPv6, each family in the order the
 * answer gave. An app that listens on 0.0.0.0 (the common default) does not
 * answer on ::1 or on its IPv6 address, while one on [::] answers IPv4 too,
 * so IPv4 first reaches both kinds; a name with only AAAA records is still
 * reached. "localhost" in /etc/hosts (127.0.0.1 and ::1) stays 127.0.0.1.
 *
 * The address in use sticks while the answer still holds it, so a name
 * with several addresses does not hop between them (or log a change) at
 * every refresh. After a failed connect the answer is expired at once, and
 * the next answer moves on to the address after the one that failed.
 */

#include <stdbool.h>

#include "addr.h"

#define ANSWER_ADDRS_MAX	16	/* addresses kept of one answer */
#define ANSWER_TTL_FLOOR	1	/* s: hosts-file answers have TTL 0 */
#define ANSWER_TTL_CEILING	300	/* s: a moved app is found within */

struct answer {
	struct addr	 addrs[ANSWER_ADDRS_MAX];	/* IPv4 first */
	unsigned	 n;		/* 0: no answer yet */
	unsigned	 cur;		/* index of the address in use */
	double		 expires;	/* monotonic s; re-resolve from then */
	bool		 failed;	/* the address in use failed */
	struct addr	 bad;		/* ...this one */
};

/* The TTL (s) an answer is kept for: ttl within floor and ceiling. */
unsigned	 answer_ttl(unsigned ttl);

/*
 * Takes a new answer of n addresses (any order, n > 0) with the given TTL
 * at now. Returns true when the address in use is a new one, the first
 * included: the caller logs it once.
 */
bool		 answer_take(struct answer *, const struct addr *, unsigned n,
		    unsigned ttl, double now);

/* Whether the answer is there and not expired at now. */
bool		 answer_fresh(const struct answer *, double now);

/* A connect to the address in use failed: expire now, avoid it next. */
void		 answer_failed(struct answer *);

/* The address in use, or NULL before the first answer. */
const struct addr *answer_addr(const struct answer *);

#endif
