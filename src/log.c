/*
 * log.c: event lines on stderr, as text or JSON.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "clock.h"
#include "jsonstr.h"
#include "log.h"

static enum log_format log_fmt = LOG_FORMAT_TEXT;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

/*
 * Whether stderr is the journal: -1 not yet known. When it is, each line
 * starts with its syslog level as sd-daemon(3) describes ("<4>"), which
 * journald takes as the line's priority and strips; without it every
 * line is priority 6 and `journalctl -p warning` shows nothing.
 */
static int log_journal = -1;

/* sd-daemon(3)'s SD_DEBUG, SD_INFO, SD_WARNING, SD_ERR, by enum log_level. */
static const char *const level_prefixes[] = { "<7>", "<6>", "<4>", "<3>" };

bool
log_journal_stream_is(const char *env, unsigned long long dev,
    unsigned long long ino)
{
	unsigned long long d, i;
	char *end;

	/* "DEV:INO", both decimal (systemd.exec(5)); nothing else matches. */
	if (env == NULL || *env < '0' || *env > '9')
		return false;
	d = strtoull(env, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	i = strtoull(end + 1, &end, 10);
	return *end == '\0' && d == dev && i == ino;
}

/*
 * systemd sets JOURNAL_STREAM for the stream it connected, and children
 * inherit it after redirecting stderr (an exec: check's stderr is our
 * pipe; `healthgate 2>file` under a unit), so only fd 2's own device
 * and inode count.
 */
static int
journal_detect(void)
{
	struct stat st;

	if (fstat(2, &st) != 0)
		return 0;
	return log_journal_stream_is(getenv("JOURNAL_STREAM"),
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
}

const char *
log_level_prefix(enum log_level level)
{
	if (log_journal < 0)
		log_journal = journal_detect();
	return log_journal ? level_prefixes[level] : "";
}

void
log_init(enum log_format fmt)
{
	log_fmt = fmt;
	log_journal = journal_detect();
}

/* Appends to buf at *len, never past size - 1. */
static void
put(char *buf, unsigned size, unsigned *len, const char *s, unsigned n)
{
	if (*len + 1 >= size)
		return;
	if (n > size - 1 - *len)
		n = size - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/* Appends s as the inside of a JSON string (jsonstr.c's escaping). */
static void
put_json(char *buf, unsigned size, unsigned *len, const char *s, unsigned n)
{
	size_t at = *len;

	jsonstr_put(buf, size, &at, s, n);
	*len = (unsigned)at;
}

/* A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)? */
static bool
is_number(const char *s, unsigned n)
{
	unsigned i = 0, start;

	if (i < n && s[i] == '-')
		i++;
	start = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == start || (s[start] == '0' && i - start > 1))
		return false;
	if (i < n && s[i] == '.') {
		start = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	return i == n;
}

/*
 * Turns logfmt fields into JSON members. A value is either "quoted" (with
 * \" inside) or runs to the next space; a token without '=' is kept under
 * the key "msg".
 */
static void
put_fields_json(char *buf, unsigned size, unsigned *len, const char *f)
{
	while (*f) {
		const char *key, *val, *eq;
		unsigned klen, vlen;

		while (*f == ' ')
			f++;
		if (!*f)
			break;
		key = f;
		while (*f && *f != ' ' && *f != '=')
			f++;
		eq = f;
		if (*eq != '=') {
			put(buf, size, len, ",\"msg\":\"", 8);
			put_json(buf, size, len, key, (unsigned)(eq - key));
			put(buf, size, len, "\"", 1);
			continue;
		}
		klen = (unsigned)(eq - key);
		f++;
		put(buf, size, len, ",\"", 2);
		put_json(buf, size, len, key, klen);
		put(buf, size, len, "\":", 2);
		if (*f == '"') {
			val = ++f;
			while (*f && !(*f == '"' && f[-1] != '\\'))
				f++;
			vlen = (unsigned)(f - val);
			if (*f == '"')
				f++;
			put(buf, size, len, "\"", 1);
			/* Drop the backslash of \" before re-escaping. */
			for (unsigned i = 0; i < vlen; i++) {
				if (val[i] == '\\' && i + 1 < vlen &&
				    val[i + 1] == '"')
					continue;
				put_json(buf, size, len, &val[i], 1);
			}
			put(buf, size, len, "\"", 1);
			continue;
		}
		val = f;
		while (*f && *f != ' ')
			f++;
		vlen = (unsigned)(f - val);
		/* Plain numbers stay numbers, for log queries. */
		if (is_number(val, vlen)) {
			put(buf, size, len, val, vlen);
			continue;
		}
		put(buf, size, len, "\"", 1);
		put_json(buf, size, len, val, vlen);
		put(buf, size, len, "\"", 1);
	}
}

void
log_format_line(char *buf, unsigned size, enum log_format fmt,
    const char *ts, enum log_level level, const char *event,
    const char *fields)
{
	unsigned len = 0;
	const char *lv = level_names[level];

	if (size == 0)
		return;
	buf[0] = '\0';
	if (fmt == LOG_FORMAT_JSON) {
		put(buf, size, &len, "{\"ts\":\"", 7);
		put_json(buf, size, &len, ts, (unsigned)strlen(ts));
		put(buf, size, &len, "\",\"level\":\"", 11);
		put(buf, size, &len, lv, (unsigned)strlen(lv));
		put(buf, size, &len, "\",\"event\":\"", 11);
		put_json(buf, size, &len, event, (unsigned)strlen(event));
		put(buf, size, &len, "\"", 1);
		put_fields_json(buf, size, &len, fields);
		put(buf, size, &len, "}", 1);
	} else {
		put(buf, size, &len, ts, (unsigned)strlen(ts));
		put(buf, size, &len, " ", 1);
		put(buf, size, &len, lv, (unsigned)strlen(lv));
		put(buf, size, &len, " ", 1);
		put(buf, size, &len, event, (unsigned)strlen(event));
		if (*fields) {
			put(buf, size, &len, " ", 1);
			put(buf, size, &len, fields, (unsigned)strlen(fields));
		}
	}
}

/* Now, as every line prints it: UTC with milliseconds. */
static void
timestamp(char *ts, size_t size)
{
	struct timespec now;

	clock_wall(&now);	/* printed, never subtracted */
	clock_format_wall(now.tv_sec, (unsigned)(now.tv_nsec / 1000000), ts,
	    size);
}

void
log_event(enum log_level level, const char *event, const char *fmt, ...)
{
	char fields[1024], line[2048], ts[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fields, sizeof(fields), fmt, ap);
	va_end(ap);

	timestamp(ts, sizeof(ts));
	log_format_line(line, sizeof(line), log_fmt, ts, level, event, fields);
	fprintf(stderr, "%s%s\n", log_level_prefix(level), line);
}

void
log_format_refusal(char *buf, unsigned size, enum log_format fmt,
    const char *ts, const char *event, const char *msg)
{
	unsigned len = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (fmt != LOG_FORMAT_JSON) {
		put(buf, size, &len, "healthgate: ", 12);
		put(buf, size, &len, msg, (unsigned)strlen(msg));
		return;
	}
	put(buf, size, &len, "{\"ts\":\"", 7);
	put_json(buf, size, &len, ts, (unsigned)strlen(ts));
	put(buf, size, &len, "\",\"level\":\"error\",\"event\":\"", 27);
	put_json(buf, size, &len, event, (unsigned)strlen(event));
	put(buf, size, &len, "\",\"msg\":\"", 9);
	put_json(buf, size, &len, msg, (unsigned)strlen(msg));
	put(buf, size, &len, "\"}", 2);
}

void
log_refusal(enum log_format fmt, const char *event, const char *msg)
{
	char line[2048], ts[64];

	timestamp(ts, sizeof(ts));
	log_format_refusal(line, sizeof(line), fmt, ts, event, msg);
	fprintf(stderr, "%s%s\n", log_level_prefix(LOG_ERROR), line);
}
