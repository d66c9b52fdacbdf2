#!/bin/sh
# The JSON Schema validator (ajv-cli, with ajv-formats) that
# tests/integration/test_health_schema.py checks the /health body with:
# npm ci of tests/schema's package-lock.json, once per lock change. npm
# itself is Debian's package when the machine has none.
set -eu
cd "$(dirname "$0")/.."
dir=tests/schema
command -v npm >/dev/null 2>&1 || ./scripts/deps.sh --only npm
if [ -x "$dir/node_modules/.bin/ajv" ] &&
    [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
	exit 0
fi
echo "healthgate: npm ci in $dir (ajv-cli)" >&2
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
