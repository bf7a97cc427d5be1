#!/usr/bin/env bash
# Every check, as CI runs it: typecheck, lint, unit tests, browser tests and the e2e suite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_chromium

echo "==> Build and typecheck"
pnpm run typecheck
echo "==> Lint"
pnpm run lint
echo "==> Unit tests"
pnpm run test:unit
echo "==> Browser tests (@clicktrace/web in Chromium)"
pnpm --filter @clicktrace/web run test:browser
echo "==> End-to-end (the demo shop, vite dev and vite build)"
pnpm --filter @clicktrace/e2e run test
echo "==> Async-context matrix (every path x dev/build x plugin on/off)"
pnpm --filter @clicktrace/e2e run test:matrix
