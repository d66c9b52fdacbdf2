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

#include "admin.h"
#include "admin_token.h"
#include "app_ports.h"
#include "checks.h"
#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "evalloc.h"
#include "fd_budget.h"
#include "grpc_server.h"
#include "health.h"
#include "http_server.h"
#include "log.h"
#include "mem_budget.h"
#include "metrics.h"
#include "notify.h"
#include "opts.h"
#include "plan/plan.h"
#include "probe.h"
#include "procstat.h"
#include "reap.h"
#include "signame.h"
#include "stop.h"
#include "supervise.h"
#include "traffic.h"
#include "version.h"

#define MAIN_LOG_PATH_MAX	127	/* bytes of an admin request's path logged */
#define MAIN_LOG_METHOD_MAX	15

extern char **environ;

struct daemon {
	struct config	 cfg;
	struct ev_loop	*loop;
	struct http_server *http;
	struct grpc_server *grpc;	/* --grpc-listen, else NULL */
	struct checks	*checks;
	struct stop	*stop;		/* the drain, from SIGTERM to done */
	struct traffic	*traffic;	/* the app's ports; NULL: none */
	struct notify	*notify;	/* NULL when not under systemd */
	struct supervise *app;		/* supervisor mode, else NULL */
	bool		 app_gone;	/* the app exited: /health is 503 */
	int		 rc;		/* what healthgate exits with */
	char		 status[96];	/* last STATUS= sent, to send changes */
	ev_signal	 sigterm, sigint, sigusr1, sigusr2, sighup;
	bool		 maintenance;
	unsigned	 health_code;	/* last verdict, to log changes only */
	enum health_reason verdict;	/* ...and why, for /metrics */
	char		*admin_token;	/* owned; NULL: /admin/ loopback only */
	/*
	 * Started by /admin/prestop: its end answers the held requests and
	 * nothing more; /health stays 503 until a stop signal ends the
	 * process (Kubernetes signals a native sidecar after the app).
	 */
	bool		 drain_hold;
	const char	*drain_by;	/* what started the drain, for status */
	struct timespec	 drain_wall;	/* when, for the prestop answer */
	struct admin_end drain_end;	/* how it ended, once it has */
};

/* One line for `systemctl status`: what /health answers, and why. */
static void
status_line(const struct health_view *v, char *buf, size_t size)
{
	unsigned down = 0, warned = 0;

	for (unsigned i = 0; i < v->nchecks; i++)
		if (!v->checks[i].up)
			*(v->checks[i].warn ? &warned : &down) += 1;
	if (v->draining)
		snprintf(buf, size, "draining: /health answers 503");
	else if (v->maintenance)
		snprintf(buf, size, "maintenance: /health answers 503");
	else if (down)
		snprintf(buf, size, "%u of %u checks down: /health answers 503",
		    down, v->nchecks);
	else if (warned)
		snprintf(buf, size, "%u of %u checks down, severity warn: "
		    "/health answers 200", warned, v->nchecks);
	else
		snprintf(buf, size, "healthy: %u checks up, /health answers 200",
		    v->nchecks);
}

/* Renders the verdict after any change and hands it to the server. */
static void
refresh(struct daemon *d)
{
	const struct config *c = &d->cfg;
	const struct health_service sv = {
		.version = c->service_version, .release_id = c->release_id,
		.service_id = c->service_id, .description = c->description,
	};
	struct health_view v = {
		.service = &sv,
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
	d->verdict = health_reason(&v);
	if (!sbuf_failed(&b))
		http_server_set_health(d->http, code, b.data, b.len);
	if (d->grpc) {
		char why[160];

		health_why(&v, why, sizeof(why));
		grpc_server_set_health(d->grpc, code == 200, why);
	}
	if (code != d->health_code && d->health_code != 0)
		log_kv(LOG_INFO, "state", LOG_U("from", d->health_code),
		    LOG_U("to", code));
	/* The app is up: whether its sockets can be seen is known now. */
	if (code == 200 && d->health_code != 200 && d->traffic)
		traffic_look(d->traffic);
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

	clock_wall(&d->drain_wall);
	/*
	 * The checks stop: /health is 503 whatever they find, and an exec
	 * check that asks the app (curl, a client) makes connections that
	 * are not healthgate's own sockets, which read as the app's traffic
	 * and held the quiet period off (under systemd: to the 30 s cap).
	 */
	checks_stop(d->checks);
	http_server_set_closing(d->http);
	if (d->grpc)
		grpc_server_set_closing(d->grpc);
	notify_stopping(d->notify, NULL);
	refresh(d);		/* and STATUS=draining */
}

/* Requests in flight, HTTP and gRPC: what the drain waits for. */
static unsigned
daemon_inflight(const struct daemon *d)
{
	return http_server_inflight(d->http) + grpc_server_inflight(d->grpc);
}

static unsigned
on_drain_inflight(void *arg)
{
	return daemon_inflight(arg);
}

/*
 * The sidecar's whole job is done: leave the loop, free, exit 0. A
 * supervisor stops its app now: after the linger, which covers requests
 * the load balancer routed just before its verdict (with no prober
 * watched nothing routes to us: no linger), or at once when a second
 * signal cut the drain short (on_stop passes that one on).
 */
static void
drain_finish(struct daemon *d, enum stop_end how, enum drain_state reason)
{
	if (d->app == NULL) {
		ev_break(d->loop, EVBREAK_ALL);
		return;
	}
	/*
	 * Quiet traffic has seen every request in flight answered: no linger.
	 */
	if (how == STOP_END_DRAINED)
		supervise_stop(d->app, reason == DRAIN_DONE_IDLE ||
		    reason == DRAIN_DONE_QUIET ? 0. :
		    d->cfg.drain_linger_ms / 1000.0, d->cfg.stop_signal,
		    d->cfg.stop_timeout_ms / 1000.0);
}

/* The drain's end as /admin/prestop and /admin/status tell it. */
static void
drain_record(struct daemon *d, enum stop_end how, enum drain_state reason)
{
	struct timespec now;
	double elapsed, left;

	clock_wall(&now);
	stop_timing(d->stop, &elapsed, &left);
	d->drain_end = (struct admin_end){
		.reason = how == STOP_END_ABORTED ? "aborted" :
		    drain_state_name(reason),
		.started_by = d->drain_by,
		.started = (double)d->drain_wall.tv_sec +
		    d->drain_wall.tv_nsec / 1e9,
		.ended = (double)now.tv_sec + now.tv_nsec / 1e9,
		.duration = elapsed,
	};
}

/*
 * The one place a drain's end is reported, whatever ended it: every held
 * /admin/prestop is answered here, then the drain's owner acts (unless
 * /admin/prestop started it: then only a stop signal ends the process).
 */
static void
on_drain_done(void *arg, enum stop_end how, enum drain_state reason)
{
	struct daemon *d = arg;
	struct sbuf b;
	unsigned n;

	drain_record(d, how, reason);
	sbuf_init(&b);
	admin_render_end(&d->drain_end, &b);
	n = sbuf_failed(&b) ? 0 : http_server_release(d->http, 200, b.data,
	    b.len);
	sbuf_free(&b);
	if (n)
		log_kv(LOG_INFO, "prestop_answered", LOG_U("waiters", n),
		    LOG_S("reason", d->drain_end.reason));
	if (d->drain_hold) {
		log_kv(LOG_INFO, "drain_held", LOG_Q("reason", "started by "
		    "/admin/prestop: /health stays 503 until a stop signal"));
		return;
	}
	drain_finish(d, how, reason);
}

/*
 * A drain /admin/prestop started now ends the process: when it ends, or
 * at once if it has (then as a drain that was over: no linger).
 */
static void
drain_release_hold(struct daemon *d, const char *key, const char *cause)
{
	d->drain_hold = false;
	log_kv(LOG_INFO, "drain_exit", LOG_S(key, cause),
	    LOG_S("when", stop_over(d->stop) ? "now" : "drain_end"));
	if (stop_over(d->stop))
		drain_finish(d, STOP_END_DRAINED, DRAIN_DONE_IDLE);
}

static void
on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;
	bool again = stop_draining(d->stop);

	(void)loop;
	(void)revents;
	/* After /admin/prestop's drain, a signal is its first, not a second. */
	if (d->drain_hold) {
		drain_release_hold(d, "signal", signame(w->signum));
		return;
	}
	if (!again)
		d->drain_by = signame(w->signum);
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
	char why[1024];
	char cmd[256] = "";
	int errnum = 0;

	for (char *const *a = d->cfg.app_argv; *a; a++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s",
		    cmd[0] ? " " : "", *a);
	d->app = supervise_start(d->loop, d->cfg.app_argv, environ,
	    on_app_exit, d, &errnum);
	if (d->app == NULL) {
		d->rc = supervise_spawn_code(errnum);
		snprintf(why, sizeof(why), "cannot run %s: %s",
		    d->cfg.app_argv[0], strerror(errnum));
		log_kv(LOG_ERROR, "exit", LOG_I("status", d->rc),
		    LOG_Q("reason", why));
		return false;
	}
	log_kv(LOG_INFO, "app_start", LOG_I("pid", supervise_pid(d->app)),
	    LOG_Q("command", cmd),
	    LOG_U("drain_linger_ms", d->cfg.drain_linger_ms),
	    LOG_S("stop_signal", signame(d->cfg.stop_signal)),
	    LOG_U("stop_timeout_ms", d->cfg.stop_timeout_ms));
	return true;
}

/* By a signal or a request (key=cause in the log); /health follows. */
static void
maintenance_set(struct daemon *d, bool on, const char *key,
    const char *cause)
{
	if (d->maintenance == on)
		return;
	d->maintenance = on;
	log_kv(LOG_INFO, on ? "maintenance_on" : "maintenance_off",
	    LOG_S(key, cause));
	refresh(d);
}

static void
on_maintenance(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;

	(void)loop;
	(void)revents;
	maintenance_set(d, w->signum == SIGUSR1, "signal", signame(w->signum));
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
	log_kv(LOG_INFO, "sighup", LOG_S("action", "ignored"),
	    LOG_Q("reason", "not a reload; healthgate keeps serving"));
}

static void
on_served(void *arg, const struct addr *client, enum agent_kind agent,
    unsigned code)
{
	struct daemon *d = arg;

	stop_served(d->stop, client, agent, code);
}

/* A scan of the app's sockets while draining: the drain may be over. */
static void
on_traffic_scanned(void *arg)
{
	struct daemon *d = arg;

	stop_poll(d->stop);
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
	struct procstat ps;
	struct quiet_stats qs;
	unsigned long long n503;
	unsigned n;
	bool seen;

	stop_stats(d->stop, &st, &n503);
	seen = stop_traffic(d->stop, &qs);
	metrics_render_daemon(b, &(struct metrics_daemon){
	    .verdict = d->verdict, .draining = stop_draining(d->stop),
	    .maintenance = d->maintenance, .drain_503s = n503,
	    .watched = st.watched, .nonrouting = st.nonrouting,
	    .traffic = seen, .app_conns = qs.conns,
	    .app_pending = qs.pending,
	    .app_since_byte = seen ? qs.since_recv : -1,
	    .quiet_period = seen ? qs.period : 0 });
	checks_figures(d->checks, &figures, &n);
	metrics_render_checks(b, figures, n);
	if (procstat_read(&ps))
		metrics_render_process(b, &ps);
	if (d->grpc) {
		struct grpc_server_stats gs;

		grpc_server_stats(d->grpc, &gs);
		metrics_render_grpc(b, &gs);
	}
}

/* The probers /admin/status lists, at most this many. */
#define STATUS_PROBERS	64

static void
serve_status(struct daemon *d, struct http_admin_reply *r)
{
	struct drain_prober probers[STATUS_PROBERS];
	struct admin_status st = {
		.health = d->health_code, .maintenance = d->maintenance,
		.drain = stop_over(d->stop) ? ADMIN_DRAIN_ENDED :
		    stop_draining(d->stop) ? ADMIN_DRAIN_RUNNING :
		    ADMIN_DRAIN_OFF,
		.started_by = d->drain_by, .exit_when_done = !d->drain_hold,
		.inflight = daemon_inflight(d),
		.waiters = http_server_held(d->http), .end = d->drain_end,
		.probers = probers,
	};
	unsigned n = stop_probers(d->stop, probers, STATUS_PROBERS);

	st.nprobers = n < STATUS_PROBERS ? n : STATUS_PROBERS;
	st.traffic = stop_traffic(d->stop, &st.app);
	stop_timing(d->stop, &st.elapsed, &st.cap_left);
	checks_view(d->checks, &st.checks, &st.nchecks);
	r->code = 200;
	admin_render_status(&st, &r->body);
}

/*
 * Starts the drain, held (prestop) or to end the process (drain, as
 * SIGTERM). A drain already running is left to run; one held turns into
 * one that ends the process.
 */
static void
serve_drain(struct daemon *d, bool hold, const char *path)
{
	if (!stop_draining(d->stop)) {
		d->drain_hold = hold;
		d->drain_by = path;
		stop_begin(d->stop, path);
	} else if (!hold && d->drain_hold)
		drain_release_hold(d, "request", path);
}

/* Held until the drain ends, or answered now if it has. */
static void
serve_prestop(struct daemon *d, struct http_admin_reply *r, const char *path)
{
	serve_drain(d, true, path);
	if (!stop_over(d->stop)) {
		r->hold = true;
		return;
	}
	r->code = 200;
	admin_render_end(&d->drain_end, &r->body);
}

static void
serve_verb(struct daemon *d, enum admin_verb v, struct http_admin_reply *r)
{
	const char *path = admin_verb_path(v);

	switch (v) {
	case ADMIN_VERB_MAINTENANCE_ON:
	case ADMIN_VERB_MAINTENANCE_OFF:
		maintenance_set(d, v == ADMIN_VERB_MAINTENANCE_ON, "request",
		    path);
		r->code = 200;
		admin_render_result(true, d->maintenance ? "maintenance" :
		    "serving", NULL, &r->body);
		return;
	case ADMIN_VERB_DRAIN:
		serve_drain(d, false, path);
		r->code = 202;
		admin_render_result(true, "draining", NULL, &r->body);
		return;
	case ADMIN_VERB_PRESTOP:
		serve_prestop(d, r, path);
		return;
	case ADMIN_VERB_STATUS:
		serve_status(d, r);
		return;
	case ADMIN_VERB_NONE:
		break;
	}
	r->code = 404;
	admin_render_result(false, NULL, "no such admin path", &r->body);
}

/*
 * An /admin/ request: who may (admin.c's rule), which verb and method,
 * then the verb. One log line for each, never the token.
 */
static void
on_admin(void *arg, const struct http_admin_call *call,
    struct http_admin_reply *r)
{
	struct daemon *d = arg;
	enum admin_access a = admin_access_check(call->client,
	    call->authorization, d->admin_token);
	enum admin_verb v = admin_verb_of(call->url);
	char src[ADDR_STR_MAX], result[16];
	/* The client's bytes, as they came (log.c escapes them), short. */
	struct log_kv path = LOG_SN("path", call->url,
	    strnlen(call->url, MAIN_LOG_PATH_MAX));
	struct log_kv method = LOG_SN("method", call->method,
	    strnlen(call->method, MAIN_LOG_METHOD_MAX));

	addr_format(call->client, src, sizeof(src));
	if (!admin_access_ok(a)) {
		r->code = 403;
		admin_render_result(false, NULL, a == ADMIN_ACCESS_NOT_ENABLED ?
		    "admin API: loopback only (no --admin-token-file)" :
		    "admin API: Authorization: Bearer TOKEN needed",
		    &r->body);
		log_kv(LOG_WARN, "admin_refused", LOG_S("source", src),
		    method, path,
		    LOG_U("result", 403),
		    LOG_S("reason", admin_access_name(a)));
		return;
	}
	if (v != ADMIN_VERB_NONE && !admin_method_ok(v, call->method)) {
		r->code = 405;
		r->allow = admin_allow(v);
		admin_render_result(false, NULL, "method not allowed",
		    &r->body);
	} else
		serve_verb(d, v, r);
	if (r->hold)
		snprintf(result, sizeof(result), "held");
	else
		snprintf(result, sizeof(result), "%u", r->code);
	log_kv(LOG_INFO, "admin", LOG_S("source", src), method, path,
	    LOG_S("access", admin_access_name(a)), LOG_S("result", result));
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
	char ports[CONFIG_APP_PORTS_MAX * 6 + 1] = "", quiet[OPTS_DURATION_LEN];
	const struct config *c = &d->cfg;

	http_server_address(d->http, listen, sizeof(listen));
	for (unsigned i = 0; i < c->ndrain_ignore; i++) {
		addr_format(&c->drain_ignore[i].net, one, sizeof(one));
		snprintf(ignore + strlen(ignore), sizeof(ignore) -
		    strlen(ignore), "%s%s/%u", i ? "," : "", one,
		    c->drain_ignore[i].bits);
	}
	for (unsigned i = 0; i < c->napp_ports; i++)
		snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports),
		    "%s%u", i ? "," : "", c->app_ports[i]);
	if (c->drain_quiet_ms)
		opts_format_duration(c->drain_quiet_ms, quiet, sizeof(quiet));
	else
		snprintf(quiet, sizeof(quiet), "auto");
	log_kv(LOG_INFO, "start", LOG_S("version", HEALTHGATE_VERSION),
	    LOG_I("pid", getpid()), LOG_S("listen", listen),
	    LOG_U("checks", c->nchecks), LOG_U("interval_ms", c->interval_ms),
	    LOG_U("timeout_ms", c->timeout_ms), LOG_U("rise", c->rise),
	    LOG_U("fall", c->fall),
	    LOG_U("drain_timeout_ms", c->drain_timeout_ms),
	    LOG_U("drain_fall", c->drain_fall),
	    LOG_U("drain_window_ms", c->drain_window_ms),
	    LOG_S("drain_ignore", ignore[0] ? ignore : "none"),
	    LOG_U("max_connections", c->max_connections),
	    LOG_U("max_per_ip", c->max_per_ip),
	    LOG_U("conn_memory", c->conn_memory),
	    LOG_U("request_timeout_ms", c->request_timeout_ms),
	    LOG_U("idle_timeout_ms", c->idle_timeout_ms),
	    LOG_S("app_ports", ports[0] ? ports : "none"),
	    LOG_S("drain_quiet", quiet));
	for (unsigned i = 0; i < c->nchecks; i++)
		log_kv(LOG_INFO, "check", LOG_S("name", c->checks[i].name),
		    LOG_U("interval_ms", c->checks[i].interval_ms),
		    LOG_U("timeout_ms", c->checks[i].timeout_ms),
		    LOG_U("rise", c->checks[i].rise),
		    LOG_U("fall", c->checks[i].fall));
}

/* --grpc-listen: the gRPC health endpoint, with the HTTP side's limits. */
static bool
start_grpc(struct daemon *d, const struct http_limits *limits,
    const struct http_hooks *hooks)
{
	char why[1024];
	char err[CONFIG_ERR_MAX], where[ADDR_STR_MAX];

	if (!d->cfg.grpc_listen)
		return true;
	d->grpc = grpc_server_new(d->loop, d->cfg.grpc_listen_host,
	    d->cfg.grpc_listen_port, limits, hooks, err, sizeof(err));
	if (d->grpc == NULL) {
		snprintf(why, sizeof(why), "cannot listen on %s:%u for gRPC: "
		    "%s", d->cfg.grpc_listen_host[0] ?
		    d->cfg.grpc_listen_host : "[::]", d->cfg.grpc_listen_port,
		    err);
		log_kv(LOG_ERROR, "exit", LOG_Q("reason", why));
		return false;
	}
	grpc_server_address(d->grpc, where, sizeof(where));
	log_kv(LOG_INFO, "grpc_listen", LOG_S("listen", where));
	return true;
}

static void
signal_watch(struct daemon *d, ev_signal *w, int signum,
    void (*cb)(struct ev_loop *, ev_signal *, int))
{
	ev_signal_init(w, cb, signum);
	w->data = d;
	ev_signal_start(d->loop, w);
}

/*
 * Flags and environment into d->cfg, and the admin token. Returns -1 to
 * go on, else the exit code: 0 after --help or --version, 2 on a refusal
 * (one line, JSON if asked; "<3>" first when stderr is the journal).
 */
static int
main_config(struct daemon *d, int argc, char *argv[])
{
	char err[CONFIG_ERR_MAX], msg[CONFIG_ERR_MAX + 300];

	switch (config_load(&d->cfg, argc, argv, environ, err)) {
	case CONFIG_OK:
		break;
	case CONFIG_HELP:
		config_usage();
		return 0;
	case CONFIG_VERSION:
		puts(version_line());
		return 0;
	case CONFIG_ERROR:
		log_refusal(config_log_format_asked(argc, argv, environ),
		    "config_error", err);
		return 2;
	}
	if (d->cfg.admin_token_file && (d->admin_token = admin_token_read(
	    d->cfg.admin_token_file, err, sizeof(err))) == NULL) {
		snprintf(msg, sizeof(msg), "--admin-token-file "
		    "(HEALTHGATE_ADMIN_TOKEN_FILE): \"%.200s\" %s",
		    d->cfg.admin_token_file, err);
		log_refusal(d->cfg.log_format, "config_error", msg);
		config_free(&d->cfg);
		return 2;
	}
	return -1;
}

/*
 * The loop and what only watches it: systemd's notify socket, the app's
 * traffic, the drain. Returns false (logged) when out of memory.
 */
static bool
main_start(struct daemon *d)
{
	log_init(d->cfg.log_format);
	signal(SIGPIPE, SIG_IGN);
	d->loop = EV_DEFAULT;
	/*
	 * Under systemd: the notify socket and watchdog are ours alone, so
	 * exec: checks do not inherit them.
	 */
	d->notify = notify_new(d->loop, environ);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	/* The app's ports: given, or those of the checks on this host. */
	if (!d->cfg.app_ports_set)
		d->cfg.napp_ports = app_ports_from_checks(d->cfg.checks,
		    d->cfg.nchecks, app_ports_is_local, NULL, d->cfg.app_ports,
		    CONFIG_APP_PORTS_MAX);
	if (d->cfg.napp_ports && (d->traffic = traffic_new(d->loop,
	    d->cfg.app_ports, d->cfg.napp_ports,
	    d->cfg.drain_quiet_ms / 1000.0, on_traffic_scanned, d)) == NULL)
		goto fail;
	d->stop = stop_new(d->loop, &(struct stop_params){
		.traffic = d->traffic,
		.ignore = d->cfg.drain_ignore, .nignore = d->cfg.ndrain_ignore,
		.window_ms = d->cfg.drain_window_ms, .fall = d->cfg.drain_fall,
		.cap_ms = d->cfg.drain_timeout_ms,
	    }, &(struct stop_hooks){ .begin = on_drain_begin,
		.inflight = on_drain_inflight, .done = on_drain_done,
		.arg = d });
	if (d->stop == NULL)
		goto fail;
	return true;
fail:
	log_kv(LOG_ERROR, "exit", LOG_Q("reason", "out of memory"));
	return false;
}

/*
 * The listeners, within the open-file and memory limits, then the
 * checks and the signals. Returns 0, or the exit code (logged).
 */
static int
main_listen(struct daemon *d)
{
	struct http_hooks hooks = { .served = on_served, .idle = on_idle,
	    .prober = on_prober, .metrics = on_metrics, .admin = on_admin,
	    .arg = d };
	struct http_limits limits;
	struct fd_budget fds;
	char err[CONFIG_ERR_MAX], why[1024];

	/* First what fits the open-file limit, then the server's limits. */
	fd_budget_apply(&d->cfg.max_connections, HTTP_SERVER_HEADROOM,
	    fd_budget_reserve(procstat_open_fds(), d->cfg.checks,
	    d->cfg.nchecks), &fds);
	mem_budget_apply(&d->cfg.max_connections, &fds.headroom,
	    d->cfg.conn_memory);
	limits = (struct http_limits){
		.max_connections = d->cfg.max_connections,
		.max_per_ip = d->cfg.max_per_ip,
		.conn_memory = d->cfg.conn_memory,
		.request_timeout = d->cfg.request_timeout_ms / 1000.0,
		.idle_timeout = d->cfg.idle_timeout_ms / 1000.0,
		.headroom = fds.headroom,
	};
	d->http = http_server_new(d->loop, d->cfg.listen_host,
	    d->cfg.listen_port, &limits, &hooks, err, sizeof(err));
	if (d->http == NULL) {
		snprintf(why, sizeof(why), "cannot listen on %s:%u: %s",
		    d->cfg.listen_host[0] ? d->cfg.listen_host : "[::]",
		    d->cfg.listen_port, err);
		log_kv(LOG_ERROR, "exit", LOG_Q("reason", why));
		return 1;
	}
	if (!start_grpc(d, &limits, &hooks))
		return 1;
	d->checks = checks_new(d->loop, d->cfg.checks, d->cfg.nchecks,
	    on_checks_changed, d, err, sizeof(err));
	if (d->checks == NULL) {
		/* A file a check names cannot be used: a start-up error. */
		log_kv(LOG_ERROR, "config_error", LOG_Q("error", err));
		return 2;
	}
	signal_watch(d, &d->sigterm, SIGTERM, on_stop);
	signal_watch(d, &d->sigint, SIGINT, on_stop);
	signal_watch(d, &d->sigusr1, SIGUSR1, on_maintenance);
	signal_watch(d, &d->sigusr2, SIGUSR2, on_maintenance);
	/* A supervisor's SIGHUP is the app's: supervise.c passes it on. */
	if (d->cfg.app_argv == NULL)
		signal_watch(d, &d->sighup, SIGHUP, on_hangup);
	return 0;
}

/* Ready, the first checks, the app; the loop until the process ends. */
static int
main_run(struct daemon *d)
{
	/*
	 * Before the first check: its strays are known from the start. In
	 * supervisor mode the app's orphans come here too and are only reaped.
	 */
	reap_init(d->loop, d->cfg.app_argv ? REAP_SUPERVISOR : REAP_SIDECAR);
	refresh(d);
	log_start(d);
	if (d->cfg.napp_ports == 0 && !d->cfg.app_ports_set)
		traffic_no_ports();
	/* The listener is open: connections queue from here on. */
	notify_ready(d->notify, NULL);
	checks_start(d->checks);
	if (d->cfg.app_argv && !start_app(d))
		return d->rc;
	ev_run(d->loop, 0);
	log_kv(LOG_INFO, "exit", LOG_I("status", d->rc));
	return d->rc;
}

/* Everything main_start and main_listen made, whatever got made. */
static void
main_free(struct daemon *d)
{
	supervise_free(d->app);	/* the app, reaped, if it still ran */
	checks_free(d->checks);	/* kills every running check's group */
	reap_final(1.0);	/* ...then what escaped them */
	grpc_server_free(d->grpc);
	http_server_free(d->http);
	stop_free(d->stop);
	traffic_free(d->traffic);
	notify_free(d->notify);
	config_free(&d->cfg);
	if (d->admin_token)
		explicit_bzero(d->admin_token, strlen(d->admin_token));
	free(d->admin_token);
}

/* The life of the process: flags, wiring, the loop, teardown. */
int
main(int argc, char *argv[])
{
	struct daemon d;
	int rc;

	evalloc_init();		/* libev's allocations: retried, then logged */
	if (argc > 1 && strcmp(argv[1], "probe") == 0)
		return probe_main(argc - 1, argv + 1, environ);
	if (argc > 1 && strcmp(argv[1], "plan") == 0)
		return plan_main(argc - 1, argv + 1, environ);
	if (argc > 1 && strcmp(argv[1], "ctl") == 0)
		return ctl_main(argc - 1, argv + 1, environ);
	memset(&d, 0, sizeof(d));
	if ((rc = main_config(&d, argc, argv)) >= 0)
		return rc;
	if (!main_start(&d))
		rc = 1;
	else if ((rc = main_listen(&d)) == 0)
		rc = main_run(&d);
	main_free(&d);
	return rc;
}
