#!/bin/sh
# Runs each fuzz target for FUZZ_SECONDS from its seed corpus
# (tests/fuzz/corpus/NAME, never written to); new inputs go to BUILD/fuzz.
# usage: fuzz.sh BUILD SECONDS TARGET...
set -u
build=$1
secs=$2
shift 2
rc=0
for t in "$@"; do
	new="$build/fuzz/new/$t"
	mkdir -p "$new"
	printf '%-16s ' "$t"
	if "$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=5 \
	    -rss_limit_mb=1024 -print_final_stats=1 "$new" \
	    "tests/fuzz/corpus/$t" >"$build/fuzz/$t.log" 2>&1; then
		# The last status line: executions, coverage, corpus.
		grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$build/fuzz/$t.log" |
		    tail -n 1 | sed 's/^#//'
	else
		echo "FAILED (see $build/fuzz/$t.log)"
		tail -n 30 "$build/fuzz/$t.log"
		rc=1
	fi
done
exit $rc
