import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../../../../scripts/chromium.mjs';

// Real Chromium from the system: `npx playwright install` is not available on every machine that
// runs these tests. Fixture pages and the cross-origin API are started by the spec itself.
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  workers: 1,
  timeout: 30_000,
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions,
  },
});
