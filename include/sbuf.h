#ifndef HEALTHGATE_SBUF_H
#define HEALTHGATE_SBUF_H

/*
 * A growable string for response bodies. An allocation failure is sticky:
 * later appends do nothing and sbuf_failed() says so once, at the end.
 */

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char	*data;		/* NUL-terminated; owned */
	size_t	 len;
	size_t	 cap;
	bool	 failed;	/* an allocation failed; data is incomplete */
};

void	sbuf_init(struct sbuf *);
void	sbuf_free(struct sbuf *);
void	sbuf_printf(struct sbuf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	sbuf_json_string(struct sbuf *, const char *);	/* with quotes */
bool	sbuf_failed(const struct sbuf *);

#endif
