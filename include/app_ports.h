#ifndef HEALTHGATE_APP_PORTS_H
#define HEALTHGATE_APP_PORTS_H

/*
 * The app's serving ports when --app-port is not given: the port of every
 * http, https, tcp and tls check whose host is local (localhost, a loopback address,
 * or an address of one of this host's interfaces). A check of a local
 * port is a check of the app healthgate runs beside; a check of another
 * host is of something the app depends on, whose traffic is not the app's.
 * A host given as a name other than localhost is not looked up: it is not
 * taken as local.
 */

#include <stdbool.h>

#include "check_spec.h"

/* Whether host (a literal, or "localhost") is an address of this host. */
typedef bool	 app_ports_local_fn(const char *host, void *arg);

/*
 * Pure: the distinct ports of the local http, tcp and tls checks, in order, up
 * to max into out; returns how many.
 */
unsigned	 app_ports_from_checks(const struct check_spec *, unsigned n,
		    app_ports_local_fn *, void *arg, unsigned *out,
		    unsigned max);

/* Pure: localhost or a loopback literal (plan, which has no host). */
bool		 app_ports_is_loopback(const char *host, void *arg);

/* The local test of this host: loopback, or an interface's address. */
bool		 app_ports_is_local(const char *host, void *arg);

#endif
