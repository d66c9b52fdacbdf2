/*
 * quiet.c: when the app's own traffic has stopped (quiet.h has the rule).
 *
 * The connections of the last scan are kept sorted by cookie, so a new
 * scan (sorted the same way) is merged against them in one pass: a cookie
 * not seen before is a new connection, a last byte that moved is a new
 * request. The arrivals are kept in time order, the newest
 * QUIET_ARRIVALS of them, which is all the derived period looks at.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quiet.h"

struct quiet_conn {
	uint64_t	 cookie;	/* the kernel's, unique per socket */
	double		 last_recv;	/* its last byte (or its opening) */
	bool		 pending;	/* it owes an answer */
};

struct quiet {
	double		 fixed;		/* --drain-quiet, or 0 */
	double		 start;		/* the drain's start; < 0 before */
	bool		 scanned;	/* a scan has ended: the next are news */
	struct quiet_conn *conns;	/* the last scan's, by cookie; owned */
	unsigned	 nconns;
	struct quiet_conn *scan;	/* the scan being read; owned */
	unsigned	 nscan;
	unsigned	 pending;	/* in the last scan */
	double		 arrivals[QUIET_ARRIVALS];	/* oldest first */
	unsigned	 narrivals;
};

struct quiet *
quiet_new(double fixed)
{
	struct quiet *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		goto fail;
	q->conns = calloc(QUIET_MAX_CONNS, sizeof(*q->conns));
	q->scan = calloc(QUIET_MAX_CONNS, sizeof(*q->scan));
	if (q->conns == NULL || q->scan == NULL)
		goto fail;
	q->fixed = fixed;
	q->start = -1;
	return q;
fail:
	quiet_free(q);
	return NULL;
}

void
quiet_free(struct quiet *q)
{
	if (q == NULL)
		return;
	free(q->conns);
	free(q->scan);
	free(q);
}

/* Keeps t in time order, dropping the oldest when full. */
static void
quiet_arrival(struct quiet *q, double t)
{
	unsigned i;

	if (q->narrivals == QUIET_ARRIVALS) {
		if (t <= q->arrivals[0])
			return;		/* older than all the kept ones */
		memmove(q->arrivals, q->arrivals + 1,
		    (QUIET_ARRIVALS - 1) * sizeof(double));
		q->narrivals--;
	}
	for (i = q->narrivals; i > 0 && q->arrivals[i - 1] > t; i--)
		q->arrivals[i] = q->arrivals[i - 1];
	q->arrivals[i] = t;
	q->narrivals++;
}

void
quiet_scan_begin(struct quiet *q)
{
	q->nscan = 0;
}

void
quiet_conn(struct quiet *q, uint64_t cookie, double last_recv, bool pending)
{
	/* Past the bound the rest is not followed; the cap still holds. */
	if (q->nscan == QUIET_MAX_CONNS)
		return;
	q->scan[q->nscan++] = (struct quiet_conn){ cookie, last_recv,
	    pending };
}

static int
quiet_cmp(const void *a, const void *b)
{
	const struct quiet_conn *x = a, *y = b;

	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

/* What c says against the last scan's entry for its cookie (or NULL). */
static void
quiet_compare(struct quiet *q, const struct quiet_conn *c,
    const struct quiet_conn *before, double now)
{
	bool news = !q->scanned || before == NULL ||
	    c->last_recv > before->last_recv + QUIET_JITTER;

	if (c->pending)
		q->pending++;
	if (news && c->last_recv >= now - QUIET_HORIZON)
		quiet_arrival(q, c->last_recv > now ? now : c->last_recv);
}

void
quiet_scan_end(struct quiet *q, double now)
{
	struct quiet_conn *swap;
	unsigned j = 0;

	qsort(q->scan, q->nscan, sizeof(*q->scan), quiet_cmp);
	q->pending = 0;
	for (unsigned i = 0; i < q->nscan; i++) {
		const struct quiet_conn *c = &q->scan[i];

		while (j < q->nconns && q->conns[j].cookie < c->cookie)
			j++;
		quiet_compare(q, c, j < q->nconns &&
		    q->conns[j].cookie == c->cookie ? &q->conns[j] : NULL, now);
	}
	swap = q->conns;
	q->conns = q->scan;
	q->nconns = q->nscan;
	q->scan = swap;
	q->scanned = true;
}

void
quiet_start(struct quiet *q, double start)
{
	if (q->start < 0)
		q->start = start;
}

/*
 * The arrivals within the horizon before the drain's start (before now,
 * until it starts): the first index of them.
 */
static unsigned
quiet_recent(const struct quiet *q, double now)
{
	double ref = q->start < 0 ? now : q->start;
	unsigned i = 0;

	while (i < q->narrivals && q->arrivals[i] < ref - QUIET_HORIZON)
		i++;
	return i;
}

/*
 * The chi-square distribution's 5 % quantile with nu degrees of freedom,
 * by Wilson and Hilferty's cube (within 3 % from nu = 4 on, 23 % low at
 * nu = 2, which errs long).
 */
static double
quiet_chi2_05(double nu)
{
	double h = 2.0 / (9.0 * nu), c = 1.0 - h - 1.6449 * sqrt(h);

	return c > 0 ? nu * c * c * c : 0;
}

/*
 * From k gaps that sum to T, gaps at random (exponential) have a mean of at
 * most 2T / chi2(0.05, 2k) with 95 % confidence: 19 x the mean seen for one
 * gap, 3 x for four, 1.5 x for twenty, 1.2 x for sixty-three. Two requests
 * in a row are no evidence of a fast rate; sixty are.
 */
static double
quiet_derive(const struct quiet *q, double now)
{
	unsigned first = quiet_recent(q, now), n = q->narrivals - first;
	double sum, chi, longest = 0, p;

	if (n == 0)
		return QUIET_MIN;
	if (n == 1)
		return QUIET_MAX;
	sum = q->arrivals[q->narrivals - 1] - q->arrivals[first];
	for (unsigned i = first + 1; i < q->narrivals; i++)
		if (q->arrivals[i] - q->arrivals[i - 1] > longest)
			longest = q->arrivals[i] - q->arrivals[i - 1];
	chi = quiet_chi2_05(2.0 * (n - 1));
	p = chi > 0 ? QUIET_MEAN_FACTOR * 2 * sum / chi : QUIET_MAX;
	if (QUIET_GAP_FACTOR * longest > p)
		p = QUIET_GAP_FACTOR * longest;
	return p < QUIET_MIN ? QUIET_MIN : p > QUIET_MAX ? QUIET_MAX : p;
}

double
quiet_period(const struct quiet *q, double now)
{
	return q->fixed > 0 ? q->fixed : quiet_derive(q, now);
}

bool
quiet_poll(const struct quiet *q, double now, double *at)
{
	double since = q->start < 0 ? now : q->start;

	if (q->narrivals && q->arrivals[q->narrivals - 1] > since)
		since = q->arrivals[q->narrivals - 1];
	if (q->pending) {
		*at = now;
		return false;
	}
	*at = since + quiet_period(q, now);
	return now >= *at;
}

void
quiet_stats(const struct quiet *q, double now, struct quiet_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->conns = q->nconns;
	st->pending = q->pending;
	st->arrivals = q->narrivals - quiet_recent(q, now);
	st->since_recv = q->narrivals ?
	    now - q->arrivals[q->narrivals - 1] : -1;
	st->period = quiet_period(q, now);
}
