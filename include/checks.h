#ifndef HEALTHGATE_CHECKS_H
#define HEALTHGATE_CHECKS_H

/*
 * The scheduler of upstream checks: runs each every interval on the loop,
 * bounds it by its timeout, feeds rise/fall, and keeps what /health shows.
 * The probes themselves are one file per kind (check_http.c, ...), each a
 * struct check_ops.
 */

#include <ev.h>
#include <stdbool.h>

#include "config.h"
#include "health.h"
#include "sbuf.h"

#define CHECK_OUTPUT_MAX	512	/* output kept for the body */

/* How a run ended. Words only when logged or counted. */
enum check_code {
	CHECK_PASS,
	CHECK_TIMEOUT,		/* no verdict within the timeout */
	CHECK_REFUSED,		/* connection refused */
	CHECK_CONNECT,		/* any other connect or socket error */
	CHECK_STATUS,		/* http: a status outside expect; grpc: not 200 */
	CHECK_MALFORMED,	/* http: not a status line; grpc: no answer */
	CHECK_EXIT,		/* exec: exit status not 0, or a signal */
	CHECK_SPAWN,		/* exec: could not start the command */
	CHECK_RESOLVE,		/* http, tcp, grpc: the host did not resolve */
	CHECK_GRPC,		/* grpc: a grpc-status other than OK */
	CHECK_SERVING,		/* grpc: an answer other than SERVING */
	CHECK_RESET,		/* grpc: stream reset, GOAWAY, closed early */
	CHECK_TLS,		/* https, tls, grpcs: handshake or verification failed */
	CHECK_BODY,		/* http: the body lacks body= */
	CHECK_REPLY,		/* tcp: the reply does not start with expect= */
	CHECK_CODE_COUNT,
};

struct check;
struct check_target;
struct metrics_check;
struct resolver;
struct tls_conf;
struct tls_conn;

/*
 * One probe kind. start() ends, now or later, in exactly one check_done()
 * or check_skip().
 */
struct check_ops {
	const char	*kind;
	void		(*init)(void);	/* once, if a check of the kind exists */
	void		(*start)(struct check *);
	/* Drops whatever a run holds, without calling check_done(). */
	void		(*cancel)(struct check *);
	/*
	 * Optional. At start, per check: what its runs need, read once
	 * (files); false with why when the check cannot run at all, which
	 * refuses the start. teardown undoes it.
	 */
	bool		(*setup)(struct check *, char *why, size_t whylen);
	void		(*teardown)(struct check *);
	/*
	 * Optional. The deadline came: why, in the kind's words, when it
	 * has better ones than "timeout after N ms" (the TLS handshake it
	 * was in); called before cancel. Leaves why alone otherwise.
	 */
	void		(*late)(struct check *, char *why, size_t whylen);
};

extern const struct check_ops check_http_ops;
extern const struct check_ops check_tcp_ops;
extern const struct check_ops check_exec_ops;
extern const struct check_ops check_grpc_ops;
extern const struct check_ops check_tls_ops;

/* What the probe files see of a check. */
struct check {
	const struct check_spec *spec;	/* not owned; the config's */
	struct ev_loop	*loop;
	void		*probe;		/* the running probe's own state */
	struct resolver	*resolver;	/* the checks', for names; may be NULL */
	struct check_target *target;	/* check_target.c's, for names */
	char		 output[CHECK_OUTPUT_MAX + 1];	/* exec output */
	struct tls_conf	*tls;		/* https, tls: from setup; owned */
	bool		 tls_seen;	/* a certificate's date is below */
	double		 tls_not_after;	/* wall s: the earliest notAfter the
					   server last sent */
};

void	check_done(struct check *, enum check_code, const char *detail);
/*
 * The run could not be made for want of healthgate's own resources (its
 * memory, its descriptors): it ends with no verdict, rise/fall and /health
 * keep the last one, since healthgate's failure is not the app's. Counted
 * (healthgate_check_skipped_total) and logged as `check_skipped` once per
 * spell of them.
 */
void	check_skip(struct check *, const char *why);
/* Whether errnum is healthgate out of a resource (a run to skip). */
bool	check_errno_is_own(int errnum);

/*
 * The connect step (check_socket.c), shared by tcp, tls, http and grpc.
 * A socket probe's state starts
 * with a struct check_socket (tcp's is nothing more).
 *
 * check_socket_new() returns new state of size bytes for the run, or NULL
 * after ending the run with check_done(). check_socket_connect() then
 * gets the host's address (check_target.c: a name may be looked up first)
 * and starts a non-blocking connect; the state's watcher calls writable
 * once the connect has ended, or the run ends with check_done() (perhaps
 * before check_socket_connect() returns). check_connected() then says how
 * the connect went, CHECK_PASS or the failure with why.
 * check_socket_cancel() stops the watcher or the wait for the lookup,
 * closes the socket and frees the state (and its TLS session).
 */
struct check_socket {
	struct check	*check;
	ev_io		 io;		/* fd -1 until the connect starts */
	struct tls_conn	*tls;		/* https, tls: once connected; owned */
};

void	*check_socket_new(struct check *, size_t size,
	    void (*writable)(struct ev_loop *, ev_io *, int));
void	 check_socket_connect(struct check *);
enum check_code check_connected(int fd, char *why, unsigned whylen);
void	check_socket_cancel(struct check *);
/* Re-arms the state's watcher for events (EV_READ, EV_WRITE). */
void	check_socket_want(struct check *, int events);

/*
 * The TLS steps (check_tls.c), shared by tls and https. check_tls_setup
 * reads the check's files (tls_conf_new) and warns once of insecure;
 * check_tls_late names a deadline met inside the handshake.
 * check_tls_begin starts a session on the state's connected socket
 * (false: out of memory); each check_tls_handshake call then drives it:
 * 1 done (the certificate's date kept for /metrics), 0 waiting (the
 * watcher re-armed for what TLS waits for), -1 failed with why.
 */
bool	check_tls_setup(struct check *, char *why, size_t whylen);
void	check_tls_teardown(struct check *);
void	check_tls_late(struct check *, char *why, size_t whylen);
bool	check_tls_begin(struct check *);
int	check_tls_handshake(struct check *, char *why, size_t whylen);
const char *check_code_name(enum check_code);

struct checks;
struct risefall;
typedef void (*checks_changed_cb)(void *arg);

/*
 * Seconds from a run's start to the next one's, given the check's state
 * after that run: the interval, or fastinter while the verdict is
 * changing, each spread by +-10 % (jitter_random). Pure but for the draw.
 */
double		 checks_next_gap(const struct check_spec *,
		    const struct risefall *);

/* NULL with why when a check cannot run (its setup) or out of memory. */
struct checks	*checks_new(struct ev_loop *, const struct check_spec *,
		    unsigned n, checks_changed_cb, void *arg, char *why,
		    size_t whylen);
void		 checks_start(struct checks *);
/* No more runs; a running one is cancelled. Verdicts stay as they are. */
void		 checks_stop(struct checks *);
void		 checks_free(struct checks *);	/* cancels every run */
void		 checks_view(const struct checks *,
		    const struct health_check **, unsigned *n);
/* Refreshes and points at each check's /metrics figures. */
void		 checks_figures(struct checks *,
		    const struct metrics_check **, unsigned *n);

#endif
