#ifndef HEALTHGATE_CTL_H
#define HEALTHGATE_CTL_H

/*
 * "healthgate ctl": maintenance on|off, drain [--wait] and status over
 * the admin API (/admin/...), for `docker exec` / `kubectl exec` into an
 * image with no shell. Exit 0 on success, 1 on a refusal or failure (the
 * reason on stderr), 2 on bad usage.
 */

int	ctl_main(int argc, char *const argv[], char *const envp[]);

#endif
