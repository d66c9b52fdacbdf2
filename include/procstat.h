#ifndef HEALTHGATE_PROCSTAT_H
#define HEALTHGATE_PROCSTAT_H

/*
 * The process_* figures Prometheus' client libraries export (client_golang's
 * process collector): CPU time, resident and virtual memory, descriptors
 * open and allowed, the start time. Read from /proc on each scrape.
 */

#include <stdbool.h>
#include <stddef.h>

/* The fields of /proc/PID/stat that matter here, in its units. */
struct procstat_raw {
	unsigned long long utime, stime;	/* clock ticks */
	unsigned long long starttime;		/* ticks after boot */
	unsigned long long vsize;		/* bytes */
	unsigned long long rss;			/* pages */
};

/*
 * Pure: parses the text of /proc/PID/stat (not NUL-terminated). The
 * command name may hold spaces and parentheses: fields are counted from
 * the last ')'. False when the text is not that.
 */
bool	procstat_parse(const char *text, size_t len, struct procstat_raw *);

/* The figures in the units /metrics prints. */
struct procstat {
	double		 cpu_seconds;		/* user + system */
	double		 start_time;		/* since the epoch, s */
	double		 resident_bytes;
	double		 virtual_bytes;
	double		 virtual_max_bytes;	/* RLIMIT_AS; -1: none */
	unsigned	 open_fds;
	double		 max_fds;		/* RLIMIT_NOFILE soft; -1: none */
};

/* Descriptors this process holds now (0 without /proc). */
unsigned procstat_open_fds(void);

/* This process's figures; false when /proc could not be read. */
bool	procstat_read(struct procstat *);

#endif
