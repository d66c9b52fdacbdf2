#ifndef HEALTHGATE_SUPERVISE_H
#define HEALTHGATE_SUPERVISE_H

/*
 * Supervisor mode, `healthgate [options] -- COMMAND [ARGS...]`: the app as
 * healthgate's child. Starts it (no shell), forwards the signals that are
 * the app's, runs the stop sequence once the drain has ended (linger ->
 * stop signal -> stop timeout -> SIGKILL) and reports its exit once.
 *
 * The app gets healthgate's environment, stdin, stdout and stderr, and a
 * process group of its own (see supervise.c for why). Its status reaches the
 * caller raw, as waitpid() gives it; supervise_exit_code() maps it to the
 * status healthgate exits with.
 */

#include <stdbool.h>
#include <sys/types.h>

#include <ev.h>

/* Signals healthgate passes to the app as they come, 0-terminated. */
extern const int supervise_forwarded[];

/* The app ended (wstatus as from waitpid); called once. */
typedef void	 supervise_exit_fn(void *arg, int wstatus);

struct supervise;

/*
 * Spawns argv[0] (searched in PATH) with envp. On failure returns NULL and
 * sets *errnum (ENOENT: no such command, else why it could not run).
 */
struct supervise *supervise_start(struct ev_loop *, char *const argv[],
		    char *const envp[], supervise_exit_fn *, void *arg,
		    int *errnum);
void		 supervise_free(struct supervise *);
pid_t		 supervise_pid(const struct supervise *);

/*
 * The stop sequence, from the drain's end: wait linger seconds, send the
 * app stop_signal, and if it still runs timeout seconds later, SIGKILL its
 * process group. Called again, it does nothing.
 */
void		 supervise_stop(struct supervise *, double linger,
		    int stop_signal, double timeout);

/*
 * A second SIGTERM or SIGINT: the linger is cut short and sig goes to the
 * app now; the stop timeout runs from here (if it was not already running).
 */
void		 supervise_stop_now(struct supervise *, int sig, double timeout);

/* Pure: the status healthgate exits with, 128 + N for a signal N. */
int		 supervise_exit_code(int wstatus);

/* Pure: the exit status for a command that could not be started. */
int		 supervise_spawn_code(int errnum);

#endif
