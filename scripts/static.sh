#!/bin/sh
# make static: the production binary for one target architecture (amd64 or
# arm64, TARGET, default this machine's), built as the container image
# builds it (docker/Dockerfile runs this same script, for each platform, in
# a builder of the machine's own architecture: another target is
# cross-compiled, never emulated).
#
# It is linked against musl, not glibc: static glibc alone is about 950 KB,
# the whole musl binary under 400 KB (README, "Container image", has each
# part's cost). musl is built for the target from Debian's source package
# with musl's older malloc (see musl_sysroot: the default one costs 47 %
# more CPU per new connection), and a gcc specs file written here points
# the compiler (gcc, or Debian's gcc-aarch64-linux-gnu /
# gcc-x86-64-linux-gnu cross compiler) at its headers, start files and
# libc.a: no dpkg multiarch, nothing installed for the target.
#
# libev, c-ares, jansson, nghttp2, libmnl, libyaml (plan's Kubernetes
# manifests) and libmicrohttpd come from Debian's source packages too, so
# Debian's patches come with them, at the versions of the
# system's -dev packages, and are built static for the target with that
# compiler:
# libmicrohttpd without HTTPS (Debian's libmicrohttpd.a needs gnutls, which
# has no static build in Debian) and without the parts healthgate never
# calls: POST parsing, authentication, Upgrade, its own error messages
# (healthgate sets no MHD_USE_ERROR_LOG). healthgate is linked through the
# Makefile as a static PIE, and refused unless it needs no loader and no
# shared library. -O2, not -Os: -Os cost 4.5 % of the CPU per keep-alive
# request (measured with bench/run --compare). No _FORTIFY_SOURCE: musl's
# headers have no checked variants, so it would do nothing; no
# -z pack-relative-relocs: musl 1.2.3's self-relocation (rcrt1.o) does not
# read DT_RELR, and the binary crashes before main (tried: SIGSEGV).
#
# The sources are fetched through an apt setup of its own under
# BUILD/static/TARGET/apt: entries made from the system's own deb entries,
# in either sources format, Signed-By kept, so apt verifies them as it does
# its own; /etc/apt and the system's package lists are left alone, and no
# root is needed. A stamp records what was built: a second run does no
# network and no rebuild, and only relinks healthgate if its sources
# changed.
#
# usage: static.sh [libs]    (that word: stop after the libraries)
# Environment: BUILD (default build); TARGET (amd64 or arm64); HG_VERSION,
# the version the binary must report (default CHANGELOG.md's).
#
# Under BUILD/static/TARGET: healthgate (stripped, what the image ships),
# make/ (the Makefile's tree, the unstripped link), musl/ (musl installed,
# the kernel's headers linked in, and the specs file), ev/, cares/,
# jansson/, nghttp2/, mnl/, yaml/, mhd/ (the libraries, each with a
# .version), src/, apt/, and the logs of each step. For this machine's own
# architecture, BUILD/static/healthgate and BUILD/static/mhd are links to
# it (make bench measures that binary).
set -eu
cd "$(dirname "$0")/.."

say() { echo "static: $*" >&2; }
die() { say "$*"; exit 1; }

# The same build whatever it is called from: neither the calling make's
# jobs and variables nor compiler flags from the environment reach it.
unset MAKEFLAGS MFLAGS MAKELEVEL CFLAGS CPPFLAGS LDFLAGS LDLIBS CC
BUILD=${BUILD:-build}
HOST_ARCH=$(dpkg --print-architecture)
TARGET=${TARGET:-$HOST_ARCH}
case $TARGET in
amd64)	gnu=x86_64-linux-gnu ;;
arm64)	gnu=aarch64-linux-gnu ;;
*)	die "TARGET=$TARGET: amd64 or arm64" ;;
esac
# The kernel's uapi headers for the target (linux/, asm/, asm-generic/):
# libmnl and traffic.c speak netlink. musl has none of its own; they are
# linked into its include directory, as Debian's musl-dev does.
if [ "$TARGET" = "$HOST_ARCH" ]; then
	gcc=gcc
	tools="gcc binutils linux-libc-dev"
	kinc=/usr/include
	kasm=/usr/include/$gnu/asm
else
	gcc=$gnu-gcc
	p=$(echo "$gnu" | tr _ -)
	tools="gcc-$p binutils-$p linux-libc-dev-$TARGET-cross"
	kinc=/usr/$gnu/include
	kasm=/usr/$gnu/include/asm
fi
HG_CFLAGS="-O2 -ffunction-sections -fdata-sections -fstack-protector-strong"
# The two --wrap: c-ares's service-name lookups, never called (nss_none.c);
# musl's own would read /etc/services, which the image does not have.
HG_LDFLAGS="-static-pie -Wl,--gc-sections -Wl,-z,relro,-z,now \
-Wl,--wrap=getservbyname -Wl,--wrap=getservbyport_r"
MUSL_CFLAGS="-O2 -ffunction-sections -fdata-sections"
EV_CONFIGURE="--disable-shared --enable-static"
CARES_CONFIGURE="--disable-shared --enable-static --disable-tests"
JANSSON_CONFIGURE="--disable-shared --enable-static"
# nghttp2: the library alone (the gRPC check and listener speak HTTP/2
# through it), none of its tools, which would want OpenSSL and libev.
NGHTTP2_CONFIGURE="--disable-shared --enable-static --enable-lib-only"
MNL_CONFIGURE="--disable-shared --enable-static"
YAML_CONFIGURE="--disable-shared --enable-static"
MHD_CONFIGURE="--disable-shared --enable-static --disable-https \
--disable-curl --disable-doc --disable-examples --disable-nls \
--disable-messages --disable-postprocessor --disable-dauth \
--disable-httpupgrade --disable-thread-names"

# shellcheck disable=SC2086
# pkg-config for its autoconf macros (pkg.m4): nghttp2's configure is
# regenerated and needs PKG_PROG_PKG_CONFIG.
./scripts/deps.sh --only $tools make dpkg-dev xz-utils autoconf automake \
    libtool pkg-config

mkdir -p "$BUILD/static/$TARGET"
top=$(cd "$BUILD/static" && pwd)
t=$top/$TARGET
apt=$t/apt
src=$t/src
sysroot=$t/musl
specs=$sysroot/musl-gcc.specs
CC="$gcc -specs=$specs"

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

# want PKG: the (source) version of the system's package PKG, the candidate
# or else the installed one, from the local package lists: no network.
want() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
	    awk '/^Version:/ { v = $2 }
		 /^Source:/ && $3 ~ /^\(/ { s = $3; gsub(/[()]/, "", s) }
		 END { print (s != "" ? s : v) }' || true
}

# pick LIST NAME WANT: NAME=WANT when WANT is among the versions in LIST,
# else NAME (the newest), said.
pick() {
	if [ -n "$3" ] && printf '%s\n' "$1" | grep -qxF "$3"; then
		echo "$2=$3"
	else
		[ -z "$3" ] || say "$2 $3 (the system's) is not in the" \
		    "sources; taking the newest there"
		echo "$2"
	fi
}

# fetch SOURCE DEVPKG: Debian's source package SOURCE, at the version of the
# system's DEVPKG where the sources have it, unpacked under src/; prints the
# tree and records its version in src/SOURCE.version.
fetch() {
	have=$(papt apt-cache showsrc --only-source "$1" 2>/dev/null |
	    sed -n 's/^Version: //p')
	[ -n "$have" ] || die "no $1 source package in the system's sources"
	pkg=$(pick "$have" "$1" "$(want "$2")")
	(cd "$src" && papt apt-get -q source --only-source "$pkg") \
	    >"$t/source-$1.log" 2>&1 || {
		cat "$t/source-$1.log" >&2
		die "apt-get source $pkg failed"
	}
	tree=""
	for d in "$src/$1"-*/; do
		[ -d "$d" ] && tree=$d
	done
	[ -n "$tree" ] || die "apt-get source $pkg unpacked nothing in $src"
	for f in "$src/$1"_*.dsc; do
		got=${f##*/"$1"_}
		echo "${got%.dsc}" >"$src/$1.version"
	done
	echo "$tree"
}

# musl for the target, built from Debian's source package (the version of
# the system's musl-dev) as Debian builds it (-O2), but with musl's older
# malloc, and the specs file that makes gcc use it: its headers only
# (-nostdinc; gcc's own stddef.h and the like still come from gcc's include
# directory), its start files (rcrt1.o relocates a static PIE itself), its
# libc.a, and no directory of the target's glibc. Not Debian's musl-dev
# binary: its malloc (mallocng) gives each connection's 8 KB pool back to
# the kernel when it is freed, an mmap, a munmap and a madvise per
# connection, which cost 47 % more CPU per new connection than glibc
# (measured with bench/run --compare; the older malloc keeps freed memory,
# as glibc's does).
musl_sysroot() {
	tree=$(fetch musl musl-dev)
	rm -rf "$sysroot"
	(cd "$tree" &&
	    ./configure -q --host="$gnu" --prefix="$sysroot" --disable-shared \
		--with-malloc=oldmalloc CC="$gcc" CFLAGS="$MUSL_CFLAGS" &&
	    make -s -j"$(nproc)" install-headers install-libs) \
	    >"$t/musl.log" 2>&1 || {
		tail -n 40 "$t/musl.log" >&2
		die "musl did not build for $TARGET (see $t/musl.log)"
	}
	inc=$sysroot/include
	lib=$sysroot/lib
	[ -f "$lib/libc.a" ] && [ -f "$lib/rcrt1.o" ] ||
	    die "musl's build left no libc.a or rcrt1.o in $lib"
	cp "$src/musl.version" "$sysroot/.version"
	ln -sfn "$kinc/linux" "$inc/linux"
	ln -sfn "$kasm" "$inc/asm"
	ln -sfn "$kinc/asm-generic" "$inc/asm-generic"
	[ -f "$inc/linux/inet_diag.h" ] && [ -f "$inc/asm/types.h" ] ||
	    die "no kernel headers for $TARGET in $kinc"
	cat >"$specs" <<EOF
%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem $inc -isystem include%s %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem $inc -isystem include%s

*link_libgcc:
-L$lib -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{static-pie:$lib/rcrt1.o;!shared:$lib/Scrt1.o} $lib/crti.o crtbeginS.o%s

*endfile:
crtendS.o%s $lib/crtn.o

*link:
%{static-pie:-static -pie --no-dynamic-linker -z text} -nostdlib %{shared:-shared} %{static:-static} %{rdynamic:-export-dynamic}

EOF
}

# lib NAME PREFIX TREE CONFIGURE-ARGS MAKE-DIRS: configure TREE for the
# target with musl and build and install the directories named (each one
# "make install"s itself) into PREFIX.
lib() {
	name=$1 prefix=$2 tree=$3 conf=$4
	shift 4
	# shellcheck disable=SC2086
	# A source package without a configure script (jansson's) is made
	# ready with autoreconf, as Debian's build does (debhelper 13).
	(cd "$tree" &&
	    { [ -x configure ] || autoreconf -fi; } &&
	    ./configure -q --host="$gnu" --prefix="$prefix" $conf \
		CC="$CC" CFLAGS="$HG_CFLAGS" &&
	    for d in "$@"; do
		make -s -j"$(nproc)" -C "$d" install || exit 1
	    done) >"$t/$name.log" 2>&1 || {
		tail -n 40 "$t/$name.log" >&2
		die "$name did not build for $TARGET (see $t/$name.log)"
	}
}

stamp="target $TARGET ($CC); musl $(want musl-dev) ($MUSL_CFLAGS,\
 oldmalloc); libev $(want libev-dev);\
 c-ares $(want libc-ares-dev); jansson $(want libjansson-dev);\
 nghttp2 $(want libnghttp2-dev); nghttp2: $NGHTTP2_CONFIGURE;\
 libmnl $(want libmnl-dev); mnl: $MNL_CONFIGURE;\
 libyaml $(want libyaml-dev); yaml: $YAML_CONFIGURE;\
 libmicrohttpd $(want libmicrohttpd-dev); ev: $EV_CONFIGURE;\
 cares: $CARES_CONFIGURE; jansson: $JANSSON_CONFIGURE; mhd: $MHD_CONFIGURE;\
 CFLAGS=$HG_CFLAGS; LDFLAGS=$HG_LDFLAGS"

if [ ! -f "$t/mhd/lib/libmicrohttpd.a" ] ||
    [ "$(cat "$t/.stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$src" "$t/ev" "$t/cares" "$t/jansson" "$t/nghttp2" "$t/mnl" \
	    "$t/yaml" \
	    "$t/mhd" \
	    "$t/make" \
	    "$t/healthgate" \
	    "$t/.stamp"
	private_sources
	papt apt-get -qq update ||
	    die "apt-get update with the sources in $apt failed"
	# As root, apt downloads as the user _apt, which must be able to
	# write where the files go.
	mkdir -p "$src"
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$src"
	fi
	musl_sysroot
	ev_tree=$(fetch libev libev-dev)
	cares_tree=$(fetch c-ares libc-ares-dev)
	jansson_tree=$(fetch jansson libjansson-dev)
	nghttp2_tree=$(fetch nghttp2 libnghttp2-dev)
	# libmnl's source is not on every mirror (this build machine's has
	# none): without it healthgate is built with MNL=no, and says at start
	# that it cannot read the app's traffic.
	mnl_tree=$(fetch libmnl libmnl-dev 2>"$t/source-libmnl.err") ||
	    mnl_tree=""
	yaml_tree=$(fetch libyaml libyaml-dev)
	mhd_tree=$(fetch libmicrohttpd libmicrohttpd-dev)

	lib libev "$t/ev" "$ev_tree" "$EV_CONFIGURE" .
	lib c-ares "$t/cares" "$cares_tree" "$CARES_CONFIGURE" src/lib include
	lib jansson "$t/jansson" "$jansson_tree" "$JANSSON_CONFIGURE" src
	lib nghttp2 "$t/nghttp2" "$nghttp2_tree" "$NGHTTP2_CONFIGURE" lib
	if [ -n "$mnl_tree" ]; then
		lib libmnl "$t/mnl" "$mnl_tree" "$MNL_CONFIGURE" src include
		cp "$src/libmnl.version" "$t/mnl/.version"
	else
		say "libmnl's source could not be fetched (see" \
		    "$t/source-libmnl.log): healthgate is built without the" \
		    "app-traffic reader (MNL=no)"
		rm -rf "$t/mnl" "$src/libmnl.version" "$src"/libmnl-*/
	fi
	lib libyaml "$t/yaml" "$yaml_tree" "$YAML_CONFIGURE" src include
	lib libmicrohttpd "$t/mhd" "$mhd_tree" "$MHD_CONFIGURE" \
	    src/microhttpd src/include
	cp "$src/libev.version" "$t/ev/.version"
	cp "$src/c-ares.version" "$t/cares/.version"
	cp "$src/jansson.version" "$t/jansson/.version"
	cp "$src/nghttp2.version" "$t/nghttp2/.version"
	cp "$src/libyaml.version" "$t/yaml/.version"
	cp "$src/libmicrohttpd.version" "$t/mhd/.version"
	echo "$stamp" >"$t/.stamp"
	say "$TARGET: musl $(cat "$sysroot/.version"), libev" \
	    "$(cat "$t/ev/.version"), c-ares $(cat "$t/cares/.version")," \
	    "jansson $(cat "$t/jansson/.version"), nghttp2" \
	    "$(cat "$t/nghttp2/.version"), libmnl" \
	    "$(cat "$t/mnl/.version" 2>/dev/null || echo none)," \
	    "libyaml $(cat "$t/yaml/.version")," \
	    "libmicrohttpd" \
	    "$(cat "$t/mhd/.version") (HTTP only), static," \
	    "from Debian's packages, in $BUILD/static/$TARGET"
fi

# BearSSL (Debian's bearssl source package, at libbearssl-dev's version),
# for the https, tls and grpcs checks: its own Makefile (no configure), the
# static library alone, built with the target's musl compiler. A stage of
# its own, with its own stamp: adding it rebuilt nothing else. Chosen over
# mbedTLS and wolfSSL for its size (docs/images.md has the figures);
# OpenSSL and GnuTLS have no static build here.
bearssl_stamp="bearssl $(want libbearssl-dev); $CC; CFLAGS=$HG_CFLAGS"
if [ ! -f "$t/bearssl/lib/libbearssl.a" ] ||
    [ "$(cat "$t/bearssl/.stamp" 2>/dev/null)" != "$bearssl_stamp" ]; then
	rm -rf "$t/bearssl" "$t/make" "$t/healthgate"
	[ -f "$apt/sources.list" ] || private_sources
	papt apt-get -qq update ||
	    die "apt-get update with the sources in $apt failed"
	mkdir -p "$src"
	if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$src"
	fi
	rm -rf "$src"/bearssl[-_]*
	bearssl_tree=$(fetch bearssl libbearssl-dev)
	(cd "$bearssl_tree" &&
	    make -s -j"$(nproc)" CONF=Unix lib CC="$CC" \
		CFLAGS="$HG_CFLAGS -fPIC" AR="$gnu-ar" &&
	    mkdir -p "$t/bearssl/lib" "$t/bearssl/include" &&
	    cp build/libbearssl.a "$t/bearssl/lib/" &&
	    cp inc/*.h "$t/bearssl/include/") >"$t/bearssl.log" 2>&1 || {
		tail -n 40 "$t/bearssl.log" >&2
		die "bearssl did not build for $TARGET (see $t/bearssl.log)"
	}
	cp "$src/bearssl.version" "$t/bearssl/.version"
	echo "$bearssl_stamp" >"$t/bearssl/.stamp"
	say "$TARGET: bearssl $(cat "$t/bearssl/.version"), static, from" \
	    "Debian's package, in $BUILD/static/$TARGET/bearssl"
fi
[ "${1:-}" = libs ] && exit 0

# healthgate through its own Makefile: its warnings (-Werror), version and
# dependency files. "-o .deps-ok" skips the Makefile's deps step, which
# would install the test tools and Debian's HTTPS libmicrohttpd; everything
# this build needs is there already. The libraries' headers come first
# through CPPFLAGS from the environment, which the Makefile appends to, as
# system headers (-isystem), as Debian's are: healthgate's warnings are
# errors, theirs are not healthgate's (libev's ev.h macros trip
# -Wstrict-aliasing at -O2).
out=$t/healthgate
log=$t/link.log
fail() {
	# Gone, so that the next run links again and checks again.
	rm -f "$t/make/healthgate" "$out"
	die "$*"
}
inc="-isystem $t/mhd/include -isystem $t/ev/include -isystem $t/cares/include \
-isystem $t/jansson/include -isystem $t/nghttp2/include -isystem $t/mnl/include \
-isystem $t/yaml/include"
libs="-L$t/mhd/lib -L$t/ev/lib -L$t/cares/lib -L$t/jansson/lib \
-L$t/nghttp2/lib -L$t/mnl/lib -L$t/yaml/lib"
inc="$inc -isystem $t/bearssl/include"
libs="$libs -L$t/bearssl/lib"
version=${HG_VERSION:-$(./scripts/version.sh)}
mnl=no
[ -f "$t/mnl/lib/libmnl.a" ] && mnl=yes
CPPFLAGS="$inc" make -s -j"$(nproc)" --no-print-directory \
    BUILD="$t/make" -o "$t/make/.deps-ok" "$t/make/healthgate" \
    VERSION="$version" MNL="$mnl" \
    CC="$CC" OPT="$HG_CFLAGS" LDFLAGS="$libs $HG_LDFLAGS" >"$log" 2>&1 || {
	cat "$log"
	fail "healthgate did not build for $TARGET"
}
cat "$log"
"$gnu-strip" -o "$out" "$t/make/healthgate" ||
    fail "$gnu-strip failed"
chmod 0755 "$out"

! readelf -lW "$out" | grep -q ' INTERP ' ||
    fail "not static: it asks for a program interpreter"
! readelf -dW "$out" | grep -q '(NEEDED)' ||
    fail "not static: it needs shared libraries"
machine=$(readelf -hW "$out" | sed -n 's/^ *Machine: *//p')
case $TARGET:$machine in
amd64:*X86-64* | arm64:*AArch64*) ;;
*) fail "built for \"$machine\", not $TARGET" ;;
esac
if [ "$TARGET" = "$HOST_ARCH" ]; then
	got=$("$out" --version) || fail "$out --version failed"
	# From a git checkout the line ends with the commit.
	case $got in
	"healthgate $version" | "healthgate $version ("*) ;;
	*) fail "the binary says \"$got\", not \"healthgate $version\"" ;;
	esac
	ln -sfn "$TARGET/healthgate" "$top/healthgate"
	ln -sfn "$TARGET/mhd" "$top/mhd"
else
	# Not run here (that would need emulation); make image-test runs it
	# under qemu-user. The version it was built with is in its data.
	grep -qaF "$version" "$out" ||
	    fail "the binary does not hold the version string $version"
fi
echo "static: healthgate $version for $TARGET, static PIE with musl" \
    "$(cat "$sysroot/.version"), libev $(cat "$t/ev/.version"), c-ares" \
    "$(cat "$t/cares/.version"), jansson $(cat "$t/jansson/.version")," \
    "nghttp2 $(cat "$t/nghttp2/.version"), libmnl" \
    "$(cat "$t/mnl/.version" 2>/dev/null || echo "none (MNL=no)")," \
    "libyaml $(cat "$t/yaml/.version")," \
    "libmicrohttpd $(cat "$t/mhd/.version")," \
    "$(stat -c %s "$out") bytes: $BUILD/static/$TARGET/healthgate"

# The licences of what the binary holds, for the image's /licenses/:
# healthgate's own and each source package's debian/copyright (musl and
# every library built above), and the LGPL's text, which libmicrohttpd's
# notice names rather than holds. libgcc's runtime exception asks for no
# notice in a compiled program, and its 68 KB are left out.
licenses=$t/licenses
rm -rf "$licenses"
mkdir -p "$licenses"
cp LICENSE "$licenses/healthgate" || fail "no LICENSE to ship"
for v in "$src"/*.version; do
	name=${v##*/}
	name=${name%.version}
	for d in "$src/$name"-*/; do
		[ -f "$d/debian/copyright" ] &&
		    cp "$d/debian/copyright" "$licenses/$name"
	done
	[ -f "$licenses/$name" ] || fail "no debian/copyright in $name's source"
done
if grep -q 'LGPL-2.1' "$licenses"/*; then
	cp /usr/share/common-licenses/LGPL-2.1 "$licenses/LGPL-2.1" ||
	    fail "no /usr/share/common-licenses/LGPL-2.1"
fi
echo "static: licences of $(ls "$licenses" | tr '\n' ' ')in $licenses"
