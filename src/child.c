/*
 * child.c: a child in its own process group with a clean signal state
 * (see child.h), for check_exec.c and supervise.c.
 */
#include <signal.h>

#include "child.h"

int
child_spawn(pid_t *pid, const posix_spawn_file_actions_t *fa,
    char *const argv[], char *const envp[])
{
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int err;

	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&dfl);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	err = posix_spawnp(pid, argv[0], fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	return err;
}
