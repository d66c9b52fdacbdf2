/*
 * Unit tests for notify.c: the parsers from tables, and the module itself
 * against a real unix datagram socket the test binds, playing systemd.
 * The watchdog tests run a real libev loop for well under a second.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "notify.h"

#define MAX_PINGS	64

struct fixture {
	char		 dir[64];	/* mkdtemp; holds the socket */
	char		 path[96];	/* the bound socket's path */
	char		 env_socket[160];	/* "NOTIFY_SOCKET=..." */
	int		 fd;		/* systemd's end, bound */
	struct ev_loop	*loop;
	ev_io		 rx;		/* counts pings while the loop runs */
	ev_timer	 stop;		/* bounds every ev_run */
	double		 at[MAX_PINGS];	/* ev_time() of each WATCHDOG=1 */
	unsigned	 npings;
	unsigned	 nother;	/* datagrams that were not pings */
};

static int
bind_dgram(const struct sockaddr_un *sa, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (const struct sockaddr *)sa, len), 0);
	/* Lets the tests see the sender's pid, as NotifyAccess=main does. */
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof(one)), 0);
	return fd;
}

static int
setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_notify.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/notify", f->dir);
	snprintf(f->env_socket, sizeof(f->env_socket), "NOTIFY_SOCKET=%s",
	    f->path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->fd = bind_dgram(&sa, sizeof(sa));
	f->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(f->loop);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	close(f->fd);
	unlink(f->path);
	rmdir(f->dir);
	ev_loop_destroy(f->loop);
	test_free(f);
	return 0;
}

/*
 * The next datagram on fd within timeout_ms, NUL-terminated in buf; its
 * length, or -1 if none came. *pid is the sender the kernel vouches for.
 */
static ssize_t
recv_msg(int fd, char *buf, size_t size, int timeout_ms, pid_t *pid)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	for (c = CMSG_FIRSTHDR(&mh); c && pid; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cred;

			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			*pid = cred.pid;
		}
	return n;
}

static void
expect_msg(struct fixture *f, const char *want)
{
	char buf[2048];

	assert_true(recv_msg(f->fd, buf, sizeof(buf), 1000, NULL) >= 0);
	assert_string_equal(buf, want);
}

static void
expect_nothing(int fd)
{
	char buf[2048];

	assert_true(recv_msg(fd, buf, sizeof(buf), 50, NULL) < 0);
}

static void
rx_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fixture *f = w->data;
	char buf[2048];

	(void)loop;
	(void)revents;
	while (recv_msg(w->fd, buf, sizeof(buf), 0, NULL) >= 0) {
		if (strcmp(buf, "WATCHDOG=1") == 0 && f->npings < MAX_PINGS)
			f->at[f->npings++] = ev_time();
		else
			f->nother++;
	}
}

static void
stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* Runs the loop for secs, counting what arrives on f->fd meanwhile. */
static void
run_for(struct fixture *f, double secs)
{
	ev_io_init(&f->rx, rx_cb, f->fd, EV_READ);
	f->rx.data = f;
	if (f->fd >= 0)
		ev_io_start(f->loop, &f->rx);
	ev_now_update(f->loop);
	ev_timer_init(&f->stop, stop_cb, secs, 0.);
	ev_timer_start(f->loop, &f->stop);
	ev_run(f->loop, 0);
	ev_timer_stop(f->loop, &f->stop);
	ev_io_stop(f->loop, &f->rx);
}

static void
test_notify_parse_watchdog_table(void **state)
{
	static const struct {
		const char		*usec, *pid;
		enum notify_watchdog	 want;
		double			 interval;
	} cases[] = {
		{ NULL, NULL, NOTIFY_WATCHDOG_OFF, 0 },
		{ NULL, "1234", NOTIFY_WATCHDOG_OFF, 0 },
		{ "30000000", NULL, NOTIFY_WATCHDOG_ON, 15.0 },
		{ "30000000", "1234", NOTIFY_WATCHDOG_ON, 15.0 },
		{ "200000", NULL, NOTIFY_WATCHDOG_ON, 0.1 },
		{ "1", NULL, NOTIFY_WATCHDOG_ON, 0.001 },	/* floor */
		{ "18446744073709551615", NULL, NOTIFY_WATCHDOG_ON,
		    18446744073709.551615 / 2 },
		{ "30000000", "1235", NOTIFY_WATCHDOG_OTHER_PID, 0 },
		{ "30000000", "1", NOTIFY_WATCHDOG_OTHER_PID, 0 },
		{ "", NULL, NOTIFY_WATCHDOG_INVALID, 0 },
		{ "0", NULL, NOTIFY_WATCHDOG_INVALID, 0 },
		{ "-5", NULL, NOTIFY_WATCHDOG_INVALID, 0 },
		{ "+5", NULL, NOTIFY_WATCHDOG_INVALID, 0 },
		{ " 5", NULL, NOTIFY_WATCHDOG_INVALID, 0 },
		{ "5s", NULL, NOTIFY_WATCHDOG_INVALID, 0 },
		{ "18446744073709551616", NULL, NOTIFY_WATCHDOG_INVALID, 0 },
		{ "30000000", "", NOTIFY_WATCHDOG_INVALID, 0 },
		{ "30000000", "0", NOTIFY_WATCHDOG_INVALID, 0 },
		{ "30000000", "12x", NOTIFY_WATCHDOG_INVALID, 0 },
		{ "30000000", "99999999999", NOTIFY_WATCHDOG_INVALID, 0 },
	};
	double iv;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		iv = -1;
		assert_int_equal(notify_parse_watchdog(cases[i].usec,
		    cases[i].pid, 1234, &iv), cases[i].want);
		assert_float_equal(iv, cases[i].interval,
		    cases[i].interval * 1e-9);
	}
}

static void
test_notify_parse_socket_table(void **state)
{
	static const struct {
		const char	*in;
		bool		 ok;
		size_t		 len;	/* of sun_path used, when ok */
	} cases[] = {
		{ "/run/systemd/notify", true, 20 },	/* with its NUL */
		{ "/", true, 2 },
		{ "@hg", true, 3 },			/* NUL, 'h', 'g' */
		{ "", false, 0 },
		{ "@", false, 0 },
		{ "run/systemd/notify", false, 0 },
		{ "vsock:2:1234", false, 0 },
	};
	struct sockaddr_un sa;
	socklen_t len;
	char longp[sizeof(sa.sun_path) + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *e = notify_parse_socket(cases[i].in, &sa, &len);

		if (!cases[i].ok) {
			assert_non_null(e);
			continue;
		}
		assert_null(e);
		assert_int_equal(sa.sun_family, AF_UNIX);
		assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) +
		    cases[i].len);
	}
	assert_null(notify_parse_socket("@hg", &sa, &len));
	assert_memory_equal(sa.sun_path, "\0hg", 3);

	/* The longest that fits, and one more. */
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(sa.sun_path) - 1] = '\0';
	assert_null(notify_parse_socket(longp, &sa, &len));
	longp[sizeof(sa.sun_path) - 1] = 'a';
	longp[sizeof(sa.sun_path)] = '\0';
	assert_non_null(notify_parse_socket(longp, &sa, &len));
	longp[0] = '@';
	assert_null(notify_parse_socket(longp, &sa, &len));
	longp[sizeof(sa.sun_path)] = 'a';
	longp[sizeof(sa.sun_path) + 1] = '\0';
	assert_non_null(notify_parse_socket(longp, &sa, &len));
}

static void
test_notify_unset_socket_is_null(void **state)
{
	struct fixture *f = *state;
	char *envp[] = { (char *)"WATCHDOG_USEC=200000", (char *)"PATH=/bin",
	    NULL };

	assert_null(notify_new(f->loop, envp));
	assert_null(notify_new(f->loop, NULL));
	/* Nothing is armed: the loop would stop at once with no watchers. */
	assert_int_equal(ev_run(f->loop, EVRUN_NOWAIT), 0);
}

static void
test_notify_null_is_a_no_op(void **state)
{
	struct fixture *f = *state;

	notify_ready(NULL, "x");
	notify_status(NULL, "x");
	notify_stopping(NULL, "x");
	assert_float_equal(notify_watchdog_interval(NULL), 0, 0);
	notify_free(NULL);
	expect_nothing(f->fd);
}

static void
test_notify_unusable_socket_is_null(void **state)
{
	struct fixture *f = *state;
	char *envp[] = { (char *)"NOTIFY_SOCKET=relative/notify", NULL };
	char *envp2[] = { (char *)"NOTIFY_SOCKET=", NULL };

	assert_null(notify_new(f->loop, envp));
	assert_null(notify_new(f->loop, envp2));
}

static void
test_notify_ready_sends_ready_and_status(void **state)
{
	struct fixture *f = *state;
	char *envp[] = { f->env_socket, NULL };
	struct notify *n = notify_new(f->loop, envp);
	char buf[2048];
	pid_t pid = 0;

	assert_non_null(n);
	assert_float_equal(notify_watchdog_interval(n), 0, 0);
	notify_ready(n, "healthy, 2 checks up");
	assert_true(recv_msg(f->fd, buf, sizeof(buf), 1000, &pid) >= 0);
	assert_string_equal(buf, "READY=1\nSTATUS=healthy, 2 checks up");
	/* What NotifyAccess=main accepts: this very process. */
	assert_int_equal(pid, getpid());
	notify_ready(n, NULL);
	expect_msg(f, "READY=1");
	notify_free(n);
}

static void
test_notify_status_is_one_line(void **state)
{
	struct fixture *f = *state;
	char *envp[] = { f->env_socket, NULL };
	struct notify *n = notify_new(f->loop, envp);

	assert_non_null(n);
	notify_status(n, "1 check down");
	expect_msg(f, "STATUS=1 check down");
	/* A newline would smuggle in a key of its own. */
	notify_status(n, "down\nREADY=1\r\nx");
	expect_msg(f, "STATUS=down READY=1  x");
	notify_status(n, "");
	expect_msg(f, "STATUS=");
	notify_status(n, NULL);
	expect_nothing(f->fd);
	notify_free(n);
}

static void
test_notify_long_status_is_cut(void **state)
{
	struct fixture *f = *state;
	char *envp[] = { f->env_socket, NULL };
	struct notify *n = notify_new(f->loop, envp);
	char status[5000], buf[8192];
	ssize_t len;

	assert_non_null(n);
	memset(status, 'x', sizeof(status) - 1);
	status[sizeof(status) - 1] = '\0';
	notify_stopping(n, status);
	len = recv_msg(f->fd, buf, sizeof(buf), 1000, NULL);
	assert_true(len > 100 && len < 1024);
	assert_memory_equal(buf, "STOPPING=1\nSTATUS=xxx", 21);
	assert_int_equal(strspn(buf + 18, "x"), (size_t)len - 18);
	notify_free(n);
}

static void
test_notify_stopping_sends_stopping(void **state)
{
	struct fixture *f = *state;
	char *envp[] = { f->env_socket, NULL };
	struct notify *n = notify_new(f->loop, envp);

	assert_non_null(n);
	notify_stopping(n, "draining");
	expect_msg(f, "STOPPING=1\nSTATUS=draining");
	notify_free(n);
}

static void
test_notify_abstract_socket(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char name[64], env[96];
	char *envp[] = { env, NULL };
	struct notify *n;
	socklen_t len;
	int fd;

	snprintf(name, sizeof(name), "healthgate-test-notify-%d",
	    (int)getpid());
	snprintf(env, sizeof(env), "NOTIFY_SOCKET=@%s", name);
	memcpy(sa.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(name));
	fd = bind_dgram(&sa, len);
	n = notify_new(f->loop, envp);
	assert_non_null(n);
	notify_ready(n, "abstract");
	{
		char buf[256];

		assert_true(recv_msg(fd, buf, sizeof(buf), 1000, NULL) >= 0);
		assert_string_equal(buf, "READY=1\nSTATUS=abstract");
	}
	notify_free(n);
	close(fd);
	expect_nothing(f->fd);
}

/*
 * systemd gone or its socket full: sends fail quietly, and the next one
 * after the listener is back gets through.
 */
static void
test_notify_missing_listener_is_not_fatal(void **state)
{
	struct fixture *f = *state;
	char *envp[] = { f->env_socket, (char *)"WATCHDOG_USEC=20000", NULL };
	struct notify *n = notify_new(f->loop, envp);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	assert_non_null(n);
	close(f->fd);
	f->fd = -1;
	unlink(f->path);
	notify_ready(n, "nobody listens");
	notify_status(n, "still nobody");
	run_for(f, 0.05);	/* watchdog pings into the void */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	f->fd = bind_dgram(&sa, sizeof(sa));
	notify_stopping(n, "back");
	expect_msg(f, "STOPPING=1\nSTATUS=back");
	notify_free(n);
}

static void
test_notify_watchdog_pings_every_half_usec(void **state)
{
	struct fixture *f = *state;
	/* 200 ms watchdog: a ping at least every 100 ms. */
	char *envp[] = { (char *)"WATCHDOG_USEC=200000", f->env_socket,
	    NULL };
	struct notify *n = notify_new(f->loop, envp);
	double start = ev_time(), prev = start, gap, max_gap = 0;

	assert_non_null(n);
	assert_float_equal(notify_watchdog_interval(n), 0.1, 1e-9);
	run_for(f, 0.55);
	notify_free(n);
	for (unsigned i = 0; i < f->npings; i++) {
		gap = f->at[i] - prev;
		prev = f->at[i];
		if (gap > max_gap)
			max_gap = gap;
		/* Never a burst: each ping is about one interval apart. */
		if (i > 0)
			assert_true(gap > 0.05);
	}
	print_message("watchdog: %u pings in 0.55 s, longest gap %.0f ms\n",
	    f->npings, max_gap * 1000);
	assert_in_range(f->npings, 4, 6);
	/* Half the timeout plus scheduling slack, well short of the whole. */
	assert_true(max_gap < 0.15);
	assert_int_equal(f->nother, 0);

	/* Freed: the loop runs on with no more pings. */
	f->npings = 0;
	run_for(f, 0.25);
	assert_int_equal(f->npings, 0);
}

static void
test_notify_watchdog_own_pid_pings(void **state)
{
	struct fixture *f = *state;
	char pid[32];
	char *envp[] = { f->env_socket, (char *)"WATCHDOG_USEC=100000", pid,
	    NULL };
	struct notify *n;

	snprintf(pid, sizeof(pid), "WATCHDOG_PID=%d", (int)getpid());
	n = notify_new(f->loop, envp);
	assert_non_null(n);
	run_for(f, 0.22);
	notify_free(n);
	assert_in_range(f->npings, 3, 5);
}

static void
test_notify_watchdog_other_pid_no_pings(void **state)
{
	struct fixture *f = *state;
	char pid[32];
	char *envp[] = { f->env_socket, (char *)"WATCHDOG_USEC=100000", pid,
	    NULL };
	struct notify *n;

	snprintf(pid, sizeof(pid), "WATCHDOG_PID=%d", (int)getpid() + 1);
	n = notify_new(f->loop, envp);
	assert_non_null(n);
	assert_float_equal(notify_watchdog_interval(n), 0, 0);
	run_for(f, 0.25);
	assert_int_equal(f->npings, 0);
	/* The rest of the protocol still works. */
	notify_ready(n, NULL);
	expect_msg(f, "READY=1");
	notify_free(n);
}

static void
test_notify_watchdog_invalid_no_pings(void **state)
{
	struct fixture *f = *state;
	char *envp[] = { f->env_socket, (char *)"WATCHDOG_USEC=soon", NULL };
	struct notify *n = notify_new(f->loop, envp);

	assert_non_null(n);
	run_for(f, 0.1);
	assert_int_equal(f->npings, 0);
	notify_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_parse_watchdog_table),
		cmocka_unit_test(test_notify_parse_socket_table),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_notify_unset_socket_is_null),
		T(test_notify_null_is_a_no_op),
		T(test_notify_unusable_socket_is_null),
		T(test_notify_ready_sends_ready_and_status),
		T(test_notify_status_is_one_line),
		T(test_notify_long_status_is_cut),
		T(test_notify_stopping_sends_stopping),
		T(test_notify_abstract_socket),
		T(test_notify_missing_listener_is_not_fatal),
		T(test_notify_watchdog_pings_every_half_usec),
		T(test_notify_watchdog_own_pid_pings),
		T(test_notify_watchdog_other_pid_no_pings),
		T(test_notify_watchdog_invalid_no_pings),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
