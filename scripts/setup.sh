#!/usr/bin/env bash
# Installs what the demo and the checks need on a fresh machine: a Node.js the packages support
# (>= 22.15; through npx when the machine's own is older), the workspace's packages with the pnpm
# version pinned in package.json (through npx: no global install), and Debian's Chromium for the
# browser tests when it is missing. Sourced by check.sh and demo.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The path of a Node.js binary of major version $1, fetched from the npm registry's `node` package
# on first use (npx caches it).
node_binary() { npx --yes "node@$1" -p process.execPath; }

# OpenTelemetry JS 3 and so both SDKs need Node >= 22.15. When the Node.js on PATH is older (the
# machines ship 20), Node 24 goes first on PATH for everything that follows: pnpm, the builds, the
# tests, the demo.
ensure_node() {
  if node -e 'const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major > 22 || (major === 22 && minor >= 15) ? 0 : 1)'; then
    return 0
  fi
  echo "==> Node.js $(node --version) is older than 22.15: using Node 24 through npx"
  local node24
  node24=$(node_binary 24)
  export PATH="$(dirname "$node24"):$PATH"
}
ensure_node

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
pnpm() { npx --yes "pnpm@${PNPM_VERSION}" "$@"; }
# Tools that run pnpm themselves (publint packs with it) find the pinned one on PATH too.
PNPM_SHIM_DIR=$(mktemp -d)
trap 'rm -rf "$PNPM_SHIM_DIR"' EXIT
printf '#!/bin/sh\nexec npx --yes "pnpm@%s" "$@"\n' "$PNPM_VERSION" > "$PNPM_SHIM_DIR/pnpm"
chmod +x "$PNPM_SHIM_DIR/pnpm"
export PATH="$PNPM_SHIM_DIR:$PATH"

ensure_chromium() {
  local path="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$path" ] && return 0
  echo "==> Chromium not found at $path: installing Debian's chromium"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

# The servers the tests run for real (scripts/services.mjs starts them on loopback, stops them by
# PID): Debian's PostgreSQL, MariaDB (for mysql2), Redis and RabbitMQ. check.sh asks for them; the demo does not need them.
ensure_servers() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  [ -x /usr/bin/redis-server ] || missing+=(redis-server)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> Installing Debian's ${missing[*]} for the tests"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # policy-rc.d 101: the packages' own services are not started; the tests start their own.
  local policy=/usr/sbin/policy-rc.d created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && created_policy=1
  fi
  local status=0
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null || status=$?
  if [ -n "$created_policy" ]; then $sudo rm -f "$policy"; fi
  return $status
}

echo "==> Installing packages (pnpm ${PNPM_VERSION}, Node $(node --version))"
# pipefail keeps pnpm's exit status; only the filter may come up empty.
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | { grep -v '^Progress' || true; }
