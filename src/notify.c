/*
 * notify.c: the systemd notify protocol (sd_notify(3)), reimplemented.
 *
 * The protocol is one datagram per message on an AF_UNIX socket, each a
 * few "KEY=VALUE" lines. systemd documents it as a stable interface meant
 * to be reimplemented, and linking libsystemd for four keys is not worth
 * it. The socket is never connected: sendto() names the address each time,
 * as sd_notify does, so nothing goes stale if the listener is re-created.
 *
 * Sends never block and never fail the daemon: a full or missing socket
 * costs one message, and is logged when it starts and when it ends.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decimal.h"
#include "opts.h"
#include "log.h"
#include "notify.h"

/* One message; STATUS= beyond it is cut (systemd shows one line anyway). */
#define NOTIFY_MSG_MAX	1024
/*
 * The shortest gap between pings. A watchdog shorter than this is a
 * misconfiguration; better that systemd restarts us for it than that the
 * loop spins sending pings.
 */
#define NOTIFY_MIN_INTERVAL	0.001

struct notify {
	struct ev_loop	*loop;
	int		 fd;		/* SOCK_DGRAM, unconnected */
	struct sockaddr_un addr;	/* NOTIFY_SOCKET */
	socklen_t	 addrlen;
	ev_timer	 watchdog;	/* active only when the watchdog is on */
	double		 interval;	/* s between pings, 0 when off */
	bool		 failing;	/* the last send failed: log changes */
};

const char *
notify_parse_socket(const char *s, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = strlen(s);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (s[0] == '/') {
		if (n >= sizeof(sa->sun_path))
			return "is longer than a socket path can be";
		memcpy(sa->sun_path, s, n + 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    n + 1);
		return NULL;
	}
	if (s[0] == '@') {
		if (n < 2)
			return "names an empty abstract socket";
		if (n > sizeof(sa->sun_path))
			return "is longer than a socket name can be";
		/* Abstract: a leading NUL, and the length says where it ends. */
		sa->sun_path[0] = '\0';
		memcpy(sa->sun_path + 1, s + 1, n - 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
		return NULL;
	}
	return "is neither an absolute path nor @name";
}

enum notify_watchdog
notify_parse_watchdog(const char *usec, const char *pid, pid_t mypid,
    double *interval)
{
	unsigned long long us, p;

	*interval = 0;
	if (usec == NULL)
		return NOTIFY_WATCHDOG_OFF;
	if (!decimal_parse(usec, strlen(usec), ~0ULL, &us) || us == 0)
		return NOTIFY_WATCHDOG_INVALID;
	/* systemd sets WATCHDOG_PID so a forked child does not ping too. */
	if (pid != NULL) {
		if (!decimal_parse(pid, strlen(pid), 0x7fffffffULL, &p) || p == 0)
			return NOTIFY_WATCHDOG_INVALID;
		if ((pid_t)p != mypid)
			return NOTIFY_WATCHDOG_OTHER_PID;
	}
	/* Half the timeout, as sd_watchdog_enabled(3) advises. */
	*interval = (double)us / 2e6;
	if (*interval < NOTIFY_MIN_INTERVAL)
		*interval = NOTIFY_MIN_INTERVAL;
	return NOTIFY_WATCHDOG_ON;
}

/*
 * Sends head ("READY=1", or NULL) and STATUS=status (if not NULL) as one
 * datagram. A newline in status would start a key of its own, so it is
 * sent as a space.
 */
static void
send_msg(struct notify *n, const char *head, const char *status)
{
	char msg[NOTIFY_MSG_MAX];
	size_t len = 0;
	ssize_t r;

	if (n == NULL)
		return;
	if (head != NULL)
		len = (size_t)snprintf(msg, sizeof(msg), "%s", head);
	if (status != NULL && len < sizeof(msg)) {
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s",
		    len ? "\n" : "", "STATUS=");
		for (; *status && len < sizeof(msg) - 1; status++)
			msg[len++] = *status == '\n' || *status == '\r' ?
			    ' ' : *status;
	}
	if (len > sizeof(msg) - 1)
		len = sizeof(msg) - 1;
	msg[len] = '\0';
	if (len == 0)
		return;
	r = sendto(n->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL,
	    (const struct sockaddr *)&n->addr, n->addrlen);
	if (r < 0 && !n->failing) {
		n->failing = true;
		log_kv(LOG_WARN, "notify_error",
		    LOG_Q("error", strerror(errno)));
	} else if (r >= 0 && n->failing) {
		n->failing = false;
		log_kv(LOG_INFO, "notify_recovered",
		    LOG_QN("sent", msg, strcspn(msg, "\n")));
	}
}

static void
watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	send_msg(w->data, "WATCHDOG=1", NULL);
}

static const char *const watchdog_words[] = {
	[NOTIFY_WATCHDOG_OFF] = "off",
	[NOTIFY_WATCHDOG_ON] = "on",
	[NOTIFY_WATCHDOG_OTHER_PID] = "other_pid",
	[NOTIFY_WATCHDOG_INVALID] = "invalid",
};

struct notify *
notify_new(struct ev_loop *loop, char *const envp[])
{
	char why[256];
	const char *sock = opts_env(envp, "NOTIFY_SOCKET"), *e;
	const char *usec = opts_env(envp, "WATCHDOG_USEC");
	const char *pid = opts_env(envp, "WATCHDOG_PID");
	enum notify_watchdog wd;
	struct notify *n;

	if (sock == NULL)
		return NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		log_kv(LOG_WARN, "notify_off", LOG_Q("reason", "out of memory"));
		return NULL;
	}
	n->loop = loop;
	n->fd = -1;
	if ((e = notify_parse_socket(sock, &n->addr, &n->addrlen)) != NULL) {
		snprintf(why, sizeof(why), "NOTIFY_SOCKET %s", e);
		log_kv(LOG_WARN, "notify_off", LOG_Q("reason", why));
		goto fail;
	}
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd < 0) {
		snprintf(why, sizeof(why), "socket: %s", strerror(errno));
		log_kv(LOG_WARN, "notify_off", LOG_Q("reason", why));
		goto fail;
	}
	wd = notify_parse_watchdog(usec, pid, getpid(), &n->interval);
	if (wd == NOTIFY_WATCHDOG_INVALID)
		log_kv(LOG_WARN, "notify_watchdog_off",
		    LOG_Q("reason", "not a number"), LOG_Q("WATCHDOG_USEC", usec),
		    LOG_Q("WATCHDOG_PID", pid ? pid : ""));
	if (wd == NOTIFY_WATCHDOG_ON) {
		ev_timer_init(&n->watchdog, watchdog_cb, n->interval,
		    n->interval);
		n->watchdog.data = n;
		ev_timer_start(loop, &n->watchdog);
	}
	log_kv(LOG_INFO, "notify", LOG_Q("socket", sock),
	    LOG_S("watchdog", watchdog_words[wd]),
	    LOG_F("watchdog_interval_ms", n->interval * 1000, 0));
	return n;
fail:
	free(n);
	return NULL;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	if (n->interval > 0)
		ev_timer_stop(n->loop, &n->watchdog);
	close(n->fd);
	free(n);
}

void
notify_ready(struct notify *n, const char *status)
{
	send_msg(n, "READY=1", status);
}

void
notify_status(struct notify *n, const char *status)
{
	send_msg(n, NULL, status);
}

void
notify_stopping(struct notify *n, const char *status)
{
	send_msg(n, "STOPPING=1", status);
}

double
notify_watchdog_interval(const struct notify *n)
{
	return n ? n->interval : 0;
}
