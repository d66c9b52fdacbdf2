#ifndef HEALTHGATE_ACCEPT_H
#define HEALTHGATE_ACCEPT_H

/*
 * The listener on the loop: accepts connections and hands each one to its
 * owner (http_server.c gives it to libmicrohttpd). When accept fails for
 * want of a resource (EMFILE, ENFILE, ENOBUFS, ENOMEM) the listener is no
 * longer watched for a while that doubles, from ACCEPT_PAUSE_MIN up to
 * ACCEPT_PAUSE_MAX, and is watched again after any accept that works: a
 * pending connection under an exhausted open-file limit never spins the
 * loop. Each pause that follows a working accept is logged once, as
 * `accept_paused`.
 *
 * Why not libmicrohttpd's own accept: 0.9.75, driven from outside, spins on
 * EMFILE while it has no connection (it keeps the listener in its epoll
 * set), and with one it drops the listener from that set until a
 * connection closes but adds it back only in a later MHD_run, which
 * nothing calls when no connection is left: the server goes deaf.
 */

#include <stdbool.h>
#include <sys/socket.h>

#include <ev.h>

#define ACCEPT_PAUSE_MIN	0.010	/* s, the first pause */
#define ACCEPT_PAUSE_MAX	0.500	/* s, the longest */
#define ACCEPT_BATCH		16	/* accepts per wakeup, at most */

/* Takes ownership of fd, a non-blocking, close-on-exec connection. */
typedef void (*accept_take_cb)(void *arg, int fd, const struct sockaddr *,
	    socklen_t);
/* Every connection of one wakeup was handed over (may be NULL). */
typedef void (*accept_done_cb)(void *arg);

struct acceptor;

/* Watches listening socket fd (still the caller's to close). */
struct acceptor	*accept_new(struct ev_loop *, int fd, accept_take_cb,
		    accept_done_cb, void *arg);
void		 accept_free(struct acceptor *);

/* Whether errnum says accept ran out of a resource (pause) or not. */
bool		 accept_error_is_resource(int errnum);
/* The pause after one of pause seconds (0: the first). Pure. */
double		 accept_pause_next(double pause);
/* Times a resource error paused the listener, for /metrics. */
unsigned long long accept_pauses(const struct acceptor *);

#endif
