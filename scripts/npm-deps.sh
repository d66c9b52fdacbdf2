#!/bin/sh
# The npm packages the tests check with, each directory pinned by its own
# package-lock.json and installed beside it: tests/schema (the default:
# ajv-cli with ajv-formats, which test_health_schema.py checks the /health
# body with) and tests/deploy/k8s-schema (Kubernetes' published API schema
# as kubernetes-models' ajv validators, and a YAML reader, for make
# deploy-check). npm ci of a directory's lock, once per lock change; then
# offline. npm itself is Debian's package when the machine has none.
# usage: npm-deps.sh [DIR]
set -eu
cd "$(dirname "$0")/.."
dir=${1:-tests/schema}
command -v npm >/dev/null 2>&1 || ./scripts/deps.sh --only npm
if [ -f "$dir/node_modules/.package-lock.json" ] &&
    [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
	exit 0
fi
echo "healthgate: npm ci in $dir" >&2
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
