/*
 * Fuzzes tls_conf_new: the same bytes as a CA bundle, a client chain and
 * its key, through BearSSL's PEM, X.509 and key decoders and our copies
 * of what they return. Nothing may crash or leak, whatever the file.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "tls.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct tls_conf *c;
	char why[512];

	if (fd < 0) {
		if ((fd = memfd_create("pem", 0)) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	why[0] = '\0';
	c = tls_conf_new(path, path, path, false, why, sizeof(why));
	/* Refused: always with a reason that names the parameter. */
	if (c == NULL && strncmp(why, "ca=", 3) != 0 &&
	    strncmp(why, "cert=", 5) != 0 && strncmp(why, "key=", 4) != 0)
		abort();
	tls_conf_free(c);
	return 0;
}
