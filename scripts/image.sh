#!/bin/sh
# make image: builds docker/Dockerfile for each platform of PLATFORMS
# (default linux/amd64,linux/arm64) into one manifest list IMAGE (default
# localhost/healthgate:VERSION). With a Docker engine that answers, docker
# buildx build (a multi-platform --load needs Docker's containerd image
# store); otherwise buildah, as ../shared/notes/containers.md does it: vfs
# storage, chroot isolation, docker format (the OCI format drops
# HEALTHCHECK), and a debian:bookworm-slim base made locally with mmdebstrap
# when none is there (there may be no registry to pull it from).
#
# Environment: IMAGE, PLATFORMS, VERSION (else CHANGELOG.md's, scripts/version.sh),
# BUILDER=docker|buildah (else docker when `docker info` answers),
# CONTAINERS_CONF, STORAGE_DRIVER.
set -eu
cd "$(dirname "$0")/.."

say() { echo "image: $*" >&2; }
die() { say "$*"; exit 1; }

VERSION=${VERSION:-$(./scripts/version.sh)}
[ -n "$VERSION" ] || die "no version in CHANGELOG.md"
IMAGE=${IMAGE:-localhost/healthgate:$VERSION}
PLATFORMS=${PLATFORMS:-linux/amd64,linux/arm64}
for p in $(echo "$PLATFORMS" | tr , ' '); do
	case $p in
	linux/amd64 | linux/arm64) ;;
	*) die "PLATFORMS=$PLATFORMS: a list of linux/amd64 and linux/arm64" ;;
	esac
done
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- src include Makefile scripts/deps.sh \
    scripts/static.sh docker/Dockerfile 2>/dev/null || true)
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
	say "docker buildx build --platform $PLATFORMS -> $IMAGE"
	exec timeout 1800 docker buildx build --load --platform "$PLATFORMS" \
	    -f docker/Dockerfile -t "$IMAGE" \
	    --build-arg VERSION="$VERSION" --build-arg REVISION="$REVISION" .
	;;
buildah) ;;
*)	die "BUILDER=$BUILDER: docker or buildah" ;;
esac

command -v buildah >/dev/null 2>&1 ||
    die "no Docker engine and no buildah" \
	"(apt-get install buildah podman runc mmdebstrap)"

# runc and no default ulimits on these VMs (scripts/containers.sh), unless
# the caller has its own settings.
. scripts/containers.sh
[ -n "${CONTAINERS_CONF:-}" ] ||
    containers_conf "${TMPDIR:-/tmp}/healthgate-containers.conf"
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

# --manifest adds to a list of that name: start from none, and from no
# image of that name either (a list and an image cannot share one).
# shellcheck disable=SC2086
buildah $S manifest rm "$IMAGE" >/dev/null 2>&1 ||
    buildah $S rmi "$IMAGE" >/dev/null 2>&1 || true

# Every platform's builder runs on this machine's own platform and
# cross-compiles. buildah 1.28 sets TARGETARCH but not BUILDPLATFORM, and
# an empty FROM --platform= means the target's: name it.
case $(uname -m) in
x86_64) build_platform=linux/amd64 ;;
aarch64) build_platform=linux/arm64 ;;
*) die "this machine is $(uname -m): the builder runs on amd64 or arm64" ;;
esac

say "buildah bud --platform $PLATFORMS -> manifest list $IMAGE"
# No --layers: with vfs every cached step is a full copy of the builder
# (about 600 MB each, 3 GB per source change). BUILDAH_LAYERS=true turns
# the cache on; the apt cache mount serves either way.
# shellcheck disable=SC2086
timeout 1800 buildah $S bud --isolation chroot --format docker \
    --pull=never --platform "$PLATFORMS" --manifest "$IMAGE" \
    --build-arg BUILDPLATFORM="$build_platform" -f docker/Dockerfile \
    --build-arg VERSION="$VERSION" --build-arg REVISION="$REVISION" .
