/*
 * main.c: the life of the process.
 *
 * flags and environment -> config -> listener -> checks -> signals ->
 * ev_run -> teardown. The drain's loop glue is stop.c; this file hands it
 * the stop signals and breaks the loop when it says the drain is over.
 * With "-- COMMAND" the drain's end starts the app's stop (supervise.c)
 * instead, and the app's exit ends the loop.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ev.h>

#include "checks.h"
#include "config.h"
#include "fd_budget.h"
#include "health.h"
#include "http_server.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "plan.h"
#include "probe.h"
#include "reap.h"
#include "signame.h"
#include "stop.h"
#include "supervise.h"
#include "version.h"

extern char **environ;

struct daemon {
	struct config	 cfg;
	struct ev_loop	*loop;
	struct http_server *http;
	struct checks	*checks;
	struct stop	*stop;		/* the drain, from SIGTERM to done */
	struct notify	*notify;	/* NULL when not under systemd */
	struct supervise *app;		/* supervisor mode, else NULL */
	bool		 app_gone;	/* the app exited: /health is 503 */
	int		 rc;		/* what healthgate exits with */
	char		 status[96];	/* last STATUS= sent, to send changes */
	ev_signal	 sigterm, sigint, sigusr1, sigusr2, sighup;
	bool		 maintenance;
	unsigned	 health_code;	/* last verdict, to log changes only */
};

/* One line for `systemctl status`: what /health answers, and why. */
static void
status_line(const struct health_view *v, char *buf, size_t size)
{
	unsigned down = 0;

	for (unsigned i = 0; i < v->nchecks; i++)
		down += !v->checks[i].up;
	if (v->draining)
		snprintf(buf, size, "draining: /health answers 503");
	else if (v->maintenance)
		snprintf(buf, size, "maintenance: /health answers 503");
	else if (down)
		snprintf(buf, size, "%u of %u checks down: /health answers 503",
		    down, v->nchecks);
	else
		snprintf(buf, size, "healthy: %u checks up, /health answers 200",
		    v->nchecks);
}

/* Renders the verdict after any change and hands it to the server. */
static void
refresh(struct daemon *d)
{
	struct health_view v = {
		.draining = stop_draining(d->stop),
		.maintenance = d->maintenance,
		.app_gone = d->app_gone,
	};
	struct sbuf b;
	unsigned code;
	char status[sizeof(d->status)];

	checks_view(d->checks, &v.checks, &v.nchecks);
	sbuf_init(&b);
	code = health_render(&v, &b);
	if (!sbuf_failed(&b))
		http_server_set_health(d->http, code, b.data, b.len);
	if (code != d->health_code && d->health_code != 0)
		log_event(LOG_INFO, "state", "from=%u to=%u", d->health_code,
		    code);
	d->health_code = code;
	sbuf_free(&b);
	status_line(&v, status, sizeof(status));
	if (strcmp(status, d->status) != 0) {
		memcpy(d->status, status, sizeof(status));
		notify_status(d->notify, status);
	}
}

static const char *
signame(int signum)
{
	const char *n = signame_name(signum);

	return n ? n : "?";
}

/* The 503 goes up first: closing, STOPPING=1, and the re-rendered body. */
static void
on_drain_begin(void *arg)
{
	struct daemon *d = arg;

	http_server_set_closing(d->http);
	notify_stopping(d->notify, NULL);
	refresh(d);		/* and STATUS=draining */
}

static unsigned
on_drain_inflight(void *arg)
{
	struct daemon *d = arg;

	return http_server_inflight(d->http);
}

/*
 * The sidecar's whole job is done: leave the loop, free, exit 0. A
 * supervisor stops its app now: after the linger, which covers requests
 * the load balancer routed just before its verdict (with no prober
 * watched nothing routes to us: no linger), or at once when a second
 * signal cut the drain short (on_stop passes that one on).
 */
static void
on_drain_done(void *arg, enum stop_end how, enum drain_state reason)
{
	struct daemon *d = arg;

	if (d->app == NULL) {
		ev_break(d->loop, EVBREAK_ALL);
		return;
	}
	if (how == STOP_END_DRAINED)
		supervise_stop(d->app, reason == DRAIN_DONE_IDLE ? 0. :
		    d->cfg.drain_linger_ms / 1000.0, d->cfg.stop_signal,
		    d->cfg.stop_timeout_ms / 1000.0);
}

static void
on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;
	bool again = stop_draining(d->stop);

	(void)loop;
	(void)revents;
	stop_signal(d->stop, signame(w->signum));
	/* One after the first is the app's: it goes to the app now. */
	if (d->app && again && !d->app_gone)
		supervise_stop_now(d->app, w->signum,
		    d->cfg.stop_timeout_ms / 1000.0);
}

/* The app is gone: /health says so at once, and healthgate follows it. */
static void
on_app_exit(void *arg, int wstatus)
{
	struct daemon *d = arg;

	d->app_gone = true;
	d->rc = supervise_exit_code(wstatus);
	refresh(d);
	ev_break(d->loop, EVBREAK_ALL);
}

/* Supervisor mode: the app starts once healthgate listens and checks. */
static bool
start_app(struct daemon *d)
{
	char cmd[256] = "";
	int errnum = 0;

	for (char *const *a = d->cfg.app_argv; *a; a++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s",
		    cmd[0] ? " " : "", *a);
	/* A quoted logfmt value: no quote, backslash or control inside. */
	for (char *p = cmd; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '?';
	d->app = supervise_start(d->loop, d->cfg.app_argv, environ,
	    on_app_exit, d, &errnum);
	if (d->app == NULL) {
		d->rc = supervise_spawn_code(errnum);
		log_event(LOG_ERROR, "exit", "status=%d reason=\"cannot run "
		    "%s: %s\"", d->rc, d->cfg.app_argv[0], strerror(errnum));
		return false;
	}
	log_event(LOG_INFO, "app_start", "pid=%d command=\"%s\" "
	    "drain_linger_ms=%u stop_signal=%s stop_timeout_ms=%u",
	    (int)supervise_pid(d->app), cmd, d->cfg.drain_linger_ms,
	    signame(d->cfg.stop_signal), d->cfg.stop_timeout_ms);
	return true;
}

static void
on_maintenance(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;
	bool on = w->signum == SIGUSR1;

	(void)loop;
	(void)revents;
	if (d->maintenance == on)
		return;
	d->maintenance = on;
	log_event(LOG_INFO, on ? "maintenance_on" : "maintenance_off",
	    "signal=%s", signame(w->signum));
	refresh(d);
}

/*
 * SIGHUP is not a reload and must not kill the target the load balancer
 * routes to (a closed terminal on `make run`, a stray kill -HUP): say so
 * and keep serving. The one place a supervisor would pass it on to its app.
 */
static void
on_hangup(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	log_event(LOG_INFO, "sighup", "action=ignored reason=\"not a reload; "
	    "healthgate keeps serving\"");
}

static void
on_served(void *arg, const struct addr *client, unsigned code)
{
	struct daemon *d = arg;

	stop_served(d->stop, client, code);
}

static bool
on_prober(void *arg, const struct addr *client)
{
	struct daemon *d = arg;

	return stop_known_prober(d->stop, client, HTTP_SERVER_PROBER_MEMORY);
}

static void
on_idle(void *arg)
{
	struct daemon *d = arg;

	stop_poll(d->stop);
}

static void
on_metrics(void *arg, struct sbuf *b)
{
	struct daemon *d = arg;
	const struct metrics_check *figures;
	struct drain_stats st;
	unsigned long long n503;
	unsigned n;

	stop_stats(d->stop, &st, &n503);
	metrics_render_daemon(b, &(struct metrics_daemon){
	    .draining = stop_draining(d->stop),
	    .maintenance = d->maintenance, .drain_503s = n503,
	    .watched = st.watched });
	checks_figures(d->checks, &figures, &n);
	metrics_render_checks(b, figures, n);
}

static void
on_checks_changed(void *arg)
{
	refresh(arg);
}

static void
log_start(struct daemon *d)
{
	char listen[ADDR_STR_MAX], ignore[512] = "", one[64];
	const struct config *c = &d->cfg;

	http_server_address(d->http, listen, sizeof(listen));
	for (unsigned i = 0; i < c->ndrain_ignore; i++) {
		addr_format(&c->drain_ignore[i].net, one, sizeof(one));
		snprintf(ignore + strlen(ignore), sizeof(ignore) -
		    strlen(ignore), "%s%s/%u", i ? "," : "", one,
		    c->drain_ignore[i].bits);
	}
	log_event(LOG_INFO, "start", "version=%s pid=%d listen=%s checks=%u "
	    "interval_ms=%u timeout_ms=%u rise=%u fall=%u drain_timeout_ms=%u "
	    "drain_fall=%u drain_window_ms=%u drain_ignore=%s "
	    "max_connections=%u max_per_ip=%u conn_memory=%u "
	    "request_timeout_ms=%u idle_timeout_ms=%u",
	    HEALTHGATE_VERSION, (int)getpid(), listen, c->nchecks,
	    c->interval_ms, c->timeout_ms, c->rise, c->fall,
	    c->drain_timeout_ms, c->drain_fall, c->drain_window_ms,
	    ignore[0] ? ignore : "none", c->max_connections, c->max_per_ip,
	    c->conn_memory, c->request_timeout_ms, c->idle_timeout_ms);
	for (unsigned i = 0; i < c->nchecks; i++)
		log_event(LOG_INFO, "check", "name=%s interval_ms=%u "
		    "timeout_ms=%u rise=%u fall=%u", c->checks[i].name,
		    c->checks[i].interval_ms, c->checks[i].timeout_ms,
		    c->checks[i].rise, c->checks[i].fall);
}

static void
signal_watch(struct daemon *d, ev_signal *w, int signum,
    void (*cb)(struct ev_loop *, ev_signal *, int))
{
	ev_signal_init(w, cb, signum);
	w->data = d;
	ev_signal_start(d->loop, w);
}

int
main(int argc, char *argv[])
{
	struct daemon d;
	struct http_hooks hooks;
	struct http_limits limits;
	struct fd_budget fds;
	char err[CONFIG_ERR_MAX];
	int rc = 1;

	if (argc > 1 && strcmp(argv[1], "probe") == 0)
		return probe_main(argc - 1, argv + 1, environ);
	if (argc > 1 && strcmp(argv[1], "plan") == 0)
		return plan_main(argc - 1, argv + 1, environ);

	memset(&d, 0, sizeof(d));
	switch (config_load(&d.cfg, argc, argv, environ, err)) {
	case CONFIG_OK:
		break;
	case CONFIG_HELP:
		config_usage();
		return 0;
	case CONFIG_VERSION:
		puts(version_line());
		return 0;
	case CONFIG_ERROR:
		/* One line, JSON if asked; "<3>" first when it is the journal. */
		log_refusal(config_log_format_asked(argc, argv, environ),
		    "config_error", err);
		return 2;
	}
	log_init(d.cfg.log_format);
	signal(SIGPIPE, SIG_IGN);

	d.loop = EV_DEFAULT;
	/*
	 * Under systemd: the notify socket and watchdog are ours alone, so
	 * exec: checks do not inherit them.
	 */
	d.notify = notify_new(d.loop, environ);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	d.stop = stop_new(d.loop, &(struct stop_params){
		.ignore = d.cfg.drain_ignore, .nignore = d.cfg.ndrain_ignore,
		.window_ms = d.cfg.drain_window_ms, .fall = d.cfg.drain_fall,
		.cap_ms = d.cfg.drain_timeout_ms,
	    }, &(struct stop_hooks){ .begin = on_drain_begin,
		.inflight = on_drain_inflight, .done = on_drain_done,
		.arg = &d });
	hooks = (struct http_hooks){ .served = on_served, .idle = on_idle,
	    .prober = on_prober, .metrics = on_metrics, .arg = &d };
	if (d.stop == NULL) {
		log_event(LOG_ERROR, "exit", "reason=\"out of memory\"");
		goto out;
	}
	/* First what fits the open-file limit, then the server's limits. */
	fd_budget_apply(&d.cfg.max_connections, HTTP_SERVER_HEADROOM, &fds);
	limits = (struct http_limits){
		.max_connections = d.cfg.max_connections,
		.max_per_ip = d.cfg.max_per_ip,
		.conn_memory = d.cfg.conn_memory,
		.request_timeout = d.cfg.request_timeout_ms / 1000.0,
		.idle_timeout = d.cfg.idle_timeout_ms / 1000.0,
		.headroom = fds.headroom,
	};
	d.http = http_server_new(d.loop, d.cfg.listen_host, d.cfg.listen_port,
	    &limits, &hooks, err, sizeof(err));
	if (d.http == NULL) {
		log_event(LOG_ERROR, "exit", "reason=\"cannot listen on "
		    "%s:%u: %s\"", d.cfg.listen_host[0] ? d.cfg.listen_host :
		    "[::]", d.cfg.listen_port, err);
		goto out;
	}
	d.checks = checks_new(d.loop, d.cfg.checks, d.cfg.nchecks,
	    on_checks_changed, &d);
	if (d.checks == NULL) {
		log_event(LOG_ERROR, "exit", "reason=\"out of memory\"");
		goto out;
	}
	signal_watch(&d, &d.sigterm, SIGTERM, on_stop);
	signal_watch(&d, &d.sigint, SIGINT, on_stop);
	signal_watch(&d, &d.sigusr1, SIGUSR1, on_maintenance);
	signal_watch(&d, &d.sigusr2, SIGUSR2, on_maintenance);
	/* A supervisor's SIGHUP is the app's: supervise.c passes it on. */
	if (d.cfg.app_argv == NULL)
		signal_watch(&d, &d.sighup, SIGHUP, on_hangup);

	/*
	 * Before the first check: its strays are known from the start. In
	 * supervisor mode the app's orphans come here too and are only reaped.
	 */
	reap_init(d.loop, d.cfg.app_argv ? REAP_SUPERVISOR : REAP_SIDECAR);
	refresh(&d);
	log_start(&d);
	/* The listener is open: connections queue from here on. */
	notify_ready(d.notify, NULL);
	checks_start(d.checks);
	if (d.cfg.app_argv && !start_app(&d)) {
		rc = d.rc;
		goto out;
	}
	ev_run(d.loop, 0);
	rc = d.rc;
	log_event(LOG_INFO, "exit", "status=%d", rc);
out:
	supervise_free(d.app);	/* the app, reaped, if it still ran */
	checks_free(d.checks);	/* kills every running check's group */
	reap_final(1.0);	/* ...then what escaped them */
	http_server_free(d.http);
	stop_free(d.stop);
	notify_free(d.notify);
	config_free(&d.cfg);
	return rc;
}
