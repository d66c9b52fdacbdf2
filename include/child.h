#ifndef HEALTHGATE_CHILD_H
#define HEALTHGATE_CHILD_H

/*
 * Starting a child: an exec check's command or the supervised app. Both
 * run in a process group of their own, so that one kill(-pid) reaches
 * what they start in turn, with no blocked signals and every disposition
 * at its default, whatever libev and main set for healthgate (SIGPIPE
 * ignored, the signals libev watches blocked).
 */

#include <spawn.h>
#include <sys/types.h>

/*
 * posix_spawnp(argv[0]) with file actions fa (may be NULL). Returns 0 with
 * *pid set, or the error number.
 */
int	child_spawn(pid_t *pid, const posix_spawn_file_actions_t *fa,
	    char *const argv[], char *const envp[]);

#endif
