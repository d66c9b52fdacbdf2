#ifndef HEALTHGATE_HTTP_FRAMING_H
#define HEALTHGATE_HTTP_FRAMING_H

/*
 * Where a request's body ends, judged from its header fields the way a
 * proxy in front of healthgate could judge it differently: request
 * smuggling. Fed every header field of one request, it says whether the
 * request is framed without doubt and whether it has a body.
 *
 * libmicrohttpd 0.9.75 reads only the first Content-Length, keeps a space
 * before the colon in the field's name (its check for that runs only when
 * it is told to be lenient), and lets Transfer-Encoding win over
 * Content-Length silently. Each of those lets the bytes after the head be
 * read as a body by one party and as a second request by the other.
 * Host is judged here too (RFC 9112 3.2: exactly one, and none missing
 * from HTTP/1.1): libmicrohttpd 0.9.75's own check of it queues its 400
 * head twice, so it is off (http_server.c) and this module says 400.
 *
 * Pure: no I/O.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_framing_verdict {
	HTTP_FRAMING_NO_BODY,	/* no body: answer it */
	HTTP_FRAMING_BODY,	/* a body, framed once: refuse it (413) */
	HTTP_FRAMING_BAD,	/* framed ambiguously: 400 and a close */
};

struct http_framing {
	unsigned	 nlength;	/* Content-Length fields seen */
	uint64_t	 length;	/* ...the first one's value */
	bool		 length_bad;	/* one was not digits, or they differ */
	bool		 chunked;	/* Transfer-Encoding seen */
	bool		 bad_name;	/* a field name that is not a token */
	unsigned	 nhost;		/* Host fields seen */
	bool		 need_host;	/* HTTP/1.1: set by the caller */
};

void		 http_framing_init(struct http_framing *);
/* One header field, as the parser split it (name before the colon). */
void		 http_framing_field(struct http_framing *, const char *name,
		    const char *value);
enum http_framing_verdict http_framing_verdict(const struct http_framing *);

/* Whether s[0..n) is a token (RFC 9110 5.6.2), as a field name must be. */
bool	http_framing_is_token(const char *s, size_t n);

#endif
