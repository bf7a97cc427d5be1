// Click to trace: how long after the click on Checkout `waitForTrace` hands the demo checkout's
// trace over, with clicktrace as it ships (the page flushed before each look, the API's batch
// delay at 100 ms) and with the stock waiting (no flush: the API's BatchSpanProcessor at its 5 s
// default, the page's at the web SDK's own 5 s), in one Playwright run, alternating.
//   cd bench && node playwright-latency/run.mjs        (or: pnpm --filter @clicktrace/bench playwright-latency)
// Environment: RUNS (per variant, default 15; run 0 of each is warm-up and discarded),
// VARIANT=clicktrace|stock (one only), BREAKDOWN=1 (also poll the collector every 5 ms to see
// when each part of the trace arrived; not for headline figures). Needs the packages and the
// demo API built (`npx -y pnpm@10.34.9 run build` at the root).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const out = `${here}out/latency.json`;

for (const built of [
  'packages/playwright/dist/index.js',
  'packages/node/dist/register.js',
  'apps/demo-api/dist/server.js',
]) {
  if (!existsSync(`${root}${built}`)) {
    process.stderr.write(
      `${built} is missing: run \`npx -y pnpm@10.34.9 run build\` at the repository root first.\n`,
    );
    process.exit(1);
  }
}

rmSync(out, { force: true });
const cli = fileURLToPath(new URL('../node_modules/@playwright/test/cli.js', import.meta.url));
const result = spawnSync(process.execPath, [cli, 'test', '-c', `${here}playwright.config.ts`], {
  cwd: here,
  stdio: 'inherit',
  env: { ...process.env, LATENCY_OUT: out },
});
if (!existsSync(out)) {
  process.stderr.write('No durations were recorded.\n');
  process.exit(result.status || 1);
}

const entries = JSON.parse(readFileSync(out, 'utf8'));
const kept = (variant) => entries.filter((entry) => entry.variant === variant && !entry.discarded);
const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => {
  const s = sorted(values);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
// Nearest rank: the smallest value with at least 90 % of the runs at or below it.
const p90 = (values) => sorted(values)[Math.max(0, Math.ceil(0.9 * values.length) - 1)];
const fmt = (value) => (value === undefined || Number.isNaN(value) ? '–' : String(Math.round(value)));

const variants = ['clicktrace', 'stock'].filter((variant) => kept(variant).length > 0);
const lines = [
  '| variant | median ms | p90 ms | runs |',
  '| --- | ---: | ---: | ---: |',
  ...variants.map((variant) => {
    const ms = kept(variant).map((entry) => entry.ms);
    return `| ${variant} | ${fmt(median(ms))} | ${fmt(p90(ms))} | ${ms.length} |`;
  }),
];
if (variants.length === 2) {
  const ratio = median(kept('stock').map((e) => e.ms)) / median(kept('clicktrace').map((e) => e.ms));
  lines.push('', `Stock waiting takes ${ratio.toFixed(1)}× as long as clicktrace's, median to median.`);
}
lines.push(
  '',
  `Run 0 of each variant (a fresh page) is discarded; ${entries.filter((e) => e.discarded).length} discarded in all.`,
  '',
  'Median of each step, ms after the moment just before `click()` (see breakdown() in latency.spec.ts;',
  'the columns marked * only with BREAKDOWN=1):',
  '',
  '| variant | click event | interaction work end | root span ended* | root exported by page | first API span end | last API span end | API spans at collector* | all spans at collector* | resolved |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...variants.map((variant) => {
    const steps = kept(variant).map((entry) => entry.breakdown);
    const m = (key) => {
      const values = steps.map((b) => b[key]).filter((v) => v !== undefined && v !== null);
      return values.length ? fmt(median(values)) : '–';
    };
    const keys = [
      'clickEvent',
      'interactionWorkEnd',
      'rootEnded',
      'rootExport',
      'firstApiSpanEnd',
      'lastApiSpanEnd',
      'apiArrived',
      'allArrived',
    ];
    return `| ${variant} | ${keys.map(m).join(' | ')} | ${fmt(median(kept(variant).map((e) => e.ms)))} |`;
  }),
);
const report = `${lines.join('\n')}\n`;
writeFileSync(`${here}out/summary.md`, report);
process.stdout.write(`\n${report}\nDurations: ${out}\n`);
process.exit(result.status ?? 1);
