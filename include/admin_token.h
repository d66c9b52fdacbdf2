#ifndef HEALTHGATE_ADMIN_TOKEN_H
#define HEALTHGATE_ADMIN_TOKEN_H

/*
 * The admin token, read once at start from --admin-token-file. Its text's
 * rules are admin_token_parse()'s (admin.h); this is the file's reading.
 */

#include <stddef.h>

/*
 * Reads path into a new string (the caller frees it). NULL with the
 * reason in err when the file cannot be read or its text is refused.
 */
char	*admin_token_read(const char *path, char *err, size_t errlen);

#endif
