#!/bin/sh
# make image: builds docker/Dockerfile into the image IMAGE (default
# healthgate:VERSION). With a Docker engine that answers, docker build;
# otherwise buildah, as ../shared/notes/containers.md does it: vfs storage,
# chroot isolation, docker format (the OCI format drops HEALTHCHECK), and a
# debian:bookworm-slim base made locally with mmdebstrap when none is there
# (there may be no registry to pull it from).
#
# Environment: IMAGE, VERSION (else the Makefile's), BUILDER=docker|buildah
# (else docker when `docker info` answers), CONTAINERS_CONF, STORAGE_DRIVER.
set -eu
cd "$(dirname "$0")/.."

say() { echo "image: $*" >&2; }
die() { say "$*"; exit 1; }

VERSION=${VERSION:-$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' Makefile)}
[ -n "$VERSION" ] || die "no VERSION in the Makefile"
IMAGE=${IMAGE:-healthgate:$VERSION}
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- src include Makefile scripts/deps.sh \
    scripts/static.sh 2>/dev/null || true)
[ -z "$dirty" ] || REVISION="$REVISION-dirty"
BASE=docker.io/library/debian:bookworm-slim

if [ -z "${BUILDER:-}" ]; then
	if command -v docker >/dev/null 2>&1 &&
	    timeout 10 docker info >/dev/null 2>&1; then
		BUILDER=docker
	else
		BUILDER=buildah
	fi
fi

case $BUILDER in
docker)
	say "docker build -> $IMAGE"
	DOCKER_BUILDKIT=1 exec timeout 1800 docker build \
	    -f docker/Dockerfile -t "$IMAGE" \
	    --build-arg VERSION="$VERSION" --build-arg REVISION="$REVISION" .
	;;
buildah) ;;
*)	die "BUILDER=$BUILDER: docker or buildah" ;;
esac

command -v buildah >/dev/null 2>&1 ||
    die "no Docker engine and no buildah" \
	"(apt-get install buildah podman runc mmdebstrap)"

# podman's defaults raise RLIMIT_NPROC/NOFILE, which these VMs refuse, and
# crun cannot handle their hybrid cgroup layout: runc, no default ulimits.
if [ -z "${CONTAINERS_CONF:-}" ]; then
	CONTAINERS_CONF=${TMPDIR:-/tmp}/healthgate-containers.conf
	printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' \
	    >"$CONTAINERS_CONF"
	export CONTAINERS_CONF
fi
S="--storage-driver ${STORAGE_DRIVER:-vfs}"

# shellcheck disable=SC2086
if ! buildah $S inspect --type image "$BASE" >/dev/null 2>&1; then
	command -v mmdebstrap >/dev/null 2>&1 ||
	    die "no $BASE image and no mmdebstrap to make one"
	tar=$(mktemp "${TMPDIR:-/tmp}/bookworm.XXXXXX.tar")
	trap 'rm -f "$tar"' EXIT
	say "making $BASE with mmdebstrap (about a minute)"
	timeout 900 mmdebstrap --quiet --variant=apt bookworm "$tar"
	# shellcheck disable=SC2086
	timeout 300 podman $S import --quiet "$tar" "$BASE" >/dev/null
	rm -f "$tar"
fi

say "buildah bud -> $IMAGE"
# No --layers: with vfs every cached step is a full copy of the builder
# (about 600 MB each, 3 GB per source change). BUILDAH_LAYERS=true turns
# the cache on; the apt cache mount serves either way.
# shellcheck disable=SC2086
timeout 1800 buildah $S bud --isolation chroot --format docker \
    --pull=never -f docker/Dockerfile -t "$IMAGE" \
    --build-arg VERSION="$VERSION" --build-arg REVISION="$REVISION" .
