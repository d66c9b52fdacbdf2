#ifndef HEALTHGATE_EVALLOC_H
#define HEALTHGATE_EVALLOC_H

/*
 * libev's allocator (ev_set_allocator). libev's own aborts on the first
 * failed allocation with "(libev) cannot allocate N bytes, aborting" and
 * no word in healthgate's log. The policy here: a failed allocation is
 * tried again EVALLOC_TRIES times, EVALLOC_WAIT_MS apart (memory freed by
 * a check that ended, or by the kernel reclaiming, often comes back in
 * that time); still failing, healthgate logs `exit status=1 reason="out
 * of memory: ..."` and exits 1, so the orchestrator restarts it (the loop
 * cannot go on without its watcher arrays).
 */

#define EVALLOC_TRIES	10
#define EVALLOC_WAIT_MS	10

/* Installs the allocator; before the first loop is made. */
void	evalloc_init(void);

/*
 * The allocator itself, realloc's contract with libev's twist: size 0
 * frees ptr and returns NULL. Never returns NULL for a size above 0.
 */
void	*evalloc(void *ptr, long size);

#endif
