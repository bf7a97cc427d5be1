// V8 heap that tracing keeps after many clicks in Chromium: the minimal apps of bench/bundle-size
// (no tracing, clicktrace, hand-wired OpenTelemetry), built for production, driven in the same
// run, alternating. Per app and round, in a fresh page: load, settle, GC and read the heap; CLICKS
// clicks on the button that fetches, each awaited until its response has completed; the tracing
// flushed; GC and read the heap again. The growth is the difference of the two readings.
//   pnpm --filter @clicktrace/bench web-heap        (CLICKS=10000 ROUNDS=3 to change)
//
// Heap figures come from the DevTools protocol only (HeapProfiler.collectGarbage, then
// Runtime.getHeapUsage: usedSize, the page's V8 heap), never from performance.memory, which
// Chromium quantizes and updates late. Blink's own heap (embedderHeapUsedSize) is only logged:
// it also holds the DevTools network records Playwright's Network domain keeps for every request.
// Clicks are `button.click()` in a loop inside the page (page.evaluate, in batches of 1,000): the
// fastest real click, with no Playwright round trip per click. The event is untrusted
// (isTrusted false); both tracings handle it as a click on the button (clicktrace records it as
// a programmatic interaction) and the app's listener runs. Each click awaits its fetch through a
// count of completed /api/items fetches that the driver adds to the page. The driver schedules no
// timers in the page, so no tracing can mistake its waits for work a click started. A second
// reading after 1,000 clicks (same flush and GC) gives the bytes kept per click once one-time
// costs (JIT-compiled code above all) are paid.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';
import {
  APPS,
  buildApps,
  clickAndAwait,
  flushTracing,
  installFetchCounter,
  serveApps,
} from '../web-apps.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLICKS = Number(process.env.CLICKS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** Clicks per page.evaluate. */
const BATCH = 1_000;
/** Longest a batch may take before the run is abandoned (a click whose response never came). */
const BATCH_TIMEOUT_MS = 120_000;
/** Quiet time after load, and after the clicks before the last flush (the stock fetch
 * instrumentation waits up to 300 ms for resource timing before it ends a span). */
const SETTLE_MS = 1_000;
/** An extra reading after this many clicks gives the bytes kept per click past the one-time costs. */
const CHECKPOINT = 1_000;
const started = Date.now();

const outDir = join(here, 'out');
await buildApps(outDir);
const server = await serveApps(outDir);

const browser = await chromium.launch(chromiumLaunchOptions);

/** V8 heap of the page after a full GC, from the DevTools protocol. */
async function heapAfterGc(cdp) {
  // Twice: the first collection can leave garbage that only its finalizers released.
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = await cdp.send('Runtime.getHeapUsage');
  return { used: usage.usedSize, embedder: usage.embedderHeapUsedSize };
}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no progress in ${BATCH_TIMEOUT_MS} ms`)),
      BATCH_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The tracing's pending work finished and exported, as far as each app allows, before a reading. */
async function settleAndFlush(page, app) {
  await withTimeout(page.evaluate(`(${flushTracing})()`), `${app} flush`);
  await page.waitForTimeout(SETTLE_MS);
  await withTimeout(page.evaluate(`(${flushTracing})()`), `${app} flush`);
}

const log = (line) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}\n`);
const kb = (bytes) => `${bytes >= 0 ? '+' : ''}${(bytes / 1024).toFixed(1)} KB`;
// Readings: after load, after CHECKPOINT clicks (when CLICKS is larger), after CLICKS clicks.
const checkpoints = CLICKS > CHECKPOINT ? [CHECKPOINT, CLICKS] : [CLICKS];
const samples = Object.fromEntries(APPS.map((app) => [app, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const app of round % 2 ? [...APPS].reverse() : APPS) {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('crash', () => process.stderr.write(`crash in ${app}\n`));
    page.on('pageerror', (e) => process.stderr.write(`${app}: ${e}\n`));
    const cdp = await context.newCDPSession(page);
    await page.goto(`${server.origin}/${app}/`, { waitUntil: 'networkidle' });
    await page.evaluate(installFetchCounter);
    await page.waitForTimeout(SETTLE_MS);
    server.resetSpans();
    const readings = [{ clicks: 0, ...(await heapAfterGc(cdp)) }];
    let clickMs = 0;
    let done = 0;
    for (const target of checkpoints) {
      const t0 = Date.now();
      while (done < target) {
        const n = Math.min(BATCH, target - done);
        const responses = await withTimeout(page.evaluate(`(${clickAndAwait})(${n})`), `${app} clicks`);
        done += n;
        if (responses !== done) throw new Error(`${app}: ${responses} fetches completed for ${done} clicks`);
      }
      clickMs += Date.now() - t0;
      await settleAndFlush(page, app);
      readings.push({ clicks: done, ...(await heapAfterGc(cdp)) });
    }
    const [first, mid, last] = [readings[0], readings[1], readings.at(-1)];
    const sample = {
      before: first.used,
      growth: last.used - first.used,
      // Bytes kept per click once the first CHECKPOINT clicks have paid every one-time cost.
      perClick: readings.length > 2 ? (last.used - mid.used) / (last.clicks - mid.clicks) : undefined,
      spans: server.spans(),
      clickMs,
    };
    samples[app].push(sample);
    log(
      `round ${round + 1}/${ROUNDS} ${app}: ${CLICKS} clicks in ${(clickMs / 1000).toFixed(1)} s; V8 heap ` +
        readings.map((r) => `${r.clicks}: ${r.used} B`).join(', ') +
        ` (${kb(sample.growth)}); Blink heap ${kb(last.embedder - first.embedder)}; ${server.spans()} spans exported`,
    );
    await context.close();
  }
}
const chromiumVersion = browser.version();
await browser.close();
await server.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const signed = (n, digits = 0) => `${n > 0 ? '+' : n < 0 ? '-' : ''}${fmt(Math.abs(n), digits)}`;
const viteVersion = JSON.parse(readFileSync(join(here, '../node_modules/vite/package.json'), 'utf8')).version;
const summary = Object.fromEntries(
  APPS.map((app) => {
    const s = samples[app];
    const of = (key) => median(s.map((x) => x[key]));
    const growths = s.map((x) => x.growth);
    return [
      app,
      {
        before: of('before'),
        growth: of('growth'),
        min: Math.min(...growths),
        max: Math.max(...growths),
        perClick: s[0].perClick === undefined ? undefined : of('perClick'),
        spans: of('spans'),
        clickMs: of('clickMs'),
      },
    ];
  }),
);
const base = summary.baseline.growth;
const env = [CLICKS !== 10_000 && `CLICKS=${CLICKS}`, ROUNDS !== 3 && `ROUNDS=${ROUNDS}`].filter(Boolean);
const lines = [
  `command: cd bench && ${[...env, 'node web-heap/run.mjs'].join(' ')}`,
  `Chromium ${chromiumVersion}, Node ${process.versions.node}, Vite ${viteVersion}; ` +
    `${fmt(CLICKS)} clicks per app and round, median of ${ROUNDS} rounds, apps alternated; ` +
    `total run ${((Date.now() - started) / 1000).toFixed(0)} s`,
  '',
  `| app | V8 heap after load (KB) | growth after ${fmt(CLICKS)} clicks (B) | growth (KB) | range over rounds (KB) | added over baseline (KB) | growth / baseline's | kept per click${checkpoints.length > 1 ? `, ${fmt(CHECKPOINT)} to ${fmt(CLICKS)}` : ''} (B) | spans exported | clicks took (s) |`,
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const app of APPS) {
  const s = summary[app];
  const isBase = app === 'baseline';
  lines.push(
    `| ${app} | ${fmt(s.before / 1024, 1)} | ${signed(s.growth)} | ${signed(s.growth / 1024, 1)} | ` +
      `${signed(s.min / 1024, 1)} to ${signed(s.max / 1024, 1)} | ${isBase ? '–' : signed((s.growth - base) / 1024, 1)} | ` +
      `${isBase ? '1.00' : base > 0 ? fmt(s.growth / base, 2) : '–'} | ${s.perClick === undefined ? '–' : signed(s.perClick, 1)} | ` +
      `${isBase ? '–' : fmt(s.spans)} | ${fmt(s.clickMs / 1000, 1)} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
