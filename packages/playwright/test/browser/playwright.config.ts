import { chromiumLaunchOptions } from '../../../../scripts/chromium.mjs';
import { defineConfig } from '../../src/index.js';

// The package's matchers and fixture against real pages in the system's Chromium. This package's
// defineConfig starts one collector for the run, and two workers run tests side by side against
// it, so "a test sees only its own traces" is tested with a neighbour exporting at the same time.
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  fullyParallel: true,
  workers: 2,
  timeout: 30_000,
  reporter: process.env.CI ? 'line' : 'list',
  use: { browserName: 'chromium', launchOptions: chromiumLaunchOptions },
});
