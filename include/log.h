#ifndef HEALTHGATE_LOG_H
#define HEALTHGATE_LOG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One line per event on stderr, never one per request.
 *
 * Callers give an event name and its fields as keys and typed values:
 *
 *	log_kv(LOG_WARN, "check_down", LOG_S("name", name),
 *	    LOG_Q("reason", why), LOG_F("ms", ms, 1));
 *
 * Each value is escaped once, where the line is written: in text mode
 * "TS LEVEL EVENT key=value ..." in logfmt (one quoter, log_put_text), in
 * JSON mode one object with "ts", "level", "event" and a member per field,
 * numbers as numbers; nothing is formatted first and parsed again, so a
 * value may hold anything (quotes, backslashes, newlines, "k=v") and a
 * caller never alters it.
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

/* What a field's value is, and so how it is written. */
enum log_kv_type {
	LOG_KV_END,		/* ends a list (key NULL) */
	LOG_KV_STR,		/* text; quoted in logfmt only when it must be */
	LOG_KV_QSTR,		/* text; always quoted in logfmt (a sentence) */
	LOG_KV_INT,
	LOG_KV_UINT,
	LOG_KV_NUM,		/* a double, with prec decimals (-1: %g) */
};

/* One field. s is n bytes, or up to its NUL when n is LOG_KV_NUL. */
struct log_kv {
	const char	*key;
	enum log_kv_type type;
	const char	*s;		/* STR, QSTR; NULL is "" */
	size_t		 n;
	long long	 i;		/* INT */
	unsigned long long u;		/* UINT */
	double		 d;		/* NUM */
	int		 prec;
};

#define LOG_KV_NUL	((size_t)-1)
#define LOG_S(k, v)	((struct log_kv){ .key = (k), .type = LOG_KV_STR, \
			    .s = (v), .n = LOG_KV_NUL })
#define LOG_SN(k, v, len) ((struct log_kv){ .key = (k), \
			    .type = LOG_KV_STR, .s = (v), .n = (len) })
#define LOG_Q(k, v)	((struct log_kv){ .key = (k), .type = LOG_KV_QSTR, \
			    .s = (v), .n = LOG_KV_NUL })
#define LOG_QN(k, v, len) ((struct log_kv){ .key = (k), \
			    .type = LOG_KV_QSTR, .s = (v), .n = (len) })
#define LOG_I(k, v)	((struct log_kv){ .key = (k), .type = LOG_KV_INT, \
			    .i = (long long)(v) })
#define LOG_U(k, v)	((struct log_kv){ .key = (k), .type = LOG_KV_UINT, \
			    .u = (unsigned long long)(v) })
#define LOG_F(k, v, p)	((struct log_kv){ .key = (k), .type = LOG_KV_NUM, \
			    .d = (double)(v), .prec = (p) })
#define LOG_G(k, v)	LOG_F(k, v, -1)
#define LOG_END		((struct log_kv){ .key = NULL, .type = LOG_KV_END })

/* Also looks again whether stderr is the journal (log_level_prefix). */
void	log_init(enum log_format);

/* One event with its fields, in the order given (at least one). */
#define log_kv(level, event, ...) log_kv_write((level), (event), \
	    (const struct log_kv[]){ __VA_ARGS__, LOG_END })
void	log_kv_write(enum log_level, const char *event,
	    const struct log_kv *kv);

/*
 * Formats one line into buf (always NUL-terminated, truncated to size,
 * never inside an escape). Pure: the log module's tests, its fuzzer and
 * log_kv_write use it.
 */
void	log_format_kv(char *buf, size_t size, enum log_format,
	    const char *ts, enum log_level, const char *event,
	    const struct log_kv *kv);

/*
 * Appends one value as logfmt to buf at *len: bare when it is non-empty
 * UTF-8 without space, '=', '"', '\' or control bytes (and always_quote
 * is false), else in quotes with \" \\ \n \r \t, and \xHH for every
 * other control byte, DEL and byte that is not UTF-8. The one quoter.
 */
void	log_put_text(char *buf, size_t size, size_t *len, const char *s,
	    size_t n, bool always_quote);

/*
 * A refusal to start (a bad flag or variable), which comes before
 * log_init: "healthgate: MSG" as text, or under JSON one object,
 * {"ts":...,"level":"error","event":EVENT,"msg":MSG}. log_format_refusal
 * formats it (pure, like log_format_kv); log_refusal writes it.
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
