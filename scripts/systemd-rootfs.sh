#!/bin/sh
# The Debian bookworm root file system that make systemd-check boots with
# systemd-nspawn: systemd as PID 1, what its tests run inside (curl,
# python3, procps, iproute2), and the packages given (the libraries the
# binary under test loads). Made once with mmdebstrap and kept at DIR; a
# second run finds DIR/.complete naming the same package list and does
# nothing. A half-made tree (a run killed midway) never gets that file,
# so it is removed and made again.
# usage: systemd-rootfs.sh DIR [PACKAGE...]
set -eu
dir=${1:?usage: systemd-rootfs.sh DIR [PACKAGE...]}
shift
suite=bookworm
pkgs=systemd,systemd-sysv,dbus,curl,python3,procps,iproute2
for p in "$@"; do
	pkgs="$pkgs,$p"
done
want="$suite $pkgs"
# About 80 s on a quiet machine; a stalled mirror must not hang CI.
limit=${HEALTHGATE_ROOTFS_TIMEOUT:-900}

if [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$want" ]; then
	echo "systemd-rootfs: $dir is ready ($suite), kept"
	exit 0
fi

command -v mmdebstrap >/dev/null 2>&1 || ./scripts/deps.sh mmdebstrap
rm -rf "$dir" "$dir.tmp"
mkdir -p "$(dirname "$dir")"
echo "systemd-rootfs: mmdebstrap $suite into $dir (once; at most ${limit}s)"
start=$(date +%s)
# Made beside DIR and renamed into place only once complete.
if ! timeout "$limit" mmdebstrap --quiet --variant=apt --include="$pkgs" \
    "$suite" "$dir.tmp"; then
	rm -rf "$dir.tmp"
	echo "systemd-rootfs: mmdebstrap failed or took over ${limit}s" >&2
	exit 1
fi
echo "$want" >"$dir.tmp/.complete"
mv "$dir.tmp" "$dir"
echo "systemd-rootfs: made in $(($(date +%s) - start))s," \
    "$(du -sm "$dir" | cut -f1) MiB"
