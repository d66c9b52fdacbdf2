#!/bin/sh
# make release REGISTRY=HOST[:PORT]/NAMESPACE [TLS_VERIFY=false]: pushes the
# manifest list `make image` builds (localhost/healthgate:VERSION, every
# platform in it) as REGISTRY/healthgate:VERSION and REGISTRY/healthgate:latest,
# in Docker's format (OCI's drops HEALTHCHECK), and prints the digest to pin
# it by. The list is built first when there is none, or when the one there
# was built from another revision of the sources (its revision label).
# Credentials are the container tools' own: `podman login HOST` first.
#
# Environment: REGISTRY (required), TLS_VERIFY (true or false, default true),
# IMAGE (default localhost/healthgate:VERSION), PLATFORMS, STORAGE_DRIVER.
set -eu
cd "$(dirname "$0")/.."

say() { echo "release: $*" >&2; }
die() { say "$*"; exit 1; }

VERSION=$(./scripts/version.sh)
IMAGE=${IMAGE:-localhost/healthgate:$VERSION}
REGISTRY=${REGISTRY:-}
TLS_VERIFY=${TLS_VERIFY:-true}
REGISTRY=${REGISTRY%/}
case $REGISTRY in
"") die "REGISTRY=HOST[:PORT]/NAMESPACE is required" \
	"(for example REGISTRY=ghcr.io/healthgate)" ;;
*[!A-Za-z0-9._:/-]* | /* | *//*)
	die "REGISTRY=$REGISTRY: not a registry path HOST[:PORT]/NAMESPACE" ;;
*/*) ;;
*) die "REGISTRY=$REGISTRY: want HOST[:PORT]/NAMESPACE, a namespace too" ;;
esac
case $TLS_VERIFY in
true | false) ;;
*) die "TLS_VERIFY=$TLS_VERIFY: true or false" ;;
esac
command -v buildah >/dev/null 2>&1 || ./scripts/deps.sh buildah podman runc
S="--storage-driver ${STORAGE_DRIVER:-vfs}"

# The revision the list must have been built from, as scripts/image.sh
# labels it.
rev=$(git rev-parse HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- src include Makefile scripts/deps.sh \
    scripts/static.sh docker/Dockerfile 2>/dev/null || true)
[ -z "$dirty" ] || rev="$rev-dirty"
# shellcheck disable=SC2086
have=$(buildah $S manifest inspect "$IMAGE" 2>/dev/null |
    python3 -c 'import json, sys
print(" ".join(sorted(m["digest"] for m in json.load(sys.stdin)["manifests"])))' \
    2>/dev/null || true)
built=""
if [ -n "$have" ]; then
	# shellcheck disable=SC2086
	built=$(buildah $S inspect --type image --format \
	    '{{index .OCIv1.Config.Labels "org.opencontainers.image.revision"}}' \
	    "${IMAGE%:*}@${have%% *}" 2>/dev/null || true)
fi
if [ -z "$have" ] || [ "$built" != "$rev" ] || [ "$rev" = unknown ] ||
    [ -n "$dirty" ]; then
	say "building $IMAGE first (${built:-none} there, sources at $rev)"
	IMAGE=$IMAGE BUILDER=buildah ./scripts/image.sh
else
	say "$IMAGE is there, built from $rev"
fi

digestfile=$(mktemp "${TMPDIR:-/tmp}/healthgate-release.XXXXXX")
trap 'rm -f "$digestfile"' EXIT
for tag in "$VERSION" latest; do
	dest=$REGISTRY/healthgate:$tag
	say "buildah manifest push --all $IMAGE docker://$dest"
	# shellcheck disable=SC2086
	timeout 900 buildah $S manifest push --all --format v2s2 \
	    --tls-verify="$TLS_VERIFY" --digestfile "$digestfile" \
	    "$IMAGE" "docker://$dest" ||
	    die "pushing to $dest failed (logged in? podman login ${REGISTRY%%/*})"
done
echo "release: pushed $REGISTRY/healthgate:$VERSION and :latest;" \
    "pin it as $REGISTRY/healthgate@$(cat "$digestfile")"
