/*
 * supervise.c: the app as healthgate's child (supervisor mode).
 *
 * posix_spawnp (no shell) -> ev_child; ev_signal watchers pass the app's
 * signals on; after the drain: linger timer -> stop signal -> stop timer ->
 * SIGKILL to the group -> the child's exit is reported once.
 *
 * Process group: the app gets one of its own. A terminal's Ctrl-C, or a
 * kill(-pgid) aimed at healthgate's group, then reaches healthgate alone,
 * which drains before it passes the stop on; a group shared with the app
 * would hand the app its SIGINT at the same instant and the drain would be
 * worth nothing. It also lets the final SIGKILL reach the app's workers
 * (uvicorn --workers, gunicorn) in one call. The cost: the app is not the
 * terminal's foreground group, so an app that reads the terminal stops with
 * SIGTTIN; servers do not.
 *
 * Reaping: libev's default loop watches SIGCHLD and calls waitpid(-1,
 * WNOHANG) until nothing is left, handing each status to the ev_child
 * watcher for that pid if there is one. Every child is reaped that way,
 * the app's orphans included: healthgate is their reaper as PID 1 in a
 * container, and elsewhere as the child subreaper set here.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "clock.h"
#include "log.h"
#include "signame.h"
#include "child.h"
#include "supervise.h"

/*
 * What an operator sends the app through healthgate: SIGHUP (reload),
 * SIGQUIT (quit or dump, the app's choice), SIGWINCH, SIGTTIN and SIGTTOU
 * (gunicorn: one worker more or less). SIGTERM and SIGINT start the drain
 * and only the second one is passed on (main.c); SIGUSR1 and SIGUSR2 stay
 * healthgate's: they switch /health's maintenance on and off, and many
 * apps give them a meaning of their own (gunicorn re-opens logs on USR1 and
 * re-executes itself on USR2) that an operator flipping maintenance does
 * not want. SIGCHLD, SIGPIPE and SIGALRM are about healthgate itself.
 */
const int supervise_forwarded[] = {
	SIGHUP, SIGQUIT, SIGWINCH, SIGTTIN, SIGTTOU, 0,
};

#define NFORWARD	(sizeof(supervise_forwarded) / sizeof(int) - 1)

enum sup_phase {
	SUP_RUNNING,		/* no stop asked for yet */
	SUP_LINGER,		/* drain ended; waiting before the signal */
	SUP_STOPPING,		/* stop signal sent; waiting for the exit */
	SUP_KILLED,		/* SIGKILL sent */
	SUP_EXITED,		/* reaped, reported */
};

struct supervise {
	struct ev_loop	*loop;
	pid_t		 pid;		/* the app, also its process group */
	enum sup_phase	 phase;
	ev_child	 child;
	ev_timer	 timer;		/* the linger, then the stop timeout */
	ev_signal	 fwd[NFORWARD];
	int		 stop_signal;	/* sent when the linger ends */
	double		 timeout;	/* s, stop signal to SIGKILL */
	double		 since;		/* clock_mono() of the stop signal */
	supervise_exit_fn *exited;
	void		*arg;
};

int
supervise_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/* As a shell does: 127 when there is no such command, 126 otherwise. */
int
supervise_spawn_code(int errnum)
{
	return errnum == ENOENT || errnum == ENOTDIR ? 127 : 126;
}

static const char *
name(int sig)
{
	const char *n = signame_name(sig);

	return n ? n : "?";
}

static void
supervise_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	char why[256];
	struct supervise *s = w->data;

	(void)revents;
	if (s->phase == SUP_LINGER) {
		s->phase = SUP_STOPPING;
		s->since = clock_mono();
		log_kv(LOG_INFO, "app_stop", LOG_I("pid", s->pid),
		    LOG_S("signal", name(s->stop_signal)),
		    LOG_F("timeout_ms", s->timeout * 1000, 0));
		kill(s->pid, s->stop_signal);
		ev_timer_set(w, s->timeout, 0.);
		ev_timer_start(loop, w);
		return;
	}
	if (s->phase == SUP_STOPPING) {
		s->phase = SUP_KILLED;
		snprintf(why, sizeof(why), "still running %.0f ms after the "
		    "stop signal", s->timeout * 1000);
		log_kv(LOG_WARN, "app_kill", LOG_I("pid", s->pid),
		    LOG_S("signal", "SIGKILL"), LOG_Q("reason", why));
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);	/* should it have left its group */
	}
}

static void
supervise_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct supervise *s = w->data;
	int st = w->rstatus;
	struct log_kv how;

	(void)revents;
	ev_child_stop(loop, w);
	ev_timer_stop(loop, &s->timer);
	for (size_t i = 0; i < NFORWARD; i++)
		ev_signal_stop(loop, &s->fwd[i]);
	if (WIFSIGNALED(st))
		how = LOG_S("signal", name(WTERMSIG(st)));
	else
		how = LOG_I("status", WEXITSTATUS(st));
	if (s->phase >= SUP_STOPPING)
		log_kv(LOG_INFO, "app_exit", LOG_I("pid", s->pid), how,
		    LOG_I("code", supervise_exit_code(st)),
		    LOG_F("after_stop_ms", (clock_mono() - s->since) * 1000, 0));
	else
		log_kv(s->phase == SUP_RUNNING ? LOG_WARN : LOG_INFO,
		    "app_exit", LOG_I("pid", s->pid), how,
		    LOG_I("code", supervise_exit_code(st)),
		    LOG_Q("reason", s->phase == SUP_RUNNING ?
		    "exited on its own" : "exited during the linger"));
	/*
	 * The app is over: what is left of its group (workers its master
	 * did not take down) would outlive it holding its port.
	 */
	kill(-s->pid, SIGKILL);
	s->phase = SUP_EXITED;
	s->exited(s->arg, st);
}

static void
forward_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct supervise *s = w->data;

	(void)loop;
	(void)revents;
	if (s->phase == SUP_EXITED)
		return;
	log_kv(LOG_INFO, "signal_forward", LOG_S("signal", name(w->signum)),
	    LOG_I("pid", s->pid));
	kill(s->pid, w->signum);
}

struct supervise *
supervise_start(struct ev_loop *loop, char *const argv[], char *const envp[],
    supervise_exit_fn *exited, void *arg, int *errnum)
{
	struct supervise *s;
	pid_t pid;
	int err;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*errnum = ENOMEM;
		return NULL;
	}
	/*
	 * Orphans of the app come to us, not to an init that may not reap
	 * them (or to nobody). As PID 1 that is so already.
	 */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* Its own group (see the top of the file, and child.h). */
	err = child_spawn(&pid, NULL, argv, envp);
	if (err != 0) {
		*errnum = err;
		free(s);
		return NULL;
	}
	s->loop = loop;
	s->pid = pid;
	s->exited = exited;
	s->arg = arg;
	ev_child_init(&s->child, supervise_child_cb, pid, 0);
	s->child.data = s;
	ev_child_start(loop, &s->child);
	ev_init(&s->timer, supervise_timer_cb);
	s->timer.data = s;
	for (size_t i = 0; i < NFORWARD; i++) {
		ev_signal_init(&s->fwd[i], forward_cb, supervise_forwarded[i]);
		s->fwd[i].data = s;
		ev_signal_start(loop, &s->fwd[i]);
	}
	return s;
}

void
supervise_free(struct supervise *s)
{
	if (s == NULL)
		return;
	/* Only if the loop ended before the app did: it is not left behind. */
	if (s->phase != SUP_EXITED) {
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	ev_child_stop(s->loop, &s->child);
	ev_timer_stop(s->loop, &s->timer);
	for (size_t i = 0; i < NFORWARD; i++)
		ev_signal_stop(s->loop, &s->fwd[i]);
	free(s);
}

pid_t
supervise_pid(const struct supervise *s)
{
	return s->pid;
}

void
supervise_stop(struct supervise *s, double linger, int stop_signal,
    double timeout)
{
	if (s->phase != SUP_RUNNING)
		return;
	s->phase = SUP_LINGER;
	s->stop_signal = stop_signal;
	s->timeout = timeout;
	log_kv(LOG_INFO, "app_linger", LOG_I("pid", s->pid),
	    LOG_F("linger_ms", linger * 1000, 0));
	/* A relative timer counts from ev_now(), which may be stale here. */
	ev_now_update(s->loop);
	ev_timer_set(&s->timer, linger, 0.);
	ev_timer_start(s->loop, &s->timer);
}

void
supervise_stop_now(struct supervise *s, int sig, double timeout)
{
	if (s->phase == SUP_EXITED)
		return;
	log_kv(LOG_INFO, "signal_forward", LOG_S("signal", name(sig)),
	    LOG_I("pid", s->pid));
	kill(s->pid, sig);
	if (s->phase == SUP_STOPPING || s->phase == SUP_KILLED)
		return;
	s->phase = SUP_STOPPING;
	s->since = clock_mono();
	s->timeout = timeout;
	ev_timer_stop(s->loop, &s->timer);
	ev_now_update(s->loop);
	ev_timer_set(&s->timer, timeout, 0.);
	ev_timer_start(s->loop, &s->timer);
}
