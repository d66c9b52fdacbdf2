/*
 * conn_table.c: admission, per-address counts and the sweep of late heads
 * (see conn_table.h for the policy).
 *
 * Each live connection sits on the list of its state, oldest first: a new
 * entry and one whose request ends both join the tail with since = now, and
 * now only grows, so the list is in order of since. The sweep and eviction
 * therefore look at the head of a list, not at the whole table. Each live
 * connection is also on its address's hash chain, for the per-address count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn_table.h"

struct conn_list {
	struct conn	*head, *tail;
};

struct conn_table {
	struct conn_limits limits;
	struct conn_list lists[CONN_STATE_CUT];	/* WAITING, BUSY, IDLE */
	struct conn	**buckets;		/* address hash chains */
	unsigned	 nbuckets;		/* a power of two */
	struct conn_stats stats;
};

static void
list_append(struct conn_list *l, struct conn *c)
{
	c->next = NULL;
	c->prev = l->tail;
	if (l->tail)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

static void
list_unlink(struct conn_list *l, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
}

static bool
same_addr(const struct addr *a, const struct addr *b)
{
	return a->family == b->family &&
	    memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* FNV-1a over the address. */
static unsigned
bucket_of(const struct conn_table *t, const struct addr *a)
{
	uint32_t h = 2166136261u;

	h = (h ^ a->family) * 16777619u;
	for (unsigned i = 0; i < sizeof(a->bytes); i++)
		h = (h ^ a->bytes[i]) * 16777619u;
	return h & (t->nbuckets - 1);
}

static unsigned
count_addr(const struct conn_table *t, const struct addr *a)
{
	unsigned n = 0;

	for (const struct conn *c = t->buckets[bucket_of(t, a)]; c;
	    c = c->hnext)
		n += same_addr(&c->client, a);
	return n;
}

static void
hash_unlink(struct conn_table *t, struct conn *c)
{
	struct conn **p = &t->buckets[bucket_of(t, &c->client)];

	while (*p && *p != c)
		p = &(*p)->hnext;
	if (*p)
		*p = c->hnext;
	c->hnext = NULL;
}

struct conn_table *
conn_table_new(const struct conn_limits *limits)
{
	struct conn_table *t;
	unsigned want = limits->max_open + limits->reserve;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->limits = *limits;
	/* About one address per bucket when every slot has its own. */
	t->nbuckets = 64;
	while (t->nbuckets < want && t->nbuckets < (1u << 20))
		t->nbuckets <<= 1;
	if ((t->buckets = calloc(t->nbuckets, sizeof(*t->buckets))) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
conn_table_free(struct conn_table *t)
{
	if (t == NULL)
		return;
	/* Walked by next, not by the head list_unlink() moves: the same,
	 * and scan-build can follow it (it saw a use after free). */
	for (unsigned s = 0; s < CONN_STATE_CUT; s++)
		for (struct conn *c = t->lists[s].head, *next; c; c = next) {
			next = c->next;
			free(c);
		}
	/* CUT entries are the caller's to remove; it removes them all first. */
	free(t->buckets);
	free(t);
}

/* Takes a live connection out of its list and chain: it holds no slot. */
static void
cut(struct conn_table *t, struct conn *c, enum conn_cut why)
{
	list_unlink(&t->lists[c->state], c);
	hash_unlink(t, c);
	c->state = CONN_STATE_CUT;
	t->stats.open--;
	t->stats.cut[why]++;
}

/* The oldest connection on list l not from a known prober, or NULL. */
static struct conn *
oldest_evictable(const struct conn_list *l)
{
	struct conn *c;

	for (c = l->head; c && c->prober; c = c->next)
		;
	return c;
}

struct conn *
conn_table_admit(struct conn_table *t, const struct addr *client,
    bool prober, double now, struct conn **victim, enum conn_refusal *why)
{
	struct conn *c;
	unsigned b;

	struct conn *old;

	*victim = NULL;
	if (count_addr(t, client) >= t->limits.max_per_ip) {
		*why = CONN_REFUSED_PER_IP;
		goto refused;
	}
	/* First the entry: no victim is evicted for a newcomer that then
	 * cannot be admitted for want of memory. */
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		*why = CONN_REFUSED_MEMORY;
		goto refused;
	}
	if (t->stats.open >= t->limits.max_open) {
		if ((old = oldest_evictable(&t->lists[CONN_STATE_WAITING])) != NULL)
			cut(t, old, CONN_CUT_EVICTED_NO_HEAD);
		else if ((old = oldest_evictable(&t->lists[CONN_STATE_IDLE])) != NULL)
			cut(t, old, CONN_CUT_EVICTED_IDLE);
		else if (!prober || t->stats.open >=
		    t->limits.max_open + t->limits.reserve) {
			free(c);
			*why = CONN_REFUSED_FULL;
			goto refused;
		}
		*victim = old;
	}
	c->client = *client;
	c->prober = prober;
	c->since = now;
	c->state = CONN_STATE_WAITING;
	list_append(&t->lists[CONN_STATE_WAITING], c);
	b = bucket_of(t, client);
	c->hnext = t->buckets[b];
	t->buckets[b] = c;
	t->stats.open++;
	return c;
refused:
	t->stats.refused[*why]++;
	return NULL;
}

struct conn *
conn_table_shed(struct conn_table *t)
{
	struct conn *c;

	t->stats.refused[CONN_REFUSED_MEMORY]++;
	if ((c = oldest_evictable(&t->lists[CONN_STATE_WAITING])) != NULL)
		cut(t, c, CONN_CUT_EVICTED_NO_HEAD);
	else if ((c = oldest_evictable(&t->lists[CONN_STATE_IDLE])) != NULL)
		cut(t, c, CONN_CUT_EVICTED_IDLE);
	return c;
}

void
conn_table_busy(struct conn_table *t, struct conn *c)
{
	if (c->state != CONN_STATE_WAITING && c->state != CONN_STATE_IDLE)
		return;
	list_unlink(&t->lists[c->state], c);
	c->state = CONN_STATE_BUSY;
	list_append(&t->lists[CONN_STATE_BUSY], c);
}

void
conn_table_idle(struct conn_table *t, struct conn *c, double now)
{
	if (c->state != CONN_STATE_BUSY)
		return;
	list_unlink(&t->lists[CONN_STATE_BUSY], c);
	c->state = CONN_STATE_IDLE;
	c->since = now;
	list_append(&t->lists[CONN_STATE_IDLE], c);
}

struct conn *
conn_table_expired(struct conn_table *t, double now)
{
	struct conn *c;

	c = t->lists[CONN_STATE_WAITING].head;
	if (c && now - c->since >= t->limits.request_timeout) {
		cut(t, c, CONN_CUT_REQUEST_TIMEOUT);
		return c;
	}
	c = t->lists[CONN_STATE_IDLE].head;
	if (c && now - c->since >= t->limits.idle_timeout) {
		cut(t, c, CONN_CUT_IDLE_TIMEOUT);
		return c;
	}
	return NULL;
}

void
conn_table_remove(struct conn_table *t, struct conn *c)
{
	if (c->state != CONN_STATE_CUT) {
		list_unlink(&t->lists[c->state], c);
		hash_unlink(t, c);
		t->stats.open--;
	}
	free(c);
}

void
conn_table_each(struct conn_table *t, void (*fn)(struct conn *, void *),
    void *arg)
{
	for (unsigned s = 0; s < CONN_STATE_CUT; s++)
		for (struct conn *c = t->lists[s].head, *n; c; c = n) {
			n = c->next;
			fn(c, arg);
		}
}

unsigned
conn_table_open(const struct conn_table *t)
{
	return t->stats.open;
}

void
conn_table_stats(const struct conn_table *t, struct conn_stats *st)
{
	*st = t->stats;
}

const char *
conn_refusal_name(enum conn_refusal r)
{
	switch (r) {
	case CONN_REFUSED_PER_IP:	return "per_ip";
	case CONN_REFUSED_FULL:		return "full";
	case CONN_REFUSED_MEMORY:	return "memory";
	case CONN_REFUSED_COUNT:	break;
	}
	return "?";
}

const char *
conn_cut_name(enum conn_cut c)
{
	switch (c) {
	case CONN_CUT_EVICTED_NO_HEAD:	return "evicted_no_head";
	case CONN_CUT_EVICTED_IDLE:	return "evicted_idle";
	case CONN_CUT_REQUEST_TIMEOUT:	return "request_timeout";
	case CONN_CUT_IDLE_TIMEOUT:	return "idle_timeout";
	case CONN_CUT_COUNT:		break;
	}
	return "?";
}
