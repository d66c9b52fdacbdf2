#ifndef HEALTHGATE_CHECK_SPEC_H
#define HEALTHGATE_CHECK_SPEC_H

/*
 * One check as the user writes it, "[NAME=]SPEC", parsed into a struct
 * check_spec. Pure: text in, a spec or a reason out.
 */

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

#define CHECK_SPEC_NAME_MAX	64	/* longest check name, with its NUL */
#define CHECK_SPEC_ERROR_MAX	256	/* a reason naming the parameter */
#define CHECK_SPEC_BYTES_MAX	256	/* body=, send=, expect=, decoded */
#define CHECK_SPEC_HEADERS_MAX	1024	/* every header= line, as sent */
#define CHECK_SPEC_FILE_MAX	256	/* longest ca=, cert=, key= file */

enum check_spec_kind {
	CHECK_SPEC_HTTP,		/* GET a URL, up on an expected status */
	CHECK_SPEC_TCP,		/* up when a connect completes */
	CHECK_SPEC_EXEC,		/* run a command, up on exit status 0 */
	CHECK_SPEC_GRPC,		/* grpc.health.v1 Check, up on SERVING */
	CHECK_SPEC_TLS,		/* up when a TLS handshake completes */
};

/* https:// and tls://: how the session is made and verified. */
struct check_spec_tls {
	bool	 on;			/* https://, tls:// */
	bool	 insecure;		/* ?insecure: verify nothing */
	char	 sni[ADDR_HOST_MAX];	/* ?sni=: the name sent and matched,
					   else the host when it is a name */
	char	 ca[CHECK_SPEC_FILE_MAX];	/* ?ca=: "" the system's */
	char	 cert[CHECK_SPEC_FILE_MAX];	/* ?cert=: client chain */
	char	 key[CHECK_SPEC_FILE_MAX];	/* ?key=: its key */
};

/* What a failing check does to /health. */
enum check_spec_severity {
	CHECK_SPEC_SEVERITY_FAIL,	/* down: /health 503 */
	CHECK_SPEC_SEVERITY_WARN,	/* down: /health 200, "status":"warn" */
};

enum check_spec_method {
	CHECK_SPEC_METHOD_GET,
	CHECK_SPEC_METHOD_HEAD,
};

/* Bytes a parameter carries, percent-decoded: may hold NULs. */
struct check_spec_bytes {
	char		 b[CHECK_SPEC_BYTES_MAX];
	size_t		 len;		/* 0: not given */
};

/* One --check, parsed; the schedule fields are filled from the defaults. */
struct check_spec {
	char		 name[CHECK_SPEC_NAME_MAX];	/* unique among checks */
	enum check_spec_kind	 kind;
	char		 host[ADDR_HOST_MAX];	/* http, tcp, grpc */
	unsigned	 port;			/* http, tcp, grpc */
	char		 path[ADDR_PATH_MAX];	/* http: path and app's query;
						   grpc: the service, or "" */
	unsigned	 expect_lo, expect_hi;	/* http: statuses that are up */
	char		**argv;			/* exec: NULL-terminated, owned */
	struct check_spec_tls tls;		/* https, tls */
	unsigned	 interval_ms;
	unsigned	 timeout_ms;
	unsigned	 rise;			/* passes to go up */
	unsigned	 fall;			/* failures to go down */
	unsigned	 fastinter_ms;		/* while changing; 0: interval */
	enum check_spec_severity severity;
	enum check_spec_method method;		/* http */
	char		 headers[CHECK_SPEC_HEADERS_MAX]; /* http: "N: V\r\n"... */
	bool		 host_header;		/* http: headers have Host */
	bool		 agent_header;		/* ...and User-Agent */
	struct check_spec_bytes body;		/* http: the body holds it */
	struct check_spec_bytes send;		/* tcp: sent once connected */
	struct check_spec_bytes expect;		/* tcp: the reply starts so */
	char		 error[CHECK_SPEC_ERROR_MAX];	/* a refusal's words */
};

/*
 * [NAME=]SPEC into cs, its schedule (interval, timeout, rise, fall) taken
 * from sched unless the spec's parameters say otherwise. The name is taken
 * only when the text before the first '=' is a plain name, so '=' inside a
 * URL or a command never reads as one. NULL, or why s is refused (then cs
 * owns nothing). On success cs owns its argv: check_spec_free.
 */
const char	*check_spec_parse(const char *s, const struct check_spec *sched,
		    struct check_spec *cs);
void		 check_spec_free(struct check_spec *);

/*
 * The name a TLS check sends (SNI) and matches the certificate against:
 * sni=, else the host when it is a name; NULL for an address (the grammar
 * allows that only with insecure).
 */
const char	*check_spec_tls_name(const struct check_spec *);

#endif
