#ifndef HEALTHGATE_CONFIG_H
#define HEALTHGATE_CONFIG_H

/*
 * Flags and environment to one validated struct config. Every option has a
 * flag and a HEALTHGATE_* variable; the flag wins. Nothing here does I/O:
 * the environment comes in as an envp array, errors go out as text. The
 * value syntaxes (durations, counts) are opts.h's, a check's grammar is
 * check_spec.h's.
 */

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "check_spec.h"
#include "log.h"

#define CONFIG_ERR_MAX	512	/* size of the error buffer callers pass */
#define CONFIG_APP_PORTS_MAX	16	/* --app-port items */

struct config {
	char		 listen_host[ADDR_HOST_MAX];	/* "" is [::] */
	unsigned	 listen_port;			/* 0: any free port */
	bool		 grpc_listen;			/* --grpc-listen given */
	char		 grpc_listen_host[ADDR_HOST_MAX];
	unsigned	 grpc_listen_port;
	struct check_spec *checks;			/* owned */
	unsigned	 nchecks;
	unsigned	 interval_ms, timeout_ms, rise, fall;	/* defaults */
	unsigned	 drain_timeout_ms;	/* hard cap on the drain */
	unsigned	 drain_window_ms;	/* prober memory and silence */
	unsigned	 drain_fall;		/* 503s each prober must see */
	struct cidr	*drain_ignore;		/* owned */
	unsigned	 ndrain_ignore;
	unsigned	 drain_quiet_ms;	/* 0: derived from the traffic */
	/* The app's serving ports, whose traffic the drain reads. */
	unsigned	 app_ports[CONFIG_APP_PORTS_MAX];
	unsigned	 napp_ports;
	bool		 app_ports_set;		/* given: else from the checks */
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
	/* The /health body's draft fields; NULL when not given. They point
	 * into argv or envp, which outlive the config. */
	const char	*service_version;	/* "version" */
	const char	*release_id;		/* "releaseId" */
	const char	*service_id;		/* "serviceId" */
	const char	*description;		/* "description" */
	/* Opens /admin/ beyond loopback; points into argv or envp. */
	const char	*admin_token_file;
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

/* The log format argv and envp ask for, for a refusal from config_load. */
enum log_format	 config_log_format_asked(int argc, char *const argv[],
		    char *const envp[]);
void		 config_usage(void);

#endif
