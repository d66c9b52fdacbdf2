#!/bin/sh
# The systemd unit, checked as systemd would load it: `systemd-analyze
# verify` clean, and `systemd-analyze security --offline=true` at an
# exposure of 1.5 or less (prints the figure); then for real, under a
# systemd booted as PID 1 in a container (tests/systemd/nspawn_check.py,
# as root; the container's root file system is kept in BUILD/systemd).
# usage: systemd-check.sh [BINARY]   (default build/healthgate)
set -u
cd "$(dirname "$0")/.." || exit 1
unit=systemd/healthgate.service
bin=${1:-build/healthgate}
limit=1.5

# Debian's systemd package brings systemd-analyze; it runs without systemd
# being PID 1, as in a container.
./scripts/deps.sh systemd systemd-container mmdebstrap
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "systemd-check: no systemd-analyze (package systemd)" >&2
	exit 1
fi
if [ ! -x "$bin" ]; then
	echo "systemd-check: $bin not built" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0

# verify insists that ExecStart exists, and /usr/local/bin/healthgate is
# not installed here: check a copy that differs in that one line only,
# pointing at the binary just built.
abs=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
sed "s|^ExecStart=/usr/local/bin/healthgate|ExecStart=$abs|" "$unit" \
    >"$tmp/healthgate.service"
if ! grep -q "^ExecStart=$abs\$" "$tmp/healthgate.service"; then
	echo "systemd-check: $unit has no ExecStart=/usr/local/bin/healthgate" >&2
	exit 1
fi
# Output about other units (the host's own) is shown, but only lines
# about this one, or a failed verify, count.
# Documentation=man:healthgate(8) must resolve: verify asks man(1) for
# it, here from the page in the tree, as `make install` puts it.
mkdir -p "$tmp/man/man8"
cp docs/healthgate.8 "$tmp/man/man8/"
MANPATH=$tmp/man systemd-analyze verify "$tmp/healthgate.service" \
    >"$tmp/verify" 2>&1
vrc=$?
cat "$tmp/verify"
if [ "$vrc" -ne 0 ] || grep -q 'healthgate\.service' "$tmp/verify"; then
	echo "systemd-check: systemd-analyze verify $unit: not clean"
	rc=1
else
	echo "systemd-check: systemd-analyze verify $unit: clean" \
	    "(ExecStart=$abs)"
fi

# The real file: offline, ExecStart's path does not matter.
systemd-analyze security --offline=true "$unit" >"$tmp/security" 2>&1
# What still counts against it ("✗", or "-" without UTF-8).
grep -E '^(✗|-) ' "$tmp/security"
exposure=$(sed -n \
    's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p' \
    "$tmp/security")
if [ -z "$exposure" ]; then
	cat "$tmp/security"
	echo "systemd-check: no exposure figure from systemd-analyze security"
	exit 1
fi
if awk -v e="$exposure" -v l="$limit" 'BEGIN { exit !(e <= l) }'; then
	echo "systemd-check: exposure $exposure (limit $limit): OK"
else
	echo "systemd-check: exposure $exposure (limit $limit): too high"
	rc=1
fi

# systemd-nspawn needs root; the test runs everything inside the
# container's own network namespace, which holds only its loopback.
if [ "$(id -u)" -ne 0 ]; then
	echo "systemd-check: the real-systemd part needs root (systemd-nspawn)"
	exit 1
fi
python3 tests/systemd/nspawn_check.py "$(dirname "$abs")" || rc=1
exit $rc
