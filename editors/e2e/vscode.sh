#!/usr/bin/env bash
# Real-editor test of the VS Code extension: installs a real VS Code (code-server 4.100.3,
# i.e. VS Code 1.100.3, the last release that runs on Node 20) from the npm registry,
# installs the packaged .vsix into it, opens testdata/example in Debian's headless Chromium
# through playwright-core, and checks that the Problems panel lists what `aksguard check`
# reports and that a quick fix removes its finding (vscode.mjs). Saves a screenshot.
#
#   bash editors/e2e/vscode.sh            # as root on Debian (apt-get installs what is missing)
#
# Environment: AKSGUARD (default: builds and uses target/debug/aksguard), SCREENSHOT
# (default: target/editor-tests/vscode.png). Everything installed stays in editors/e2e/
# node_modules; scratch files go to a temporary directory, removed at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

# Debian packages: the native modules of VS Code build against these; Debian's ripgrep
# stands in for @vscode/ripgrep's download; Chromium is the browser.
packages=(build-essential python3 pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev
  libx11-dev ripgrep chromium fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "vscode.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages from the lock file, with install scripts off: code-server's postinstall
# and @vscode/ripgrep's download reach hosts other than the registry. What the postinstall
# does is done here instead, with the native modules built from source against the Node
# headers that come with Node (node-gyp would download them).
ready=node_modules/.aksguard-ready
if [ ! -f "$ready" ] || [ package-lock.json -nt "$ready" ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  if [ -f "$node_prefix/include/node/node.h" ]; then
    export npm_config_nodedir="$node_prefix"
  fi
  # node-pty's install script runs `npx node-gyp`: let npx take it from the registry.
  export npm_config_yes=true
  npm rebuild argon2 --loglevel=error
  vscode=node_modules/code-server/lib/vscode
  (
    cd "$vscode"
    npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
    npm rebuild @parcel/watcher @vscode/spdlog @vscode/deviceid kerberos native-watchdog \
      node-pty --loglevel=error
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    ln -sfn node_modules node_modules.asar
  )
  touch "$ready"
fi

if [ -z "${AKSGUARD:-}" ]; then
  (cd "$root" && cargo build --quiet)
  AKSGUARD="$root/target/debug/aksguard"
fi
screenshot="${SCREENSHOT:-$root/target/editor-tests/vscode.png}"
mkdir -p "$(dirname "$screenshot")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The .vsix as a release builds it.
(
  cd "$root/editors/vscode"
  npm ci --no-audit --no-fund --loglevel=error
  npm run compile --silent
  npx --no-install vsce package --allow-missing-repository --out "$work/aksguard.vsix" >/dev/null
)

AKSGUARD="$AKSGUARD" VSIX="$work/aksguard.vsix" WORK="$work" SCREENSHOT="$screenshot" \
  EXAMPLE="$root/testdata/example" \
  CODE_SERVER="$here/node_modules/code-server/out/node/entry.js" \
  timeout 600 node vscode.mjs
