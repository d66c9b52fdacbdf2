#!/bin/sh
# make image-test: builds docker/Dockerfile with buildah into one manifest
# list for PLATFORMS (default linux/amd64,linux/arm64) and checks each
# image, printing each figure:
#
#   the manifest list holds exactly those platforms; each image: numeric
#   non-root user, a HEALTHCHECK, OCI labels, one file (/healthgate, so
#   FROM scratch), a static binary of the platform's architecture, size
#   within 1 MiB;
#   linux/arm64, which this machine cannot run: its binary, taken out of
#   the image, run under qemu-aarch64-static (qemu-user, no binfmt):
#   --version, /health, a check, a drain (tests/image/test_qemu.py);
#   linux/amd64, run for real with podman (vfs storage, runc, as
#   ../shared/notes/containers.md does it): --version, no shell; on the
#   host network, on a free loopback port: /health answers 200 within
#   100 ms of the container's start, the process runs as 65532:65532, and
#   `podman stop` with no prober ends it with exit code 0 in under 2 s; in
#   a network namespace of its own, with the image's defaults: `podman
#   healthcheck run` passes (its HEALTHCHECK probes /live), and `podman
#   exec ... /healthgate ctl status` and `ctl maintenance on` work with no
#   flag (/health then fails); names: checks
#   by a name from --add-host and one from a nameserver (--dns) this script
#   runs on loopback, both up.
#
# Exits 1 if any check fails; removes the containers it made in any case.
# Needs root (apt-get, podman); installs buildah, podman, runc, mmdebstrap
# and qemu-user-static when missing. Every wait is bounded.
set -u
cd "$(dirname "$0")/.." || exit 1

VERSION=$(./scripts/version.sh)
IMAGE=${IMAGE:-localhost/healthgate:$VERSION}
PLATFORMS=${PLATFORMS:-linux/amd64,linux/arm64}
SIZE_MAX=1048576		# bytes: the budget, each image
START_MAX_MS=100		# container start to /health 200
STOP_MAX_MS=2000		# podman stop to exit, no prober

fails=0
checks=0
ok()   { checks=$((checks + 1)); echo "image-test: ok    $*"; }
bad()  { checks=$((checks + 1)); fails=$((fails + 1))
	 echo "image-test: FAIL  $*"; }
info() { echo "image-test:       $*"; }
die()  { echo "image-test: $*" >&2; exit 1; }
# One check from the status of the test before it: report $? OK_TEXT BAD_TEXT
report() { if [ "$1" -eq 0 ]; then ok "$2"; else bad "$3"; fi; }

./scripts/deps.sh buildah podman runc mmdebstrap binutils file \
    qemu-user-static ||
    die "cannot install buildah, podman, runc, mmdebstrap, qemu-user-static"

work=$(mktemp -d "${TMPDIR:-/tmp}/healthgate-image-test.XXXXXX")
name=healthgate-test-$$
poller=""
cleanup() {
	[ -n "$poller" ] && kill "$poller" 2>/dev/null
	for c in "$name-amd64" "$name-arm64" "$name-net" "$name-own" \
	    "$name-dns" "$name-tls"; do
		timeout 30 podman --storage-driver vfs rm -f -t 0 "$c" \
		    >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. scripts/containers.sh
containers_conf "$work/containers.conf"
# podman, bounded; its complaints (no systemd for healthcheck timers here)
# go to a file, shown when a check needs them.
pm() { timeout 60 podman --storage-driver vfs "$@" 2>>"$work/podman.err"; }
# The container's own log lines, which podman logs writes to stderr.
pm_logs() { timeout 30 podman --storage-driver vfs logs "$1" 2>&1; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# --- build -----------------------------------------------------------------
t0=$(date +%s%N)
BUILDER=buildah IMAGE=$IMAGE PLATFORMS=$PLATFORMS ./scripts/image.sh \
    >"$work/build.log" 2>&1 || {
	tail -40 "$work/build.log"
	die "FAIL  the image did not build"
}
ok "built $IMAGE for $PLATFORMS with buildah in" \
    "$(($(ms_since "$t0") / 1000)) s"

# --- the manifest list -----------------------------------------------------
# One line per image in the list: OS/ARCH DIGEST.
timeout 60 buildah --storage-driver vfs manifest inspect "$IMAGE" \
    >"$work/list.json" 2>>"$work/podman.err"
python3 - "$work/list.json" >"$work/list" <<'EOF'
import json, sys
for m in json.load(open(sys.argv[1])).get("manifests", []):
    p = m.get("platform", {})
    print("%s/%s %s" % (p.get("os"), p.get("architecture"), m["digest"]))
EOF
got=$(cut -d' ' -f1 "$work/list" | sort | tr '\n' ',')
want=$(echo "$PLATFORMS" | tr , '\n' | sort | tr '\n' ',')
[ -n "$got" ] && [ "$got" = "$want" ]
report $? "manifest list $IMAGE: ${got%,}" \
    "manifest list $IMAGE holds \"${got%,}\", want \"${want%,}\""

# --- each image, inspected ---------------------------------------------------
repo=${IMAGE%:*}
label() {
	pm image inspect --format \
	    "{{index .Labels \"org.opencontainers.image.$1\"}}" "$ref"
}
# inspect ARCH REF: the image REF, which is ARCH's.
inspect() {
	arch=$1 ref=$2
	user=$(pm image inspect --format '{{.Config.User}}' "$ref")
	[ "$user" = "65532:65532" ]
	report $? "$arch: user $user (numeric, non-root)" \
	    "$arch: user \"$user\", want 65532:65532"

	pm image inspect --format '{{json .HealthCheck}}' "$ref" >"$work/hc.json"
	hc=$(python3 - "$work/hc.json" <<'EOF'
import json, sys
h = json.load(open(sys.argv[1])) or {}
t = h.get("Test") or []
if t[:2] == ["CMD", "/healthgate"]:
    s = lambda ns: "%gs" % (ns / 1e9)
    print("%s, every %s, timeout %s, start period %s, retries %d" % (
        " ".join(t[1:]), s(h["Interval"]), s(h["Timeout"]),
        s(h["StartPeriod"]), h["Retries"]))
EOF
)
	[ -n "$hc" ]
	report $? "$arch: HEALTHCHECK $hc" \
	    "$arch: no HEALTHCHECK running /healthgate"

	lv=$(label version)
	ls=$(label source)
	ll=$(label licenses)
	[ "$lv" = "$VERSION" ] && [ -n "$ls" ] && [ -n "$(label description)" ] &&
	    [ -n "$ll" ]
	rev=$(label revision)
	report $? "$arch: OCI labels: version $lv, source $ls, revision $rev, licenses $ll" \
	    "$arch: OCI labels: version \"$lv\" (want $VERSION), source \"$ls\", licenses \"$ll\"; description?"

	size=$(pm image inspect --format '{{.Size}}' "$ref")
	size_mib=$(awk -v b="${size:-0}" 'BEGIN { printf "%.2f", b / 1048576 }')
	[ "${size:-0}" -gt 0 ] && [ "$size" -le "$SIZE_MAX" ]
	report $? "$arch: image size $size bytes ($size_mib MiB): within 1 MiB" \
	    "$arch: image size ${size:-unknown} bytes ($size_mib MiB), budget 1 MiB"

	# Created, never started: an arm64 container is only files here.
	pm create --name "$name-$arch" "$ref" >/dev/null
	files=$(pm export "$name-$arch" | tar -tf - | grep -v '^licenses/' |
	    tr '\n' ' ')
	[ "$files" = "healthgate " ]
	report $? "$arch: the image holds one program: /healthgate" \
	    "$arch: the image holds more than /healthgate and /licenses/: $files"
	# The licences: healthgate's, one per source package the static build
	# fetches (scripts/static.sh's "fetch SOURCE" lines), the LGPL's text;
	# libmnl only where its source could be had (else the build is MNL=no
	# and links none of it).
	have=$(pm export "$name-$arch" | tar -tf - | sed -n 's|^licenses/||p' |
	    grep -v '^$' | sort | tr '\n' ' ')
	want=$( (echo healthgate; echo LGPL-2.1
	    sed -n 's/.*$(fetch \([a-z0-9-]*\) .*/\1/p' scripts/static.sh) |
	    sort -u | tr '\n' ' ')
	[ "$have" = "$want" ] || [ "$have" = "$(echo "$want" | sed 's/libmnl //')" ]
	report $? "$arch: /licenses/ holds $have" \
	    "$arch: /licenses/ holds \"$have\", want \"$want\""
	bin=$work/healthgate-$arch
	pm cp "$name-$arch:/healthgate" "$bin"
	pm rm "$name-$arch" >/dev/null
	if [ ! -f "$bin" ]; then
		bad "$arch: could not copy /healthgate out of the image"
		return
	fi
	kind=$(file -b "$bin" | cut -d, -f1-5)
	machine=$(readelf -hW "$bin" | sed -n 's/^ *Machine: *//p')
	case $arch:$machine in
	amd64:*X86-64* | arm64:*AArch64*) right=yes ;;
	*) right=no ;;
	esac
	if readelf -lW "$bin" | grep -q ' INTERP ' ||
	    readelf -dW "$bin" | grep -q '(NEEDED)'; then
		bad "$arch: binary is dynamic: $kind"
	elif [ "$right" = no ]; then
		bad "$arch: binary is for \"$machine\": $kind"
	else
		ok "$arch: binary is static, $machine, no interpreter," \
		    "no shared library: $kind; $(stat -c %s "$bin") bytes"
	fi
}

amd64=""
while read -r platform digest; do
	arch=${platform#linux/}
	inspect "$arch" "$repo@$digest" </dev/null
	[ "$arch" = amd64 ] && amd64=$repo@$digest
done <"$work/list"

# --- linux/arm64: its binary under qemu-user ----------------------------------
if [ -f "$work/healthgate-arm64" ]; then
	if HEALTHGATE_BIN="$work/healthgate-arm64" \
	    HEALTHGATE_WRAP=qemu-aarch64-static timeout 120 \
	    python3 tests/image/test_qemu.py "$VERSION" >"$work/qemu.log" 2>&1
	then
		ok "arm64: under qemu-aarch64-static: --version, /health," \
		    "a check up, down and up, a drain ended by a prober's" \
		    "503s (tests/image/test_qemu.py)"
	else
		bad "arm64: under qemu-aarch64-static (tests/image/test_qemu.py):"
		cat "$work/qemu.log"
	fi
elif grep -q arm64 "$work/list"; then
	bad "arm64: no binary to run under qemu"
fi

# --- linux/amd64, run for real ----------------------------------------------
if [ -z "$amd64" ]; then
	echo "image-test: $((checks - fails)) passed, $fails failed" \
	    "(no linux/amd64 image to run)"
	[ "$fails" -eq 0 ]
	exit
fi
IMAGE=$amd64
got=$(pm run --rm --no-healthcheck "$IMAGE" --version)
[ "$got" = "healthgate $VERSION" ]
report $? "amd64: --version says \"$got\"" \
    "amd64: --version says \"$got\", want \"healthgate $VERSION\""

pm run --rm --no-healthcheck --entrypoint /bin/sh "$IMAGE" -c true
rc=$?
why=$(grep -o 'stat /bin/sh: [^:]*' "$work/podman.err" | tail -1)
[ "$rc" -ne 0 ]
report $? "amd64: no shell: --entrypoint /bin/sh exits $rc ($why)" \
    "amd64: --entrypoint /bin/sh ran (exit 0)"

# --- on the host network: start, /health, uid, stop --------------------------
# Start time: a client polls /health from outside every ~0.2 ms from before
# `podman run`. The figure, checked against the budget, is from the start of
# the container to the first 200 that client received. The start is
# podman's StartedAt (stamped when `runc start` returns, that is when
# /healthgate is exec'd), or the daemon's own "start" line (logged once it
# listens, so after the exec) when that is earlier. Shown beside it: the
# whole life of the container's process at that 200, from its start as the
# kernel counts it (/proc/PID/stat: the fork of runc's init, which sets up
# the namespaces and waits for podman before it execs /healthgate; a clock
# tick, 10 ms, of resolution), an upper bound that is mostly runtime
# set-up, not healthgate's, and varies with the load on the machine.
port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/poll.py" <<'EOF'
import socket, sys, time
port, ready = int(sys.argv[1]), sys.argv[2]
req = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
open(ready, "w").close()
end = time.monotonic() + 20
while time.monotonic() < end:
    try:
        s = socket.create_connection(("127.0.0.1", port), 1)
    except OSError:
        time.sleep(0.0002)
        continue
    try:
        s.sendall(req)
        head = s.recv(16)
    except OSError:
        head = b""
    s.close()
    if head.startswith(b"HTTP/1.1 200"):
        print(time.clock_gettime(time.CLOCK_BOOTTIME))
        sys.exit(0)
sys.exit(1)
EOF
timeout 30 python3 "$work/poll.py" "$port" "$work/ready" >"$work/first200" &
poller=$!
i=0
while [ ! -e "$work/ready" ] && [ $i -lt 500 ]; do
	sleep 0.01
	i=$((i + 1))
done

# This script's own requests come from loopback, which the drain watches by
# default (a load balancer on the same host): ignored here, so that the
# stop below is the one with no prober.
pm run -d --name "$name-net" --network host \
    -e HEALTHGATE_LISTEN="127.0.0.1:$port" \
    -e HEALTHGATE_DRAIN_IGNORE=127.0.0.0/8,::1/128 "$IMAGE" >/dev/null ||
    bad "podman run on the host network failed: $(tail -1 "$work/podman.err")"
wait "$poller"
prc=$?
poller=""
pid=$(pm inspect --format '{{.State.Pid}}' "$name-net")
started=$(pm inspect --format '{{.State.StartedAt.UnixNano}}' "$name-net")
pm_logs "$name-net" >"$work/net.log"
if [ "$prc" -eq 0 ] && [ "${pid:-0}" -gt 0 ]; then
	times=$(python3 - "$pid" "$started" "$work/first200" "$work/net.log" \
	    <<'EOF'
import datetime, os, sys, time
pid, started, first200, log = sys.argv[1:5]
# All on CLOCK_BOOTTIME, the clock /proc/PID/stat counts in.
off = time.time() - time.clock_gettime(time.CLOCK_BOOTTIME)
f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
fork = int(f[19]) / os.sysconf("SC_CLK_TCK")
ok = float(open(first200).read())
startat = int(started) / 1e9 - off
line = [l for l in open(log) if " start " in l][0]
ts = datetime.datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ")
listen = ts.replace(tzinfo=datetime.timezone.utc).timestamp() - off
start = min(startat, listen)
ms = lambda t: (t - start) * 1000
print("%.1f %.1f %.0f" % (ms(ok), ms(listen), (ok - fork) * 1000))
EOF
)
	# shellcheck disable=SC2086
	set -- ${times:-x x x}
	what="start: /health answered 200 $1 ms after the container started"
	detail="the daemon's start line at +$2 ms; the process had lived $3 ms,"
	detail="$detail runc's set-up before the exec included"
	[ "$1" != x ] && [ "${1%.*}" -lt "$START_MAX_MS" ]
	report $? "$what ($detail)" "$what, budget $START_MAX_MS ms ($detail)"
else
	bad "start: /health never answered 200 within 20 s"
	cat "$work/net.log"
fi

code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 3 \
    "http://127.0.0.1:$port/health")
[ "$code" = 200 ]
report $? "curl http://127.0.0.1:$port/health: $code" \
    "curl http://127.0.0.1:$port/health: $code"

if [ "${pid:-0}" -gt 0 ] && [ -r "/proc/$pid/status" ]; then
	ids=$(awk '/^Uid:/ { u = $2 "/" $3 "/" $4 "/" $5 }
	    /^Gid:/ { g = $2 "/" $3 "/" $4 "/" $5 }
	    END { print u, g }' "/proc/$pid/status")
	[ "$ids" = "65532/65532/65532/65532 65532/65532/65532/65532" ]
	report $? "process runs as uid 65532, gid 65532 (/proc/$pid/status)" \
	    "process ids (real/effective/saved/fs, uid then gid): $ids"
else
	bad "no process to look at"
fi

t0=$(date +%s%N)
pm stop -t 10 "$name-net" >/dev/null
took=$(ms_since "$t0")
exit_code=$(pm inspect --format '{{.State.ExitCode}}' "$name-net")
end=$(pm_logs "$name-net" | grep -o 'drain_end reason=[a-z]*' | head -1)
if [ "$exit_code" = 0 ] && [ "$took" -lt "$STOP_MAX_MS" ]; then
	ok "podman stop, no prober: exit code $exit_code in $took ms ($end)"
else
	bad "podman stop, no prober: exit code $exit_code in $took ms" \
	    "(budget $STOP_MAX_MS ms; ${end:-no drain_end logged})"
	pm_logs "$name-net" | tail -5
fi

# --- in a network namespace of its own, with the image's defaults -----------
# The HEALTHCHECK probes 127.0.0.1:8081, the default listen port, which the
# host network may not have free; here the container has its own loopback.
if pm run -d --name "$name-own" --network none "$IMAGE" >/dev/null; then
	i=0
	until pm healthcheck run "$name-own" >/dev/null || [ $i -ge 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	state=$(pm inspect --format '{{.State.Health.Status}}' "$name-own")
	[ "$i" -lt 20 ]
	report $? "podman healthcheck run: $state (after $i retries)" \
	    "podman healthcheck run: $state after 2 s"
	# healthgate ctl as an operator runs it through exec, with no flag:
	# the image's defaults say where the daemon listens (issue 23).
	st=$(pm exec "$name-own" /healthgate ctl status)
	rc=$?
	case $rc:$st in
	0:*'"state":"serving"'*) true ;;
	*) false ;;
	esac
	report $? "podman exec /healthgate ctl status: exit $rc, ${st%%,*}}" \
	    "podman exec /healthgate ctl status: exit $rc, \"$st\""
	on=$(pm exec "$name-own" /healthgate ctl maintenance on)
	rc=$?
	st=$(pm exec "$name-own" /healthgate ctl status)
	case $rc:$on:$st in
	0:*'"maintenance"'*:*'"state":"maintenance"'*) true ;;
	*) false ;;
	esac
	report $? "podman exec /healthgate ctl maintenance on: exit $rc, $on" \
	    "podman exec /healthgate ctl maintenance on: exit $rc, \"$on\"; status \"$st\""
	pm exec "$name-own" /healthgate probe /health >/dev/null 2>&1
	rc=$?
	[ "$rc" -ne 0 ]
	report $? "after ctl maintenance on, /health fails (probe exit $rc)" \
	    "after ctl maintenance on, /health still passes"
	pm stop -t 10 "$name-own" >/dev/null
else
	bad "podman run --network none failed: $(tail -1 "$work/podman.err")"
fi

# --- names inside the container ----------------------------------------------
# Checks by name, resolved by the static binary from what the runtime
# mounts: an /etc/hosts entry (--add-host) and a nameserver (--dns) that
# this script runs on a loopback address of its own, answering one name.
# On the host network, so the container reaches that loopback address.
dns_ip=127.53.$(( $$ % 200 + 2 )).250
port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/dns.py" <<'EOF'
import socket, sys, time
try:
    import dnslib
except ImportError:		# Debian's python3-dnslib, for another python3
    sys.path.append("/usr/lib/python3/dist-packages")
    import dnslib
ip, ready = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((ip, 53))
s.settimeout(0.5)
open(ready, "w").close()
end = time.monotonic() + 60
while time.monotonic() < end:
    try:
        data, peer = s.recvfrom(4096)
    except socket.timeout:
        continue
    q = dnslib.DNSRecord.parse(data)
    r = q.reply()
    if str(q.q.qname).rstrip(".") != "db.test":
        r.header.rcode = dnslib.RCODE.NXDOMAIN
    elif q.q.qtype == dnslib.QTYPE.A:
        r.add_answer(dnslib.RR(q.q.qname, q.q.qtype,
                               rdata=dnslib.A("127.0.0.1"), ttl=30))
    s.sendto(r.pack(), peer)
EOF
./scripts/deps.sh python3-dnslib >/dev/null 2>&1
timeout 70 python3 "$work/dns.py" "$dns_ip" "$work/dns-ready" &
poller=$!
i=0
while [ ! -e "$work/dns-ready" ] && [ $i -lt 300 ]; do
	sleep 0.01
	i=$((i + 1))
done
if pm run -d --name "$name-dns" --network host --dns "$dns_ip" \
    --add-host app.test:127.0.0.1 "$IMAGE" --listen "127.0.0.1:$port" \
    --interval 300ms --timeout 250ms \
    --check "self=http://app.test:$port/live" \
    --check "db=tcp://db.test:$port" >/dev/null; then
	i=0
	code=""
	until [ "$code" = 200 ] || [ $i -ge 50 ]; do
		sleep 0.1
		code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 1 \
		    "http://127.0.0.1:$port/health" 2>/dev/null)
		i=$((i + 1))
	done
	addrs=$(pm_logs "$name-dns" | grep -o \
	    'check_address name=[a-z]* host=[a-z.]* addr=[0-9.]*' |
	    sed 's/check_address //' | tr '\n' ';')
	what="http://app.test (--add-host), tcp://db.test (--dns $dns_ip)"
	[ "$code" = 200 ]
	report $? "names in the container: /health 200 with $what: $addrs" \
	    "names in the container: /health $code after 5 s with $what: $addrs"
	[ "$code" = 200 ] || pm_logs "$name-dns" | tail -5
	pm stop -t 10 "$name-dns" >/dev/null
else
	bad "podman run with --dns failed: $(tail -1 "$work/podman.err")"
fi
kill "$poller" 2>/dev/null
poller=""

# --- https inside the container -----------------------------------------------
# The image holds no CA bundle. A verified https:// check refuses the start
# (exit 2, saying so); with a bundle mounted where Debian keeps it, the
# check is up. The server is openssl s_server on loopback with a
# certificate from a CA made here; the container on the host network.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" \
    -out "$work/ca.pem" -days 2 -subj "/CN=image-test CA" 2>/dev/null &&
openssl req -newkey rsa:2048 -nodes -keyout "$work/srv.key" \
    -out "$work/srv.csr" -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost 2>/dev/null &&
openssl x509 -req -in "$work/srv.csr" -CA "$work/ca.pem" \
    -CAkey "$work/ca.key" -CAcreateserial -out "$work/srv.pem" -days 1 \
    -copy_extensions copy 2>/dev/null
chmod 0644 "$work/ca.pem"
sport=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 120 openssl s_server -quiet -www -accept "127.0.0.1:$sport" \
    -cert "$work/srv.pem" -key "$work/srv.key" </dev/null >/dev/null 2>&1 &
poller=$!
check="app=https://localhost:$sport/health"
out=$(timeout 60 podman --storage-driver vfs run --rm --network host \
    --no-healthcheck "$IMAGE" --listen "127.0.0.1:$port" --check "$check" \
    2>&1)
rc=$?
[ "$rc" -eq 2 ] && echo "$out" | grep -q "no CA bundle"
report $? "https, no CA bundle in the image: exit $rc," \
    "$(echo "$out" | grep -o 'no CA bundle[^(]*' | head -1)" \
    "https, no CA bundle: exit $rc, want 2 and \"no CA bundle\": $out"
if pm run -d --name "$name-tls" --network host \
    -v "$work/ca.pem:/etc/ssl/certs/ca-certificates.crt:ro" "$IMAGE" \
    --listen "127.0.0.1:$port" --interval 500ms --timeout 400ms \
    --check "$check" >/dev/null; then
	i=0
	code=""
	until [ "$code" = 200 ] || [ $i -ge 50 ]; do
		sleep 0.1
		code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 1 \
		    "http://127.0.0.1:$port/health" 2>/dev/null)
		i=$((i + 1))
	done
	left=$(curl -sS --max-time 2 "http://127.0.0.1:$port/metrics" |
	    sed -n 's/^healthgate_check_tls_expiry_seconds{check="app"} //p')
	[ "$code" = 200 ] && [ -n "$left" ]
	report $? "https in the container, CA bundle mounted at" \
	    "/etc/ssl/certs/ca-certificates.crt: /health 200, certificate" \
	    "expires in $left s" \
	    "https in the container: /health $code, expiry \"$left\""
	[ "$code" = 200 ] || pm_logs "$name-tls" | tail -5
	pm stop -t 10 "$name-tls" >/dev/null
else
	bad "podman run with a CA bundle failed: $(tail -1 "$work/podman.err")"
fi
kill "$poller" 2>/dev/null
poller=""

echo "image-test: $((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
