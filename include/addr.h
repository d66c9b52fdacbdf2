#ifndef HEALTHGATE_ADDR_H
#define HEALTHGATE_ADDR_H

/*
 * Addresses as the rest of healthgate sees them: IPs without a port, CIDR
 * blocks, "host:port" pairs and http:// URLs. Pure parsing and matching; the
 * only name known here is the literal "localhost" (127.0.0.1); other names
 * are checked for form here and looked up by resolve.c.
 *
 * Parsers return NULL on success and a short reason on failure, which the
 * caller puts into its own message.
 */

#include <sys/socket.h>
#include <stdbool.h>
#include <stdint.h>

#define ADDR_HOST_MAX	256	/* longest host name kept, with its NUL */
#define ADDR_PATH_MAX	1024	/* longest URL path and query, with its NUL */
#define ADDR_STR_MAX	64	/* longest "[v6]:port" text, with its NUL */

/* An IP address without a port; IPv4-mapped IPv6 is kept as IPv4. */
struct addr {
	sa_family_t	family;		/* AF_INET or AF_INET6 */
	uint8_t		bytes[16];	/* network order; IPv4 uses the first 4 */
};

struct cidr {
	struct addr	net;		/* bits past the prefix are zero */
	unsigned	bits;		/* prefix length */
};

/* A parsed http:// or https:// URL. */
struct url {
	char		host[ADDR_HOST_MAX];	/* without brackets */
	unsigned	port;			/* 80 (443) when not given */
	bool		tls;			/* https:// */
	char		path[ADDR_PATH_MAX];	/* starts with '/', with query */
};

const char	*addr_parse_ip(const char *, struct addr *);
void		 addr_from_sockaddr(const struct sockaddr *, struct addr *);
void		 addr_format(const struct addr *, char *, unsigned);
void		 addr_format_sockaddr(const struct sockaddr *, char *,
		    unsigned);

const char	*cidr_parse(const char *, struct cidr *);
bool		 cidr_match(const struct cidr *, const struct addr *);

const char	*addr_split_hostport(const char *, char *host, unsigned *port);
const char	*addr_to_sockaddr(const char *host, unsigned port,
		    struct sockaddr_storage *, socklen_t *);
const char	*addr_parse_url(const char *, struct url *);
void		 addr_sockaddr(const struct addr *, unsigned port,
		    struct sockaddr_storage *, socklen_t *);
/* NULL if s is a well-formed host name (not whether it resolves). */
const char	*addr_check_name(const char *s);

#endif
