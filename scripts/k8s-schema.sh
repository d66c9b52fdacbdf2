#!/bin/sh
# make deploy-check's Kubernetes schema: kubernetes-models (Kubernetes'
# published OpenAPI definitions, compiled to ajv validators) and the yaml
# reader, at the versions tests/deploy/k8s-schema/package-lock.json pins,
# installed with npm ci into BUILD/k8s-schema beside the validator
# (validate.mjs). Once installed it works offline; a second run installs
# nothing unless the lock changed. Node.js and npm come from Debian's
# packages when the machine has none.
# usage: k8s-schema.sh     (prints the validator's path)
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
src=tests/deploy/k8s-schema
dir=$BUILD/k8s-schema

command -v node >/dev/null 2>&1 || ./scripts/deps.sh --only nodejs >&2
command -v npm >/dev/null 2>&1 || ./scripts/deps.sh --only npm >&2
mkdir -p "$dir"
stamp=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum |
    cut -d' ' -f1)
if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ] ||
    [ ! -d "$dir/node_modules/kubernetes-models" ]; then
	rm -rf "$dir/node_modules" "$dir/.stamp"
	cp "$src/package.json" "$src/package-lock.json" "$dir/"
	# --ignore-scripts: nothing of the packages runs at install time.
	(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts \
	    --loglevel=error) >&2 || {
		echo "k8s-schema: npm ci in $dir failed" >&2
		exit 1
	}
	echo "$stamp" >"$dir/.stamp"
fi
cp "$src/validate.mjs" "$dir/validate.mjs"
echo "$dir/validate.mjs"
