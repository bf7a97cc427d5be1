#!/usr/bin/env bash
# Starts the demo: the collector with its viewer, the shop's API and the shop's SPA.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
pnpm run build
exec node scripts/demo.mjs
