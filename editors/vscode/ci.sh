#!/usr/bin/env bash
# Build, test and package the VS Code extension as a release would (`.ci/run` calls this
# after `cargo build`). The test runs the argv the extension builds against the aksguard
# binary ($AKSGUARD, default: the debug build of this checkout). The .vsix goes to a
# temporary directory so the checkout stays clean.
set -euo pipefail
cd "$(dirname "$0")"
export AKSGUARD="${AKSGUARD:-$PWD/../../target/debug/aksguard}"
if [ ! -x "$AKSGUARD" ]; then
  echo "ci.sh: no aksguard binary at $AKSGUARD (run cargo build first, or set AKSGUARD)" >&2
  exit 2
fi
npm ci --no-audit --no-fund --loglevel=error
npm run compile --silent
node --test test/
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
npx --no-install vsce package --allow-missing-repository --out "$out/aksguard.vsix"
