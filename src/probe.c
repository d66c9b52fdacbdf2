/*
 * probe.c: the probe subcommand, a small blocking HTTP client.
 *
 * One deadline covers the lookup of a name (resolve_wait: c-ares on a
 * private loop), connect, send and the whole response; every wait is
 * bounded by what is left of it.
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

#include "clock.h"
#include "http_request.h"
#include "decimal.h"
#include "http_status.h"
#include "opts.h"
#include "probe.h"
#include "resolve.h"
#include "sock.h"
#include "version.h"

#define RESPONSE_MAX	65536	/* read no more of an answer than this */

static double
now_ms(void)
{
	return clock_mono() * 1000.0;
}

/* Waits for events on fd until the deadline; 1 ready, 0 timed out. */
static int
wait_for(int fd, short events, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	double left;
	int n;

	do {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		n = poll(&pfd, 1, (int)left + 1);
	} while (n < 0 && errno == EINTR);
	return n > 0 ? 1 : n;
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
	struct sockaddr_storage ss;
	socklen_t sslen;
	char req[HTTP_REQUEST_MAX], *resp = NULL;
	double deadline = now_ms() + timeout_ms;
	size_t len = 0, sent = 0, reqlen;
	unsigned code = 0;
	int fd = -1, err;
	struct addr a;
	const char *bad;

	if (addr_to_sockaddr(u->host, u->port, &ss, &sslen) != NULL) {
		if ((bad = addr_check_name(u->host)) != NULL) {
			snprintf(why, whylen, "%s", bad);
			goto out;
		}
		if (!resolve_wait(u->host, deadline / 1000.0, &a, why, whylen))
			goto out;
		addr_sockaddr(&a, u->port, &ss, &sslen);
	}
	/* http_server.c knows its own probe by this agent. */
	reqlen = http_request_get(req, sizeof(req), u->host, u->port, u->path,
	    PROBE_USER_AGENT);
	if ((resp = malloc(RESPONSE_MAX)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if ((fd = sock_connect(&ss, sslen, &err)) < 0) {
		snprintf(why, whylen, "connect: %s", strerror(err));
		goto out;
	}
	if (wait_for(fd, POLLOUT, deadline) <= 0) {
		snprintf(why, whylen, "connect timed out after %u ms",
		    timeout_ms);
		goto out;
	}
	if ((err = sock_connect_error(fd)) != 0) {
		snprintf(why, whylen, "connect: %s", strerror(err));
		goto out;
	}
	while (sent < reqlen) {
		ssize_t n = send(fd, req + sent, reqlen - sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			if (wait_for(fd, POLLOUT, deadline) <= 0) {
				snprintf(why, whylen, "send timed out after "
				    "%u ms", timeout_ms);
				goto out;
			}
			continue;
		}
		if (n < 0) {
			snprintf(why, whylen, "send: %s", strerror(errno));
			goto out;
		}
		sent += (size_t)n;
	}
	/* Read the whole answer: to EOF, or to the end its head announces. */
	for (;;) {
		ssize_t n;

		if (probe_response_complete(resp, len) || len == RESPONSE_MAX)
			break;
		if (wait_for(fd, POLLIN, deadline) <= 0) {
			snprintf(why, whylen, "no complete answer within "
			    "%u ms", timeout_ms);
			goto out;
		}
		n = recv(fd, resp + len, RESPONSE_MAX - len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			snprintf(why, whylen, "recv: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	switch (http_status_parse(resp, len, &code)) {
	case HTTP_STATUS_DONE:
		break;
	case HTTP_STATUS_MORE:
		snprintf(why, whylen, len ? "answer cut short" :
		    "connection closed without an answer");
		code = 0;
		break;
	case HTTP_STATUS_BAD:
		snprintf(why, whylen, "not an HTTP answer");
		code = 0;
		break;
	}
out:
	if (fd >= 0)
		close(fd);
	free(resp);
	return code;
}

static void
probe_usage(void)
{
	printf("usage: healthgate probe [--timeout D] [URL | /PATH | "
	    "grpc://HOST:PORT[/SERVICE]]\n\n"
	    "One GET with a deadline (default 2s) covering connect, send and "
	    "the whole\nanswer. Exit 0 on 2xx, 1 on anything else (a 3xx too: "
	    "redirects are not\nfollowed). --version prints the version. The "
	    "default URL is\nhttp://127.0.0.1:PORT/health, PORT from "
	    "HEALTHGATE_LISTEN (else 8081);\na bare /PATH asks that daemon "
	    "for PATH instead.\ngrpc://: one grpc.health.v1 Check; exit 0 on "
	    "SERVING, 1 on anything else.\n");
}

int
probe_main(int argc, char *const argv[], char *const envp[])
{
	char defurl[ADDR_HOST_MAX + ADDR_PATH_MAX + 32], why[256] = "";
	const char *target = NULL, *err;
	unsigned timeout_ms = 2000, code;
	struct url u;

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
	if (target && strncmp(target, "grpc://", 7) == 0)
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
	code = probe_get(&u, timeout_ms, why, sizeof(why));
	if (code == 0) {
		fprintf(stderr, "healthgate probe: %s: %s\n", target, why);
		return 1;
	}
	/*
	 * Only 2xx passes. Unlike curl -f (which fails at 400 and up) and a
	 * Kubernetes httpGet probe (200-399), a 3xx fails and is not
	 * followed: healthgate's /health never redirects, so one means the
	 * URL reaches something else (a proxy, a login page, a wrong path),
	 * and a load balancer's matcher (an ALB's default is 200) would not
	 * count it as healthy either.
	 */
	if (code >= 300 && code <= 399) {
		fprintf(stderr, "healthgate probe: %s: %u, a redirect: probe "
		    "does not follow redirects; give the URL that answers 2xx\n",
		    target, code);
		return 1;
	}
	if (code < 200 || code > 299) {
		fprintf(stderr, "healthgate probe: %s: %u\n", target, code);
		return 1;
	}
	printf("%s: %u\n", target, code);
	return 0;
}
