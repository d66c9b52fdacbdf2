/*
 * Fuzzes tls.c's side of a handshake: whatever a server sends (the input,
 * then EOF) is read by the non-blocking engine pump until it can go no
 * further, and the reason is formed. Ends, never hangs, never crashes.
 */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "tls.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tls_conf *conf;
	struct tls_conn *t;
	char why[256], sink[4096];
	enum tls_want r;
	int sv[2];

	if (size > 65536)
		return 0;
	if (conf == NULL && (conf = tls_conf_new(NULL, NULL, NULL, true, why,
	    sizeof(why))) == NULL)
		abort();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		abort();
	if (size && write(sv[1], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[1], SHUT_WR);
	if ((t = tls_conn_new(conf, "app.internal", "h2")) == NULL)
		abort();
	/* Each round consumes input or ends; the ClientHello is drained. */
	for (int i = 0; i < 10000; i++) {
		r = tls_handshake(t, sv[0]);
		while (read(sv[1], sink, sizeof(sink)) > 0)
			;
		if (r != TLS_WANT_WRITE)
			break;
	}
	if (r == TLS_WANT_READ)		/* after EOF there is nothing to wait for */
		abort();
	tls_conn_reason(t, why, sizeof(why));
	if (strncmp(why, "tls: ", 5) != 0)
		abort();
	tls_conn_free(t);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
