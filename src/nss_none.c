/*
 * nss_none.c: what the static build links in place of glibc's two NSS
 * service-name lookups that libcares.a refers to.
 *
 * c-ares calls getservbyname() only for a service given by name and
 * getservbyport_r() only in ares_getnameinfo(); healthgate passes no
 * service to ares_getaddrinfo() and never calls ares_getnameinfo(). Yet a
 * static glibc link of either pulls in NSS, which loads shared modules at
 * run time and which a FROM scratch image cannot hold. scripts/static.sh
 * links with -Wl,--wrap= for both, so these stand in for them and glibc's
 * are never linked; they find nothing, as a lookup in an image with no
 * /etc/services would. The shared build does not wrap and never calls
 * these. The static build links musl now, whose lookups need no NSS but
 * read /etc/services, which the image has not: the answer is the same.
 */
#include <errno.h>
#include <netdb.h>
#include <stddef.h>

struct servent *__wrap_getservbyname(const char *, const char *);
int	__wrap_getservbyport_r(int, const char *, struct servent *, char *,
	    size_t, struct servent **);

struct servent *
__wrap_getservbyname(const char *name, const char *proto)
{
	(void)name;
	(void)proto;
	return NULL;
}

int
__wrap_getservbyport_r(int port, const char *proto, struct servent *buf,
    char *mem, size_t len, struct servent **res)
{
	(void)port;
	(void)proto;
	(void)buf;
	(void)mem;
	(void)len;
	*res = NULL;
	return ENOENT;
}
