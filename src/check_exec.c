/*
 * check_exec.c: run a command, up when it exits 0.
 *
 * posix_spawn (no shell) into a process group of its own, stdin from
 * /dev/null, stdout and stderr into one pipe -> read output as it comes ->
 * the child exits (ev_child) -> kill what is left of its group -> done.
 * On the deadline the whole group gets SIGKILL. The command runs with
 * HEALTHGATE_CHECK=<name> (reap.h), so what escapes its group (setsid,
 * a double fork) is still known as this check's and killed by reap.c when
 * the run ends; libev's default loop reaps every child.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checks.h"
#include "reap.h"
#include "child.h"

extern char **environ;

struct exec_probe {
	struct check	*check;
	pid_t		 pid;		/* also its process group */
	ev_child	 child;
	ev_io		 out;		/* read end of the output pipe */
	size_t		 kept;		/* bytes of output kept so far */
};

/* Ends the run's resources: the group is killed, the pipe closed. */
static void
exec_cancel(struct check *c)
{
	struct exec_probe *p = c->probe;

	if (p == NULL)
		return;
	kill(-p->pid, SIGKILL);
	reap_disown(p->pid);
	ev_child_stop(c->loop, &p->child);
	ev_io_stop(c->loop, &p->out);
	close(p->out.fd);
	free(p);
	c->probe = NULL;
}

static void
keep_output(struct exec_probe *p, const char *buf, size_t n)
{
	char *out = p->check->output;

	/*
	 * Kept as the command wrote it, UTF-8 and all: the body's JSON
	 * escaping (jsonstr.c) escapes control bytes and turns what is not
	 * UTF-8 into U+FFFD, and the log line masks controls. Only a NUL,
	 * which would end the string, is '?'.
	 */
	for (size_t i = 0; i < n && p->kept < CHECK_OUTPUT_MAX; i++)
		out[p->kept++] = buf[i] ? buf[i] : '?';
	out[p->kept] = '\0';
}

/*
 * Reads what the pipe holds now, at most READ_ROUNDS buffers, so a command
 * that writes without end (`yes`) cannot hold the loop; past what is kept,
 * output is read and dropped so the command never blocks on a full pipe.
 * Returns false at EOF or on an error.
 */
#define READ_ROUNDS	16
static bool
drain_pipe(struct exec_probe *p)
{
	char buf[65536];
	ssize_t n = -1;

	for (int i = 0; i < READ_ROUNDS; i++) {
		if ((n = read(p->out.fd, buf, sizeof(buf))) <= 0)
			break;
		keep_output(p, buf, (size_t)n);
	}
	return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
}

static void
exec_output(struct ev_loop *loop, ev_io *w, int revents)
{
	struct exec_probe *p = w->data;

	(void)revents;
	/* At EOF wait for the exit status alone. */
	if (!drain_pipe(p))
		ev_io_stop(loop, w);
}

static void
exec_exited(struct ev_loop *loop, ev_child *w, int revents)
{
	struct exec_probe *p = w->data;
	struct check *c = p->check;
	int st = w->rstatus;
	char why[96];

	(void)loop;
	(void)revents;
	drain_pipe(p);
	/* Trim the trailing newline most commands print. */
	while (p->kept && (c->output[p->kept - 1] == '\n'))
		c->output[--p->kept] = '\0';
	exec_cancel(c);		/* kills leftover grandchildren too */
	reap_sweep();		/* ...and those that left the group */
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		check_done(c, CHECK_PASS, "");
	else {
		if (WIFEXITED(st))
			snprintf(why, sizeof(why), "exit status %d",
			    WEXITSTATUS(st));
		else
			snprintf(why, sizeof(why), "killed by signal %d",
			    WTERMSIG(st));
		check_done(c, CHECK_EXIT, why);
	}
}

/*
 * environ without any REAP_MARK, plus this check's: what its processes
 * carry so reap.c knows them. NULL when out of memory; the caller frees
 * the array (the strings are environ's and mark).
 */
static char **
marked_env(char *mark)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 2, sizeof(*env))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], REAP_MARK "=",
		    sizeof(REAP_MARK)) != 0)
			env[k++] = environ[i];
	env[k++] = mark;
	env[k] = NULL;
	return env;
}

static void
exec_start(struct check *c)
{
	char mark[sizeof(REAP_MARK) + sizeof(c->spec->name) + 1];
	char **env = NULL;
	posix_spawn_file_actions_t fa;
	struct exec_probe *p;
	char why[160];
	int fds[2] = { -1, -1 }, err;
	bool own = false;	/* healthgate's failure, not the app's */
	pid_t pid;

	snprintf(mark, sizeof(mark), "%s=%s", REAP_MARK, c->spec->name);
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (env = marked_env(mark)) == NULL) {
		snprintf(why, sizeof(why), "out of memory");
		own = true;
		goto fail;
	}
	/*
	 * Only our read end is non-blocking: the command's stdout and
	 * stderr are its own and must block as a terminal's would (with
	 * O_NONBLOCK on a shared file description, `yes` or `head -c 100M`
	 * fail with EAGAIN and a healthy app is reported down).
	 */
	if (pipe2(fds, O_CLOEXEC) < 0 ||
	    fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		err = errno;
		snprintf(why, sizeof(why), "pipe: %s", strerror(err));
		own = check_errno_is_own(err);	/* EMFILE: healthgate's */
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	/* Own group, so one kill reaches grandchildren (child.h). */
	err = child_spawn(&pid, &fa, c->spec->argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	env = NULL;
	close(fds[1]);
	fds[1] = -1;
	if (err != 0) {
		snprintf(why, sizeof(why), "%s: %s", c->spec->argv[0],
		    strerror(err));
		own = check_errno_is_own(err) || err == EAGAIN;
		goto fail;
	}
	p->check = c;
	p->pid = pid;
	reap_own(pid, c->spec->name);
	ev_child_init(&p->child, exec_exited, pid, 0);
	p->child.data = p;
	ev_child_start(c->loop, &p->child);
	ev_io_init(&p->out, exec_output, fds[0], EV_READ);
	p->out.data = p;
	ev_io_start(c->loop, &p->out);
	c->probe = p;
	return;
fail:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	free(env);
	free(p);
	if (own)
		check_skip(c, why);
	else
		check_done(c, CHECK_SPAWN, why);
}

const struct check_ops check_exec_ops = {
	.kind = "exec",
	.start = exec_start,
	.cancel = exec_cancel,
};
