// Main-thread time that tracing adds in Chromium, per click and per fetch: the minimal apps of
// bench/bundle-size (no tracing, clicktrace, hand-wired OpenTelemetry), built for production,
// driven in the same run, alternating, and measured with Chromium's own TaskDuration metric.
//   pnpm --filter @clicktrace/bench main-thread        (ROUNDS=7 ITERATIONS=200 to change)
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build } from 'vite';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const APPS = ['baseline', 'clicktrace', 'hand-wired'];
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ITERATIONS = Number(process.env.ITERATIONS ?? 200);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript' };

for (const app of APPS) {
  await build({
    root: join(here, '../bundle-size/apps', app),
    logLevel: 'silent',
    base: './',
    build: { outDir: join(here, 'out', app), emptyOutDir: true },
  });
}

// One origin per app: its built files, the API it calls and an OTLP sink.
const server = createServer((req, res) => {
  const url = (req.url ?? '/').split('?')[0];
  if (url.endsWith('/api/items')) return res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  if (url.endsWith('/v1/traces')) return req.resume().on('end', () => res.writeHead(200).end('{}'));
  const [, app, ...rest] = url.split('/');
  const path = `/${rest.join('/')}`;
  const file = join(here, 'out', app ?? '', path === '/' ? 'index.html' : path);
  if (!existsSync(file)) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch(chromiumLaunchOptions);

/** Main-thread task time (ms) Chromium spent while `work` ran in the page, per iteration. */
async function taskTimePerIteration(page, cdp, work) {
  // Warm up first: the first runs of any code pay for parsing and JIT, not for tracing.
  await page.evaluate(`(${work})(${Math.ceil(ITERATIONS / 4)})`);
  const taskDuration = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const before = await taskDuration();
  await page.evaluate(`(${work})(${ITERATIONS})`);
  return (((await taskDuration()) - before) * 1000) / ITERATIONS;
}

// Scenarios, each run in the page. Every one ends with the SDK's flush, so export is counted.
const flush = async () => {
  const sdk = globalThis[Symbol.for('clicktrace.web')];
  if (sdk) await sdk.flush();
};
const scenarios = {
  // A click on the button: its listener fetches, and the response is awaited.
  'click + fetch': `async (n) => { const button = document.querySelector('button');
    for (let i = 0; i < n; i++) { const done = new Promise((r) => { const o = new PerformanceObserver(() => { o.disconnect(); r(); }); o.observe({ type: 'resource' }); });
      button.click(); await done; }
    await (${flush})(); }`,
  // A click that starts no work (no listener on its target).
  'click alone': `async (n) => { for (let i = 0; i < n; i++) { document.body.click(); await new Promise((r) => setTimeout(r, 0)); }
    await (${flush})(); }`,
  // A fetch outside any click.
  'fetch alone': `async (n) => { for (let i = 0; i < n; i++) await (await fetch('/api/items')).text();
    await (${flush})(); }`,
};

const samples = {}; // scenario -> app -> ms[]
for (let round = 0; round < ROUNDS; round++) {
  for (const app of round % 2 ? [...APPS].reverse() : APPS) {
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${origin}/${app}/`);
    page.on('crash', () => process.stderr.write(`crash in ${app}\n`));
    page.on('pageerror', (e) => process.stderr.write(`${app}: ${e}\n`));
    for (const [name, work] of Object.entries(scenarios)) {
      if (process.env.DEBUG) process.stderr.write(`${app} ${name}\n`);
      const ms = await taskTimePerIteration(page, cdp, work);
      samples[name] ??= {};
      samples[name][app] ??= [];
      samples[name][app].push(ms);
    }
    await page.close();
  }
}
await browser.close();
server.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lines = [
  `main-thread task time per iteration, ms (median of ${ROUNDS} rounds x ${ITERATIONS} iterations; added = minus baseline)`,
  '',
  '| scenario | baseline | clicktrace | hand-wired | added: clicktrace | added: hand-wired | ratio of added |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const [name, byApp] of Object.entries(samples)) {
  const [base, ours, stock] = APPS.map((app) => median(byApp[app]));
  const addedOurs = ours - base;
  const addedStock = stock - base;
  lines.push(
    `| ${name} | ${base.toFixed(3)} | ${ours.toFixed(3)} | ${stock.toFixed(3)} | ${addedOurs.toFixed(3)} | ${addedStock.toFixed(3)} | ${(addedOurs / addedStock).toFixed(2)} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
