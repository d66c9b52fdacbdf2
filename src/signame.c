/*
 * signame.c: signal names and numbers, both ways.
 *
 * The table holds the signals a user may name for --stop-signal and the
 * ones healthgate logs; sigabbrev_np() would do the naming but is glibc 2.32
 * and later only, and musl builds have no such call.
 */
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "decimal.h"
#include "signame.h"

static const struct {
	int		 num;
	const char	*name;
} sigs[] = {
	{ SIGHUP, "SIGHUP" },	{ SIGINT, "SIGINT" },
	{ SIGQUIT, "SIGQUIT" },	{ SIGILL, "SIGILL" },
	{ SIGTRAP, "SIGTRAP" },	{ SIGABRT, "SIGABRT" },
	{ SIGBUS, "SIGBUS" },	{ SIGFPE, "SIGFPE" },
	{ SIGKILL, "SIGKILL" },	{ SIGUSR1, "SIGUSR1" },
	{ SIGSEGV, "SIGSEGV" },	{ SIGUSR2, "SIGUSR2" },
	{ SIGPIPE, "SIGPIPE" },	{ SIGALRM, "SIGALRM" },
	{ SIGTERM, "SIGTERM" },	{ SIGCHLD, "SIGCHLD" },
	{ SIGCONT, "SIGCONT" },	{ SIGSTOP, "SIGSTOP" },
	{ SIGTSTP, "SIGTSTP" },	{ SIGTTIN, "SIGTTIN" },
	{ SIGTTOU, "SIGTTOU" },	{ SIGURG, "SIGURG" },
	{ SIGXCPU, "SIGXCPU" },	{ SIGXFSZ, "SIGXFSZ" },
	{ SIGVTALRM, "SIGVTALRM" }, { SIGPROF, "SIGPROF" },
	{ SIGWINCH, "SIGWINCH" }, { SIGIO, "SIGIO" },
	{ SIGPWR, "SIGPWR" },	{ SIGSYS, "SIGSYS" },
};

#define NSIGS	(sizeof(sigs) / sizeof(sigs[0]))

const char *
signame_name(int signum)
{
	for (size_t i = 0; i < NSIGS; i++)
		if (sigs[i].num == signum)
			return sigs[i].name;
	return NULL;
}

const char *
signame_parse(const char *s, int *signum)
{
	const char *bare = s;
	unsigned n = 0;

	if (*s >= '0' && *s <= '9') {
		unsigned long long v;

		if (!decimal_parse(s, strlen(s), 64, &v))
			return "is not a signal (SIGTERM, TERM, 15)";
		n = (unsigned)v;
		if (signame_name((int)n) == NULL)
			return "is not a signal number this system names";
		*signum = (int)n;
		return NULL;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		bare = s + 3;
	for (size_t i = 0; i < NSIGS; i++)
		if (strcasecmp(sigs[i].name + 3, bare) == 0) {
			*signum = sigs[i].num;
			return NULL;
		}
	return "is not a signal (SIGTERM, TERM, 15)";
}
