#!/bin/sh
# make python-recipe-test: the README's Python recipe (docker/python/), built
# and run for real. There is no registry here, so python:3.11-slim is a
# stand-in made locally from Debian bookworm's own packages (python3 3.11,
# python3-uvicorn and its uvicorn command, with mmdebstrap, as scripts/image.sh makes its
# builder base) and given that name; healthgate:VERSION comes from
# scripts/image.sh when it is not there yet. Then, in a network namespace of
# the container's own (loopback only):
#
#   the README block is docker/python/Dockerfile, word for word;
#   the image holds no curl; its PID 1 is healthgate, uvicorn its child;
#   `podman healthcheck run` passes (HEALTHCHECK: healthgate probe /live);
#   /health is 200 once uvicorn answers /healthz;
#   `podman stop` ends it through the drain: uvicorn gets its SIGTERM
#   from healthgate, exits 0, and so does the container.
#
# Exits 1 if any check fails; removes what it made in any case. Needs root;
# installs buildah, podman, runc and mmdebstrap when missing. Bounded.
set -u
cd "$(dirname "$0")/.." || exit 1

VERSION=$(./scripts/version.sh)
HG_IMAGE=healthgate:$VERSION
BASE=docker.io/library/python:3.11-slim
IMAGE=localhost/healthgate-python-example:test

fails=0
ok()  { echo "python-recipe: ok    $*"; }
bad() { fails=$((fails + 1)); echo "python-recipe: FAIL  $*"; }
die() { echo "python-recipe: $*" >&2; exit 1; }

./scripts/deps.sh buildah podman runc mmdebstrap ||
    die "cannot install buildah, podman, runc, mmdebstrap"

work=$(mktemp -d "${TMPDIR:-/tmp}/healthgate-python.XXXXXX")
name=healthgate-python-$$
cleanup() {
	timeout 30 podman --storage-driver vfs rm -f -t 0 "$name" \
	    >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. scripts/containers.sh
containers_conf "$work/containers.conf"
S="--storage-driver vfs"
pm() { timeout 60 podman $S "$@" 2>>"$work/podman.err"; }

# --- docs/drain.md shows the file that is built --------------------------------
awk '/^```dockerfile$/ { on = 1; buf = ""; next }
     on && /^```$/ { if (buf ~ /healthgate", "--check/) print buf; on = 0; next }
     on { buf = buf $0 "\n" }' docs/drain.md | sed '$d' >"$work/readme.Dockerfile"
if cmp -s "$work/readme.Dockerfile" docker/python/Dockerfile; then
	ok "docs/drain.md's recipe is docker/python/Dockerfile"
else
	bad "docs/drain.md's recipe differs from docker/python/Dockerfile:"
	diff "$work/readme.Dockerfile" docker/python/Dockerfile | head -20
fi

# --- the bases ---------------------------------------------------------------
# make image (and image-test) leave a manifest list, which `podman image
# exists` does not see: without the second test CI built both platforms
# again here, some fifteen minutes. Built here, the host's platform is
# enough.
have() { pm image exists "$1" || pm manifest exists "$1"; }
if ! have "$HG_IMAGE" && ! have "localhost/$HG_IMAGE"; then
	echo "python-recipe: building $HG_IMAGE (scripts/image.sh)"
	case $(uname -m) in
	aarch64) host=linux/arm64 ;;
	*) host=linux/amd64 ;;
	esac
	BUILDER=buildah IMAGE=$HG_IMAGE PLATFORMS=$host ./scripts/image.sh \
	    >"$work/hg-build.log" 2>&1 || {
		tail -30 "$work/hg-build.log"
		die "FAIL  $HG_IMAGE did not build"
	}
fi
if ! pm image exists "$BASE"; then
	echo "python-recipe: making $BASE from bookworm's python3 and" \
	    "uvicorn (mmdebstrap, a minute or two)"
	timeout 900 mmdebstrap --quiet --variant=apt \
	    --include=python3,python3-uvicorn,uvicorn bookworm \
	    "$work/base.tar" ||
	    die "FAIL  mmdebstrap"
	timeout 300 podman $S import --quiet "$work/base.tar" "$BASE" \
	    >/dev/null || die "FAIL  podman import $BASE"
	rm -f "$work/base.tar"
fi

# --- build, as a user would --------------------------------------------------
timeout 900 buildah $S bud --isolation chroot --format docker --pull=never \
    -f docker/python/Dockerfile -t "$IMAGE" docker/python \
    >"$work/build.log" 2>&1
if [ $? -eq 0 ]; then
	ok "docker/python/Dockerfile builds"
else
	tail -30 "$work/build.log"
	die "FAIL  docker/python/Dockerfile did not build"
fi

# No curl (nor wget) anywhere in the image.
if pm run --rm --network none --entrypoint python3 "$IMAGE" -c \
    'import shutil, sys; sys.exit(1 if shutil.which("curl") or
     shutil.which("wget") else 0)'; then
	ok "no curl or wget in the image"
else
	bad "the image holds curl or wget"
fi

# --- run ---------------------------------------------------------------------
pm run -d --name "$name" --network none "$IMAGE" >/dev/null ||
    die "FAIL  podman run: $(tail -5 "$work/podman.err")"
up=""
i=0
while [ $i -lt 100 ]; do
	if pm exec "$name" healthgate probe --timeout 1s /health \
	    >/dev/null 2>&1; then
		up=$i
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
if [ -n "$up" ]; then
	ok "/health 200 (uvicorn up, checked by healthgate) $((up * 100)) ms" \
	    "after podman run"
else
	bad "/health never 200: $(pm logs "$name" 2>&1 | tail -5)"
fi
if pm healthcheck run "$name" >/dev/null; then
	ok "podman healthcheck run passes (healthgate probe /live)"
else
	bad "podman healthcheck run fails: $(tail -3 "$work/podman.err")"
fi
pid=$(pm inspect --format '{{.State.Pid}}' "$name")
pid1=""
kid=""
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
	pid1=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
	kids=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null)
	[ -n "$kids" ] &&
	    kid=$(tr '\0' ' ' <"/proc/${kids%% *}/cmdline" 2>/dev/null)
fi
case $pid1 in
healthgate*) ok "PID 1 is healthgate: $pid1" ;;
*) bad "PID 1 is \"$pid1\"" ;;
esac
case $kid in
*uvicorn*) ok "its child is uvicorn: $kid" ;;
*) bad "healthgate's child is \"$kid\"" ;;
esac

t0=$(date +%s%N)
pm stop -t 30 "$name" >/dev/null
took=$(( ($(date +%s%N) - t0) / 1000000 ))
code=$(pm inspect --format '{{.State.ExitCode}}' "$name")
log=$(timeout 30 podman $S logs "$name" 2>&1)
if [ "$code" = 0 ] && echo "$log" | grep -q "app_stop .*signal=SIGTERM" &&
    echo "$log" | grep -q "app_exit .*status=0"; then
	ok "podman stop: drain, uvicorn's SIGTERM from healthgate, exit 0" \
	    "in $took ms"
else
	bad "podman stop: exit code $code after $took ms:"
	echo "$log" | tail -15
fi

if [ $fails -eq 0 ]; then
	echo "python-recipe: all passed"
	exit 0
fi
echo "python-recipe: $fails failed"
exit 1
