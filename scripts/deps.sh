#!/bin/sh
# Installs the Debian packages healthgate builds and tests with, if any is
# missing, plus any named on the command line (only those, after --only).
# Run by the Makefile before the first compile; quiet when all is there
# already.
set -eu

# Extra packages for one target come as arguments (valgrind, clang, ...);
# after --only, just those (the static build needs none of the test tools).
if [ "${1:-}" = --only ]; then
	shift
	PKGS="$*"
else
	PKGS="gcc libc6-dev make pkg-config libmicrohttpd-dev libev-dev libjansson-dev
libc-ares-dev libcmocka-dev curl python3 python3-dnslib procps faketime mandoc $*"
	# promtool checks the /metrics text (test_admission.py).
	PKGS="$PKGS prometheus"
	# Real servers for tcp:// send=/expect= (test_tcp_expect.py): Redis
	# answers PING, aiosmtpd's SMTP server sends a 220 banner.
	PKGS="$PKGS redis-server python3-aiosmtpd"
	# BearSSL for https:// and tls:// checks; openssl for the tests'
	# certificates and s_server (tests/integration/test_tls.py).
	PKGS="$PKGS libbearssl-dev openssl"
	# gRPC: nghttp2 for the check and the listener; grpcio and protobuf
	# as the outside peers, nghttp2-client's h2load and nghttp as the
	# flood (test_grpc*.py).
	PKGS="$PKGS libnghttp2-dev python3-grpcio python3-protobuf nghttp2-client"
	# Outside tools of issue 29: strace and libfiu inject faults
	# (test_fd_limit.py, test_fault_injection.py), a real Prometheus and
	# blackbox exporter scrape and probe (test_prometheus.py), util-linux's
	# prlimit sets limits.
	PKGS="$PKGS strace fiu-utils prometheus-blackbox-exporter util-linux"
	# libmnl: the app's sockets through NETLINK_SOCK_DIAG (traffic.c);
	# HAProxy: the router of tests/lb (make haproxy-test, k8s-test).
	PKGS="$PKGS libmnl-dev haproxy"
	# universal-ctags: scripts/funclen.sh measures functions (make check).
	PKGS="$PKGS universal-ctags"
	# libyaml: plan reads Kubernetes manifests with it (plan_k8s.c).
	PKGS="$PKGS libyaml-dev"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "healthgate: installing missing packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "healthgate: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Several builds may install at once: wait for the other one's lock.
LOCK="-o DPkg::Lock::Timeout=600"
# shellcheck disable=SC2086
$SUDO apt-get $LOCK update -qq
# shellcheck disable=SC2086
$SUDO apt-get $LOCK install -y -qq --no-install-recommends $missing >/dev/null
