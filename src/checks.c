/*
 * checks.c: schedules checks and keeps their verdicts.
 *
 * Each check has a timer that starts its next run, and a one-shot deadline
 * that ends a run still going at its timeout. A run ends in check_done(),
 * which feeds rise/fall, logs a transition once, arms the next start and
 * tells the owner so /health is re-rendered. The next start is an
 * interval after this one's (fastinter while the verdict is changing),
 * spread by a random +-10 %, so checks that started together drift apart.
 * The next start is armed only once a run has ended: a check never
 * overlaps itself.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_target.h"
#include "checks.h"
#include "clock.h"
#include "jitter.h"
#include "jsonstr.h"
#include "log.h"
#include "metrics.h"
#include "resolve.h"
#include "risefall.h"

#define JITTER_STEP	0.010	/* s between the first runs of many checks */
#define CHECKS_LOG_OUTPUT 120	/* bytes of a command's output in check_down */

struct slot {
	struct check	 pub;		/* what the probe file sees */
	struct checks	*owner;
	const struct check_ops *ops;
	ev_timer	 every;		/* starts the next run */
	ev_timer	 deadline;	/* ends a run at its timeout */
	bool		 running;
	bool		 announced;	/* its first verdict was logged */
	bool		 skipping;	/* its last run was skipped: logged */
	double		 started;	/* monotonic s, of the run */
	struct risefall	 rf;
	char		 reason[160];	/* why the last run failed */
	char		 shown[CHECK_OUTPUT_MAX + 168];	/* the body's output */
	unsigned long long results[CHECK_CODE_COUNT];
	unsigned long long transitions;
	unsigned long long skipped;	/* runs ended by check_skip() */
	double		 last_ms;	/* duration of the last run */
};

struct checks {
	struct ev_loop	*loop;
	struct resolver	*resolver;	/* for names; NULL if no check has one */
	checks_changed_cb changed;
	void		*arg;
	unsigned	 n;
	struct slot	*slots;		/* n of them */
	struct health_check *view;	/* n of them, for health_render */
	struct metrics_check *figures;	/* n of them, for /metrics */
};

_Static_assert(CHECK_CODE_COUNT <= METRICS_CHECK_RESULTS,
    "METRICS_CHECK_RESULTS holds every check_code");

static const char *const code_names[CHECK_CODE_COUNT] = {
	"pass", "timeout", "refused", "connect", "status", "malformed",
	"exit", "spawn", "resolve", "grpc_status", "not_serving", "reset",
	"tls", "body", "reply",
};

const char *
check_code_name(enum check_code c)
{
	return c < CHECK_CODE_COUNT ? code_names[c] : "?";
}

static struct slot *
slot_of(struct check *c)
{
	return (struct slot *)((char *)c - offsetof(struct slot, pub));
}

/*
 * The reason, with a command's output after it (what a mistyped command
 * says): its first CHECKS_LOG_OUTPUT bytes, cut on a character, without
 * the newline it ends with. Quotes, backslashes, newlines and bytes that
 * are not UTF-8 stay as they are: log.c escapes them in both formats.
 */
static void
log_reason(const struct slot *s, char *buf, size_t size)
{
	const char *out = s->pub.output;
	size_t n = strlen(out);

	if (n > CHECKS_LOG_OUTPUT) {
		n = CHECKS_LOG_OUTPUT;
		while (n > 0 && ((unsigned char)out[n] & 0xc0) == 0x80)
			n--;
	}
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		n--;
	snprintf(buf, size, "%s%s%.*s", s->reason, n ? ": " : "", (int)n, out);
}

static void
log_verdict(struct slot *s, enum check_code code)
{
	char why[sizeof(s->reason) + 128];

	s->announced = true;
	if (code == CHECK_PASS) {
		log_kv(LOG_INFO, "check_up", LOG_S("name", s->pub.spec->name),
		    LOG_F("ms", s->last_ms, 1));
		return;
	}
	log_reason(s, why, sizeof(why));
	log_kv(LOG_WARN, "check_down", LOG_S("name", s->pub.spec->name),
	    LOG_S("result", check_code_name(code)), LOG_Q("reason", why),
	    LOG_S("severity", s->pub.spec->severity ==
	    CHECK_SPEC_SEVERITY_WARN ? "warn" : "fail"));
}

/*
 * Seconds from this run's start to the next: the interval, or fastinter
 * while the verdict is changing (some results against it, not yet rise
 * or fall of them), spread by one draw of the random source.
 */
double
checks_next_gap(const struct check_spec *sp, const struct risefall *rf)
{
	unsigned ms = sp->fastinter_ms && rf->streak > 0 ? sp->fastinter_ms :
	    sp->interval_ms;

	return ms / 1000.0 * (1.0 + JITTER_SPREAD * (2.0 * jitter_random() -
	    1.0));
}

/* Arms the next start, counted from this run's; at once if that passed. */
static void
checks_schedule(struct slot *s)
{
	double after = s->started + checks_next_gap(s->pub.spec, &s->rf) -
	    clock_mono();

	ev_timer_stop(s->pub.loop, &s->every);
	ev_timer_set(&s->every, after > 0 ? after : 0., 0.);
	ev_timer_start(s->pub.loop, &s->every);
}

void
check_done(struct check *c, enum check_code code, const char *detail)
{
	struct slot *s = slot_of(c);
	struct health_check *v;
	struct timespec wall;
	bool pass = code == CHECK_PASS;
	const struct check_spec *sp = c->spec;

	if (!s->running)
		return;
	s->running = false;
	s->skipping = false;
	ev_timer_stop(c->loop, &s->deadline);
	s->last_ms = (clock_mono() - s->started) * 1000.0;
	s->results[code]++;
	/* No connection: the name's address may have moved; ask again. */
	if (code == CHECK_REFUSED || code == CHECK_CONNECT ||
	    code == CHECK_TIMEOUT)
		check_target_failed(c);
	if (pass)
		s->reason[0] = '\0';
	else
		snprintf(s->reason, sizeof(s->reason), "%s", detail);

	/*
	 * A transition is logged once. A check starts down, so one that
	 * fails from its first run never transitions: its first failure is
	 * logged as its first verdict, or a mistyped check stays silent.
	 */
	if (risefall_feed(&s->rf, pass, sp->rise, sp->fall)) {
		s->transitions++;
		log_verdict(s, code);
	} else if (!s->announced && !pass)
		log_verdict(s, code);
	v = &s->owner->view[s - s->owner->slots];
	v->up = s->rf.up;
	v->ran = true;
	v->duration_ms = s->last_ms;
	clock_wall(&wall);	/* printed in the body, never subtracted */
	v->when = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
	/* A command's own words say most; with a failure, say why first. */
	if (c->output[0])
		snprintf(s->shown, sizeof(s->shown), "%s%s%s", s->reason,
		    s->reason[0] ? ": " : "", c->output);
	else
		snprintf(s->shown, sizeof(s->shown), "%s", s->reason);
	v->output = s->shown;
	checks_schedule(s);
	s->owner->changed(s->owner->arg);
}

bool
check_errno_is_own(int errnum)
{
	return errnum == EMFILE || errnum == ENFILE || errnum == ENOBUFS ||
	    errnum == ENOMEM;
}

void
check_skip(struct check *c, const char *why)
{
	struct slot *s = slot_of(c);

	if (!s->running)
		return;
	s->running = false;
	ev_timer_stop(c->loop, &s->deadline);
	s->skipped++;
	if (!s->skipping)
		log_kv(LOG_WARN, "check_skipped", LOG_S("name", c->spec->name),
		    LOG_Q("reason", why), LOG_S("kept", s->rf.up ? "up" :
		    "down"));
	s->skipping = true;
	checks_schedule(s);	/* the next run is tried as usual */
}

static void
deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct slot *s = w->data;
	bool dns = check_target_waiting(&s->pub);
	char why[ADDR_HOST_MAX + 64];

	(void)loop;
	(void)revents;
	if (dns)
		snprintf(why, sizeof(why), "resolve %s: no answer within %u ms",
		    s->pub.spec->host, s->pub.spec->timeout_ms);
	else
		snprintf(why, sizeof(why), "timeout after %u ms",
		    s->pub.spec->timeout_ms);
	if (!dns && s->ops->late)
		s->ops->late(&s->pub, why, sizeof(why));
	s->ops->cancel(&s->pub);
	check_done(&s->pub, dns ? CHECK_RESOLVE : CHECK_TIMEOUT, why);
}

static void
every_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct slot *s = w->data;

	(void)revents;
	if (s->running)		/* armed only between runs: cannot happen */
		return;
	s->running = true;
	s->started = clock_mono();
	s->pub.output[0] = '\0';
	ev_timer_set(&s->deadline, s->pub.spec->timeout_ms / 1000.0, 0.);
	ev_timer_start(loop, &s->deadline);
	s->ops->start(&s->pub);
}

static const struct check_ops *
ops_for(enum check_spec_kind k)
{
	switch (k) {
	case CHECK_SPEC_HTTP:	return &check_http_ops;
	case CHECK_SPEC_TCP:		return &check_tcp_ops;
	case CHECK_SPEC_EXEC:	return &check_exec_ops;
	case CHECK_SPEC_GRPC:	return &check_grpc_ops;
	case CHECK_SPEC_TLS:	return &check_tls_ops;
	}
	return NULL;
}

/* Whether a check names its host: numeric ones and localhost need none. */
static bool
needs_resolver(const struct check_spec *specs, unsigned n)
{
	struct sockaddr_storage ss;
	socklen_t len;

	for (unsigned i = 0; i < n; i++)
		if (specs[i].kind != CHECK_SPEC_EXEC &&
		    addr_to_sockaddr(specs[i].host, 80, &ss, &len) != NULL)
			return true;
	return false;
}

struct checks *
checks_new(struct ev_loop *loop, const struct check_spec *specs, unsigned n,
    checks_changed_cb changed, void *arg, char *why, size_t whylen)
{
	struct checks *cs;

	snprintf(why, whylen, "out of memory");
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return NULL;
	cs->loop = loop;
	cs->changed = changed;
	cs->arg = arg;
	cs->n = n;
	if (n && ((cs->slots = calloc(n, sizeof(*cs->slots))) == NULL ||
	    (cs->view = calloc(n, sizeof(*cs->view))) == NULL ||
	    (cs->figures = calloc(n, sizeof(*cs->figures))) == NULL)) {
		checks_free(cs);
		return NULL;
	}
	if (needs_resolver(specs, n)) {
		char err[128];

		/* Without it, name checks fail with this; never a start-up
		 * error (the issue: the sidecar may start before DNS works). */
		if ((cs->resolver = resolve_new(loop, err, sizeof(err))) == NULL)
			log_kv(LOG_ERROR, "resolver", LOG_Q("error", err));
	}
	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &cs->slots[i];

		s->pub.spec = &specs[i];
		s->pub.resolver = cs->resolver;
		s->pub.loop = loop;
		s->owner = cs;
		/* lint: a kind outside the enum is never made by check_spec,
		 * but gcc -fanalyzer follows ops_for()'s NULL for it: refused. */
		if ((s->ops = ops_for(specs[i].kind)) == NULL) {
			snprintf(why, whylen, "%s: unknown kind", specs[i].name);
			cs->n = i;
			checks_free(cs);
			return NULL;
		}
		if (s->ops->init)
			s->ops->init();
		if (s->ops->setup && !s->ops->setup(&s->pub, why, whylen)) {
			cs->n = i;	/* the ones set up so far */
			checks_free(cs);
			return NULL;
		}
		snprintf(s->reason, sizeof(s->reason), "not run yet");
		cs->view[i].name = specs[i].name;
		cs->view[i].warn =
		    specs[i].severity == CHECK_SPEC_SEVERITY_WARN;
		cs->view[i].output = s->reason;
		ev_init(&s->every, every_cb);
		s->every.data = s;
		ev_init(&s->deadline, deadline_cb);
		s->deadline.data = s;
	}
	return cs;
}

/*
 * All checks start now, a few ms apart so many do not connect in one
 * burst; each run then arms the next (checks_schedule).
 */
void
checks_start(struct checks *cs)
{
	for (unsigned i = 0; i < cs->n; i++) {
		struct slot *s = &cs->slots[i];
		double iv = s->pub.spec->interval_ms / 1000.0;
		double jitter = i * JITTER_STEP;

		if (jitter > iv / 2)
			jitter = iv / 2 * i / cs->n;
		ev_timer_set(&s->every, jitter, 0.);
		ev_timer_start(cs->loop, &s->every);
	}
}

void
checks_stop(struct checks *cs)
{
	for (unsigned i = 0; cs && i < cs->n; i++) {
		struct slot *s = &cs->slots[i];

		ev_timer_stop(cs->loop, &s->every);
		ev_timer_stop(cs->loop, &s->deadline);
		if (s->running)
			s->ops->cancel(&s->pub);
		s->running = false;
	}
}

void
checks_free(struct checks *cs)
{
	if (cs == NULL)
		return;
	if (cs->slots)
		checks_stop(cs);
	for (unsigned i = 0; cs->slots && i < cs->n; i++) {
		struct slot *s = &cs->slots[i];

		if (s->ops && s->ops->teardown)
			s->ops->teardown(&s->pub);
		check_target_free(&s->pub);
	}
	resolve_free(cs->resolver);
	free(cs->slots);
	free(cs->view);
	free(cs->figures);
	free(cs);
}

void
checks_view(const struct checks *cs, const struct health_check **v,
    unsigned *n)
{
	*v = cs ? cs->view : NULL;
	*n = cs ? cs->n : 0;
}

/*
 * The codes a check of each kind can end a run with: their series exist
 * at 0 from the start, so rate() and increase() see a first failure. A
 * code set by a probe but missing from its row is counted and never
 * shown, so each row names the files that set its codes. checks.c itself
 * ends any run in timeout, and in resolve for a host name.
 */
#define CHECKS_R(c)	(1u << (c))
#define CHECKS_ANY	(CHECKS_R(CHECK_PASS) | CHECKS_R(CHECK_TIMEOUT))
#define CHECKS_SOCKET	(CHECKS_R(CHECK_REFUSED) | CHECKS_R(CHECK_CONNECT) | \
			    CHECKS_R(CHECK_RESOLVE))	/* check_socket.c */
static const unsigned kind_results[] = {
	[CHECK_SPEC_HTTP] = CHECKS_ANY | CHECKS_SOCKET |	/* check_http.c */
	    CHECKS_R(CHECK_STATUS) | CHECKS_R(CHECK_MALFORMED) |
	    CHECKS_R(CHECK_BODY) | CHECKS_R(CHECK_TLS),
	[CHECK_SPEC_TCP] = CHECKS_ANY | CHECKS_SOCKET |		/* check_tcp.c */
	    CHECKS_R(CHECK_REPLY),
	[CHECK_SPEC_EXEC] = CHECKS_ANY |			/* check_exec.c */
	    CHECKS_R(CHECK_EXIT) | CHECKS_R(CHECK_SPAWN),
	[CHECK_SPEC_GRPC] = CHECKS_ANY | CHECKS_SOCKET |	/* check_grpc.c, */
	    CHECKS_R(CHECK_STATUS) | CHECKS_R(CHECK_MALFORMED) | /* grpc_call.c */
	    CHECKS_R(CHECK_GRPC) | CHECKS_R(CHECK_SERVING) |
	    CHECKS_R(CHECK_RESET) | CHECKS_R(CHECK_TLS),
	[CHECK_SPEC_TLS] = CHECKS_ANY | CHECKS_SOCKET |		/* check_tls.c */
	    CHECKS_R(CHECK_TLS),
};
_Static_assert(CHECK_CODE_COUNT <= 32, "kind_results holds every code");
_Static_assert(sizeof(kind_results) / sizeof(kind_results[0]) ==
    CHECK_SPEC_TLS + 1, "kind_results has a row per kind");

/* The results a check's kind can have, each with its count, 0 or not. */
static void
checks_results(const struct slot *s, struct metrics_check *f)
{
	unsigned n = 0;

	for (unsigned c = 0; c < CHECK_CODE_COUNT; c++)
		if (kind_results[s->pub.spec->kind] & CHECKS_R(c)) {
			f->results[n].name = code_names[c];
			f->results[n++].n = s->results[c];
		}
	if (n < METRICS_CHECK_RESULTS)
		f->results[n].name = NULL;
}

void
checks_figures(struct checks *cs, const struct metrics_check **v,
    unsigned *n)
{
	*v = cs ? cs->figures : NULL;
	*n = cs ? cs->n : 0;
	for (unsigned i = 0; i < *n; i++) {
		const struct slot *s = &cs->slots[i];
		struct metrics_check *f = &cs->figures[i];

		f->name = cs->view[i].name;
		f->warn = cs->view[i].warn;
		f->up = s->rf.up;
		f->last_seconds = s->last_ms / 1000.0;
		f->transitions = s->transitions;
		f->skipped = s->skipped;
		checks_results(s, f);
		f->named = check_target_counts(&s->pub, &f->lookups,
		    &f->lookup_failures);
		/* Seconds left, from now: the figure moves between runs. */
		f->tls = s->pub.tls_seen;
		if (f->tls) {
			struct timespec wall;

			clock_wall(&wall);
			f->tls_expiry = s->pub.tls_not_after -
			    ((double)wall.tv_sec + wall.tv_nsec / 1e9);
		}
	}
}
