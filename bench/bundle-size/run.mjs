// Gzip size of a minimal app (one click listener, one fetch, OTLP export) built by Vite for
// production, with clicktrace and with the hand-wired stock OpenTelemetry setup, in one run.
//   pnpm --filter @clicktrace/bench bundle-size
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

async function measure(app) {
  const root = join(here, 'apps', app);
  const outDir = join(here, 'out', app);
  await build({ root, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  const assets = join(outDir, 'assets');
  let raw = 0;
  let gzip = 0;
  for (const file of readdirSync(assets).filter((name) => name.endsWith('.js'))) {
    const bytes = readFileSync(join(assets, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { app, raw, gzip };
}

const results = [];
for (const app of ['hand-wired', 'clicktrace']) results.push(await measure(app));
const [stock, ours] = results;
const rows = results.map(
  (r) => `| ${r.app} | ${r.raw.toLocaleString('en')} | ${r.gzip.toLocaleString('en')} |`,
);
process.stdout.write(
  [
    '| app | minified JS (B) | gzip -9 (B) |',
    '| --- | ---: | ---: |',
    ...rows,
    '',
    `clicktrace / hand-wired (gzip): ${(ours.gzip / stock.gzip).toFixed(3)}`,
    '',
  ].join('\n'),
);
