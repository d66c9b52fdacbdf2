#!/bin/sh
# Function lengths in src/, measured by universal-ctags: from the line with
# the function's name to its closing brace (--fields=+ne gives both). Only
# functions are measured: const tables (options, findings, routes) are data
# and never counted.
# usage: funclen.sh [-a] [MAX]  prints the functions over MAX lines (default
# 80), longest first, and exits 1 if there is one; -a prints every function
# and a summary (count, median, longest) and exits 0.
set -eu
cd "$(dirname "$0")/.."
all=false
[ "${1:-}" = -a ] && { all=true; shift; }
max=${1:-80}
command -v ctags >/dev/null || ./scripts/deps.sh universal-ctags
ctags --version 2>/dev/null | grep -q 'Universal Ctags' || {
	echo "funclen: needs universal-ctags" >&2; exit 2; }
list=$(find src -name '*.c' | sort |
    xargs ctags --c-kinds=f --fields=+ne -o - |
    awk -F'\t' '{
	line = ""; end = ""
	for (i = 4; i <= NF; i++) {
		if ($i ~ /^line:/) line = substr($i, 6)
		if ($i ~ /^end:/) end = substr($i, 5)
	}
	if (line != "" && end != "")
		printf "%d\t%s:%d\t%s\n", end - line + 1, $2, line, $1
    }' | sort -k1,1nr -k2,2)
if $all; then
	echo "$list"
	echo "$list" | awk -F'\t' '{ n[NR] = $1 } END {
		m = (NR % 2) ? n[(NR + 1) / 2] : (n[NR / 2] + n[NR / 2 + 1]) / 2
		printf "funclen: %d functions, median %s lines, longest %d\n",
		    NR, m, n[1] }'
	exit 0
fi
over=$(echo "$list" | awk -F'\t' -v max="$max" '$1 > max')
if [ -n "$over" ]; then
	echo "funclen: functions in src/ over $max lines:"
	echo "$over"
	exit 1
fi
echo "funclen: no function in src/ over $max lines"
