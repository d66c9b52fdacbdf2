#!/bin/sh
# make lint's second half: clang's scan-build over a whole build in DIR
# (--status-bugs: any report fails), its HTML reports kept in DIR/scan.
# usage: scan-build.sh DIR
set -u
dir=$1
rm -rf "$dir/build" "$dir/scan"
mkdir -p "$dir"
if scan-build -o "$dir/scan" --status-bugs \
    make --no-print-directory -B BUILD="$dir/build" all \
    >"$dir/scan-build.log" 2>&1; then
	grep -E '^scan-build: ' "$dir/scan-build.log" | tail -n 1
	echo "lint: clean"
	exit 0
fi
grep -E 'warning:|error:|^scan-build: ' "$dir/scan-build.log"
echo "lint: scan-build found the above (reports in $dir/scan)"
exit 1
