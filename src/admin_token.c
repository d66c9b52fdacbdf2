/*
 * admin_token.c: the token file read at start (admin_token.h). A file
 * that cannot be read, or holds no token, stops the start: an admin API
 * open to nobody, or to anybody, would be found out only at the stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "admin_token.h"

/* Room for the longest token, its newline, and one byte to see more. */
#define ADMIN_TOKEN_READ	(ADMIN_TOKEN_MAX + 64)

char *
admin_token_read(const char *path, char *err, size_t errlen)
{
	char *buf = NULL, *token = NULL;
	const char *why;
	size_t len = 0, tlen;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if ((buf = malloc(ADMIN_TOKEN_READ)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	while (len < ADMIN_TOKEN_READ &&
	    (n = read(fd, buf + len, ADMIN_TOKEN_READ - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto fail;
		}
		len += (size_t)n;
	}
	if ((why = admin_token_parse(buf, len, &tlen)) != NULL) {
		snprintf(err, errlen, "%s", why);
		goto fail;
	}
	if ((token = strndup(buf, tlen)) == NULL)
		snprintf(err, errlen, "out of memory");
fail:
	/* The token's bytes leave no copy behind in freed memory. */
	if (buf)
		explicit_bzero(buf, ADMIN_TOKEN_READ);
	free(buf);
	close(fd);
	return token;
}
