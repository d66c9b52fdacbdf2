/*
 * accept.c: the listener on the loop, paused while accept has no
 * descriptor or memory to give (accept.h says why not libmicrohttpd's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "accept.h"
#include "log.h"

struct acceptor {
	struct ev_loop	*loop;
	ev_io		 io;		/* the listener is readable */
	ev_timer	 pause;		/* the listener is not watched */
	double		 wait;		/* s, the current pause; 0: none */
	unsigned long long pauses;	/* resource errors that paused it */
	accept_take_cb	 take;
	accept_done_cb	 done;
	void		*arg;
};

bool
accept_error_is_resource(int errnum)
{
	return errnum == EMFILE || errnum == ENFILE || errnum == ENOBUFS ||
	    errnum == ENOMEM;
}

double
accept_pause_next(double pause)
{
	if (pause < ACCEPT_PAUSE_MIN)
		return ACCEPT_PAUSE_MIN;
	return pause * 2 > ACCEPT_PAUSE_MAX ? ACCEPT_PAUSE_MAX : pause * 2;
}

/* Out of a resource: stop watching, look again after the next pause. */
static void
accept_pause(struct acceptor *a, int errnum)
{
	if (a->wait == 0)
		log_kv(LOG_WARN, "accept_paused",
		    LOG_Q("reason", strerror(errnum)),
		    LOG_F("first_pause_ms", ACCEPT_PAUSE_MIN * 1000, 0),
		    LOG_F("max_pause_ms", ACCEPT_PAUSE_MAX * 1000, 0));
	a->wait = accept_pause_next(a->wait);
	a->pauses++;
	ev_io_stop(a->loop, &a->io);
	ev_timer_set(&a->pause, a->wait, 0.);
	ev_timer_start(a->loop, &a->pause);
}

static void
accept_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct acceptor *a = w->data;
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned n;
	int fd;

	(void)loop;
	(void)revents;
	for (n = 0; n < ACCEPT_BATCH; n++) {
		len = sizeof(ss);
		fd = accept4(w->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (accept_error_is_resource(errno))
				accept_pause(a, errno);
			/* EAGAIN: all taken; ECONNABORTED and the like:
			 * that one is gone, the next wakeup takes the rest. */
			break;
		}
		a->wait = 0;
		a->take(a->arg, fd, (struct sockaddr *)&ss, len);
	}
	if (n > 0 && a->done)
		a->done(a->arg);
}

static void
accept_pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct acceptor *a = w->data;

	(void)revents;
	ev_io_start(loop, &a->io);
}

struct acceptor *
accept_new(struct ev_loop *loop, int fd, accept_take_cb take,
    accept_done_cb done, void *arg)
{
	struct acceptor *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->loop = loop;
	a->take = take;
	a->done = done;
	a->arg = arg;
	ev_io_init(&a->io, accept_io_cb, fd, EV_READ);
	a->io.data = a;
	ev_init(&a->pause, accept_pause_cb);
	a->pause.data = a;
	ev_io_start(loop, &a->io);
	return a;
}

void
accept_free(struct acceptor *a)
{
	if (a == NULL)
		return;
	ev_io_stop(a->loop, &a->io);
	ev_timer_stop(a->loop, &a->pause);
	free(a);
}

unsigned long long
accept_pauses(const struct acceptor *a)
{
	return a->pauses;
}
