#ifndef HEALTHGATE_NOTIFY_H
#define HEALTHGATE_NOTIFY_H

/*
 * The systemd notify protocol, without libsystemd: datagrams of
 * "KEY=VALUE\n" lines to the unix socket named by NOTIFY_SOCKET, and
 * WATCHDOG=1 from a timer on the event loop, so the pings stop when the
 * loop does. Every send is best effort: a failure is logged once and never
 * stops the daemon.
 *
 * Every function takes a NULL struct notify and then does nothing, so the
 * caller needs no "under systemd?" branches.
 */

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <ev.h>

/* What WATCHDOG_USEC and WATCHDOG_PID say, for this process. */
enum notify_watchdog {
	NOTIFY_WATCHDOG_OFF,		/* WATCHDOG_USEC unset */
	NOTIFY_WATCHDOG_ON,		/* ping every *interval seconds */
	NOTIFY_WATCHDOG_OTHER_PID,	/* meant for another process */
	NOTIFY_WATCHDOG_INVALID,	/* not a positive number */
};

struct notify;

/*
 * Opens the socket NOTIFY_SOCKET (from envp) names and, when the watchdog
 * is meant for this process, starts its timer on loop. Returns NULL, and
 * nothing is sent later, when NOTIFY_SOCKET is unset; also, with a warning
 * logged, when it is unusable. The caller owns the result.
 */
struct notify	*notify_new(struct ev_loop *, char *const envp[]);
/* Stops the watchdog timer and closes the socket. */
void		 notify_free(struct notify *);

/* status may be NULL; newlines in it become spaces (one line per key). */
void		 notify_ready(struct notify *, const char *status);
void		 notify_status(struct notify *, const char *status);
void		 notify_stopping(struct notify *, const char *status);

/* Seconds between pings, 0 when off: for the start-up log. */
double		 notify_watchdog_interval(const struct notify *);

/*
 * Pure parsers behind notify_new, for its tests.
 *
 * notify_parse_socket: "/path" or "@abstract" to an address; returns NULL
 * or why it cannot be used.
 * notify_parse_watchdog: usec and pid are the variables' values or NULL;
 * on NOTIFY_WATCHDOG_ON, *interval is half of usec, in seconds.
 */
const char	*notify_parse_socket(const char *, struct sockaddr_un *,
		    socklen_t *);
enum notify_watchdog notify_parse_watchdog(const char *usec, const char *pid,
		    pid_t mypid, double *interval);

#endif
