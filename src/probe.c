/*
 * probe.c: the probe subcommand, a small blocking HTTP client.
 *
 * One deadline covers the lookup of a name (resolve_wait: c-ares on a
 * private loop), connect, the TLS handshake for https, send and the whole
 * response; every wait is bounded by what is left of it. https goes
 * through tls.c's session, the one the checks use, with the checks' TLS
 * parameters (check_spec.c reads them from the URL).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check_spec.h"
#include "clock.h"
#include "http_request.h"
#include "decimal.h"
#include "http_status.h"
#include "opts.h"
#include "probe.h"
#include "resolve.h"
#include "sock.h"
#include "tls.h"
#include "version.h"

#define RESPONSE_MAX	65536	/* read no more of an answer than this */

int
probe_wait(int fd, short events, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	double left;
	int n;

	do {
		left = deadline - clock_mono();
		if (left <= 0)
			return 0;
		n = poll(&pfd, 1, (int)(left * 1000) + 1);
	} while (n < 0 && errno == EINTR);
	return n > 0 ? pfd.revents : 0;
}

void
probe_default_url(const char *listen, const char *path, char *buf,
    unsigned size)
{
	char host[ADDR_HOST_MAX];
	unsigned port = 8081;
	struct addr a;

	/* Any-addresses are reached through loopback; literals as they are. */
	strcpy(host, "127.0.0.1");
	if (listen && addr_split_hostport(listen, host, &port) == NULL) {
		if (addr_parse_ip(host, &a) != NULL ||
		    strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
			strcpy(host, "127.0.0.1");
	} else
		port = 8081;
	snprintf(buf, size, strchr(host, ':') ? "http://[%s]:%u%s" :
	    "http://%s:%u%s", host, port, path);
}

/* Where the answer's head ends, or NULL. */
static const char *
head_end(const char *buf, size_t len)
{
	for (size_t i = 3; i < len; i++)
		if (memcmp(buf + i - 3, "\r\n\r\n", 4) == 0)
			return buf + i + 1;
	return NULL;
}

/*
 * Content-Length of a complete head, or -1 when it has none or it is not
 * a plain number (then the answer runs to EOF).
 */
static long long
content_length(const char *buf, const char *end)
{
	static const char name[] = "\ncontent-length:";
	size_t n = sizeof(name) - 1;
	unsigned long long v;
	const char *p;

	for (p = buf; p + n < end; p++)
		if (strncasecmp(p, name, n) == 0)
			break;
	if (p + n >= end)
		return -1;
	for (p += n; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if ((n = decimal_span(p, (size_t)(end - p))) == 0)
		return -1;
	/* More than we would read is as good as too much. */
	if (!decimal_parse(p, n, RESPONSE_MAX, &v))
		return RESPONSE_MAX;
	return (long long)v;
}

/*
 * One send (out) or recv of up to len bytes, plain or through the session
 * t: the bytes moved, with *events what to wait for before the next call
 * (0: none; a recv that moved 0 bytes without one met EOF), or -2 with
 * why filled. A TLS send waits until what it took is on the wire.
 */
static ssize_t
probe_io(int fd, struct tls_conn *t, bool out, void *buf, size_t len,
    short *events, char *why, unsigned whylen)
{
	enum tls_want r;
	ssize_t n;
	size_t moved;

	*events = 0;
	if (t == NULL) {
		n = out ? send(fd, buf, len, MSG_NOSIGNAL) : recv(fd, buf, len,
		    0);
		if (n >= 0)
			return n;
		if (errno == EAGAIN || errno == EINTR) {
			*events = out ? POLLOUT : POLLIN;
			return 0;
		}
		snprintf(why, whylen, "%s: %s", out ? "send" : "recv",
		    strerror(errno));
		return -2;
	}
	r = out ? tls_write(t, fd, buf, len, &moved) : tls_read(t, fd, buf,
	    len, &moved);
	if (r == TLS_WANT_READ || r == TLS_WANT_WRITE)
		*events = r == TLS_WANT_READ ? POLLIN : POLLOUT;
	else if (r == TLS_FAILED) {
		tls_conn_reason(t, why, whylen);
		return -2;
	}
	return (ssize_t)moved;
}

bool
probe_tls_handshake(int fd, struct tls_conn *t, double deadline,
    unsigned timeout_ms, char *why, unsigned whylen)
{
	enum tls_want r;

	while ((r = tls_handshake(t, fd)) != TLS_DONE) {
		if (r == TLS_FAILED) {
			tls_conn_reason(t, why, whylen);
			return false;
		}
		if (probe_wait(fd, r == TLS_WANT_READ ? POLLIN : POLLOUT,
		    deadline) <= 0) {
			snprintf(why, whylen, "tls: handshake timeout after "
			    "%u ms", timeout_ms);
			return false;
		}
	}
	return true;
}

bool
probe_response_complete(const char *buf, size_t len)
{
	const char *end = head_end(buf, len);
	long long clen;

	if (end == NULL || (clen = content_length(buf, end)) < 0)
		return false;
	return (size_t)(end - buf) + (size_t)clen <= len;
}

unsigned
probe_get(const struct url *u, unsigned timeout_ms, char *why,
    unsigned whylen)
{
	return probe_call(&(struct probe_req){ .url = u, .method = "GET",
	    .timeout_ms = timeout_ms }, NULL, why, whylen);
}

/* The answer's body (after its head, to its end), a copy for the caller. */
static void
probe_keep_body(const char *resp, size_t len, struct probe_body *body)
{
	const char *end = head_end(resp, len);
	long long clen = end ? content_length(resp, end) : -1;
	size_t n = end ? len - (size_t)(end - resp) : 0;

	if (clen >= 0 && (size_t)clen < n)
		n = (size_t)clen;
	if ((body->data = malloc(n + 1)) == NULL)
		return;
	memcpy(body->data, end ? end : "", n);
	body->data[n] = '\0';
	body->len = n;
}

/* One probe's connection: its socket, TLS over it, its deadline. */
struct probe_conn {
	int		 fd;		/* -1 until connected */
	struct tls_conn	*t;		/* NULL for plain HTTP */
	double		 deadline;	/* s, clock_mono()'s */
	unsigned	 timeout_ms;	/* for the messages */
	short		 events;	/* what TLS waits for, or 0 */
};

/* host's address: a literal, or the resolver's first answer. */
static bool
probe_address(const char *host, unsigned port, double deadline,
    struct sockaddr_storage *ss, socklen_t *sslen, char *why,
    unsigned whylen)
{
	struct addr a;
	const char *bad;

	if (addr_to_sockaddr(host, port, ss, sslen) == NULL)
		return true;
	if ((bad = addr_check_name(host)) != NULL) {
		snprintf(why, whylen, "%s", bad);
		return false;
	}
	if (!resolve_wait(host, deadline, &a, why, whylen))
		return false;
	addr_sockaddr(&a, port, ss, sslen);
	return true;
}

int
probe_open(const char *host, unsigned port, double deadline,
    unsigned timeout_ms, char *why, unsigned whylen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd, err;

	if (!probe_address(host, port, deadline, &ss, &sslen, why, whylen))
		return -1;
	if ((fd = sock_connect(&ss, sslen, &err)) < 0) {
		snprintf(why, whylen, "connect: %s", strerror(err));
		return -1;
	}
	if (probe_wait(fd, POLLOUT, deadline) <= 0)
		snprintf(why, whylen, "connect timed out after %u ms",
		    timeout_ms);
	else if ((err = sock_connect_error(fd)) != 0)
		snprintf(why, whylen, "connect: %s", strerror(err));
	else
		return fd;
	close(fd);
	return -1;
}

/* Connected within the deadline, and TLS shaken hands when asked. */
static bool
probe_connect(const struct probe_req *r, struct probe_conn *pc, char *why,
    unsigned whylen)
{
	if ((pc->fd = probe_open(r->url->host, r->url->port, pc->deadline,
	    pc->timeout_ms, why, whylen)) < 0)
		return false;
	if (r->tls && (pc->t = tls_conn_new(r->tls->conf, r->tls->name,
	    NULL)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	return pc->t == NULL || probe_tls_handshake(pc->fd, pc->t,
	    pc->deadline, pc->timeout_ms, why, whylen);
}

static bool
probe_send(struct probe_conn *pc, const char *req, size_t reqlen, char *why,
    unsigned whylen)
{
	size_t sent = 0;

	while (sent < reqlen || pc->events) {
		ssize_t n = probe_io(pc->fd, pc->t, true, (char *)req + sent,
		    reqlen - sent, &pc->events, why, whylen);

		if (n == -2)
			return false;
		sent += (size_t)n;
		if (pc->events && probe_wait(pc->fd, pc->events,
		    pc->deadline) <= 0) {
			snprintf(why, whylen, "send timed out after %u ms",
			    pc->timeout_ms);
			return false;
		}
	}
	return true;
}

/* The whole answer: to EOF, or to the end its head announces. */
static bool
probe_read(struct probe_conn *pc, char *resp, size_t *len, char *why,
    unsigned whylen)
{
	for (;;) {
		ssize_t n;

		if (probe_response_complete(resp, *len) ||
		    *len == RESPONSE_MAX)
			return true;
		n = probe_io(pc->fd, pc->t, false, resp + *len,
		    RESPONSE_MAX - *len, &pc->events, why, whylen);
		if (n == -2)
			return false;
		if (pc->events) {
			if (probe_wait(pc->fd, pc->events, pc->deadline) <= 0) {
				snprintf(why, whylen, "no complete answer "
				    "within %u ms", pc->timeout_ms);
				return false;
			}
			continue;
		}
		if (n == 0)
			return true;
		*len += (size_t)n;
	}
}

/* The answer's status, 0 (and why) when it is not a whole HTTP answer. */
static unsigned
probe_answer(const char *resp, size_t len, char *why, unsigned whylen)
{
	unsigned code = 0;

	switch (http_status_parse(resp, len, &code)) {
	case HTTP_STATUS_DONE:
		return code;
	case HTTP_STATUS_MORE:
		snprintf(why, whylen, len ? "answer cut short" :
		    "connection closed without an answer");
		break;
	case HTTP_STATUS_BAD:
		snprintf(why, whylen, "not an HTTP answer");
		break;
	}
	return 0;
}

unsigned
probe_call(const struct probe_req *r, struct probe_body *body, char *why,
    unsigned whylen)
{
	const struct url *u = r->url;
	struct probe_conn pc = { .fd = -1, .timeout_ms = r->timeout_ms,
	    .deadline = clock_mono() + r->timeout_ms / 1000.0 };
	char *req = NULL, *resp = NULL;
	size_t len = 0, reqlen, reqmax = 0;
	unsigned code = 0;

	if (u->tls && r->tls == NULL) {
		snprintf(why, whylen, "https:// is for healthgate probe");
		goto out;
	}
	reqmax = HTTP_REQUEST_MAX + (r->token ? strlen(r->token) : 0);
	/* lint: calloc for resp, as scan-build cannot tell that what is
	 * read of it was received first; 64 KiB zeroed once per probe. */
	if ((req = malloc(reqmax)) == NULL ||
	    (resp = calloc(1, RESPONSE_MAX)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	/* http_server.c knows its own probe by this agent. */
	reqlen = http_request_build(req, reqmax, r->method, u->host, u->port,
	    u->path, PROBE_USER_AGENT, r->token);
	if (!probe_connect(r, &pc, why, whylen) ||
	    !probe_send(&pc, req, reqlen, why, whylen) ||
	    !probe_read(&pc, resp, &len, why, whylen))
		goto out;
	if ((code = probe_answer(resp, len, why, whylen)) && body)
		probe_keep_body(resp, len, body);
out:
	if (pc.t)
		tls_close(pc.t, pc.fd);
	tls_conn_free(pc.t);
	if (pc.fd >= 0)
		close(pc.fd);
	if (req)	/* it may hold the token */
		explicit_bzero(req, reqmax);
	free(req);
	free(resp);
	return code;
}

static void
probe_usage(void)
{
	printf("usage: healthgate probe [--timeout D] [URL | /PATH | "
	    "grpc[s]://HOST:PORT[/SERVICE]]\n\n"
	    "One GET with a deadline (default 2s) covering connect, send and "
	    "the whole\nanswer. Exit 0 on 2xx, 1 on anything else (a 3xx too: "
	    "redirects are not\nfollowed). --version prints the version. The "
	    "default URL is\nhttp://127.0.0.1:PORT/health, PORT from "
	    "HEALTHGATE_LISTEN (else 8081);\na bare /PATH asks that daemon "
	    "for PATH instead. An https:// URL takes the checks' TLS\n"
	    "parameters: ?ca=FILE, ?sni=NAME, ?insecure, ?cert=FILE&key=FILE."
	    "\ngrpc://: one grpc.health.v1 Check; exit 0 on SERVING, 1 on "
	    "anything else;\ngrpcs:// the same over TLS, with the same TLS "
	    "parameters.\n");
}

/*
 * An https:// URL read as a check reads it: its TLS parameters (ca, sni,
 * insecure, cert, key) are taken out of the query, the files read into
 * tls->conf. NULL, or why not (why may hold it).
 */
static const char *
probe_tls_url(const char *target, struct url *u, struct check_spec *cs,
    struct probe_tls *tls, char *why, unsigned whylen)
{
	/* Any ?timeout= in the URL is below this; --timeout is the deadline. */
	static const struct check_spec sched = { .interval_ms = 86400000,
	    .timeout_ms = 1, .rise = 1, .fall = 1 };
	const struct check_spec_tls *t = &cs->tls;
	const char *err;

	if ((err = check_spec_parse(target, &sched, cs)) != NULL)
		return err;
	strcpy(u->path, cs->path);
	tls->name = check_spec_tls_name(cs);
	tls->conf = tls_conf_new(t->ca[0] ? t->ca : NULL,
	    t->cert[0] ? t->cert : NULL, t->key[0] ? t->key : NULL,
	    t->insecure, why, whylen);
	return tls->conf ? NULL : why;
}

/*
 * The exit status for an answer's code (0: none, why says why), and its
 * line. Only 2xx passes. Unlike curl -f (which fails at 400 and up) and a
 * Kubernetes httpGet probe (200-399), a 3xx fails and is not followed:
 * healthgate's /health never redirects, so one means the URL reaches
 * something else (a proxy, a login page, a wrong path), and a load
 * balancer's matcher (an ALB's default is 200) would not count it as
 * healthy either.
 */
static int
probe_verdict(const char *target, unsigned code, const char *why)
{
	if (code == 0)
		fprintf(stderr, "healthgate probe: %s: %s\n", target, why);
	else if (code >= 300 && code <= 399)
		fprintf(stderr, "healthgate probe: %s: %u, a redirect: probe "
		    "does not follow redirects; give the URL that answers 2xx\n",
		    target, code);
	else if (code < 200 || code > 299)
		fprintf(stderr, "healthgate probe: %s: %u\n", target, code);
	else {
		printf("%s: %u\n", target, code);
		return 0;
	}
	return 1;
}

int
probe_main(int argc, char *const argv[], char *const envp[])
{
	char defurl[ADDR_HOST_MAX + ADDR_PATH_MAX + 32], why[256] = "";
	const char *target = NULL, *err;
	unsigned timeout_ms = 2000, code;
	struct url u;
	struct probe_tls tls = { NULL, NULL };
	struct check_spec cs;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			probe_usage();
			return 0;
		}
		if (strcmp(a, "--version") == 0) {	/* as plan and the daemon */
			puts(version_line());
			return 0;
		}
		if (strncmp(a, "--timeout=", 10) == 0)
			v = a + 10;
		else if (strcmp(a, "--timeout") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "healthgate probe: --timeout: "
				    "needs a value\n");
				return 1;
			}
			v = argv[++i];
		} else if (a[0] == '-' || target != NULL) {
			fprintf(stderr, "healthgate probe: unexpected \"%s\" "
			    "(see --help)\n", a);
			return 1;
		} else
			target = a;
		if (v && ((err = opts_parse_duration(v, &timeout_ms)) ||
		    timeout_ms == 0)) {
			fprintf(stderr, "healthgate probe: --timeout: \"%s\" "
			    "%s\n", v, err ? err : "must be above zero");
			return 1;
		}
	}
	if (target && (strncmp(target, "grpc://", 7) == 0 ||
	    strncmp(target, "grpcs://", 8) == 0))
		return probe_grpc_main(target, timeout_ms);
	/* No URL, or a bare path: the daemon of the same environment. */
	if (target == NULL || target[0] == '/') {
		probe_default_url(opts_env(envp, "HEALTHGATE_LISTEN"),
		    target ? target : "/health", defurl, sizeof(defurl));
		target = defurl;
	}
	if ((err = addr_parse_url(target, &u)) != NULL) {
		fprintf(stderr, "healthgate probe: \"%s\": %s\n", target, err);
		return 1;
	}
	if (u.tls && (err = probe_tls_url(target, &u, &cs, &tls, why,
	    sizeof(why))) != NULL) {
		fprintf(stderr, "healthgate probe: \"%s\": %s\n", target, err);
		return 1;
	}
	code = probe_call(&(struct probe_req){ .url = &u, .method = "GET",
	    .timeout_ms = timeout_ms, .tls = u.tls ? &tls : NULL }, NULL, why,
	    sizeof(why));
	tls_conf_free(tls.conf);
	return probe_verdict(target, code, why);
}
