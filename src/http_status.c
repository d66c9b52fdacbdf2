/*
 * http_status.c: "HTTP/1.1 200 OK\r\n" to 200.
 */
#include <string.h>

#include "http_status.h"

static int
isdigit_(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
 * Checked byte by byte as far as it has arrived, so a bad prefix is BAD at
 * once instead of waiting for a line end that may never come.
 */
enum http_status_result
http_status_parse(const char *buf, size_t len, unsigned *code)
{
	static const char proto[] = "HTTP/1.";
	size_t i, n = len < sizeof(proto) - 1 ? len : sizeof(proto) - 1;
	const char *eol;

	if (memcmp(buf, proto, n) != 0)
		return HTTP_STATUS_BAD;
	/* "HTTP/1.x NNN": version digit at 7, space at 8, code at 9-11. */
	for (i = 7; i < len && i < 12; i++) {
		if (i == 8 ? buf[i] != ' ' : !isdigit_(buf[i]))
			return HTTP_STATUS_BAD;
	}
	if (len > 12 && buf[12] != ' ' && buf[12] != '\r' && buf[12] != '\n')
		return HTTP_STATUS_BAD;
	eol = memchr(buf, '\n', len < HTTP_STATUS_LINE_MAX ? len :
	    HTTP_STATUS_LINE_MAX);
	if (eol == NULL)
		return len >= HTTP_STATUS_LINE_MAX ? HTTP_STATUS_BAD :
		    HTTP_STATUS_MORE;
	if (eol - buf < 12)
		return HTTP_STATUS_BAD;
	for (const char *p = buf + 12; p < eol; p++) {
		unsigned char c = (unsigned char)*p;

		/* Reason phrase: tabs and obs-text are fine, controls not. */
		if ((c < ' ' && c != '\t' && !(c == '\r' && p + 1 == eol)) ||
		    c == 0x7f)
			return HTTP_STATUS_BAD;
	}
	*code = (unsigned)(buf[9] - '0') * 100 + (unsigned)(buf[10] - '0') *
	    10 + (unsigned)(buf[11] - '0');
	if (*code < 100)
		return HTTP_STATUS_BAD;
	return HTTP_STATUS_DONE;
}
