#ifndef HEALTHGATE_VERSION_H
#define HEALTHGATE_VERSION_H

/* The Makefile passes the real version; this is for builds without it. */
#ifndef HEALTHGATE_VERSION
#define HEALTHGATE_VERSION "0.1.0"
#endif

#endif
