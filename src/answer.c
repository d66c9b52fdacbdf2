/*
 * answer.c: a name's last answer, its expiry, and the address in use (see
 * answer.h for the order and why).
 */
#include <string.h>

#include "answer.h"

unsigned
answer_ttl(unsigned ttl)
{
	if (ttl < ANSWER_TTL_FLOOR)
		return ANSWER_TTL_FLOOR;
	return ttl > ANSWER_TTL_CEILING ? ANSWER_TTL_CEILING : ttl;
}

static bool
same(const struct addr *a, const struct addr *b)
{
	unsigned len = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->bytes, b->bytes, len) == 0;
}

/* Index of a in the answer, or n. */
static unsigned
answer_find(const struct answer *an, const struct addr *a)
{
	unsigned i;

	for (i = 0; i < an->n; i++)
		if (same(&an->addrs[i], a))
			break;
	return i;
}

bool
answer_take(struct answer *an, const struct addr *list, unsigned n,
    unsigned ttl, double now)
{
	struct addr old;
	bool had = an->n > 0;
	unsigned i, k = 0;

	if (had)
		old = an->addrs[an->cur];
	/* IPv4 first, then IPv6, duplicates dropped, each in answer order. */
	an->n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (i = 0; i < n && an->n < ANSWER_ADDRS_MAX; i++) {
			if ((list[i].family == AF_INET) != (pass == 0))
				continue;
			if (answer_find(an, &list[i]) == an->n)
				an->addrs[an->n++] = list[i];
		}
	an->expires = now + answer_ttl(ttl);
	if (an->n == 0) {	/* nothing usable: no answer, as before any */
		an->failed = false;
		return false;
	}
	if (an->failed && (k = answer_find(an, &an->bad)) < an->n)
		k = (k + 1) % an->n;	/* past the one that failed */
	else if (had && (k = answer_find(an, &old)) == an->n)
		k = 0;			/* the old one is gone */
	else if (!had)
		k = 0;
	an->cur = k;
	an->failed = false;
	return !had || !same(&old, &an->addrs[k]);
}

bool
answer_fresh(const struct answer *an, double now)
{
	return an->n > 0 && now < an->expires;
}

void
answer_failed(struct answer *an)
{
	if (an->n == 0)
		return;
	an->failed = true;
	an->bad = an->addrs[an->cur];
	an->expires = 0;
}

const struct addr *
answer_addr(const struct answer *an)
{
	return an->n ? &an->addrs[an->cur] : NULL;
}
