#ifndef HEALTHGATE_REAP_H
#define HEALTHGATE_REAP_H

/*
 * Processes that escaped a check, and the rule that tells them apart.
 *
 * healthgate is the child subreaper: a process whose parent exits is
 * reparented to it. Every exec check runs with REAP_MARK=<check name> in
 * its environment, which its descendants inherit (even past setsid, a
 * double fork or a new process group). A process reparented to healthgate
 * is a check's stray when it is not a running check's own child and
 *   - in sidecar mode: carries no mark of a running check (healthgate
 *     starts nothing else, so anything else is a check's leftover);
 *   - in supervisor mode: carries the mark of a check that is not running
 *     (the app's orphans are reparented here too; unmarked ones are only
 *     reaped, never killed).
 * A stray gets SIGKILL (and its process group, when it leads one). libev's
 * default loop reaps every child; reap_final() reaps after the loop.
 *
 * A command that scrubs its environment (env -i) drops the mark: in
 * supervisor mode its strays are then reaped but not killed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <ev.h>

#define REAP_MARK	"HEALTHGATE_CHECK"

enum reap_mode {
	REAP_SIDECAR,		/* healthgate's only children are checks */
	REAP_SUPERVISOR,	/* healthgate -- APP: PID 1 of the app too */
};

/*
 * Becomes the subreaper, drops REAP_MARK from its own environment (so the
 * app never carries it) and sweeps after every child that ends.
 */
void	reap_init(struct ev_loop *, enum reap_mode);

/* A check's command started as pid / ended (its group is killed). */
void	reap_own(pid_t, const char *check_name);
void	reap_disown(pid_t);

/* Kills every stray child now. */
void	reap_sweep(void);

/*
 * After the loop: kills strays (with no check running, every marked
 * child; in sidecar mode every child) until none is left or `seconds`
 * pass, reaping each.
 */
void	reap_final(double seconds);

/*
 * Pure, for the rule's tests. The check named in an environment block
 * (NUL-separated "K=V" entries, as /proc/PID/environ), into name; false
 * when it carries no mark.
 */
bool	reap_mark_of(const char *env, size_t len, char *name, size_t size);

/* The rule above: mark is NULL when unmarked. */
bool	reap_is_stray(enum reap_mode, const char *mark, bool mark_running);

#endif
