import { chromiumLaunchOptions } from '../../../../scripts/chromium.mjs';
import { defineConfig } from '../../src/index.js';

// A run that is meant to fail: ../browser/report.spec.ts starts it and reads its JSON report.
export default defineConfig({
  testDir: '.',
  testMatch: '*.failing.ts',
  workers: 1,
  reporter: 'json',
  use: { browserName: 'chromium', launchOptions: chromiumLaunchOptions },
});
