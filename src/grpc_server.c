/*
 * grpc_server.c: the gRPC health endpoint (see grpc_server.h).
 *
 * One listening socket in an ev_io; each admitted connection is an
 * nghttp2 server session behind h2_conn.c in an ev_io of its own. A
 * request is answered the moment its stream ends (HEADERS or DATA with
 * END_STREAM), from the verdict held here, and the stream's slot is one
 * of GRPC_SERVER_STREAMS fixed ones: no allocation per request.
 *
 * The connection table decides who gets a slot and when a slow request
 * is cut, as for HTTP; a connection whose bytes stop moving for longer
 * than both timeouts (a peer that never reads, a stream held open by a
 * zero window) is closed by the same sweep.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "accept.h"
#include "clock.h"
#include "grpc_health.h"
#include "grpc_server.h"
#include "h2_conn.h"
#include "log.h"
#include "probe.h"
#include "sock.h"

/* Streams answered at once per connection (SETTINGS_MAX_CONCURRENT_STREAMS). */
#define GRPC_SERVER_STREAMS	8
/* Connections accepted per wakeup of the listener. */

static const char *const grpc_server_paths[GRPC_SERVER_ROUTE_COUNT] =
    GRPC_SERVER_PATHS;

/* One request, from its HEADERS to its stream's close. */
struct grpc_server_stream {
	int32_t		 id;		/* 0: the slot is free */
	enum grpc_server_route route;
	enum agent_kind	 agent;		/* by its user-agent (agent.h) */
	bool		 answered;	/* counted in inflight */
	bool		 verdict;	/* the answer carries the verdict */
	bool		 healthy;	/* ...and it was healthy */
	size_t		 head;		/* header bytes, bounded */
	uint8_t		 body[GRPC_HEALTH_FRAME + GRPC_HEALTH_SERVICE_MAX + 8];
	size_t		 len;
	bool		 too_long;
	uint8_t		 msg[16];	/* the HealthCheckResponse, framed */
	size_t		 msglen;
	unsigned	 code;		/* grpc-status */
	const char	*message;	/* grpc-message, or NULL */
};

struct grpc_server_conn {
	struct grpc_server *srv;
	struct conn	*slot;		/* the table's entry; handle is us */
	ev_io		 io;
	struct h2_conn	 h2;
	double		 active;	/* monotonic s: bytes last moved */
	unsigned	 open;		/* answered streams not yet closed */
	bool		 goaway;	/* terminated: closes once flushed */
	struct grpc_server_stream streams[GRPC_SERVER_STREAMS];
	struct grpc_server_conn *prev, *next;
};

struct grpc_server {
	struct ev_loop	*loop;
	int		 fd;
	struct acceptor	*acceptor;	/* accept.c: pauses on EMFILE & co */
	ev_timer	 sweep;		/* late requests, stalled peers */
	struct http_hooks hooks;
	struct http_limits limits;
	struct sockaddr_storage bound;
	struct conn_table *table;
	nghttp2_session_callbacks *cb;
	bool		 serving;
	char		 why[256];	/* grpc-message when not serving */
	bool		 closing;
	unsigned	 inflight;
	struct grpc_server_stats stats;
	struct grpc_server_conn *conns;	/* every admitted connection */
};

static const char grpc_server_watch_msg[] =
    "Watch is not offered (UNIMPLEMENTED); use Check";
static const char grpc_server_bad_msg[] = "not a HealthCheckRequest";

static void	grpc_server_conn_close(struct grpc_server_conn *);
static void	grpc_server_conn_rearm(struct grpc_server_conn *);

static struct grpc_server_stream *
grpc_server_stream_of(struct grpc_server_conn *c, int32_t id)
{
	for (unsigned i = 0; i < GRPC_SERVER_STREAMS; i++)
		if (c->streams[i].id == id)
			return &c->streams[i];
	return NULL;
}

static enum grpc_server_route
grpc_server_route_of(const uint8_t *path, size_t len)
{
	for (unsigned r = 0; r < GRPC_SERVER_ROUTE_OTHER; r++)
		if (strlen(grpc_server_paths[r]) == len &&
		    memcmp(grpc_server_paths[r], path, len) == 0)
			return r;
	return GRPC_SERVER_ROUTE_OTHER;
}

/* What a complete request gets, into its stream (pure but for state). */
static void
grpc_server_decide(const struct grpc_server *s, struct grpc_server_stream *st)
{
	char service[GRPC_HEALTH_SERVICE_MAX];

	st->verdict = true;
	st->healthy = s->serving;
	st->message = s->serving ? NULL : s->why;
	switch (st->route) {
	case GRPC_SERVER_ROUTE_CHECK:
		/* A named service gets the whole's verdict (grpc_server.h). */
		if (st->too_long || grpc_health_request_decode(st->body,
		    st->len, service) != GRPC_HEALTH_OK) {
			st->verdict = false;
			st->code = GRPC_HEALTH_CODE_INVALID_ARGUMENT;
			st->message = grpc_server_bad_msg;
			break;
		}
		st->msglen = grpc_health_response_encode(st->msg,
		    sizeof(st->msg), s->serving ? GRPC_HEALTH_SERVING :
		    GRPC_HEALTH_NOT_SERVING);
		st->code = s->serving ? GRPC_HEALTH_CODE_OK :
		    GRPC_HEALTH_CODE_UNAVAILABLE;
		break;
	case GRPC_SERVER_ROUTE_WATCH:
		st->verdict = false;
		st->code = GRPC_HEALTH_CODE_UNIMPLEMENTED;
		st->message = grpc_server_watch_msg;
		break;
	case GRPC_SERVER_ROUTE_ALB:
	case GRPC_SERVER_ROUTE_OTHER:
	case GRPC_SERVER_ROUTE_COUNT:
		st->code = s->serving ? GRPC_HEALTH_CODE_UNIMPLEMENTED :
		    GRPC_HEALTH_CODE_UNAVAILABLE;
		break;
	}
}

#define GRPC_SERVER_NV(n, v) { (uint8_t *)(uintptr_t)(n), \
	(uint8_t *)(uintptr_t)(v), sizeof(n) - 1, strlen(v), \
	NGHTTP2_NV_FLAG_NONE }

/* The status (and message) as trailers, or as a Trailers-Only answer. */
static int
grpc_server_trailers(nghttp2_session *ses, struct grpc_server_stream *st,
    bool only)
{
	char code[4];
	nghttp2_nv nv[4] = {
		GRPC_SERVER_NV(":status", "200"),
		GRPC_SERVER_NV("content-type", "application/grpc"),
	};
	size_t n = 2, first = only ? 0 : 2;

	snprintf(code, sizeof(code), "%u", st->code);
	nv[n++] = (nghttp2_nv)GRPC_SERVER_NV("grpc-status", code);
	if (st->message)
		nv[n++] = (nghttp2_nv)GRPC_SERVER_NV("grpc-message",
		    st->message);
	if (only)
		return nghttp2_submit_response(ses, st->id, nv, n, NULL);
	return nghttp2_submit_trailer(ses, st->id, nv + first, n - first);
}

/* The message, then the trailers from inside the data callback. */
static ssize_t
grpc_server_body(nghttp2_session *ses, int32_t id, uint8_t *buf, size_t len,
    uint32_t *flags, nghttp2_data_source *src, void *arg)
{
	struct grpc_server_stream *st = src->ptr;

	(void)arg;
	(void)id;
	if (len < st->msglen)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	memcpy(buf, st->msg, st->msglen);
	*flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
	if (grpc_server_trailers(ses, st, false) != 0)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	return (ssize_t)st->msglen;
}

static void
grpc_server_answer(struct grpc_server_conn *c, struct grpc_server_stream *st)
{
	struct grpc_server *s = c->srv;
	nghttp2_session *ses = c->h2.session;
	nghttp2_data_provider body = { .source.ptr = st,
	    .read_callback = grpc_server_body };
	const nghttp2_nv head[] = {
		GRPC_SERVER_NV(":status", "200"),
		GRPC_SERVER_NV("content-type", "application/grpc"),
	};

	grpc_server_decide(s, st);
	s->stats.answers[st->route][st->code < GRPC_SERVER_CODES ? st->code :
	    2]++;
	st->answered = true;
	c->open++;
	s->inflight++;
	conn_table_busy(s->table, c->slot);
	/* With a message: head, message, trailers; else Trailers-Only. */
	if (st->msglen)
		nghttp2_submit_response(ses, st->id, head, 2, &body);
	else
		grpc_server_trailers(ses, st, true);
}

static int
grpc_server_on_begin(nghttp2_session *ses, const nghttp2_frame *frame,
    void *arg)
{
	struct grpc_server_conn *c = arg;
	struct grpc_server_stream *st;

	(void)ses;
	if (frame->hd.type != NGHTTP2_HEADERS ||
	    frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	/* Past the streams we allow: nghttp2 resets it. */
	if ((st = grpc_server_stream_of(c, 0)) == NULL)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	memset(st, 0, sizeof(*st));
	st->id = frame->hd.stream_id;
	st->route = GRPC_SERVER_ROUTE_OTHER;
	return 0;
}

static int
grpc_server_on_header(nghttp2_session *ses, const nghttp2_frame *frame,
    const uint8_t *name, size_t namelen, const uint8_t *value,
    size_t valuelen, uint8_t flags, void *arg)
{
	struct grpc_server_conn *c = arg;
	struct grpc_server_stream *st;

	(void)ses;
	(void)flags;
	if ((st = grpc_server_stream_of(c, frame->hd.stream_id)) == NULL ||
	    st->answered)
		return 0;
	/* --conn-memory bounds a request's head, as for HTTP (RFC 7541's
	 * 32 bytes of overhead a field). */
	if ((st->head += namelen + valuelen + 32) > c->srv->limits.conn_memory)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	if (namelen == 5 && memcmp(name, ":path", 5) == 0)
		st->route = grpc_server_route_of(value, valuelen);
	else if (namelen == 10 && memcmp(name, "user-agent", 10) == 0)
		st->agent = agent_of((const char *)value, valuelen);
	return 0;
}

static int
grpc_server_on_data(nghttp2_session *ses, uint8_t flags, int32_t id,
    const uint8_t *data, size_t len, void *arg)
{
	struct grpc_server_conn *c = arg;
	struct grpc_server_stream *st = grpc_server_stream_of(c, id);

	(void)ses;
	(void)flags;
	if (st == NULL || st->answered)
		return 0;
	if (len > sizeof(st->body) - st->len) {
		st->too_long = true;
		return 0;
	}
	memcpy(st->body + st->len, data, len);
	st->len += len;
	return 0;
}

static int
grpc_server_on_frame(nghttp2_session *ses, const nghttp2_frame *frame,
    void *arg)
{
	struct grpc_server_conn *c = arg;
	struct grpc_server_stream *st;

	(void)ses;
	if ((frame->hd.type != NGHTTP2_HEADERS &&
	    frame->hd.type != NGHTTP2_DATA) ||
	    !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	if ((st = grpc_server_stream_of(c, frame->hd.stream_id)) != NULL &&
	    !st->answered)
		grpc_server_answer(c, st);
	return 0;
}

static int
grpc_server_on_close(nghttp2_session *ses, int32_t id, uint32_t error,
    void *arg)
{
	struct grpc_server_conn *c = arg;
	struct grpc_server *s = c->srv;
	struct grpc_server_stream *st = grpc_server_stream_of(c, id);
	bool answered;

	if (st == NULL)
		return 0;
	answered = st->answered;
	if (answered && error == NGHTTP2_NO_ERROR && st->verdict &&
	    s->hooks.served) {
		s->hooks.served(s->hooks.arg, &c->slot->client, st->agent,
		    st->healthy ? 200 : 503);
		/* Its source may have just become a known prober. */
		if (!c->slot->prober && s->hooks.prober)
			c->slot->prober = s->hooks.prober(s->hooks.arg,
			    &c->slot->client);
	}
	st->id = 0;
	if (!answered)
		return 0;
	s->inflight--;
	if (--c->open == 0) {
		conn_table_idle(s->table, c->slot, clock_mono());
		/* Draining: say goodbye, as HTTP says Connection: close. */
		if (s->closing && !c->goaway) {
			c->goaway = true;
			nghttp2_session_terminate_session(ses,
			    NGHTTP2_NO_ERROR);
		}
	}
	if (s->inflight == 0 && s->hooks.idle)
		s->hooks.idle(s->hooks.arg);
	return 0;
}

static void
grpc_server_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct grpc_server_conn *c = w->data;
	char why[160];
	enum h2_conn_result r;

	(void)loop;
	c->active = clock_mono();
	r = revents & EV_READ ? h2_conn_read(&c->h2, why, sizeof(why)) :
	    h2_conn_write(&c->h2, why, sizeof(why));
	if (r != H2_CONN_AGAIN) {
		grpc_server_conn_close(c);
		return;
	}
	grpc_server_conn_rearm(c);
}

/* Waits for what the session needs; reads wait while output is pending. */
static void
grpc_server_conn_rearm(struct grpc_server_conn *c)
{
	int want = h2_conn_wants(&c->h2);

	if (c->h2.outlen)
		want &= ~H2_CONN_READ;
	if (want == 0) {
		grpc_server_conn_close(c);
		return;
	}
	if (want != (c->io.events & (EV_READ | EV_WRITE))) {
		ev_io_stop(c->srv->loop, &c->io);
		ev_io_set(&c->io, c->io.fd, want);
		ev_io_start(c->srv->loop, &c->io);
	}
}

/* Closes the socket, drops the session and the table's entry. */
static void
grpc_server_conn_close(struct grpc_server_conn *c)
{
	struct grpc_server *s = c->srv;
	bool was_busy = c->open > 0;

	ev_io_stop(s->loop, &c->io);
	/* Answers still open end with the connection (no served hook). */
	s->inflight -= c->open;
	if (c->h2.session)
		nghttp2_session_del(c->h2.session);
	close(c->io.fd);
	conn_table_remove(s->table, c->slot);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
	if (conn_table_open(s->table) == 0)
		ev_timer_stop(s->loop, &s->sweep);
	if (was_busy && s->inflight == 0 && s->hooks.idle)
		s->hooks.idle(s->hooks.arg);
}

/* A new connection's session, its SETTINGS, and a first read. */
static bool
grpc_server_conn_start(struct grpc_server *s, struct grpc_server_conn *c,
    int fd)
{
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, GRPC_SERVER_STREAMS },
		{ NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, s->limits.conn_memory },
	};
	nghttp2_session *ses;

	if (nghttp2_session_server_new(&ses, s->cb, c) != 0)
		return false;
	h2_conn_plain(&c->h2, fd, ses);
	if (nghttp2_submit_settings(ses, NGHTTP2_FLAG_NONE, iv,
	    sizeof(iv) / sizeof(iv[0])) != 0)
		return false;
	ev_io_init(&c->io, grpc_server_io, fd, EV_READ);
	c->io.data = c;
	ev_io_start(s->loop, &c->io);
	return true;
}

static void
grpc_server_admit(struct grpc_server *s, int fd, const struct addr *client)
{
	struct grpc_server_conn *c;
	struct conn *slot, *victim;
	enum conn_refusal why;
	bool prober;
	int one = 1;

	prober = s->hooks.prober && s->hooks.prober(s->hooks.arg, client);
	slot = conn_table_admit(s->table, client, prober, clock_mono(), &victim,
	    &why);
	if (victim)
		grpc_server_conn_close(victim->handle);
	if (slot == NULL) {
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		conn_table_remove(s->table, slot);
		close(fd);
		return;
	}
	c->srv = s;
	c->slot = slot;
	slot->handle = c;
	c->active = clock_mono();
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!grpc_server_conn_start(s, c, fd)) {
		c->io.fd = fd;
		grpc_server_conn_close(c);
		return;
	}
	if (!ev_is_active(&s->sweep))
		ev_timer_again(s->loop, &s->sweep);
	/* TCP_DEFER_ACCEPT: its preface is most likely in already. */
	grpc_server_io(s->loop, &c->io, EV_READ);
}

/* accept.c hands each connection over. */
static void
grpc_server_take(void *arg, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct addr client = { 0 };

	(void)len;
	addr_from_sockaddr(sa, &client);
	grpc_server_admit(arg, fd, &client);
}

/*
 * Late requests, as conn_table_expired says; then any connection whose
 * bytes have not moved for longer than both timeouts (the backstop MHD's
 * connection timeout is on the HTTP side).
 */
static void
grpc_server_sweep(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct grpc_server *s = w->data;
	double now = clock_mono(), stall = s->limits.request_timeout >
	    s->limits.idle_timeout ? s->limits.request_timeout :
	    s->limits.idle_timeout;
	struct grpc_server_conn *c, *next;
	struct conn *late;

	(void)loop;
	(void)revents;
	while ((late = conn_table_expired(s->table, now)) != NULL)
		grpc_server_conn_close(late->handle);
	for (c = s->conns; c; c = next) {
		next = c->next;
		if (now - c->active > stall + 1)
			grpc_server_conn_close(c);
	}
}

static nghttp2_session_callbacks *
grpc_server_callbacks(void)
{
	nghttp2_session_callbacks *cb;

	if (nghttp2_session_callbacks_new(&cb) != 0)
		return NULL;
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb,
	    grpc_server_on_begin);
	nghttp2_session_callbacks_set_on_header_callback(cb,
	    grpc_server_on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb,
	    grpc_server_on_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb,
	    grpc_server_on_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb,
	    grpc_server_on_close);
	return cb;
}

struct grpc_server *
grpc_server_new(struct ev_loop *loop, const char *host, unsigned port,
    const struct http_limits *limits, const struct http_hooks *hooks,
    char *err, unsigned errlen)
{
	struct conn_limits cl = {
		.max_open = limits->max_connections,
		.reserve = HTTP_SERVER_RESERVE,
		.max_per_ip = limits->max_per_ip,
		.request_timeout = limits->request_timeout,
		.idle_timeout = limits->idle_timeout,
	};
	struct grpc_server *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->fd = -1;
	s->hooks = *hooks;
	s->limits = *limits;
	s->serving = true;
	/* The reserve lives in the headroom, as on the HTTP side. */
	if ((limits->headroom ? limits->headroom : HTTP_SERVER_HEADROOM) / 2 <
	    cl.reserve)
		cl.reserve = (limits->headroom ? limits->headroom :
		    HTTP_SERVER_HEADROOM) / 2;
	if ((s->table = conn_table_new(&cl)) == NULL ||
	    (s->cb = grpc_server_callbacks()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if ((s->fd = sock_listen(host, port, &s->bound, err, errlen)) < 0)
		goto fail;
	if ((s->acceptor = accept_new(loop, s->fd, grpc_server_take,
	    NULL, s)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ev_init(&s->sweep, grpc_server_sweep);
	/* A quarter of the shorter timeout, as on the HTTP side. */
	s->sweep.repeat = (limits->request_timeout < limits->idle_timeout ?
	    limits->request_timeout : limits->idle_timeout) / 4;
	s->sweep.data = s;
	return s;
fail:
	grpc_server_free(s);
	return NULL;
}

void
grpc_server_free(struct grpc_server *s)
{
	if (s == NULL)
		return;
	/* Nothing is told on the way out, as on the HTTP side. */
	memset(&s->hooks, 0, sizeof(s->hooks));
	while (s->conns)
		grpc_server_conn_close(s->conns);
	accept_free(s->acceptor);
	ev_timer_stop(s->loop, &s->sweep);
	if (s->fd >= 0)
		close(s->fd);
	if (s->cb)
		nghttp2_session_callbacks_del(s->cb);
	conn_table_free(s->table);
	free(s);
}

void
grpc_server_address(const struct grpc_server *s, char *buf, unsigned size)
{
	addr_format_sockaddr((const struct sockaddr *)&s->bound, buf, size);
}

void
grpc_server_set_health(struct grpc_server *s, bool serving, const char *why)
{
	char text[sizeof(s->why)];

	s->serving = serving;
	snprintf(text, sizeof(text), "NOT_SERVING: %s", why);
	grpc_health_message_encode(text, s->why, sizeof(s->why));
}

void
grpc_server_set_closing(struct grpc_server *s)
{
	struct grpc_server_conn *c, *next;
	char why[160];

	if (s->closing)
		return;
	s->closing = true;
	/* Idle ones go now; busy ones once their answers are out. */
	for (c = s->conns; c; c = next) {
		next = c->next;
		if (c->open || c->goaway)
			continue;
		c->goaway = true;
		nghttp2_session_terminate_session(c->h2.session,
		    NGHTTP2_NO_ERROR);
		if (h2_conn_write(&c->h2, why, sizeof(why)) != H2_CONN_AGAIN)
			grpc_server_conn_close(c);
		else
			grpc_server_conn_rearm(c);
	}
}

unsigned
grpc_server_inflight(const struct grpc_server *s)
{
	return s ? s->inflight : 0;
}

void
grpc_server_stats(const struct grpc_server *s, struct grpc_server_stats *st)
{
	*st = s->stats;
	conn_table_stats(s->table, &st->conns);
}
