#ifndef HEALTHGATE_HTTP_BODY_H
#define HEALTHGATE_HTTP_BODY_H

/*
 * Whether an HTTP/1.1 response's body holds some bytes within its first
 * HTTP_BODY_SCAN bytes: the http check's ?body=TEXT. Fed the response
 * from the byte after its status line, as it arrives: the head's fields
 * say how the body is framed (Transfer-Encoding: chunked is undone, so
 * TEXT split across chunks is found and chunk sizes never match), then
 * the body is searched as it streams, nothing buffered but a window of
 * twice the longest TEXT. Pure; fuzzed.
 */

#include <stdbool.h>
#include <stddef.h>

#define HTTP_BODY_SCAN		(64 * 1024)	/* body bytes searched */
#define HTTP_BODY_HEAD_MAX	(64 * 1024)	/* head after the status line */
#define HTTP_BODY_NEEDLE_MAX	256		/* longest TEXT */
#define HTTP_BODY_SHOWN		48		/* body bytes kept for a reason */

enum http_body_result {
	HTTP_BODY_MORE,		/* not known yet: feed more, or end */
	HTTP_BODY_FOUND,	/* TEXT is in the body */
	HTTP_BODY_ABSENT,	/* the body, or its first 64 KiB, lack it */
	HTTP_BODY_BAD,		/* the head or the chunking is broken: why */
};

/* Where the reader is. */
enum http_body_state {
	HTTP_BODY_FIELD,	/* a head line */
	HTTP_BODY_DATA,		/* body bytes, to its end or the close */
	HTTP_BODY_CHUNK_SIZE,	/* a chunk's size line */
	HTTP_BODY_CHUNK_DATA,	/* a chunk's bytes */
	HTTP_BODY_CHUNK_END,	/* the CRLF after them */
	HTTP_BODY_DONE,		/* a verdict was given */
};

struct http_body {
	const char	*needle;	/* TEXT, not owned */
	size_t		 nlen;		/* 1..HTTP_BODY_NEEDLE_MAX */
	bool		 bodiless;	/* 1xx, 204, 304: the head is all */
	enum http_body_state state;
	size_t		 head;		/* head bytes read */
	char		 line[256];	/* a head or chunk-size line's start */
	size_t		 llen;		/* its length, at most sizeof(line) */
	bool		 chunked;	/* Transfer-Encoding ends in chunked */
	bool		 sized;		/* Content-Length given, no chunked */
	unsigned long long left;	/* of the Content-Length or the chunk */
	size_t		 scanned;	/* body bytes searched */
	char		 win[2 * HTTP_BODY_NEEDLE_MAX];	/* the body's tail */
	size_t		 wlen;
	char		 shown[HTTP_BODY_SHOWN];	/* the body's start */
	size_t		 slen;
	enum http_body_result verdict;	/* once DONE */
	const char	*why;		/* HTTP_BODY_BAD's reason */
};

/* For a response with this status; needle stays the caller's. */
void	http_body_init(struct http_body *, unsigned status, const char *needle,
	    size_t nlen);
/* The next n bytes of the response; once decided, the verdict again. */
enum http_body_result http_body_feed(struct http_body *, const char *p,
	    size_t n);
/* The peer closed: the verdict, ABSENT or BAD if none was given. */
enum http_body_result http_body_end(struct http_body *);

#endif
