#ifndef HEALTHGATE_LOG_H
#define HEALTHGATE_LOG_H

#include <stdbool.h>

/*
 * One line per event on stderr, never one per request.
 *
 * Callers give an event name and logfmt fields ("key=value key2=\"a b\"").
 * In text mode the line is "TS LEVEL EVENT FIELDS"; in JSON mode the same
 * fields become members of one object with "ts", "level" and "event".
 */

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

enum log_format {
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
};

/* Also looks again whether stderr is the journal (log_level_prefix). */
void	log_init(enum log_format);
void	log_event(enum log_level, const char *event, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Formats one line into buf (always NUL-terminated, truncated to size).
 * Pure: the log module's tests and log_event both use it.
 */
void	log_format_line(char *buf, unsigned size, enum log_format,
	    const char *ts, enum log_level, const char *event,
	    const char *fields);

/*
 * A refusal to start (a bad flag or variable), which comes before
 * log_init: "healthgate: MSG" as text, or under JSON one object,
 * {"ts":...,"level":"error","event":EVENT,"msg":MSG}. log_format_refusal
 * formats it (pure, like log_format_line); log_refusal writes it.
 */
void	log_format_refusal(char *buf, unsigned size, enum log_format,
	    const char *ts, const char *event, const char *msg);
void	log_refusal(enum log_format, const char *event, const char *msg);

/*
 * "<6>", "<4>"... (sd-daemon(3)) when stderr is the journal's stream,
 * else "": what starts a line of that level written to stderr. Whether
 * it is the journal is looked up once (log_init looks again), so a line
 * printed before log_init gets it too.
 */
const char *log_level_prefix(enum log_level);

/*
 * Whether env, a JOURNAL_STREAM value ("DEV:INO" in decimal), names the
 * file with that device and inode. Pure.
 */
bool	log_journal_stream_is(const char *env, unsigned long long dev,
	    unsigned long long ino);

#endif
