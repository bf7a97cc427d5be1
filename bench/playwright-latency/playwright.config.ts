import { fileURLToPath } from 'node:url';
import { defineConfig, freePort } from '@clicktrace/playwright';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';

// The demo checkout, click to resolved trace, two ways in the same run (see latency.spec.ts):
// - clicktrace: the API as defineConfig sets it up (OTEL_BSP_SCHEDULE_DELAY=100), the page
//   flushed by the `traces` fixture before each look at the collector;
// - stock: a second API whose BatchSpanProcessor keeps the stock 5 s delay, and no flush: the
//   spans reach the collector when the SDKs' own batch timers fire.
// Each variant has its own API and its own production build of apps/demo-web (the API URL is
// baked in at build time), served by `vite preview`. Builds go to bench/playwright-latency/out.
const here = fileURLToPath(new URL('.', import.meta.url));
const vite = 'node node_modules/vite/bin/vite.js';
const variants = ['clicktrace', 'stock'] as const;

const apiPorts = {
  clicktrace: freePort('LATENCY_API_PORT'),
  stock: freePort('LATENCY_STOCK_API_PORT'),
};
const webPorts = {
  clicktrace: freePort('LATENCY_WEB_PORT'),
  stock: freePort('LATENCY_STOCK_WEB_PORT'),
};
const apiUrl = (variant: (typeof variants)[number]) => `http://127.0.0.1:${apiPorts[variant]}`;
// The spec reads the same ports from the environment, where freePort pinned them.
const webUrls = {
  clicktrace: `http://127.0.0.1:${webPorts.clicktrace}`,
  stock: `http://127.0.0.1:${webPorts.stock}`,
};

export default defineConfig({
  testDir: '.',
  testMatch: 'latency.spec.ts',
  outputDir: `${here}test-results`,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  // No Playwright trace or video: they would cost time inside the measured window.
  use: { launchOptions: chromiumLaunchOptions },
  webServer: [
    {
      name: 'shop-api',
      command: 'node --import @clicktrace/node/register dist/server.js',
      cwd: '../../apps/demo-api',
      url: `${apiUrl('clicktrace')}/api/items`,
      // OTEL_BSP_SCHEDULE_DELAY left unset: defineConfig sets it to 100.
      env: { PORT: String(apiPorts.clicktrace) },
    },
    {
      name: 'shop-api-stock',
      command: 'node --import @clicktrace/node/register dist/server.js',
      cwd: '../../apps/demo-api',
      url: `${apiUrl('stock')}/api/items`,
      // The stock BatchSpanProcessor delay, set explicitly so that defineConfig leaves it.
      env: { PORT: String(apiPorts.stock), OTEL_SERVICE_NAME: 'shop-api', OTEL_BSP_SCHEDULE_DELAY: '5000' },
    },
    ...variants.map((variant) => {
      const outDir = `${here}out/web-${variant}`;
      return {
        name: `shop-web ${variant}`,
        // --configLoader runner: Vite loads its config without writing a temporary file in apps/.
        command:
          `${vite} build --configLoader runner --logLevel warn --outDir ${outDir} --emptyOutDir && ` +
          `${vite} preview --configLoader runner --outDir ${outDir}`,
        cwd: '../../apps/demo-web',
        url: `${webUrls[variant]}/`,
        timeout: 120_000,
        env: { PORT: String(webPorts[variant]), VITE_API_URL: apiUrl(variant) },
      };
    }),
  ],
});
