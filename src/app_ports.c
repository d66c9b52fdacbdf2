/*
 * app_ports.c: the app's ports from its checks (app_ports.h).
 */
#include <ifaddrs.h>
#include <string.h>

#include "addr.h"
#include "app_ports.h"

unsigned
app_ports_from_checks(const struct check_spec *cs, unsigned n,
    app_ports_local_fn *local, void *arg, unsigned *out, unsigned max)
{
	unsigned k = 0, j;

	for (unsigned i = 0; i < n && k < max; i++) {
		/*
		 * Not a grpc check's port: HTTP/2 clients keep their
		 * connection open and PING it, and every PING would count
		 * as an arrival that holds the quiet period off.
		 */
		if (cs[i].kind != CHECK_SPEC_HTTP &&
		    cs[i].kind != CHECK_SPEC_TCP &&
		    cs[i].kind != CHECK_SPEC_TLS)
			continue;
		if (!local(cs[i].host, arg))
			continue;
		for (j = 0; j < k && out[j] != cs[i].port; j++)
			;
		if (j == k)
			out[k++] = cs[i].port;
	}
	return k;
}

static bool
app_ports_loopback(const struct addr *a)
{
	static const uint8_t one[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, one, 16) == 0;
}

bool
app_ports_is_loopback(const char *host, void *arg)
{
	struct addr a;

	(void)arg;
	return strcmp(host, "localhost") == 0 ||
	    (addr_parse_ip(host, &a) == NULL && app_ports_loopback(&a));
}

bool
app_ports_is_local(const char *host, void *arg)
{
	struct ifaddrs *ifs, *i;
	struct addr a, ia;
	bool found = false;

	if (app_ports_is_loopback(host, arg))
		return true;
	if (addr_parse_ip(host, &a) != NULL)
		return false;		/* a name: not looked up */
	if (getifaddrs(&ifs) < 0)
		return false;
	for (i = ifs; i && !found; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6))
			continue;
		addr_from_sockaddr(i->ifa_addr, &ia);
		found = ia.family == a.family &&
		    memcmp(ia.bytes, a.bytes, 16) == 0;
	}
	freeifaddrs(ifs);
	return found;
}
