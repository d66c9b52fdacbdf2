#ifndef HEALTHGATE_SELFCONN_H
#define HEALTHGATE_SELFCONN_H

/*
 * The connections healthgate opens itself (its tcp and http checks), by
 * their local address and port, so that traffic.c does not take a check
 * of the app for the app's traffic: on the app's side such a connection's
 * peer is exactly one of these. The socket's own address is the one fact
 * both sides of a loopback connection share; the kernel gives no owner
 * for the peer of an accepted socket.
 *
 * The last SELFCONN_MAX are kept (a check connects once per interval, so
 * that is minutes of them, and a connection on the app's side lives at
 * most a TIME_WAIT after its check ended). One table for the process: the
 * checks record, the traffic reader asks, both on the one loop thread.
 */

#include <stdbool.h>

#include "addr.h"

#define SELFCONN_MAX	256

/* The socket fd was just connected (or is connecting): record its name. */
void		 selfconn_note_fd(int fd);

/* Pure: records ip:port as one of healthgate's own. */
void		 selfconn_note(const struct addr *ip, unsigned port);

/* Whether ip:port is the local end of a connection healthgate opened. */
bool		 selfconn_is(const struct addr *ip, unsigned port);

/* Forgets them all (tests). */
void		 selfconn_reset(void);

#endif
