#ifndef HEALTHGATE_TLS_CONF_H
#define HEALTHGATE_TLS_CONF_H

/*
 * What tls.c needs of a struct tls_conf (tls.h has the rest of its API):
 * the one place that turns a check's trust anchors and client credentials
 * into BearSSL's client settings.
 */

#include <bearssl.h>

#include "tls.h"

/*
 * Initialises cc and xc with BearSSL's full set of suites and algorithms,
 * conf's trust anchors (none when insecure) and its client certificate,
 * if any. Everything set points into conf.
 */
void	tls_conf_apply(const struct tls_conf *, br_ssl_client_context *cc,
	    br_x509_minimal_context *xc);

#endif
