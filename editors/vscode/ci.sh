#!/usr/bin/env bash
# Build and package the VS Code extension as a release would (`.ci/run` calls this). The
# .vsix goes to a temporary directory so the checkout stays clean.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npm run compile --silent
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
npx --no-install vsce package --allow-missing-repository --out "$out/aksguard.vsix"
