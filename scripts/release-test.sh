#!/bin/sh
# make release-test: `make release` for real, into a registry of its own:
# Debian's docker-registry, started here on a free loopback port with its
# storage in a temporary directory, and stopped by its pid at the end. Then,
# from that registry, printing each figure:
#   skopeo finds a manifest list under VERSION and under latest, the same
#   one, holding linux/amd64 and linux/arm64, and inspects each platform's
#   image back (its architecture, user and version label);
#   podman pulls the linux/amd64 image by name, and it runs: --version, and
#   /health on a free loopback port answers 200.
#
# Uses the list `make image` (or make image-test) built when it is from the
# same sources, else builds it. Exits 1 if any check fails. Needs root
# (apt-get, podman). Every wait is bounded.
set -u
cd "$(dirname "$0")/.." || exit 1

VERSION=$(./scripts/version.sh)
fails=0
checks=0
ok()   { checks=$((checks + 1)); echo "release-test: ok    $*"; }
bad()  { checks=$((checks + 1)); fails=$((fails + 1))
	 echo "release-test: FAIL  $*"; }
die()  { echo "release-test: $*" >&2; exit 1; }
report() { if [ "$1" -eq 0 ]; then ok "$2"; else bad "$3"; fi; }

./scripts/deps.sh buildah podman runc mmdebstrap skopeo docker-registry \
    curl || die "cannot install buildah, podman, skopeo, docker-registry"

work=$(mktemp -d "${TMPDIR:-/tmp}/healthgate-release-test.XXXXXX")
registry=""
name=healthgate-release-$$
pulled=""
cleanup() {
	timeout 30 podman --storage-driver vfs rm -f -t 0 "$name" \
	    >/dev/null 2>&1
	# The name only: the image pulled back is the local list's own
	# instance (the same digest), and rmi deleted it with the name, which
	# left the list broken for python-recipe-test's COPY --from.
	[ -n "$pulled" ] && timeout 60 podman --storage-driver vfs untag \
	    "$pulled" "$pulled" >/dev/null 2>&1
	if [ -n "$registry" ]; then
		kill "$registry" 2>/dev/null
		wait "$registry" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. scripts/containers.sh
containers_conf "$work/containers.conf"
pm() { timeout 120 podman --storage-driver vfs "$@" 2>>"$work/podman.err"; }
free_port() {
	python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the registry ----------------------------------------------------------
port=$(free_port)
cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/storage
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry=$!
i=0
until curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null ||
    [ $i -ge 100 ]; do
	kill -0 "$registry" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" || {
	cat "$work/registry.log"
	die "FAIL  docker-registry did not answer on 127.0.0.1:$port"
}
ok "docker-registry (pid $registry) on 127.0.0.1:$port"

# --- make release ------------------------------------------------------------
REG=127.0.0.1:$port/healthgate
t0=$(date +%s)
if make -s --no-print-directory release REGISTRY="$REG" TLS_VERIFY=false \
    >"$work/release.log" 2>&1; then
	ok "make release REGISTRY=$REG TLS_VERIFY=false in" \
	    "$(($(date +%s) - t0)) s: $(tail -1 "$work/release.log" |
	    sed 's/^release: //')"
else
	tail -30 "$work/release.log"
	die "FAIL  make release"
fi

# --- back from the registry with skopeo --------------------------------------
sk() { timeout 60 skopeo --tls-verify=false "$@" 2>>"$work/skopeo.err"; }
for tag in "$VERSION" latest; do
	sk inspect --raw "docker://$REG/healthgate:$tag" >"$work/raw-$tag.json"
done
platforms=$(python3 - "$work/raw-$VERSION.json" <<'EOF'
import json, sys
try:
    m = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit(0)
print(",".join(sorted("%s/%s" % (x["platform"]["os"],
                                 x["platform"]["architecture"])
                      for x in m.get("manifests", []))))
EOF
)
[ "$platforms" = "linux/amd64,linux/arm64" ]
report $? "$REG/healthgate:$VERSION is a manifest list of $platforms" \
    "$REG/healthgate:$VERSION lists \"$platforms\", want linux/amd64,linux/arm64"
cmp -s "$work/raw-$VERSION.json" "$work/raw-latest.json"
report $? "$REG/healthgate:latest is the same manifest list" \
    ":latest differs from :$VERSION (or is missing)"

for arch in amd64 arm64; do
	sk inspect --override-os linux --override-arch "$arch" \
	    "docker://$REG/healthgate:$VERSION" >"$work/inspect-$arch.json"
	# --raw: the config as pushed; without it skopeo converts it to OCI's,
	# which has no Healthcheck.
	sk inspect --config --raw --override-os linux --override-arch "$arch" \
	    "docker://$REG/healthgate:$VERSION" >"$work/config-$arch.json"
	got=$(python3 - "$work/inspect-$arch.json" "$work/config-$arch.json" \
	    <<'EOF'
import json, sys
try:
    i = json.load(open(sys.argv[1]))
    c = json.load(open(sys.argv[2])).get("config", {})
except ValueError:
    sys.exit(0)
hc = " ".join((c.get("Healthcheck") or {}).get("Test") or [])
print("%s %s %s %s" % (i.get("Architecture"), c.get("User"),
                       (i.get("Labels") or {}).get(
                           "org.opencontainers.image.version"),
                       "healthcheck" if "/healthgate" in hc else "none"))
EOF
)
	what="linux/$arch back from the registry (architecture, user,"
	what="$what version, HEALTHCHECK): $got"
	[ "$got" = "$arch 65532:65532 $VERSION healthcheck" ]
	report $? "$what" "$what; want $arch 65532:65532 $VERSION healthcheck"
done

# --- pull the amd64 one by name, and run it ------------------------------------
pulled=$REG/healthgate:latest
if pm pull --quiet --tls-verify=false --arch amd64 "$pulled" >/dev/null; then
	ok "podman pull $pulled (linux/amd64)"
else
	bad "podman pull $pulled: $(tail -1 "$work/podman.err")"
fi
got=$(pm run --rm --no-healthcheck "$pulled" --version)
[ "$got" = "healthgate $VERSION" ]
report $? "the pulled image runs: --version says \"$got\"" \
    "the pulled image: --version says \"$got\", want healthgate $VERSION"
hport=$(free_port)
# The curl below is on loopback, which the drain watches by default: not a
# load balancer here, so ignored, and the stop ends at once.
pm run -d --name "$name" --network host \
    -e HEALTHGATE_LISTEN="127.0.0.1:$hport" \
    -e HEALTHGATE_DRAIN_IGNORE=127.0.0.0/8,::1/128 "$pulled" >/dev/null
code=000
i=0
while [ "$code" != 200 ] && [ $i -lt 50 ]; do
	sleep 0.1
	code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 \
	    "http://127.0.0.1:$hport/health" 2>/dev/null)
	i=$((i + 1))
done
[ "$code" = 200 ]
report $? "the pulled image serves: /health on 127.0.0.1:$hport: $code" \
    "the pulled image: /health on 127.0.0.1:$hport: $code"
pm stop -t 10 "$name" >/dev/null
exit_code=$(pm inspect --format '{{.State.ExitCode}}' "$name")
[ "$exit_code" = 0 ]
report $? "podman stop: exit code $exit_code" \
    "podman stop: exit code $exit_code"

echo "release-test: $((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
