#!/bin/sh
# Runs cmocka test binaries; prints their output and exits non-zero if any
# failed.
rc=0
for t in "$@"; do
	"$t" || rc=1
done
exit $rc
