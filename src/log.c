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

/* Appends s[0..n) to buf at *len, never past size - 1. */
static void
log_put(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	if (*len + 1 >= size)
		return;
	if (n > size - 1 - *len)
		n = size - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

static void
log_puts(char *buf, size_t size, size_t *len, const char *s)
{
	log_put(buf, size, len, s, strlen(s));
}

/* Appends s as the inside of a JSON string (jsonstr.c's escaping). */
static void
log_put_json(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	jsonstr_put(buf, size, len, s, n);
}

/* Whether logfmt can write s[0..n) bare: see log_put_text. */
static bool
log_text_bare(const char *s, size_t n)
{
	size_t k;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i += k) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f)
			return false;
		if ((k = jsonstr_utf8_ok(s + i, n - i)) == 0)
			return false;
	}
	return true;
}

/*
 * One escape or character of a quoted value, whole or not at all, so a
 * cut line never ends inside one. Returns how many bytes of s it took.
 */
static size_t
log_put_quoted_one(char *buf, size_t size, size_t *len, const char *s,
    size_t n)
{
	unsigned char c = (unsigned char)s[0];
	char esc[5];
	size_t k = c < 0x80 ? 1 : jsonstr_utf8_ok(s, n), elen;

	if (c == '"' || c == '\\')
		elen = (size_t)snprintf(esc, sizeof(esc), "\\%c", c);
	else if (c == '\n' || c == '\r' || c == '\t')
		elen = (size_t)snprintf(esc, sizeof(esc), "\\%c",
		    c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
	else if (c < 0x20 || c == 0x7f || k == 0)
		elen = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c);
	else {
		if (*len + k < size)
			log_put(buf, size, len, s, k);
		return k;
	}
	if (*len + elen < size)
		log_put(buf, size, len, esc, elen);
	return 1;
}

void
log_put_text(char *buf, size_t size, size_t *len, const char *s, size_t n,
    bool always_quote)
{
	if (!always_quote && log_text_bare(s, n)) {
		log_put(buf, size, len, s, n);
		return;
	}
	log_put(buf, size, len, "\"", 1);
	for (size_t i = 0; i < n && *len + 2 < size; )
		i += log_put_quoted_one(buf, size, len, s + i, n - i);
	log_put(buf, size, len, "\"", 1);
}

/* A number as text: the same digits in both formats. */
static size_t
log_number(const struct log_kv *kv, char *num, size_t size)
{
	int n;

	if (kv->type == LOG_KV_INT)
		n = snprintf(num, size, "%lld", kv->i);
	else if (kv->type == LOG_KV_UINT)
		n = snprintf(num, size, "%llu", kv->u);
	else if (kv->prec < 0)
		n = snprintf(num, size, "%g", kv->d);
	else
		n = snprintf(num, size, "%.*f", kv->prec, kv->d);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* A JSON number is finite: nan and inf are written as strings. */
static bool
log_number_is_json(const struct log_kv *kv)
{
	return kv->type != LOG_KV_NUM || (kv->d == kv->d &&
	    kv->d - kv->d == 0);
}

static void
log_put_field(char *buf, size_t size, size_t *len, enum log_format fmt,
    const struct log_kv *kv)
{
	const char *s = kv->s ? kv->s : "";
	size_t n = kv->s == NULL ? 0 : kv->n == LOG_KV_NUL ? strlen(s) : kv->n;
	bool text = kv->type == LOG_KV_STR || kv->type == LOG_KV_QSTR;
	char num[64];

	if (!text)
		n = log_number(kv, num, sizeof(num));
	if (fmt == LOG_FORMAT_JSON) {
		log_put(buf, size, len, ",\"", 2);
		log_put_json(buf, size, len, kv->key, strlen(kv->key));
		log_put(buf, size, len, "\":", 2);
		if (!text && log_number_is_json(kv)) {
			log_put(buf, size, len, num, n);
			return;
		}
		log_put(buf, size, len, "\"", 1);
		log_put_json(buf, size, len, text ? s : num, n);
		log_put(buf, size, len, "\"", 1);
		return;
	}
	log_put(buf, size, len, " ", 1);
	log_puts(buf, size, len, kv->key);
	log_put(buf, size, len, "=", 1);
	if (text)
		log_put_text(buf, size, len, s, n, kv->type == LOG_KV_QSTR);
	else
		log_put(buf, size, len, num, n);
}

void
log_format_kv(char *buf, size_t size, enum log_format fmt, const char *ts,
    enum log_level level, const char *event, const struct log_kv *kv)
{
	size_t len = 0;
	const char *lv = level_names[level];

	if (size == 0)
		return;
	buf[0] = '\0';
	if (fmt == LOG_FORMAT_JSON) {
		log_puts(buf, size, &len, "{\"ts\":\"");
		log_put_json(buf, size, &len, ts, strlen(ts));
		log_puts(buf, size, &len, "\",\"level\":\"");
		log_puts(buf, size, &len, lv);
		log_puts(buf, size, &len, "\",\"event\":\"");
		log_put_json(buf, size, &len, event, strlen(event));
		log_put(buf, size, &len, "\"", 1);
	} else {
		log_puts(buf, size, &len, ts);
		log_put(buf, size, &len, " ", 1);
		log_puts(buf, size, &len, lv);
		log_put(buf, size, &len, " ", 1);
		log_puts(buf, size, &len, event);
	}
	for (; kv->key != NULL; kv++)
		log_put_field(buf, size, &len, fmt, kv);
	/* A JSON line cut short still closes its object. */
	if (fmt == LOG_FORMAT_JSON) {
		if (len + 1 >= size && len > 0)
			len--;
		buf[len] = '\0';
		log_put(buf, size, &len, "}", 1);
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
log_kv_write(enum log_level level, const char *event,
    const struct log_kv *kv)
{
	char line[4096], ts[64];

	timestamp(ts, sizeof(ts));
	log_format_kv(line, sizeof(line), log_fmt, ts, level, event, kv);
	fprintf(stderr, "%s%s\n", log_level_prefix(level), line);
}

void
log_format_refusal(char *buf, unsigned size, enum log_format fmt,
    const char *ts, const char *event, const char *msg)
{
	size_t len = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (fmt != LOG_FORMAT_JSON) {
		log_puts(buf, size, &len, "healthgate: ");
		log_puts(buf, size, &len, msg);
		return;
	}
	log_puts(buf, size, &len, "{\"ts\":\"");
	log_put_json(buf, size, &len, ts, strlen(ts));
	log_puts(buf, size, &len, "\",\"level\":\"error\",\"event\":\"");
	log_put_json(buf, size, &len, event, strlen(event));
	log_puts(buf, size, &len, "\",\"msg\":\"");
	log_put_json(buf, size, &len, msg, strlen(msg));
	log_puts(buf, size, &len, "\"}");
}

void
log_refusal(enum log_format fmt, const char *event, const char *msg)
{
	char line[2048], ts[64];

	timestamp(ts, sizeof(ts));
	log_format_refusal(line, sizeof(line), fmt, ts, event, msg);
	fprintf(stderr, "%s%s\n", log_level_prefix(LOG_ERROR), line);
}
