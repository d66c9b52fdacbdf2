#ifndef HEALTHGATE_CONFIG_H
#define HEALTHGATE_CONFIG_H

/*
 * Flags and environment to one validated struct config. Every option has a
 * flag and a HEALTHGATE_* variable; the flag wins. Nothing here does I/O:
 * the environment comes in as an envp array, errors go out as text.
 */

#include <stddef.h>

#include "addr.h"
#include "log.h"

#define CONFIG_NAME_MAX	64	/* longest check name, with its NUL */
#define CONFIG_ERR_MAX	512	/* size of the error buffer callers pass */

enum check_kind {
	CHECK_HTTP,		/* GET a URL, up on an expected status */
	CHECK_TCP,		/* up when a connect completes */
	CHECK_EXEC,		/* run a command, up on exit status 0 */
};

/* One --check, parsed; the schedule fields are filled from the defaults. */
struct check_spec {
	char		 name[CONFIG_NAME_MAX];	/* unique among checks */
	enum check_kind	 kind;
	char		 host[ADDR_HOST_MAX];	/* http, tcp */
	unsigned	 port;			/* http, tcp */
	char		 path[ADDR_PATH_MAX];	/* http: path and app's query */
	unsigned	 expect_lo, expect_hi;	/* http: statuses that are up */
	char		**argv;			/* exec: NULL-terminated, owned */
	unsigned	 interval_ms;
	unsigned	 timeout_ms;
	unsigned	 rise;			/* passes to go up */
	unsigned	 fall;			/* failures to go down */
};

struct config {
	char		 listen_host[ADDR_HOST_MAX];	/* "" is [::] */
	unsigned	 listen_port;			/* 0: any free port */
	struct check_spec *checks;			/* owned */
	unsigned	 nchecks;
	unsigned	 interval_ms, timeout_ms, rise, fall;	/* defaults */
	unsigned	 drain_timeout_ms;	/* hard cap on the drain */
	unsigned	 drain_window_ms;	/* prober memory and silence */
	unsigned	 drain_fall;		/* 503s each prober must see */
	struct cidr	*drain_ignore;		/* owned */
	unsigned	 ndrain_ignore;
	enum log_format	 log_format;
	unsigned	 max_connections;	/* open at once, in all */
	unsigned	 max_per_ip;		/* ...from one address */
	unsigned	 conn_memory;		/* bytes per connection */
	unsigned	 request_timeout_ms;	/* accept to complete head */
	unsigned	 idle_timeout_ms;	/* answer to next head */
	/* Supervisor mode: what follows "--", NULL without it. */
	char *const	*app_argv;		/* points into argv */
	unsigned	 drain_linger_ms;	/* drain end to stop signal */
	int		 stop_signal;		/* sent to the app then */
	unsigned	 stop_timeout_ms;	/* ...then SIGKILL after this */
};

enum config_result {
	CONFIG_OK,
	CONFIG_ERROR,		/* err says which flag and value */
	CONFIG_HELP,
	CONFIG_VERSION,
};

enum config_result config_load(struct config *, int argc, char *const argv[],
		    char *const envp[], char *err);
void		 config_free(struct config *);
void		 config_usage(void);

/* The parsers behind config_load, for probe and plan and their tests. */
const char	*config_parse_duration(const char *, unsigned *ms);
const char	*config_parse_count(const char *, unsigned *);
const char	*config_parse_check(const char *, const struct config *,
		    struct check_spec *);
void		 config_check_free(struct check_spec *);
const char	*config_env(char *const envp[], const char *name);

#endif
