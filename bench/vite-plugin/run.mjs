// What @clicktrace/web/vite costs: gzip size of the built JS, `vite build` time and `vite dev` cold
// start (fresh dep cache) to the first page's load event in Chromium, without and with the plugin,
// for the bundle-size clicktrace app and a small shop with async code. Prints a markdown table.
//   pnpm -w run build && node bench/vite-plugin/run.mjs        (RUNS=5 to change; median of RUNS)
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { clicktrace } from '@clicktrace/web/vite';
import { chromium } from '@playwright/test';
import { build, createServer } from 'vite';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const RUNS = Number(process.env.RUNS ?? 5);
const APPS = {
  clicktrace: join(here, '../bundle-size/apps/clicktrace'),
  'async-shop': join(here, 'apps/async-shop'),
};
const VARIANTS = { without: () => [], with: () => [clicktrace()] };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function config(app, variant) {
  return {
    root: APPS[app],
    configFile: false,
    logLevel: 'silent',
    plugins: VARIANTS[variant](),
    cacheDir: join(here, 'out', '.vite', `${app}-${variant}`),
    build: { outDir: join(here, 'out', `${app}-${variant}`), emptyOutDir: true },
    server: { host: '127.0.0.1', port: 0, hmr: false },
  };
}

async function buildMs(app, variant) {
  const start = performance.now();
  await build(config(app, variant));
  return performance.now() - start;
}

function jsBytes(app, variant) {
  const assets = join(here, 'out', `${app}-${variant}`, 'assets');
  let raw = 0;
  let gzip = 0;
  for (const file of readdirSync(assets).filter((name) => name.endsWith('.js'))) {
    const bytes = readFileSync(join(assets, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

async function devColdStartMs(browser, app, variant) {
  const inline = config(app, variant);
  rmSync(inline.cacheDir, { recursive: true, force: true }); // cold: deps pre-bundled again
  const page = await browser.newPage();
  const start = performance.now();
  const server = await createServer(inline);
  await server.listen();
  await page.goto(`http://127.0.0.1:${server.httpServer.address().port}/`, { waitUntil: 'load' });
  const ms = performance.now() - start;
  await page.close();
  await server.close();
  return ms;
}

const browser = await chromium.launch(chromiumLaunchOptions);

const rows = [];
for (const app of Object.keys(APPS)) {
  const times = { without: { build: [], dev: [] }, with: { build: [], dev: [] } };
  // One warm-up of each, then RUNS rounds alternating the variants, so drift hits both alike.
  for (const variant of Object.keys(VARIANTS)) {
    await buildMs(app, variant);
    await devColdStartMs(browser, app, variant);
  }
  for (let run = 0; run < RUNS; run++) {
    for (const variant of Object.keys(VARIANTS)) {
      times[variant].build.push(await buildMs(app, variant));
      times[variant].dev.push(await devColdStartMs(browser, app, variant));
    }
  }
  for (const variant of Object.keys(VARIANTS)) {
    await build(config(app, variant)); // the output measured below
    const { raw, gzip } = jsBytes(app, variant);
    rows.push({
      app,
      variant,
      raw,
      gzip,
      build: median(times[variant].build),
      dev: median(times[variant].dev),
    });
  }
}
await browser.close();

const fmt = (n) => Math.round(n).toLocaleString('en');
const lines = [
  `| app | clicktrace() | minified JS (B) | gzip -9 (B) | vite build (ms) | vite dev cold start to load (ms) |`,
  '| --- | --- | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) => `| ${r.app} | ${r.variant} | ${fmt(r.raw)} | ${fmt(r.gzip)} | ${fmt(r.build)} | ${fmt(r.dev)} |`,
  ),
  '',
  `Times: median of ${RUNS} runs each (after one warm-up), variants alternated. Node ${process.version}.`,
  '',
];
for (const app of Object.keys(APPS)) {
  const [without, withPlugin] = rows.filter((r) => r.app === app);
  lines.push(
    `${app}: gzip ${withPlugin.gzip - without.gzip >= 0 ? '+' : ''}${fmt(withPlugin.gzip - without.gzip)} B ` +
      `(x${(withPlugin.gzip / without.gzip).toFixed(3)}), build x${(withPlugin.build / without.build).toFixed(2)}, ` +
      `dev cold start x${(withPlugin.dev / without.dev).toFixed(2)}`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
