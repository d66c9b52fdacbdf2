/*
 * hgload.c: the two loads wrk cannot make, for bench/run.
 *
 *   hgload alb PORT PROBERS PERIOD_MS SECONDS [EXPECT]
 *	ALB-shaped probing: PROBERS clients, each from its own loopback
 *	address (127.0.0.10, .11, ...), each opening a new connection every
 *	PERIOD_MS for one "GET /health" with "Connection: close", as an ALB
 *	node does. The schedule is fixed (open loop): a probe that starts late
 *	because the previous one is still running is timed from when it was
 *	due (and counted as late), so a slow server cannot hide its stalls.
 *	A probe counts as ok when its answer's status is EXPECT (default
 *	200; bench/prestop times a draining daemon's 503s). Prints one line:
 *	  sent=N ok=N errors=N late=N p50_us=X p99_us=X max_us=X
 *
 *   hgload hold PORT CONNECTIONS
 *	Opens CONNECTIONS idle TCP connections (nothing sent), spread over
 *	127.0.0.10-59, waits a second, counts how many the server still
 *	holds, prints "held=N closed=M", then keeps them until stdin closes.
 *
 * Single-threaded, epoll, bounded in time and in memory. Built by bench/run
 * with "cc -O2"; not part of the daemon.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FIRST_SRC	10	/* 127.0.0.10 is the first source address */
#define NSRC		50	/* ...and 127.0.0.59 the last */

static const char req[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "User-Agent: ELB-HealthChecker/2.0\r\nConnection: close\r\n\r\n";

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A non-blocking socket from 127.0.0.SRC, connecting to 127.0.0.1:port. */
static int
dial(unsigned src, unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Let the kernel pick the port at connect: bind() alone would take
	 * a port for any destination and run out sooner. */
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(0x7f000000u | src);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto fail;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	    errno != EINPROGRESS)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

enum pstate {
	P_IDLE,		/* waiting for its next tick */
	P_CONNECTING,	/* connect in progress; the request goes when writable */
	P_READING,	/* request sent; reading until the server closes */
};

struct prober {
	int		 fd;
	enum pstate	 state;
	unsigned	 src;		/* last octet of the source address */
	long long	 due;		/* when the current (or next) probe was due */
	long long	 t0;		/* what its latency is counted from */
	bool		 behind;	/* the last probe ran past this one's due */
	char		 buf[512];
	size_t		 got;
};

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static void
probe_start(int ep, struct prober *p, unsigned port, unsigned long *errors)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = p };

	p->got = 0;
	/* Counted from when it was due if the server held the previous
	 * probe past that; otherwise from when it really started. */
	p->t0 = p->behind ? p->due : now_us();
	p->behind = false;
	if ((p->fd = dial(p->src, port)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, p->fd, &ev) < 0) {
		if (p->fd >= 0)
			close(p->fd);
		p->fd = -1;
		(*errors)++;
		p->state = P_IDLE;
		return;
	}
	p->state = P_CONNECTING;
}

static int
run_alb(unsigned port, unsigned n, unsigned period_ms, unsigned secs,
    const char *expect)
{
	struct prober *ps = calloc(n, sizeof(*ps));
	size_t cap = (size_t)n * (secs * 1000 / period_ms + 2);
	long long *lat = calloc(cap, sizeof(*lat));
	long long start, end, period = (long long)period_ms * 1000;
	unsigned long sent = 0, ok = 0, errors = 0, late = 0;
	size_t nlat = 0;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ps == NULL || lat == NULL || ep < 0)
		return 1;
	start = now_us() + 1000;
	end = start + (long long)secs * 1000000;
	for (unsigned i = 0; i < n; i++) {
		ps[i].fd = -1;
		ps[i].src = FIRST_SRC + i % NSRC;
		/* Spread the probers over the period, as unsynchronised
		 * ALB nodes are. */
		ps[i].due = start + period * i / n;
	}
	for (;;) {
		struct epoll_event evs[64];
		long long t = now_us(), next = end;
		struct timespec timeout;
		long long wait;
		int k;

		if (t >= end) {
			bool busy = false;

			for (unsigned i = 0; i < n; i++)
				busy |= ps[i].state != P_IDLE;
			if (!busy || t >= end + 2000000)
				break;	/* all answered, or 2 s of grace */
		}
		for (unsigned i = 0; i < n; i++) {
			struct prober *p = &ps[i];

			if (p->state == P_IDLE && t >= p->due && p->due < end) {
				if (p->behind)
					late++;
				sent++;
				probe_start(ep, p, port, &errors);
				if (p->state == P_IDLE)
					p->due += period;
			}
			if (p->state == P_IDLE && p->due < next)
				next = p->due;
		}
		wait = t >= end ? 10000 : next - t;
		if (wait < 0)
			wait = 0;
		timeout.tv_sec = wait / 1000000;
		timeout.tv_nsec = wait % 1000000 * 1000;
		k = epoll_pwait2(ep, evs, 64, &timeout, NULL);
		for (int e = 0; e < k; e++) {
			struct prober *p = evs[e].data.ptr;
			bool done = false, fail = false;

			if (p->state == P_CONNECTING) {
				int err = 0;
				socklen_t el = sizeof(err);
				struct epoll_event ev = { .events = EPOLLIN,
				    .data.ptr = p };

				getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err,
				    &el);
				if (err != 0 || write(p->fd, req,
				    sizeof(req) - 1) != (ssize_t)sizeof(req) - 1)
					fail = true;
				else {
					epoll_ctl(ep, EPOLL_CTL_MOD, p->fd, &ev);
					p->state = P_READING;
				}
			} else if (p->state == P_READING) {
				ssize_t r = read(p->fd, p->buf + p->got,
				    sizeof(p->buf) - 1 - p->got);

				if (r > 0) {
					p->got += (size_t)r;
					if (p->got == sizeof(p->buf) - 1)
						p->got = 12;	/* keep the status */
				} else if (r == 0)
					done = true;
				else if (errno != EAGAIN)
					fail = true;
			}
			if (done) {
				p->buf[p->got] = '\0';
				if (p->got >= 12 && p->buf[8] == ' ' &&
				    strncmp(p->buf + 9, expect, 3) == 0) {
					ok++;
					if (nlat < cap)
						lat[nlat++] = now_us() - p->t0;
				} else
					errors++;
			} else if (fail)
				errors++;
			if (done || fail) {
				close(p->fd);	/* after the server's FIN */
				p->fd = -1;
				p->state = P_IDLE;
				p->due += period;
				p->behind = now_us() > p->due;
			}
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (ps[i].fd >= 0) {
			close(ps[i].fd);
			errors++;	/* no answer within the grace */
		}
	qsort(lat, nlat, sizeof(*lat), cmp_ll);
	printf("sent=%lu ok=%lu errors=%lu late=%lu p50_us=%lld p99_us=%lld "
	    "max_us=%lld\n", sent, ok, errors, late,
	    nlat ? lat[nlat / 2] : -1,
	    nlat ? lat[nlat * 99 / 100] : -1,
	    nlat ? lat[nlat - 1] : -1);
	free(lat);
	free(ps);
	close(ep);
	return 0;
}

static int
run_hold(unsigned port, unsigned n)
{
	struct pollfd *pf = calloc(n, sizeof(*pf));
	unsigned opened = 0, held = 0, closed = 0;
	char c;

	if (pf == NULL)
		return 1;
	for (unsigned i = 0; i < n; i++) {
		struct pollfd w;

		if ((pf[i].fd = dial(FIRST_SRC + i % NSRC, port)) < 0) {
			pf[i].fd = -1;
			continue;
		}
		/* Wait for the handshake, at most a second each. */
		w = (struct pollfd){ .fd = pf[i].fd, .events = POLLOUT };
		if (poll(&w, 1, 1000) == 1)
			opened++;
		pf[i].events = POLLIN | POLLRDHUP;
	}
	sleep(1);
	poll(pf, n, 0);
	for (unsigned i = 0; i < n; i++) {
		if (pf[i].fd < 0)
			continue;
		if (pf[i].revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR))
			closed++;
		else
			held++;
	}
	printf("opened=%u held=%u closed=%u\n", opened, held, closed);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	for (unsigned i = 0; i < n; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	free(pf);
	return 0;
}

int
main(int argc, char **argv)
{
	if ((argc == 6 || (argc == 7 && strlen(argv[6]) == 3)) &&
	    strcmp(argv[1], "alb") == 0)
		return run_alb((unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]),
		    (unsigned)atoi(argv[4]), (unsigned)atoi(argv[5]),
		    argc == 7 ? argv[6] : "200");
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return run_hold((unsigned)atoi(argv[2]),
		    (unsigned)atoi(argv[3]));
	fprintf(stderr, "usage: hgload alb PORT PROBERS PERIOD_MS SECONDS\n"
	    "       hgload hold PORT CONNECTIONS\n");
	return 2;
}
