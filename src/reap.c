/*
 * reap.c: stray processes of checks — the rule, the sweep, the last
 * clean-up (reap.h says which processes are strays and why).
 *
 * A sweep lists healthgate's own children (/proc/self/task/TID/children,
 * or a scan of /proc where the kernel lacks it) and reads each candidate's
 * /proc/PID/environ for the mark. It runs after every child that ends (one
 * ev_child for any pid): a check's direct child dying is when its escaped
 * grandchildren are reparented here, and a killed stray's own children
 * are reparented in turn, so the cascade is followed to the end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_spec.h"
#include "reap.h"

#define MAX_KIDS	1024	/* children looked at per sweep */

struct owned {
	pid_t	 pid;				/* the check's own child */
	char	 name[CHECK_SPEC_NAME_MAX];		/* its mark */
};

static enum reap_mode mode;
static struct ev_loop *loop;
static ev_child any_child;	/* pid 0: every child that ends */
static struct owned *owned;	/* running checks' commands */
static unsigned nowned, owned_cap;

bool
reap_mark_of(const char *env, size_t len, char *name, size_t size)
{
	static const char key[] = REAP_MARK "=";
	size_t klen = sizeof(key) - 1;

	for (size_t i = 0; i < len; ) {
		const char *e = env + i;
		size_t n = strnlen(e, len - i);

		if (n >= klen && memcmp(e, key, klen) == 0) {
			snprintf(name, size, "%.*s", (int)(n - klen), e + klen);
			return true;
		}
		i += n + 1;
	}
	return false;
}

bool
reap_is_stray(enum reap_mode m, const char *mark, bool mark_running)
{
	if (mark != NULL && mark_running)
		return false;		/* a running check's; killed with it */
	if (m == REAP_SUPERVISOR)
		return mark != NULL;	/* the app's orphans are not ours */
	return true;
}

static bool
is_owned_pid(pid_t pid)
{
	for (unsigned i = 0; i < nowned; i++)
		if (owned[i].pid == pid)
			return true;
	return false;
}

static bool
is_running(const char *name)
{
	for (unsigned i = 0; i < nowned; i++)
		if (strcmp(owned[i].name, name) == 0)
			return true;
	return false;
}

/* Our children, from the kernel's list; -1 when it has none to give. */
static int
kids_from_task(pid_t *kids, int max)
{
	char path[64], buf[8192];
	ssize_t n;
	int fd, k = 0;
	char *p, *end;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children",
	    (int)getpid());
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	for (p = buf; k < max; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		kids[k++] = (pid_t)v;
	}
	return k;
}

/* The same by a scan of /proc/PID/stat for our pid as the parent. */
static int
kids_from_scan(pid_t *kids, int max)
{
	DIR *dir;
	struct dirent *de;
	char path[300], buf[512], *rp;
	int fd, k = 0, ppid;
	ssize_t n;

	if ((dir = opendir("/proc")) == NULL)
		return 0;
	while (k < max && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "pid (comm) S ppid ...": comm may hold anything but ends
		 * at the last ')'. */
		if ((rp = strrchr(buf, ')')) == NULL ||
		    sscanf(rp + 1, " %*c %d", &ppid) != 1)
			continue;
		if (ppid == (int)getpid())
			kids[k++] = (pid_t)atoi(de->d_name);
	}
	closedir(dir);
	return k;
}

/* The mark pid carries, into name; false when none (or it is gone). */
static bool
mark_of_pid(pid_t pid, char *name, size_t size)
{
	char path[64], env[16384];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, env, sizeof(env));
	close(fd);
	return n > 0 && reap_mark_of(env, (size_t)n, name, size);
}

/*
 * Kills the strays among our children; returns how many were killed, and
 * their pids in killed (up to max) for the caller that reaps them itself.
 */
static int
sweep(pid_t *killed, int max)
{
	pid_t kids[MAX_KIDS];
	char name[CHECK_SPEC_NAME_MAX];
	int n, k = 0;

	if ((n = kids_from_task(kids, MAX_KIDS)) < 0)
		n = kids_from_scan(kids, MAX_KIDS);
	for (int i = 0; i < n; i++) {
		bool marked;

		if (is_owned_pid(kids[i]))
			continue;
		marked = mark_of_pid(kids[i], name, sizeof(name));
		if (!reap_is_stray(mode, marked ? name : NULL,
		    marked && is_running(name)))
			continue;
		/* Still our child (only we reap it): the pid is not reused. */
		if (getpgid(kids[i]) == kids[i])
			kill(-kids[i], SIGKILL);
		kill(kids[i], SIGKILL);
		if (k < max)
			killed[k] = kids[i];
		k++;
	}
	return k;
}

void
reap_sweep(void)
{
	pid_t none[1];

	sweep(none, 0);
}

static void
reap_child_cb(struct ev_loop *l, ev_child *w, int revents)
{
	(void)l;
	(void)revents;
	reap_disown(w->rpid);
	reap_sweep();
}

void
reap_init(struct ev_loop *l, enum reap_mode m)
{
	mode = m;
	loop = l;
	unsetenv(REAP_MARK);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	ev_child_init(&any_child, reap_child_cb, 0, 0);
	ev_child_start(loop, &any_child);
}

void
reap_own(pid_t pid, const char *name)
{
	struct owned *o;

	if (nowned == owned_cap) {
		unsigned cap = owned_cap ? owned_cap * 2 : 8;

		if ((o = realloc(owned, cap * sizeof(*o))) == NULL)
			return;		/* unowned: its strays die sooner */
		owned = o;
		owned_cap = cap;
	}
	o = &owned[nowned++];
	o->pid = pid;
	snprintf(o->name, sizeof(o->name), "%s", name);
}

void
reap_disown(pid_t pid)
{
	for (unsigned i = 0; i < nowned; i++)
		if (owned[i].pid == pid) {
			owned[i] = owned[--nowned];
			return;
		}
}

void
reap_final(double seconds)
{
	struct timespec step = { 0, 10 * 1000 * 1000 };
	pid_t killed[MAX_KIDS];
	int rounds = (int)(seconds * 100) + 1;

	if (loop != NULL)
		ev_child_stop(loop, &any_child);
	nowned = 0;		/* no check runs any more */
	for (int r = 0; r < rounds; r++) {
		int k = sweep(killed, MAX_KIDS);

		for (int i = 0; i < k && i < MAX_KIDS; i++)
			waitpid(killed[i], NULL, WNOHANG);
		if (mode == REAP_SIDECAR)
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		if (k == 0)
			break;
		nanosleep(&step, NULL);
	}
	free(owned);
	owned = NULL;
	owned_cap = 0;
}
