#ifndef HEALTHGATE_ADMIN_H
#define HEALTHGATE_ADMIN_H

/*
 * The admin API's rules, apart from any socket: which path is which verb
 * and which method it takes, who may call it (loopback always, anyone
 * else only with the bearer token, compared in constant time), and the
 * JSON bodies of /admin/status and /admin/prestop. Pure: the loop glue is
 * main.c's, the HTTP side http_server.c's.
 */

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "drain.h"
#include "health.h"
#include "quiet.h"
#include "sbuf.h"

#define ADMIN_PREFIX	"/admin/"
#define ADMIN_TOKEN_MAX	4096	/* longest token a file may hold */

/* What an /admin/ path asks for. */
enum admin_verb {
	ADMIN_VERB_NONE,		/* no such path: 404 */
	ADMIN_VERB_MAINTENANCE_ON,	/* POST: /health 503 from now */
	ADMIN_VERB_MAINTENANCE_OFF,	/* POST: back to the checks' verdict */
	ADMIN_VERB_DRAIN,		/* POST: as SIGTERM */
	ADMIN_VERB_PRESTOP,		/* GET: the drain; answered at its end */
	ADMIN_VERB_STATUS,		/* GET: the state as JSON */
};

/* Whether a caller may use the admin API, and why not. */
enum admin_access {
	ADMIN_ACCESS_LOOPBACK,		/* 127.0.0.0/8 or ::1: always */
	ADMIN_ACCESS_TOKEN,		/* elsewhere, with the right token */
	ADMIN_ACCESS_NO_TOKEN,		/* elsewhere, no bearer token sent */
	ADMIN_ACCESS_BAD_TOKEN,		/* elsewhere, a wrong token */
	ADMIN_ACCESS_NOT_ENABLED,	/* elsewhere, no --admin-token-file */
};

enum admin_verb	 admin_verb_of(const char *url);
/* The verb's path, "/admin/drain" (static). */
const char	*admin_verb_path(enum admin_verb);
/* The Allow field of a 405 for the verb ("POST", "GET, HEAD"). */
const char	*admin_allow(enum admin_verb);
bool		 admin_method_ok(enum admin_verb, const char *method);

bool		 admin_loopback(const struct addr *);
/*
 * The rule for client, with the Authorization field it sent (NULL when
 * none) and the token (NULL when no token file was given).
 */
enum admin_access admin_access_check(const struct addr *client,
		    const char *authorization, const char *token);
bool		 admin_access_ok(enum admin_access);
const char	*admin_access_name(enum admin_access);

/*
 * a and b equal, in a time that depends on the length of b (the secret)
 * only, never on where a first differs.
 */
bool		 admin_token_equal(const char *a, size_t alen, const char *b,
		    size_t blen);

/*
 * A token file's text as the token: trailing whitespace (the newline an
 * editor or `echo` leaves) dropped. NULL and the token's length in *len,
 * or why it is refused: empty, or a control character or space inside.
 */
const char	*admin_token_parse(const char *text, size_t n, size_t *len);

/* How far the drain is, as the admin API shows it. */
enum admin_drain {
	ADMIN_DRAIN_OFF,
	ADMIN_DRAIN_RUNNING,
	ADMIN_DRAIN_ENDED,
};

/* The end of a drain, for /admin/prestop and /admin/status. */
struct admin_end {
	const char	*reason;	/* drain_state_name(), or "aborted" */
	double		 started;	/* wall time, epoch s */
	double		 ended;		/* wall time, epoch s */
	double		 duration;	/* s, on the monotonic clock */
	const char	*started_by;	/* "SIGTERM", "/admin/prestop", ... */
};

/* Everything /admin/status shows. */
struct admin_status {
	unsigned	 health;	/* what /health answers: 200 or 503 */
	bool		 maintenance;
	enum admin_drain drain;
	const char	*started_by;	/* while running or ended */
	bool		 exit_when_done; /* else held: 503 until a signal */
	double		 elapsed;	/* s since the drain began */
	double		 cap_left;	/* s until the cap, while running */
	unsigned	 inflight;	/* requests the drain waits for */
	bool		 traffic;	/* it waits for the app's traffic too: */
	struct quiet_stats app;		/* ...its connections, its quiet */
	unsigned	 waiters;	/* /admin/prestop requests held */
	struct admin_end end;		/* when ended */
	const struct health_check *checks;
	unsigned	 nchecks;
	const struct drain_prober *probers;
	unsigned	 nprobers;
};

/* "serving", "maintenance" or "draining". */
const char	*admin_state_name(const struct admin_status *);
void		 admin_render_status(const struct admin_status *,
		    struct sbuf *);
/* /admin/prestop's answer: why and when the drain ended. */
void		 admin_render_end(const struct admin_end *, struct sbuf *);
/* Any other verb's answer: {"ok":true,"state":...} or an error. */
void		 admin_render_result(bool ok, const char *state,
		    const char *detail, struct sbuf *);

#endif
