/*
 * procstat.c: this process's CPU, memory and descriptors from /proc, for
 * the process_* metrics (procstat.h).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "decimal.h"
#include "procstat.h"

/* Fields after the command's ')': state is field 3 of stat(5). */
#define PROCSTAT_UTIME		14
#define PROCSTAT_STIME		15
#define PROCSTAT_STARTTIME	22
#define PROCSTAT_VSIZE		23
#define PROCSTAT_RSS		24

/* The unsigned decimal at p (up to end), into *v; its length or 0. */
static size_t
procstat_number(const char *p, const char *end, unsigned long long *v)
{
	size_t n = decimal_span(p, (size_t)(end - p));

	if (n == 0 || !decimal_parse(p, n, ~0ULL, v))
		return 0;
	return n;
}

bool
procstat_parse(const char *text, size_t len, struct procstat_raw *r)
{
	const char *end = text + len, *p = NULL;
	unsigned field = 3;

	for (const char *q = text; q < end; q++)
		if (*q == ')')
			p = q;
	if (p == NULL || end - p < 2 || p[1] != ' ')
		return false;
	memset(r, 0, sizeof(*r));
	for (p += 2; p < end && field <= PROCSTAT_RSS; field++) {
		unsigned long long v = 0, *to = NULL;
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *fend = sp ? sp : end;

		switch (field) {
		case PROCSTAT_UTIME:	to = &r->utime; break;
		case PROCSTAT_STIME:	to = &r->stime; break;
		case PROCSTAT_STARTTIME: to = &r->starttime; break;
		case PROCSTAT_VSIZE:	to = &r->vsize; break;
		case PROCSTAT_RSS:	to = &r->rss; break;
		default:		break;
		}
		if (to && procstat_number(p, fend, &v) != (size_t)(fend - p))
			return false;
		if (to)
			*to = v;
		p = fend + 1;
	}
	return field > PROCSTAT_RSS;
}

/* Reads a small /proc file whole into buf; its length or -1. */
static ssize_t
procstat_slurp(const char *path, char *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)len < size &&
	    (n = read(fd, buf + len, size - (size_t)len)) > 0)
		len += n;
	close(fd);
	return len;
}

/* The boot time, epoch s, from /proc/stat's btime; read once. */
static double
procstat_boot_time(void)
{
	static double btime = -1;
	char line[256];
	FILE *f;

	if (btime >= 0)
		return btime;
	if ((f = fopen("/proc/stat", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "btime ", 6) == 0) {
			btime = strtod(line + 6, NULL);
			break;
		}
	fclose(f);
	return btime >= 0 ? btime : 0;
}

unsigned
procstat_open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;

	if (dir == NULL)
		return 0;
	while ((e = readdir(dir)) != NULL)
		n += e->d_name[0] != '.';
	closedir(dir);
	return n > 0 ? n - 1 : 0;	/* less the directory's own */
}

static double
procstat_limit(int resource)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return -1;
	return (double)rl.rlim_cur;
}

bool
procstat_read(struct procstat *ps)
{
	char buf[1024];
	struct procstat_raw r;
	double tick = (double)sysconf(_SC_CLK_TCK);
	ssize_t len = procstat_slurp("/proc/self/stat", buf, sizeof(buf));

	if (len <= 0 || tick <= 0 || !procstat_parse(buf, (size_t)len, &r))
		return false;
	ps->cpu_seconds = (double)(r.utime + r.stime) / tick;
	ps->start_time = procstat_boot_time() + (double)r.starttime / tick;
	ps->resident_bytes = (double)r.rss * (double)sysconf(_SC_PAGESIZE);
	ps->virtual_bytes = (double)r.vsize;
	ps->virtual_max_bytes = procstat_limit(RLIMIT_AS);
	ps->open_fds = procstat_open_fds();
	ps->max_fds = procstat_limit(RLIMIT_NOFILE);
	return true;
}
