#!/bin/sh
# make static: the production binary, BUILD/static/healthgate, built as the
# container image builds it (docker/Dockerfile runs this same script).
#
# libmicrohttpd comes from Debian's source package, so Debian's patches come
# with it, and is built static without HTTPS (Debian's libmicrohttpd.a needs
# gnutls, which has no static build in Debian) and without the parts
# healthgate never calls: POST parsing, authentication, Upgrade, its own
# error messages (healthgate sets no MHD_USE_ERROR_LOG). healthgate is
# linked through the Makefile against it, libev-dev's libev.a and
# libc-ares-dev's libcares.a as a static PIE, with the hardening Debian
# builds its own packages with, and refused unless it needs no loader, no
# shared library and no NSS. -O2, not -Os: it
# costs 24 KB and saves 4.5 % of the CPU per keep-alive request (measured
# with bench/run --compare).
#
# The source package is fetched through an apt setup of its own under
# BUILD/static/apt: deb-src entries made from the system's own deb entries,
# in either sources format, Signed-By kept, so apt verifies them as it does
# its own; /etc/apt and the system's package lists are left alone, and no
# root is needed. It takes the version of the system's libmicrohttpd-dev
# where the sources have it, else the newest they have.
# A stamp records what was built: a second run does no network and no
# rebuild, and only relinks healthgate if its sources changed.
#
# usage: static.sh [libmicrohttpd]    (that word: stop after libmicrohttpd)
# Environment: BUILD (default build); HG_VERSION, the version the binary
# must report (default the Makefile's).
#
# Under BUILD/static: healthgate (stripped, what the image ships), make/
# (the Makefile's tree, the unstripped link), mhd/ (libmicrohttpd), src/,
# apt/, and the logs of each step.
set -eu
cd "$(dirname "$0")/.."

say() { echo "static: $*" >&2; }
die() { say "$*"; exit 1; }

# The same build whatever it is called from: neither the calling make's
# jobs and variables nor compiler flags from the environment reach it.
unset MAKEFLAGS MFLAGS MAKELEVEL CFLAGS CPPFLAGS LDFLAGS LDLIBS
BUILD=${BUILD:-build}
HG_CFLAGS="-O2 -ffunction-sections -fdata-sections -fstack-protector-strong \
-D_FORTIFY_SOURCE=2"
# The two --wrap: c-ares's NSS service lookups, never called (nss_none.c).
HG_LDFLAGS="-static-pie -Wl,--gc-sections -Wl,-z,pack-relative-relocs \
-Wl,-z,relro,-z,now -Wl,--wrap=getservbyname -Wl,--wrap=getservbyport_r"
MHD_CONFIGURE="--disable-shared --enable-static --disable-https \
--disable-curl --disable-doc --disable-examples --disable-nls \
--disable-messages --disable-postprocessor --disable-dauth \
--disable-httpupgrade --disable-thread-names"

./scripts/deps.sh --only gcc libc6-dev make binutils libev-dev \
    libc-ares-dev libjansson-dev dpkg-dev xz-utils

mkdir -p "$BUILD/static"
top=$(cd "$BUILD/static" && pwd)
apt=$top/apt
src=$top/src
mhd=$top/mhd

# apt and apt-cache with the private sources, lists and cache. Options on
# the command line, so nothing in the system's apt.conf.d overrides them.
papt() {
	cmd=$1
	shift
	"$cmd" -o "Dir::Etc::SourceList=$apt/sources.list" \
	    -o "Dir::Etc::SourceParts=$apt/sources.list.d" \
	    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" "$@"
}

# The private sources: a deb-src entry for each of the system's deb entries.
# One-line entries keep their [options] (signed-by=, arch=); deb822 stanzas
# are copied whole (URIs, Suites, Components, Signed-By, even an inline
# key) with their Types set to deb-src, and those without deb are dropped.
private_sources() {
	eval "$(apt-config shell SYS_LIST Dir::Etc::sourcelist/f \
	    SYS_PARTS Dir::Etc::sourceparts/d)"
	rm -rf "$apt"
	mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache"
	for f in "${SYS_LIST:-}" "${SYS_PARTS:-/nonexistent}"/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]\{1,\}/deb-src /p' "$f"
	done >"$apt/sources.list"
	for f in "${SYS_PARTS:-/nonexistent}"/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = "" }
		{
			n = split($0, line, "\n")
			deb = 0
			out = ""
			for (i = 1; i <= n; i++) {
				if (tolower(line[i]) ~ /^types:/) {
					t = " " substr(line[i], 7) " "
					deb = t ~ /[ \t]deb[ \t]/
					line[i] = "Types: deb-src"
				}
				out = out line[i] "\n"
			}
			if (deb)
				printf "%s\n", out
		}' "$f"
	done >"$apt/sources.list.d/deb-src.sources"
	[ -s "$apt/sources.list" ] || [ -s "$apt/sources.list.d/deb-src.sources" ] ||
	    die "no deb entries in the system's apt sources to make deb-src of"
}

# The source version of the system's libmicrohttpd-dev, the candidate (or
# else the installed one), from the local package lists: no network.
want=$(apt-cache show --no-all-versions libmicrohttpd-dev 2>/dev/null |
    awk '/^Version:/ { v = $2 }
	 /^Source:/ && $3 ~ /^\(/ { s = $3; gsub(/[()]/, "", s) }
	 END { print (s != "" ? s : v) }') || want=""
stamp="libmicrohttpd ${want:-newest}; $MHD_CONFIGURE; CFLAGS=$HG_CFLAGS;\
 LDFLAGS=$HG_LDFLAGS"

if [ ! -f "$mhd/lib/libmicrohttpd.a" ] ||
    [ "$(cat "$mhd/.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$src" "$mhd" "$top/make" "$top/healthgate"
	private_sources
	papt apt-get -qq update ||
	    die "apt-get update with the sources in $apt failed"
	have=$(papt apt-cache showsrc --only-source libmicrohttpd 2>/dev/null |
	    sed -n 's/^Version: //p')
	[ -n "$have" ] ||
	    die "no libmicrohttpd source package in the system's sources"
	pkg=libmicrohttpd
	if [ -n "$want" ] && printf '%s\n' "$have" | grep -qxF "$want"; then
		pkg=libmicrohttpd=$want
	elif [ -n "$want" ]; then
		say "libmicrohttpd $want (the system's libmicrohttpd-dev) is" \
		    "not in the sources; taking the newest there"
	fi

	# As root, apt downloads as the user _apt, which must be able to
	# write where the files go.
	mkdir -p "$src"
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$src"
	fi
	(cd "$src" && papt apt-get -q source --only-source "$pkg") \
	    >"$top/source.log" 2>&1 || {
		cat "$top/source.log"
		die "apt-get source $pkg failed"
	}
	tree=""
	for d in "$src"/libmicrohttpd-*/; do
		[ -d "$d" ] && tree=$d
	done
	[ -n "$tree" ] || die "apt-get source $pkg unpacked nothing in $src"
	got=""
	for f in "$src"/libmicrohttpd_*.dsc; do
		got=${f##*/libmicrohttpd_}
		got=${got%.dsc}
	done

	# shellcheck disable=SC2086
	(cd "$tree" &&
	    ./configure -q --prefix="$mhd" $MHD_CONFIGURE CFLAGS="$HG_CFLAGS" &&
	    make -s -j"$(nproc)" -C src/microhttpd install &&
	    make -s -C src/include install) >"$top/libmicrohttpd.log" 2>&1 || {
		tail -n 40 "$top/libmicrohttpd.log"
		die "libmicrohttpd did not build (see $top/libmicrohttpd.log)"
	}
	echo "$got" >"$mhd/.version"
	echo "$stamp" >"$mhd/.stamp"
	say "libmicrohttpd $got from Debian's source package, static," \
	    "HTTP only, in $BUILD/static/mhd"
fi
[ "${1:-}" = libmicrohttpd ] && exit 0

# healthgate through its own Makefile: its warnings (-Werror), version and
# dependency files. "-o .deps-ok" skips the Makefile's deps step, which
# would install the test tools and Debian's HTTPS libmicrohttpd; everything
# this build needs is there already. The private headers come first through
# CPPFLAGS from the environment, which the Makefile appends to.
out=$top/healthgate
log=$top/link.log
fail() {
	# Gone, so that the next run links again and checks again.
	rm -f "$top/make/healthgate" "$out"
	die "$*"
}
CPPFLAGS="-I$mhd/include" make -s -j"$(nproc)" --no-print-directory \
    BUILD="$top/make" -o "$top/make/.deps-ok" "$top/make/healthgate" \
    OPT="$HG_CFLAGS" LDFLAGS="-L$mhd/lib $HG_LDFLAGS" >"$log" 2>&1 || {
	cat "$log"
	fail "healthgate did not build"
}
cat "$log"
install -m 0755 -s "$top/make/healthgate" "$out"

! grep -q 'statically linked applications requires' "$log" ||
    fail "links a glibc function that loads shared libraries (NSS)"
! readelf -lW "$out" | grep -q ' INTERP ' ||
    fail "not static: it asks for a program interpreter"
! readelf -dW "$out" | grep -q '(NEEDED)' ||
    fail "not static: it needs shared libraries"
version=${HG_VERSION:-$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' \
    Makefile)}
got=$("$out" --version) || fail "$out --version failed"
[ "$got" = "healthgate $version" ] ||
    fail "the binary says \"$got\", not \"healthgate $version\""
echo "static: $got, static PIE with libmicrohttpd $(cat "$mhd/.version")," \
    "$(stat -c %s "$out") bytes: $BUILD/static/healthgate"
