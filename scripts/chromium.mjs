// How every test and benchmark here launches Chromium: Debian's build (Playwright's own browser
// download is not reachable on this project's machines), kept from calling out to Google's
// services, which a closed network refuses. CHROMIUM_PATH points elsewhere.
export const chromiumLaunchOptions = {
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
