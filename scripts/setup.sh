#!/usr/bin/env bash
# Installs what the demo and the checks need on a fresh machine: the workspace's packages with
# the pnpm version pinned in package.json (through npx: no global install), and Debian's
# Chromium for the browser tests when it is missing. Sourced by check.sh and demo.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
pnpm() { npx --yes "pnpm@${PNPM_VERSION}" "$@"; }

ensure_chromium() {
  local path="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$path" ] && return 0
  echo "==> Chromium not found at $path: installing Debian's chromium"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

echo "==> Installing packages (pnpm ${PNPM_VERSION})"
# pipefail keeps pnpm's exit status; only the filter may come up empty.
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | { grep -v '^Progress' || true; }
