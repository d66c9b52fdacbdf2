/*
 * http_server.c: libmicrohttpd on the libev loop.
 *
 * MHD runs without threads of its own (MHD_USE_EPOLL): its epoll fd sits in
 * an ev_io, and an ev_timer follows MHD_get_timeout, so with no connection
 * open there is no wakeup at all. Every response but /metrics is built when
 * the state changes and handed to MHD by reference on each request.
 *
 * Who gets a connection slot and when a slow head is cut is conn_table.c's
 * to decide; this file does what it decides to the sockets. The /metrics
 * text is metrics.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "accept.h"
#include "admin.h"
#include "clock.h"
#include "conn_table.h"
#include "http_framing.h"
#include "http_server.h"
#include "log.h"
#include "probe.h"
#include "sock.h"
#include "metrics.h"

/* Where a held /admin/ request is (struct conn's hold). */
enum http_hold {
	HTTP_HOLD_NONE,
	HTTP_HOLD_SUSPENDED,	/* suspended in MHD, in the held list */
	HTTP_HOLD_RELEASED,	/* resumed; its answer is queued next */
};

/* How long the teardown waits for released answers to go out. */
#define HTTP_SERVER_FLUSH	1.0

struct http_server {
	struct ev_loop	*loop;
	struct MHD_Daemon *mhd;
	int		 listen_fd;	/* ours: MHD has no listener */
	struct acceptor	*acceptor;	/* accepts, hands MHD each socket */
	ev_io		 mhd_io;	/* MHD's epoll fd is readable */
	ev_timer	 mhd_timer;	/* MHD_get_timeout ran out */
	ev_timer	 sweep;		/* cuts slow heads; runs while conns */
	ev_timer	 summary;	/* the admission log line, while busy */
	struct conn_stats logged;	/* the counts it last logged */
	struct http_hooks hooks;
	struct http_limits limits;
	struct sockaddr_storage bound;	/* where the listener ended up */

	struct MHD_Response *health;	/* current /health answer */
	struct MHD_Response *live;
	struct MHD_Response *not_found;
	struct MHD_Response *not_allowed;
	struct MHD_Response *too_large;
	struct MHD_Response *bad_request;
	unsigned	 health_code;
	bool		 closing;	/* draining: Connection: close */
	bool		 in_run;	/* inside MHD_run: its callbacks run */
	bool		 retime;	/* shorten the timeouts after the run */

	struct conn_table *table;	/* every connection holding a slot */
	unsigned	 inflight;	/* requests in flight, /admin/ apart */

	struct conn	**held;		/* suspended /admin/ requests */
	unsigned	 nheld, held_cap;
	unsigned	 nreleased;	/* resumed, answer not yet sent */
	unsigned	 admin_inflight; /* /admin/ requests in flight */
	struct MHD_Response *release;	/* what the released are answered */
	unsigned	 release_code;
	bool		 exiting;	/* tearing down: nothing more is held */
	unsigned long long requests[HTTP_ROUTE_COUNT][METRICS_NCODES];
};

/* Re-arms the timer from what MHD says it needs next. */
static void
http_server_rearm(struct http_server *s)
{
	MHD_UNSIGNED_LONG_LONG ms;

	ev_timer_stop(s->loop, &s->mhd_timer);
	if (MHD_get_timeout(s->mhd, &ms) == MHD_YES) {
		ev_timer_set(&s->mhd_timer, (double)ms / 1000.0, 0.);
		ev_timer_start(s->loop, &s->mhd_timer);
	}
}

static void
short_timeout(struct conn *c, void *arg)
{
	(void)arg;
	MHD_set_connection_option(c->handle, MHD_CONNECTION_OPTION_TIMEOUT,
	    1u);
}

/*
 * One MHD_run. A drain begun from inside it (an /admin/ request's hook)
 * shortens the connections' timeouts only once it has returned: within
 * the run, a connection MHD has just closed is off its timeout list but
 * not yet cleaned up (libmicrohttpd 0.9.75, cleanup_connection) nor
 * reported CLOSED, so it is still in our table; setting its timeout would
 * put it back on a list, and MHD would read it there after freeing it.
 */
static void
run(struct http_server *s)
{
	s->in_run = true;
	MHD_run(s->mhd);
	s->in_run = false;
	if (s->retime) {
		s->retime = false;
		conn_table_each(s->table, short_timeout, NULL);
	}
}

/* Lets MHD do its work, then re-arms the timer. */
static void
pump(struct http_server *s)
{
	run(s);
	http_server_rearm(s);
}

static void
mhd_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	pump(w->data);
}

static void	shut(struct MHD_Connection *);
static void	summary_soon(struct http_server *);

/* accept.c hands over a new connection: MHD owns (and closes) it now. */
static void
http_server_take(void *arg, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct http_server *s = arg;
	struct conn *victim;

	/* MHD closed it. Out of memory for its pool: free some for the next
	 * (the summary line says so; MHD 0.9.75 would say nothing). */
	if (MHD_add_connection(s->mhd, fd, sa, len) == MHD_NO &&
	    errno == ENOMEM) {
		if ((victim = conn_table_shed(s->table)) != NULL)
			shut(victim->handle);
		summary_soon(s);
	}
}

/* What was accepted is read at once (MHD_USE_TURBO): its head is in. */
static void
http_server_accepted(void *arg)
{
	pump(arg);
}

static void
mhd_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	pump(w->data);
}

static struct MHD_Response *
make_response(const struct http_server *s, const char *body, size_t len,
    const char *type)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return NULL;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (s->closing)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	return r;
}

static void
swap_response(struct MHD_Response **slot, struct MHD_Response *r)
{
	/* MHD counts references: a queued old answer is still sent whole. */
	if (r == NULL)
		return;
	if (*slot)
		MHD_destroy_response(*slot);
	*slot = r;
}

static void
build_static(struct http_server *s)
{
	static const char live[] = "{\"status\":\"pass\"}\n";
	static const char nf[] = "not found\n";
	static const char na[] = "method not allowed\n";
	static const char tl[] = "request bodies are not accepted\n";
	static const char br[] = "ambiguous request framing\n";
	struct MHD_Response *r;

	swap_response(&s->live, make_response(s, live, sizeof(live) - 1,
	    "application/health+json"));
	swap_response(&s->not_found, make_response(s, nf, sizeof(nf) - 1,
	    "text/plain"));
	if ((r = make_response(s, na, sizeof(na) - 1, "text/plain")) != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	swap_response(&s->not_allowed, r);
	if ((r = make_response(s, tl, sizeof(tl) - 1, "text/plain")) != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	swap_response(&s->too_large, r);
	if ((r = make_response(s, br, sizeof(br) - 1, "text/plain")) != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	swap_response(&s->bad_request, r);
}

static void
count(struct http_server *s, enum http_route route, unsigned code)
{
	int i = metrics_code_index(code);

	if (i >= 0)
		s->requests[route][i]++;
}

static struct MHD_Response *
metrics_response(struct http_server *s)
{
	struct metrics_http m = { .requests = s->requests };
	struct MHD_Response *r;
	struct sbuf b;

	conn_table_stats(s->table, &m.conns);
	sbuf_init(&b);
	metrics_render_http(&b, &m);
	if (s->hooks.metrics)
		s->hooks.metrics(s->hooks.arg, &b);
	if (sbuf_failed(&b)) {
		sbuf_free(&b);
		return NULL;
	}
	r = MHD_create_response_from_buffer(b.len, b.data,
	    MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		sbuf_free(&b);
		return NULL;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; version=0.0.4; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (s->closing)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	return r;
}

static enum http_route
route_of(const char *url)
{
	if (strcmp(url, "/health") == 0)
		return HTTP_ROUTE_HEALTH;
	if (strcmp(url, "/live") == 0)
		return HTTP_ROUTE_LIVE;
	if (strcmp(url, "/metrics") == 0)
		return HTTP_ROUTE_METRICS;
	if (strncmp(url, ADMIN_PREFIX, sizeof(ADMIN_PREFIX) - 1) == 0)
		return HTTP_ROUTE_ADMIN;
	return HTTP_ROUTE_OTHER;
}

static enum MHD_Result
queue(struct http_server *s, struct conn *c, unsigned code,
    struct MHD_Response *r)
{
	c->code = code;
	count(s, c->route, code);
	return r ? MHD_queue_response(c->handle, code, r) : MHD_NO;
}

/* What one pass over a request's header fields finds. */
struct head {
	struct http_framing framing;
	bool		 ua_seen;
	enum agent_kind	 agent;	/* by its User-Agent: routes or not */
};

static enum MHD_Result
head_field(void *cls, enum MHD_ValueKind kind, const char *name,
    size_t name_len, const char *value, size_t value_len)
{
	struct head *h = cls;

	(void)kind;
	(void)value_len;
	value = value ? value : "";
	http_framing_field(&h->framing, name, value);
	/* The first User-Agent, as MHD's own lookup would take it; the length
	 * first, as musl's strcasecmp() is slow. */
	if (!h->ua_seen &&
	    name_len == sizeof(MHD_HTTP_HEADER_USER_AGENT) - 1 &&
	    strcasecmp(name, MHD_HTTP_HEADER_USER_AGENT) == 0) {
		h->ua_seen = true;
		h->agent = agent_of(value, value_len);
	}
	return MHD_YES;
}

/*
 * Every header field, not MHD's first of each (see http_framing.h), in
 * one pass that also finds who asks by the User-Agent (agent.h): the
 * kubelet, monitoring, curl and healthgate probe are probers whose verdict
 * routes nothing, which the drain sees and never waits for.
 */
static enum http_framing_verdict
read_head(struct MHD_Connection *mc, const char *version,
    enum agent_kind *agent)
{
	struct head h = { .ua_seen = false };

	http_framing_init(&h.framing);
	/* MHD takes HTTP/1.x above 1.0 as 1.1; 0.9 it refuses itself. */
	h.framing.need_host = strcmp(version, MHD_HTTP_VERSION_1_0) != 0;
	MHD_get_connection_values_n(mc, MHD_HEADER_KIND, head_field, &h);
	*agent = h.agent;
	return http_framing_verdict(&h.framing);
}

static struct MHD_Response *
http_admin_response(const struct http_server *s, const struct sbuf *b,
    const char *allow)
{
	struct MHD_Response *r;

	r = make_response(s, b->data ? b->data : "", b->len,
	    "application/json");
	if (r && allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	return r;
}

static bool
http_admin_hold(struct http_server *s, struct conn *c)
{
	if (s->nheld == s->held_cap) {
		unsigned cap = s->held_cap ? s->held_cap * 2 : 16;
		struct conn **grown = realloc(s->held, cap * sizeof(*grown));

		if (grown == NULL)
			return false;
		s->held = grown;
		s->held_cap = cap;
	}
	s->held[s->nheld++] = c;
	c->hold = HTTP_HOLD_SUSPENDED;
	/* From the access handler, as libmicrohttpd 0.9.75 asks. */
	MHD_suspend_connection(c->handle);
	return true;
}

/*
 * An /admin/ request, complete: the hook decides; a held one is suspended
 * (no timeout runs while it is, MHD polls it no more) until
 * http_server_release() resumes it, and MHD calls here again for it.
 */
static enum MHD_Result
http_admin_request(struct http_server *s, struct conn *c, const char *method,
    const char *url)
{
	struct http_admin_reply reply = { .code = 503 };
	struct http_admin_call call = { .client = &c->client,
	    .method = method, .url = url };
	struct MHD_Response *r;
	enum MHD_Result rc;

	if (c->hold == HTTP_HOLD_RELEASED) {
		c->hold = HTTP_HOLD_NONE;
		s->nreleased--;
		return queue(s, c, s->release_code, s->release);
	}
	sbuf_init(&reply.body);
	call.authorization = MHD_lookup_connection_value(c->handle,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (s->hooks.admin && !s->exiting)
		s->hooks.admin(s->hooks.arg, &call, &reply);
	else
		admin_render_result(false, NULL, "healthgate is exiting",
		    &reply.body);
	if (reply.hold && !s->exiting && http_admin_hold(s, c)) {
		sbuf_free(&reply.body);
		return MHD_YES;
	}
	if (reply.hold)
		reply.code = 503;	/* out of memory, or exiting */
	r = sbuf_failed(&reply.body) ? NULL :
	    http_admin_response(s, &reply.body,
	    reply.code == 405 ? reply.allow : NULL);
	rc = queue(s, c, reply.code, r);
	if (r)
		MHD_destroy_response(r);
	sbuf_free(&reply.body);
	return rc;
}

/*
 * MHD calls this once when the head is in and again when the request is
 * complete. Answers are queued on the second call: libmicrohttpd 0.9.75
 * closes the connection after an answer queued on the first, and keep-alive
 * is what a prober's second request wants. Requests with a body, or with a
 * body framed two ways, are the exception: they are refused on the first
 * call, and closing is right.
 */
static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req)
{
	struct http_server *s = cls;
	struct conn *c = *req;

	(void)upload;
	if (c == NULL) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc,
		    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		enum http_framing_verdict framing;

		if (ci == NULL || (c = ci->socket_context) == NULL)
			return MHD_NO;
		conn_table_busy(s->table, c);
		c->route = route_of(url);
		c->code = 0;
		framing = read_head(mc, version, &c->agent);
		/* An admin call, a held prestop above all, holds no drain. */
		if (c->route != HTTP_ROUTE_ADMIN)
			s->inflight++;
		else
			s->admin_inflight++;
		*req = c;
		/* The admin hook knows each verb's methods. */
		if (c->route != HTTP_ROUTE_ADMIN &&
		    strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
			return queue(s, c, MHD_HTTP_METHOD_NOT_ALLOWED,
			    s->not_allowed);
		switch (framing) {
		case HTTP_FRAMING_BAD:
			return queue(s, c, MHD_HTTP_BAD_REQUEST,
			    s->bad_request);
		case HTTP_FRAMING_BODY:
			return queue(s, c, MHD_HTTP_CONTENT_TOO_LARGE,
			    s->too_large);
		case HTTP_FRAMING_NO_BODY:
			break;
		}
		return MHD_YES;
	}
	if (*upload_size != 0) {	/* only if a body slipped past framing */
		*upload_size = 0;
		return MHD_YES;
	}
	if (c->code != 0)		/* answered on the first call */
		return MHD_YES;

	switch (c->route) {
	case HTTP_ROUTE_HEALTH:
		return queue(s, c, s->health_code, s->health);
	case HTTP_ROUTE_LIVE:
		return queue(s, c, MHD_HTTP_OK, s->live);
	case HTTP_ROUTE_ADMIN:
		return http_admin_request(s, c, method, url);
	case HTTP_ROUTE_METRICS: {
		struct MHD_Response *r = metrics_response(s);
		enum MHD_Result rc = queue(s, c, MHD_HTTP_OK, r);

		if (r)
			MHD_destroy_response(r);
		return rc;
	}
	default:
		return queue(s, c, MHD_HTTP_NOT_FOUND, s->not_found);
	}
}

static void
completed_cb(void *cls, struct MHD_Connection *mc, void **req,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct conn *c = *req;

	(void)mc;
	if (c == NULL)
		return;
	*req = NULL;
	conn_table_idle(s->table, c, clock_mono());
	if (c->hold == HTTP_HOLD_RELEASED) {	/* ended before its answer */
		c->hold = HTTP_HOLD_NONE;
		s->nreleased--;
	}
	if (c->route == HTTP_ROUTE_ADMIN) {
		s->admin_inflight--;
		return;
	}
	s->inflight--;
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK &&
	    c->route == HTTP_ROUTE_HEALTH && s->hooks.served) {
		s->hooks.served(s->hooks.arg, &c->client, c->agent, c->code);
		/* Its source may have just become a known prober. */
		if (!c->prober && s->hooks.prober)
			c->prober = s->hooks.prober(s->hooks.arg, &c->client);
	}
	if (s->inflight == 0 && s->hooks.idle)
		s->hooks.idle(s->hooks.arg);
}

/*
 * Shutting a socket down makes MHD see the end of the stream and close the
 * connection on its next run. Refused and cut connections go this way.
 */
static void
shut(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci)
		shutdown(ci->connect_fd, SHUT_RDWR);
}

/*
 * Under a flood, one line every SUMMARY_PERIOD seconds says what admission
 * did, never one per connection. Idle keep-alive connections timing out is
 * normal and starts no line by itself.
 */
#define SUMMARY_PERIOD	5.0

static void
summary_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http_server *s = w->data;
	struct conn_stats st, *was = &s->logged;
	unsigned long long d[CONN_CUT_COUNT], r[CONN_REFUSED_COUNT], any = 0;

	(void)revents;
	conn_table_stats(s->table, &st);
	for (unsigned i = 0; i < CONN_CUT_COUNT; i++) {
		d[i] = st.cut[i] - was->cut[i];
		if (i != CONN_CUT_IDLE_TIMEOUT)
			any += d[i];
	}
	for (unsigned i = 0; i < CONN_REFUSED_COUNT; i++)
		any += r[i] = st.refused[i] - was->refused[i];
	if (any == 0)
		return;		/* quiet again: the next event restarts it */
	log_kv(LOG_WARN, "admission", LOG_G("period_s", SUMMARY_PERIOD),
	    LOG_U("open", st.open),
	    LOG_U("evicted_no_head", d[CONN_CUT_EVICTED_NO_HEAD]),
	    LOG_U("evicted_idle", d[CONN_CUT_EVICTED_IDLE]),
	    LOG_U("request_timeout", d[CONN_CUT_REQUEST_TIMEOUT]),
	    LOG_U("idle_timeout", d[CONN_CUT_IDLE_TIMEOUT]),
	    LOG_U("refused_full", r[CONN_REFUSED_FULL]),
	    LOG_U("refused_per_ip", r[CONN_REFUSED_PER_IP]),
	    LOG_U("refused_memory", r[CONN_REFUSED_MEMORY]));
	*was = st;
	ev_timer_set(w, SUMMARY_PERIOD, 0.);
	ev_timer_start(loop, w);
}

/* Something worth a summary happened: one comes within the period. */
static void
summary_soon(struct http_server *s)
{
	if (!ev_is_active(&s->summary)) {
		ev_timer_set(&s->summary, SUMMARY_PERIOD, 0.);
		ev_timer_start(s->loop, &s->summary);
	}
}

/*
 * Refused connections are accepted and shut down at once, so MHD sees them
 * end on its next run. MHD's own limits are set above ours and never met:
 * at its limit libmicrohttpd 0.9.75 takes the listener out of epoll and,
 * driven from outside, loses the first events of what it accepts next;
 * measured here, it then stopped answering until the request timeout.
 * Refusing ourselves keeps the listener in epoll for good. A refused
 * connection has no socket context: access_cb answers MHD_NO for it.
 */
static void
connection_cb(void *cls, struct MHD_Connection *mc, void **socket_ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;
	struct conn *c = *socket_ctx, *victim;
	enum conn_refusal why;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci;
		struct addr client = { 0 };
		bool prober;

		ci = MHD_get_connection_info(mc,
		    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr)
			addr_from_sockaddr(ci->client_addr, &client);
		prober = s->hooks.prober && s->hooks.prober(s->hooks.arg,
		    &client);
		c = conn_table_admit(s->table, &client, prober, clock_mono(),
		    &victim, &why);
		if (victim)
			shut(victim->handle);
		if (victim || c == NULL)
			summary_soon(s);
		if (c == NULL) {
			shut(mc);
			return;
		}
		c->handle = mc;
		if (s->closing)
			MHD_set_connection_option(mc,
			    MHD_CONNECTION_OPTION_TIMEOUT, 1u);
		*socket_ctx = c;
		if (!ev_is_active(&s->sweep))
			ev_timer_again(s->loop, &s->sweep);
		return;
	}
	if (c == NULL)
		return;
	conn_table_remove(s->table, c);
	*socket_ctx = NULL;
	if (conn_table_open(s->table) == 0)
		ev_timer_stop(s->loop, &s->sweep);
}

/*
 * MHD's own timeout is about inactivity, so a client that trickles one
 * byte a second would hold its connection for ever. The sweep bounds the
 * time to a complete head instead: from accept (request timeout) or from
 * the last answer (idle timeout), measured on the monotonic clock, so a
 * step of the wall clock neither cuts a healthy head early nor lets a slow
 * one stay.
 */
static void
sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http_server *s = w->data;
	double now = clock_mono();
	struct conn *c;
	bool cut = false;

	(void)loop;
	(void)revents;
	while ((c = conn_table_expired(s->table, now)) != NULL) {
		shut(c->handle);
		cut = true;
	}
	if (cut) {
		summary_soon(s);
		pump(s);
	}
}

/*
 * The connection table and the listening socket. The table's reserve
 * lives in MHD's headroom, which also holds refused and cut connections
 * until MHD closes them: at most half of it, when a low open-file limit
 * has shrunk it.
 */
static bool
http_server_listener(struct http_server *s, const char *host,
    unsigned port, unsigned headroom, char *err, unsigned errlen)
{
	const struct http_limits *limits = &s->limits;
	struct conn_limits cl = {
		.max_open = limits->max_connections,
		.reserve = HTTP_SERVER_RESERVE,
		.max_per_ip = limits->max_per_ip,
		.request_timeout = limits->request_timeout,
		.idle_timeout = limits->idle_timeout,
	};

	if (headroom / 2 < cl.reserve)
		cl.reserve = headroom / 2;
	if ((s->table = conn_table_new(&cl)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	s->listen_fd = sock_listen(host, port, &s->bound, err, errlen);
	return s->listen_fd >= 0;
}

/* libmicrohttpd, without a listening socket of its own; its epoll fd. */
static int
http_server_mhd(struct http_server *s, unsigned headroom, char *err,
    unsigned errlen)
{
	const struct http_limits *limits = &s->limits;
	const union MHD_DaemonInfo *di;
	unsigned backstop = (unsigned)(limits->request_timeout >
	    limits->idle_timeout ? limits->request_timeout :
	    limits->idle_timeout) + 1;

	/*
	 * MHD_USE_TURBO (0.9.75: only these two effects): a new connection
	 * is read at once instead of first joining MHD's epoll set — its
	 * request is already in, thanks to TCP_DEFER_ACCEPT — and close()
	 * is not preceded by shutdown(). Three syscalls fewer per
	 * connection; measured in BENCHMARKS.md.
	 * MHD_USE_NO_LISTEN_SOCKET: accept.c accepts and pauses on EMFILE
	 * (accept.h says why not MHD), and MHD_add_connection hands each
	 * socket over.
	 */
	/*
	 * MHD_ALLOW_SUSPEND_RESUME for held /admin/prestop requests: it adds
	 * an eventfd to MHD's epoll set, which a resume makes readable, so
	 * the loop runs MHD for it without a call from us.
	 */
	s->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_TURBO |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL,
	    access_cb, s,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s,
	    MHD_OPTION_NOTIFY_CONNECTION, connection_cb, s,
	    MHD_OPTION_CONNECTION_LIMIT, limits->max_connections + headroom,
	    /*
	     * No MHD_OPTION_PER_IP_CONNECTION_LIMIT: conn_table counts per
	     * address, so a refusal is counted and MHD keeps no tree of its own.
	     */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)limits->conn_memory,
	    /* A backstop for stalled writes; heads are bounded by the sweep. */
	    MHD_OPTION_CONNECTION_TIMEOUT, backstop,
	    /*
	     * Not MHD_OPTION_STRICT_FOR_CLIENT 1: in 0.9.75 its 400 for
	     * HTTP/1.1 without Host sends the head twice, the first without
	     * its body. http_framing judges Host instead (access_cb).
	     */
	    MHD_OPTION_STRICT_FOR_CLIENT, 0,
	    MHD_OPTION_END);
	if (s->mhd == NULL) {
		snprintf(err, errlen, "libmicrohttpd would not start");
		return -1;
	}
	di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (di == NULL) {
		snprintf(err, errlen, "libmicrohttpd has no epoll fd");
		return -1;
	}
	return di->epoll_fd;
}

/* MHD's epoll fd and timer, the summary, the sweep, the acceptor. */
static bool
http_server_watchers(struct http_server *s, int epoll_fd, char *err,
    unsigned errlen)
{
	const struct http_limits *limits = &s->limits;

	ev_io_init(&s->mhd_io, mhd_io_cb, epoll_fd, EV_READ);
	s->mhd_io.data = s;
	ev_init(&s->mhd_timer, mhd_timer_cb);
	s->mhd_timer.data = s;
	ev_init(&s->summary, summary_cb);
	s->summary.data = s;
	ev_init(&s->sweep, sweep_cb);
	/* A quarter of the shorter timeout: a slow head is cut within 25 %. */
	s->sweep.repeat = (limits->request_timeout < limits->idle_timeout ?
	    limits->request_timeout : limits->idle_timeout) / 4;
	s->sweep.data = s;
	ev_io_start(s->loop, &s->mhd_io);
	s->acceptor = accept_new(s->loop, s->listen_fd, http_server_take,
	    http_server_accepted, s);
	if (s->acceptor == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	return true;
}

struct http_server *
http_server_new(struct ev_loop *loop, const char *host, unsigned port,
    const struct http_limits *limits, const struct http_hooks *hooks,
    char *err, unsigned errlen)
{
	struct http_server *s;
	unsigned headroom = limits->headroom ? limits->headroom :
	    HTTP_SERVER_HEADROOM;
	int epoll_fd;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->listen_fd = -1;
	s->hooks = *hooks;
	s->limits = *limits;
	if (!http_server_listener(s, host, port, headroom, err, errlen) ||
	    (epoll_fd = http_server_mhd(s, headroom, err, errlen)) < 0)
		goto fail;
	build_static(s);
	http_server_set_health(s, 200, "{\"status\":\"pass\"}\n", 18);
	if (!s->live || !s->not_found || !s->not_allowed || !s->too_large ||
	    !s->bad_request || !s->health) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (!http_server_watchers(s, epoll_fd, err, errlen))
		goto fail;
	return s;
fail:
	http_server_free(s);
	return NULL;
}

/*
 * The loop is over: answer what is still held with a 503, then run MHD
 * alone until every /admin/ answer is sent (POST /admin/drain's own 202
 * too, when the drain it started ended at once), or for HTTP_SERVER_FLUSH.
 * libmicrohttpd 0.9.75 panics when stopped with a connection suspended.
 */
static void
http_admin_flush(struct http_server *s)
{
	static const char bye[] = "{\"ok\":false,\"detail\":\"healthgate is "
	    "exiting\"}\n";
	const union MHD_DaemonInfo *di;
	double end = clock_mono() + HTTP_SERVER_FLUSH;
	struct pollfd pfd = { .events = POLLIN };

	s->exiting = true;
	if (s->nheld)
		http_server_release(s, 503, bye, sizeof(bye) - 1);
	di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	pfd.fd = di ? di->epoll_fd : -1;
	while (s->admin_inflight > 0 && clock_mono() < end) {
		run(s);
		if (s->admin_inflight == 0)
			break;
		(void)poll(&pfd, 1, 10);
	}
}

void
http_server_free(struct http_server *s)
{
	if (s == NULL)
		return;
	/*
	 * The daemon behind the hooks is being freed: what the flush and
	 * MHD_stop_daemon still serve or complete must not reach it.
	 */
	memset(&s->hooks, 0, sizeof(s->hooks));
	accept_free(s->acceptor);
	if (s->mhd && s->admin_inflight)
		http_admin_flush(s);
	ev_io_stop(s->loop, &s->mhd_io);
	ev_timer_stop(s->loop, &s->mhd_timer);
	ev_timer_stop(s->loop, &s->sweep);
	ev_timer_stop(s->loop, &s->summary);
	if (s->mhd)
		MHD_stop_daemon(s->mhd);	/* closes every connection */
	if (s->health)
		MHD_destroy_response(s->health);
	if (s->live)
		MHD_destroy_response(s->live);
	if (s->not_found)
		MHD_destroy_response(s->not_found);
	if (s->not_allowed)
		MHD_destroy_response(s->not_allowed);
	if (s->too_large)
		MHD_destroy_response(s->too_large);
	if (s->bad_request)
		MHD_destroy_response(s->bad_request);
	if (s->release)
		MHD_destroy_response(s->release);
	free(s->held);
	conn_table_free(s->table);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	free(s);
}

void
http_server_address(const struct http_server *s, char *buf, unsigned size)
{
	addr_format_sockaddr((const struct sockaddr *)&s->bound, buf, size);
}

void
http_server_set_health(struct http_server *s, unsigned code,
    const char *body, size_t len)
{
	struct MHD_Response *r = make_response(s, body, len,
	    "application/health+json");

	if (r == NULL)
		return;		/* keep serving the last good answer */
	swap_response(&s->health, r);
	s->health_code = code;
}

void
http_server_set_closing(struct http_server *s)
{
	if (s->closing)
		return;
	s->closing = true;
	build_static(s);
	if (s->in_run)
		s->retime = true;	/* see run() */
	else
		conn_table_each(s->table, short_timeout, NULL);
	/*
	 * Only the timer, for the shorter timeouts: running MHD here could
	 * answer a request already in with the /health of before the drain
	 * (the caller renders the 503 after this), and with MHD_USE_TURBO
	 * it would answer a connection accepted in this very run.
	 */
	http_server_rearm(s);
}

unsigned
http_server_inflight(const struct http_server *s)
{
	return s->inflight;
}

unsigned
http_server_release(struct http_server *s, unsigned code, const char *body,
    size_t len)
{
	struct MHD_Response *r;
	unsigned n = s->nheld;

	if (n == 0)
		return 0;
	r = make_response(s, body, len, "application/json");
	if (r == NULL) {
		/* Out of memory: the answer is an empty 503, not silence. */
		r = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		code = 503;
	}
	swap_response(&s->release, r);
	s->release_code = code;
	for (unsigned i = 0; i < n; i++) {
		s->held[i]->hold = HTTP_HOLD_RELEASED;
		/* Safe from anywhere; MHD picks it up on its next run. */
		MHD_resume_connection(s->held[i]->handle);
	}
	s->nreleased += n;
	s->nheld = 0;
	return n;
}

unsigned
http_server_held(const struct http_server *s)
{
	return s->nheld;
}
