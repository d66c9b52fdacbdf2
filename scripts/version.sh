#!/bin/sh
# Prints healthgate's version: the top entry of CHANGELOG.md ("## X.Y.Z"),
# the one source the Makefile, the image and release scripts and the
# release workflow read.
set -eu
v=$(sed -n 's/^## \([0-9][0-9.]*\).*/\1/p' "$(dirname "$0")/../CHANGELOG.md" |
    head -n 1)
[ -n "$v" ] || { echo "version.sh: no '## X.Y.Z' entry in CHANGELOG.md" >&2; exit 1; }
echo "$v"
