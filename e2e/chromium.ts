import type { LaunchOptions } from '@playwright/test';

/**
 * Debian's Chromium, as this project's machines have it (Playwright's own browser download is
 * not reachable). The flags keep it from calling out to Google's services, which a closed
 * network refuses.
 */
export const chromiumLaunchOptions: LaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
