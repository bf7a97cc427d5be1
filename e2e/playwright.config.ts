import { defineConfig, freePort } from '@clicktrace/playwright';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';

const apiPort = freePort('E2E_API_PORT');
const devPort = freePort('E2E_DEV_PORT');
const previewPort = freePort('E2E_PREVIEW_PORT');
const apiUrl = `http://127.0.0.1:${apiPort}`;
const vite = 'node node_modules/vite/bin/vite.js';

// The demo shop, driven in Chromium under `vite dev` and as a production build, with the
// collector started first by clicktrace's defineConfig.
export default defineConfig({
  testDir: './tests',
  forbidOnly: !!process.env.CI,
  workers: 1,
  reporter: [['list']],
  use: { launchOptions: chromiumLaunchOptions, trace: 'retain-on-failure' },
  projects: [
    { name: 'vite-dev', use: { baseURL: `http://127.0.0.1:${devPort}` } },
    { name: 'vite-build', use: { baseURL: `http://127.0.0.1:${previewPort}` } },
  ],
  webServer: [
    {
      name: 'shop-api',
      command: 'node --import @clicktrace/node/register dist/server.js',
      cwd: '../apps/demo-api',
      url: `${apiUrl}/api/items`,
      env: { PORT: String(apiPort) },
    },
    {
      name: 'shop-web-dev',
      command: vite,
      cwd: '../apps/demo-web',
      url: `http://127.0.0.1:${devPort}/`,
      env: { PORT: String(devPort), VITE_API_URL: apiUrl },
    },
    {
      name: 'shop-web-build',
      command: `${vite} build --outDir dist-e2e --emptyOutDir && ${vite} preview --outDir dist-e2e`,
      cwd: '../apps/demo-web',
      url: `http://127.0.0.1:${previewPort}/`,
      env: { PORT: String(previewPort), VITE_API_URL: apiUrl },
    },
  ],
});
