#!/bin/sh
# make lint: two static analysers over every source, clean or it fails.
# 1. gcc -fanalyzer, each src/*.c on its own (two at a time);
# 2. clang's scan-build over a whole build in BUILD/lint (--status-bugs:
#    any report fails), its HTML reports kept in BUILD/lint/scan.
# A false positive is silenced at its line with the reason (lint.h).
# usage: lint.sh BUILD   (CPPFLAGS and WARN from the Makefile's environment)
set -u
build=$1
out="$build/lint"
rm -rf "$out"
mkdir -p "$out"
rc=0

echo "== gcc -fanalyzer"
# -O1 as a release build inlines; each file's warnings are errors.
ls src/*.c | xargs -P 2 -I{} sh -c \
    'gcc $CPPFLAGS -std=c11 -O1 $WARN -fanalyzer -c -o /dev/null {} \
	2>"$0/$(basename {}).gcc" || echo "{}: analyzer findings"' "$out" |
    tee "$out/gcc.failed"
cat "$out"/*.gcc
[ -s "$out/gcc.failed" ] && rc=1

echo "== scan-build"
if ! scan-build -o "$out/scan" --status-bugs \
    make --no-print-directory -B BUILD="$out/build" all \
    >"$out/scan-build.log" 2>&1; then
	grep -E 'warning:|scan-build:' "$out/scan-build.log"
	rc=1
fi
grep -E '^scan-build: ' "$out/scan-build.log" | tail -n 2
[ $rc -eq 0 ] && echo "lint: clean"
exit $rc
