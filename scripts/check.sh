#!/bin/sh
# make check: every cmocka unit test, then every integration test against
# the real binary. Prints one closing line, "check: N passed, M failed".
# usage: check.sh BUILD_DIR UNIT_TEST...
set -u
build=$1
shift
passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "== unit tests"
for t in "$@"; do
	"$t" >"$out" 2>&1
	rc=$?
	grep -vE '^\[ (RUN|      OK) ' "$out" | grep -E 'FAILED|ERROR|LINE|PASSED' || true
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out")
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	# A binary that crashed or printed no summary counts as one failure.
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		echo "$t: exit $rc"
		failed=$((failed + 1))
	fi
done

echo "== integration tests"
python3 tests/integration/run.py "$build/healthgate" >"$out" 2>&1
rc=$?
cat "$out"
p=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$out")
f=$(sed -n 's/^integration: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$out")
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))
if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
	failed=$((failed + 1))
fi

echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
