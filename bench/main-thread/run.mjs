// Main-thread time that tracing adds in Chromium, per click and per fetch: the minimal apps of
// bench/bundle-size (no tracing, clicktrace, hand-wired OpenTelemetry), built for production,
// driven in the same run, alternating, and measured with Chromium's own TaskDuration metric.
//   cd bench && node main-thread/run.mjs        (ROUNDS=7 ITERATIONS=200 to change)
//
// Each scenario runs ITERATIONS times in one page.evaluate and ends with the app's flush (for
// clicktrace, after its interactions have ended), then SETTLE_MS and a second flush, so ending and
// exporting the spans is counted in the scenario's window.
// The driver schedules no timer in the page: a tracing that counts a click's timers as its work
// (clicktrace does) would otherwise pay for the driver's waits. Clicks wait for their fetch through
// a count of completed fetches (web-apps.mjs); a click that starts no work waits for the next
// task through a MessageChannel.
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
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ITERATIONS = Number(process.env.ITERATIONS ?? 200);

const outDir = join(here, 'out');
await buildApps(outDir);
const server = await serveApps(outDir);
const browser = await chromium.launch(chromiumLaunchOptions);

/** n clicks on `target` (an expression), each followed by the next task (a MessageChannel message). */
function clicksThenNextTask(target) {
  return `async (n) => {
    const target = ${target};
    const channel = new MessageChannel();
    for (let i = 0; i < n; i++) {
      target.click();
      await new Promise((resolve) => { channel.port1.onmessage = resolve; channel.port2.postMessage(0); });
    }
    await (${flushTracing})(); }`;
}

// Scenarios, each a function of n run in the page.
const scenarios = {
  // A click on the button: its listener fetches and reads the response; the next click waits for it.
  'click + fetch': `async (n) => { await (${clickAndAwait})(n); await (${flushTracing})(); }`,
  // A click whose listener starts no work (it toggles a class), then the next task: what most
  // clicks cost in an app whose framework listens at its root (React does).
  'click, listener without work': clicksThenNextTask(`document.getElementById('toggle')`),
  // A click on no listener at all, then the next task.
  'click alone': clicksThenNextTask('document.body'),
  // A fetch outside any click, its response read.
  'fetch alone': `async (n) => { for (let i = 0; i < n; i++) await (await fetch('/api/items')).json();
    await (${flushTracing})(); }`,
};

/**
 * How long the tracing's work may go on after a scenario's last iteration: the stock fetch
 * instrumentation ends each span in a 300 ms timer (waiting for its resource-timing entry).
 */
const SETTLE_MS = 400;

/** Main-thread task time (ms) Chromium spent while `work` ran in the page, per iteration. */
async function taskTimePerIteration(page, cdp, work) {
  // Everything the tracing still does after the last iteration (spans that end late, their
  // export) is counted in the window that caused it: wait in Playwright's process (no timer in
  // the page), then flush again.
  const settle = async () => {
    await page.waitForTimeout(SETTLE_MS);
    await page.evaluate(`(${flushTracing})()`);
  };
  // Warm up first: the first runs of any code pay for parsing and JIT, not for tracing.
  await page.evaluate(`(${work})(${Math.ceil(ITERATIONS / 4)})`);
  await settle();
  const taskDuration = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
  const before = await taskDuration();
  await page.evaluate(`(${work})(${ITERATIONS})`);
  await settle();
  return (((await taskDuration()) - before) * 1000) / ITERATIONS;
}

const samples = {}; // scenario -> app -> ms per iteration, one per round
const spans = {}; // app -> spans exported in the last round
for (let round = 0; round < ROUNDS; round++) {
  for (const app of round % 2 ? [...APPS].reverse() : APPS) {
    const page = await browser.newPage();
    page.on('crash', () => process.stderr.write(`crash in ${app}\n`));
    page.on('pageerror', (e) => process.stderr.write(`${app}: ${e}\n`));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${server.origin}/${app}/`, { waitUntil: 'networkidle' });
    await page.evaluate(installFetchCounter);
    server.resetSpans();
    for (const [name, work] of Object.entries(scenarios)) {
      if (process.env.DEBUG) process.stderr.write(`${app} ${name}\n`);
      samples[name] ??= {};
      samples[name][app] ??= [];
      samples[name][app].push(await taskTimePerIteration(page, cdp, work));
    }
    spans[app] = server.spans();
    await page.close();
  }
}
const chromiumVersion = browser.version();
await browser.close();
await server.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = [ROUNDS !== 7 && `ROUNDS=${ROUNDS}`, ITERATIONS !== 200 && `ITERATIONS=${ITERATIONS}`].filter(
  Boolean,
);
const lines = [
  `command: cd bench && ${[...env, 'node main-thread/run.mjs'].join(' ')}`,
  `Chromium ${chromiumVersion}; main-thread task time per iteration, ms: median of ${ROUNDS} rounds x ${ITERATIONS} ` +
    `iterations (plus ${Math.ceil(ITERATIONS / 4)} to warm up); added = minus the baseline's, in the same round`,
  `spans exported in the last round (warm-up included): clicktrace ${spans.clicktrace}, hand-wired ${spans['hand-wired']}`,
  '',
  '| scenario | baseline | clicktrace | hand-wired | added: clicktrace | added: hand-wired | ratio of added | clicktrace minus hand-wired, range over rounds |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const [name, byApp] of Object.entries(samples)) {
  const [base, ours, stock] = APPS.map((app) => median(byApp[app]));
  // Added cost per round (each app minus the baseline of the same round), then the median.
  const added = (app) => median(byApp[app].map((ms, round) => ms - byApp.baseline[round]));
  const [addedOurs, addedStock] = [added('clicktrace'), added('hand-wired')];
  const diffs = byApp.clicktrace.map((ms, round) => ms - byApp['hand-wired'][round]);
  lines.push(
    `| ${name} | ${base.toFixed(3)} | ${ours.toFixed(3)} | ${stock.toFixed(3)} | ${addedOurs.toFixed(3)} | ` +
      `${addedStock.toFixed(3)} | ${(addedOurs / addedStock).toFixed(2)} | ` +
      `${Math.min(...diffs).toFixed(3)} to ${Math.max(...diffs).toFixed(3)} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
