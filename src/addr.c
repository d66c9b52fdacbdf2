/*
 * addr.c: IPs, CIDR blocks, host:port pairs and http:// URLs.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "decimal.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

const char *
addr_parse_ip(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return NULL;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		if (memcmp(a->bytes, v4mapped, 12) == 0) {
			memmove(a->bytes, a->bytes + 12, 4);
			memset(a->bytes + 4, 0, 12);
			a->family = AF_INET;
		}
		return NULL;
	}
	return "not an IP address";
}

/*
 * Clients of a dual-stack socket arrive as ::ffff:a.b.c.d; keeping them as
 * IPv4 lets one CIDR list and one prober table serve both stacks.
 */
void
addr_from_sockaddr(const struct sockaddr *sa, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		a->family = AF_INET;
		memcpy(a->bytes, &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		if (memcmp(&s6->sin6_addr, v4mapped, 12) == 0) {
			a->family = AF_INET;
			memcpy(a->bytes, (const uint8_t *)&s6->sin6_addr + 12,
			    4);
		} else {
			a->family = AF_INET6;
			memcpy(a->bytes, &s6->sin6_addr, 16);
		}
	}
}

void
addr_format(const struct addr *a, char *buf, unsigned size)
{
	if (a->family != AF_INET && a->family != AF_INET6) {
		snprintf(buf, size, "?");
		return;
	}
	if (inet_ntop(a->family, a->bytes, buf, size) == NULL)
		snprintf(buf, size, "?");
}

void
addr_format_sockaddr(const struct sockaddr *sa, char *buf, unsigned size)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned port;

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		port = ntohs(s6->sin6_port);
		snprintf(buf, size, "[%s]:%u", ip, port);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		port = ntohs(sin->sin_port);
		snprintf(buf, size, "%s:%u", ip, port);
	} else
		snprintf(buf, size, "?");
}

const char *
cidr_parse(const char *s, struct cidr *c)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t iplen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max, bits = 0;

	if (iplen == 0 || iplen >= sizeof(ip))
		return "not a CIDR block";
	memcpy(ip, s, iplen);
	ip[iplen] = '\0';
	if (addr_parse_ip(ip, &c->net) != NULL)
		return "not a CIDR block";
	max = c->net.family == AF_INET ? 32 : 128;
	/* ::ffff:a.b.c.d/n was kept as IPv4, so its prefix loses 96 bits. */
	if (slash && c->net.family == AF_INET && strchr(ip, ':'))
		bits = 96;
	if (slash) {
		const char *p = slash + 1;
		size_t len = strlen(p);
		unsigned long long v;
		unsigned n;

		if (len == 0)
			return "prefix length missing";
		if (decimal_span(p, len) != len)
			return "prefix length is not a number";
		if (!decimal_parse(p, len, 128, &v))
			return "prefix length too long";
		n = (unsigned)v;
		if (n < bits || n - bits > max)
			return "prefix length too long";
		c->bits = n - bits;
	} else
		c->bits = max;
	/* Clear the host bits so matching compares prefixes only. */
	for (unsigned i = 0; i < 16; i++) {
		unsigned from = i * 8;

		if (from >= c->bits)
			c->net.bytes[i] = 0;
		else if (c->bits - from < 8)
			c->net.bytes[i] &= (uint8_t)(0xff << (8 - (c->bits - from)));
	}
	return NULL;
}

bool
cidr_match(const struct cidr *c, const struct addr *a)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (c->net.family != a->family)
		return false;
	if (memcmp(c->net.bytes, a->bytes, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((c->net.bytes[full] ^ a->bytes[full]) &
	    (uint8_t)(0xff << (8 - rest))) == 0;
}

/*
 * Splits "host:port", "[v6]:port" or ":port" (host left empty). The host
 * buffer holds ADDR_HOST_MAX bytes.
 */
const char *
addr_split_hostport(const char *s, char *host, unsigned *port)
{
	const char *colon, *p;
	size_t hlen;
	unsigned long long n;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (end == NULL)
			return "missing ']'";
		if (end[1] != ':')
			return "missing :PORT";
		hlen = (size_t)(end - s - 1);
		if (hlen == 0)
			return "empty address";
		s++;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return "missing :PORT";
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen) != NULL)
			return "IPv6 address needs [brackets]";
	}
	if (hlen >= ADDR_HOST_MAX)
		return "host too long";
	memcpy(host, s, hlen);
	host[hlen] = '\0';

	p = colon + 1;
	if (*p == '\0')
		return "missing port";
	if (decimal_span(p, strlen(p)) != strlen(p))
		return "port is not a number";
	if (!decimal_parse(p, strlen(p), 65535, &n))
		return "port out of range";
	*port = (unsigned)n;
	return NULL;
}

void
addr_sockaddr(const struct addr *a, unsigned port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, a->bytes, 16);
		*len = sizeof(*s6);
	}
}

/*
 * A numeric host, "localhost" (127.0.0.1) or "" (the dual-stack any
 * address) to a sockaddr. Other names go to the resolver (resolve.c).
 */
const char *
addr_to_sockaddr(const char *host, unsigned port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct addr a;

	if (host[0] == '\0') {
		memset(&a, 0, sizeof(a));
		a.family = AF_INET6;
	} else if (strcmp(host, "localhost") == 0) {
		addr_parse_ip("127.0.0.1", &a);
	} else if (addr_parse_ip(host, &a) != NULL)
		return "host is not a numeric address or localhost";
	addr_sockaddr(&a, port, ss, len);
	return NULL;
}

/*
 * RFC 1123 host names, plus '_' (Docker and Compose allow it in container
 * and service names, which become names on their networks). A last label
 * of digits only is a mistyped address ("10.0.0.256"), not a name.
 */
const char *
addr_check_name(const char *s)
{
	size_t len = strlen(s), label = 0;
	bool digits = true;

	if (len == 0)
		return "host is empty";
	if (s[len - 1] == '.')		/* a fully qualified "db.internal." */
		len--;
	if (len == 0 || len > 253)
		return "host name must be 1 to 253 characters";
	for (size_t i = 0; i <= len; i++) {
		char ch = i < len ? s[i] : '.';

		if (ch == '.') {
			if (label == 0)
				return "host name has an empty label";
			if (s[i - 1] == '-')
				return "host name label ends with '-'";
			label = 0;
			if (i < len)
				digits = true;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return "host is neither an IP address nor a host name";
		if (label == 0 && ch == '-')
			return "host name label starts with '-'";
		if (++label > 63)
			return "host name label longer than 63 characters";
		if (ch < '0' || ch > '9')
			digits = false;
	}
	if (digits)
		return "host is neither an IP address nor a host name";
	return NULL;
}

/*
 * "http[s]://HOST[:PORT][/PATH]": the host may be a name; it is not looked
 * up.
 */
const char *
addr_parse_url(const char *s, struct url *u)
{
	char hostport[ADDR_HOST_MAX + 8];
	const char *auth, *slash, *err;
	size_t alen;

	memset(u, 0, sizeof(*u));
	if (strncmp(s, "https://", 8) == 0)
		u->tls = true;
	else if (strncmp(s, "http://", 7) != 0)
		return "URL must start with http:// or https://";
	auth = s + (u->tls ? 8 : 7);
	slash = strpbrk(auth, "/?");
	alen = slash ? (size_t)(slash - auth) : strlen(auth);
	if (alen == 0)
		return "URL has no host";
	/* Room for the default port appended below (":443") and the NUL. */
	if (alen + sizeof(":443") > sizeof(hostport))
		return "host too long";
	memcpy(hostport, auth, alen);
	hostport[alen] = '\0';

	/* No port: the last ':' is absent, or belongs inside [v6]. */
	if (strrchr(hostport, ':') == NULL ||
	    (hostport[0] == '[' && hostport[alen - 1] == ']'))
		strcat(hostport, u->tls ? ":443" : ":80");
	if ((err = addr_split_hostport(hostport, u->host, &u->port)) != NULL)
		return err;
	if (u->host[0] == '\0')
		return "URL has no host";
	if (u->port == 0)
		return "port out of range";

	if (slash == NULL)
		strcpy(u->path, "/");
	else if (*slash == '?') {
		if (strlen(slash) + 2 > sizeof(u->path))
			return "path too long";
		u->path[0] = '/';
		strcpy(u->path + 1, slash);
	} else {
		if (strlen(slash) + 1 > sizeof(u->path))
			return "path too long";
		strcpy(u->path, slash);
	}
	for (const char *p = u->path; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "path has spaces or control characters";
	return NULL;
}
