/*
 * probe_grpc.c: `healthgate probe grpc://HOST:PORT[/SERVICE]`, for a
 * container HEALTHCHECK of a gRPC app (or of healthgate's own gRPC port):
 * the check's one call (grpc_call.c), blocking, with poll, under one
 * deadline that covers the lookup, connect, the TLS handshake (grpcs://,
 * with the checks' TLS parameters) and the whole call.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_spec.h"
#include "clock.h"
#include "grpc_call.h"
#include "probe.h"
#include "tls.h"
#include "version.h"

/*
 * The call on a connected fd (over t, a session whose handshake is done,
 * unless NULL), to its verdict or the deadline.
 */
static bool
probe_grpc_call(const struct check_spec *cs, int fd, struct tls_conn *t,
    double deadline, char *why, unsigned whylen)
{
	struct grpc_call call;
	bool done = false, readable = false, ok = false;
	struct tls_stream tio = { .conn = t, .fd = fd };
	struct h2_transport io = { tls_stream_recv, tls_stream_send, &tio,
	    tls_stream_wants_write };

	if (!grpc_call_start(&call, fd, t ? &io : NULL, cs->host, cs->port,
	    cs->path, cs->timeout_ms, PROBE_USER_AGENT HEALTHGATE_VERSION)) {
		snprintf(why, whylen, "%s", call.why);
		goto out;
	}
	while (!(done = grpc_call_step(&call, readable))) {
		int want = grpc_call_wants(&call);
		short ev = (short)((want & H2_CONN_READ ? POLLIN : 0) |
		    (want & H2_CONN_WRITE ? POLLOUT : 0));
		int got = probe_wait(fd, ev, deadline);

		if (got == 0)
			break;
		readable = got & (POLLIN | POLLHUP | POLLERR);
	}
	if (!done)
		snprintf(why, whylen, "no answer within %u ms", cs->timeout_ms);
	else if (call.code != CHECK_PASS && t && tls_failed(t))
		tls_conn_reason(t, why, whylen);
	else if (call.code != CHECK_PASS)
		snprintf(why, whylen, "%s", call.why);
	ok = done && call.code == CHECK_PASS;
out:
	grpc_call_free(&call);
	return ok;
}

/* grpcs: the session over fd, its handshake done; false with why. */
static bool
probe_grpc_tls(const struct check_spec *cs, int fd, struct tls_conf **conf,
    struct tls_conn **t, double deadline, char *why, unsigned whylen)
{
	const struct check_spec_tls *s = &cs->tls;

	*conf = tls_conf_new(s->ca[0] ? s->ca : NULL, s->cert[0] ? s->cert :
	    NULL, s->key[0] ? s->key : NULL, s->insecure, why, whylen);
	if (*conf == NULL)
		return false;
	if ((*t = tls_conn_new(*conf, check_spec_tls_name(cs), "h2")) ==
	    NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	return probe_tls_handshake(fd, *t, deadline, cs->timeout_ms, why,
	    whylen);
}

int
probe_grpc_main(const char *target, unsigned timeout_ms)
{
	struct check_spec sched = { .interval_ms = timeout_ms + 1,
	    .timeout_ms = timeout_ms, .rise = 1, .fall = 1 }, cs;
	double deadline;	/* lint: set once the spec is read (its ?timeout=) */
	const char *err;
	char why[256] = "";
	int fd = -1, rc = 1;
	struct tls_conf *conf = NULL;
	struct tls_conn *t = NULL;

	if ((err = check_spec_parse(target, &sched, &cs)) != NULL ||
	    cs.kind != CHECK_SPEC_GRPC) {
		fprintf(stderr, "healthgate probe: \"%s\": %s\n", target,
		    err ? err : "not grpc://");
		return 1;
	}
	/* A ?timeout= in the URL is the call's; the deadline follows it. */
	deadline = clock_mono() + cs.timeout_ms / 1000.0;
	if ((fd = probe_open(cs.host, cs.port, deadline, cs.timeout_ms, why,
	    sizeof(why))) < 0)
		goto out;
	if (cs.tls.on && !probe_grpc_tls(&cs, fd, &conf, &t, deadline, why,
	    sizeof(why)))
		goto out;
	if (probe_grpc_call(&cs, fd, t, deadline, why, sizeof(why)))
		rc = 0;
out:
	if (t)
		tls_close(t, fd);
	tls_conn_free(t);
	tls_conf_free(conf);
	if (fd >= 0)
		close(fd);
	check_spec_free(&cs);
	if (rc == 0)
		printf("%s: SERVING\n", target);
	else
		fprintf(stderr, "healthgate probe: %s: %s\n", target, why);
	return rc;
}
