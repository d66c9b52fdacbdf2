/*
 * evalloc.c: libev's allocator, which retries and then logs and exits
 * instead of aborting (evalloc.h says why and how long).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "evalloc.h"
#include "log.h"

void *
evalloc(void *ptr, long size)
{
	char why[256];
	struct timespec wait = { 0, EVALLOC_WAIT_MS * 1000000L };
	void *p;

	if (size <= 0) {
		free(ptr);
		return NULL;
	}
	for (unsigned i = 0; i < EVALLOC_TRIES; i++) {
		if ((p = realloc(ptr, (size_t)size)) != NULL)
			return p;
		nanosleep(&wait, NULL);
	}
	/* The log line needs no heap: a stack buffer, unbuffered stderr. */
	snprintf(why, sizeof(why), "out of memory: the event loop could not "
	    "allocate %ld bytes in %u tries", size, EVALLOC_TRIES);
	log_kv(LOG_ERROR, "exit", LOG_I("status", 1), LOG_Q("reason", why));
	_exit(1);
}

void
evalloc_init(void)
{
	ev_set_allocator(evalloc);
}
