#!/usr/bin/env bash
# Every check, as CI runs it: typecheck, lint, unit tests, browser tests and the e2e suite.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ensure_chromium
ensure_servers

echo "==> Build (tsdown) and typecheck"
pnpm run build
pnpm run typecheck
echo "==> Lint"
pnpm run lint
echo "==> Package checks: publint and arethetypeswrong on each package as packed"
pnpm run check:packages
echo "==> Size budget: what a page pays for @clicktrace/web (size-limit)"
pnpm --filter @clicktrace/web run size
echo "==> Unit tests"
pnpm run test:unit
# Both supported majors: whichever of 22 and 24 the unit tests above did not run on.
current_major=$(node -p 'process.versions.node.split(".")[0]')
for major in 22 24; do
  [ "$major" = "$current_major" ] && continue
  echo "==> @clicktrace/node's tests on Node ${major} too (the unit tests above ran on $(node --version))"
  "$(node_binary "$major")" node_modules/vitest/vitest.mjs run packages/node
done
echo "==> Browser tests (@clicktrace/web in Chromium)"
pnpm --filter @clicktrace/web run test:browser
echo "==> @clicktrace/playwright's matchers and fixture (Chromium, two workers, one collector)"
pnpm --filter @clicktrace/playwright run test:browser
echo "==> End-to-end (the demo shop, vite dev and vite build)"
pnpm --filter @clicktrace/e2e run test
echo "==> The demo command as a new user runs it (embedded database and jobs table): one checkout, one trace to the worker's call"
node e2e/demo/smoke.mjs
echo "==> Where traces break: each kind seeded in Chromium against real servers (API, viewer, Playwright)"
pnpm --filter @clicktrace/e2e run test:breaks
echo "==> Consumer projects from the packed tarballs, plain npm install, on Node 22 and 24: Vite + React, Express, OpenTelemetry JS 3 (withClicktrace), OpenTelemetry JS 2, document-load"
SKIP_BUILD=1 node e2e/new-user/run.mjs
echo "==> Async-context matrix (every path x dev/build x plugin on/off)"
pnpm --filter @clicktrace/e2e run test:matrix
