// Where a click's main-thread time goes, per app: the time `element.click()` itself takes (the
// synchronous dispatch, listeners included, by performance.now() around it, in a run without the
// profiler) and a CPU profile of a second run (busy time per click, and the functions that take it, inclusive), for clicks that
// start no work. The apps, server and build are main-thread's (bench/web-apps.mjs).
//   cd bench && node main-thread/click-profile.mjs     (TARGET=toggle CLICKS=2000 TOP=15 to change)
// TARGET: `body` (no listener, the default) or `toggle` (a listener that does no work).
// The profiler samples every 20 µs and adds its own overhead: compare apps, not absolute figures.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';
import { APPS, buildApps, flushTracing, serveApps } from '../web-apps.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const TARGET = process.env.TARGET ?? 'body';
const CLICKS = Number(process.env.CLICKS ?? 2_000);
const TOP = Number(process.env.TOP ?? 15);
const target = TARGET === 'toggle' ? `document.getElementById('toggle')` : 'document.body';

const outDir = join(here, 'out');
await buildApps(outDir);
const server = await serveApps(outDir);
const browser = await chromium.launch(chromiumLaunchOptions);

// n clicks, each followed by the next task; returns the synchronous time of the clicks, in ms.
const clicks = `async (n) => {
  const target = ${target};
  const channel = new MessageChannel();
  let sync = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    target.click();
    sync += performance.now() - t0;
    await new Promise((resolve) => { channel.port1.onmessage = resolve; channel.port2.postMessage(0); });
  }
  await (${flushTracing})();
  return sync;
}`;

const lines = [`command: cd bench && TARGET=${TARGET} CLICKS=${CLICKS} node main-thread/click-profile.mjs`];
for (const app of APPS) {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/${app}/`, { waitUntil: 'networkidle' });
  const cdp = await page.context().newCDPSession(page);
  await page.evaluate(`(${clicks})(${Math.ceil(CLICKS / 4)})`); // warm-up
  // The time of click() itself without the profiler (which slows JS down), then the profiled run.
  const syncMs = await page.evaluate(`(${clicks})(${CLICKS})`);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 20 });
  await cdp.send('Profiler.start');
  await page.evaluate(`(${clicks})(${CLICKS})`);
  const { profile } = await cdp.send('Profiler.stop');
  await page.close();

  // Inclusive time per function (each sample counted once per distinct function on its stack).
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const name = ({ callFrame: f }) =>
    `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() || '(native)'}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
  const inclusive = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const leaf = nodes.get(id).callFrame.functionName;
    if (leaf === '(idle)' || leaf === '(program)') return;
    busy += us;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const key = name(nodes.get(at));
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  });
  lines.push(
    '',
    `${app}: click() takes ${((syncMs * 1000) / CLICKS).toFixed(1)} µs; profiled busy time ${(busy / CLICKS).toFixed(1)} µs per click (JS, GC and native calls; idle and "(program)" left out)`,
  );
  const top = [...inclusive].filter(([key]) => !key.startsWith('(root)')).sort((a, b) => b[1] - a[1]);
  for (const [key, us] of top.slice(0, TOP))
    lines.push(`  ${(us / CLICKS).toFixed(1).padStart(7)} µs  ${key}`);
}
await browser.close();
await server.close();
process.stdout.write(`${lines.join('\n')}\n`);
