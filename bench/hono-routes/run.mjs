// What clicktrace's Hono route hook costs: per request, and at start-up.
//
// Per request: one server under `--import @clicktrace/node/register` (every span exported, as
// OTLP/protobuf, to a sink in this process that answers 200) serves the same Hono app twice, built with the hooked `Hono` and with Hono's
// own class (server.mjs). Batches of REQUESTS keep-alive requests (CONCURRENCY at a time) go to
// one copy then the other, ROUNDS times; the server's CPU time (process.cpuUsage) per request is
// read around each batch, and the figure is the median of the same-round differences. That
// includes what a route name costs the span (one more attribute, a longer name, exported). The hook
// alone: the same two apps' fetch() called in that server's process with a fake traced request,
// alternately, INNER times per sample (GET /inner).
//
// Start-up: wall time of `node --import @clicktrace/node/register app.mjs`, where app.mjs imports
// Hono and builds an app, RUNS times alternately: from a folder where clicktrace finds `hono`
// (import-in-the-middle's hook registered for it, Hono subclassed), the same with an empty app
// (the hook's registration alone), and from one where the same Hono is imported by file URL from a
// folder without it (neither); and with no --import at all.
//   cd bench && node hono-routes/run.mjs    (REQUESTS, CONCURRENCY, ROUNDS, RUNS, INNER;
//   SAME_CLASS=1: both apps on Hono's own class, an A/A run that shows the machine's noise)
import { spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const here = fileURLToPath(new URL('.', import.meta.url));
const register = require.resolve('@clicktrace/node/register');
const REQUESTS = Number(process.env.REQUESTS ?? 1000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 30);
const RUNS = Number(process.env.RUNS ?? 20);
const print = (line) => process.stdout.write(`${line}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function get(port, path) {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

async function batch(port, prefix) {
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) await get(port, `${prefix}/items/${next++}`);
  };
  const before = Number(await get(port, '/cpu'));
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (Number(await get(port, '/cpu')) - before) / REQUESTS;
}

async function perRequest() {
  const sink = createServer((req, res) => req.resume().on('end', () => res.end()));
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const server = spawn(process.execPath, ['--import', register, join(here, 'server.mjs')], {
    env: {
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.address().port}`,
      OTEL_SERVICE_NAME: 'hono-bench',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve) => server.stdout.once('data', (line) => resolve(Number(line))));
  await batch(port, '/hooked');
  await batch(port, '/plain'); // warm-up
  const rows = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? ['/plain', '/hooked'] : ['/hooked', '/plain'];
    const cpu = {};
    for (const prefix of order) cpu[prefix] = await batch(port, prefix);
    rows.push(cpu);
  }
  const inner = JSON.parse(await get(port, '/inner'));
  server.kill('SIGTERM');
  agent.destroy();
  sink.close();
  const hooked = median(rows.map((r) => r['/hooked']));
  const plain = median(rows.map((r) => r['/plain']));
  const added = median(rows.map((r) => r['/hooked'] - r['/plain']));
  print(
    `per request (server CPU, ${ROUNDS} rounds of ${REQUESTS}): hooked ${hooked.toFixed(1)} µs, ` +
      `plain ${plain.toFixed(1)} µs, added ${added.toFixed(2)} µs (median of same-round differences)`,
  );
  print(
    `the hook alone (app.fetch in process, ${inner.samples} samples of ${inner.inner}): hooked ${inner.hooked.toFixed(2)} µs, ` +
      `plain ${inner.plain.toFixed(2)} µs, added ${inner.added.toFixed(2)} µs`,
  );
}

function startUp() {
  const honoDir = dirname(dirname(dirname(realpathSync(require.resolve('hono')))));
  const nodeServer = dirname(dirname(realpathSync(require.resolve('@hono/node-server'))));
  const esmEntry = pathToFileURL(join(honoDir, 'dist/index.js')).href;
  const app = (specifier) =>
    `import { Hono } from '${specifier}';\nconst app = new Hono();\napp.get('/items/:id', (c) => c.text('ok'));\n`;
  const withHono = mkdtempSync(join(tmpdir(), 'hono-startup-'));
  mkdirSync(join(withHono, 'node_modules/@hono'), { recursive: true });
  symlinkSync(honoDir, join(withHono, 'node_modules/hono'), 'dir');
  symlinkSync(nodeServer, join(withHono, 'node_modules/@hono/node-server'), 'dir');
  writeFileSync(join(withHono, 'app.mjs'), app('hono'));
  writeFileSync(join(withHono, 'empty.mjs'), '');
  const without = mkdtempSync(join(tmpdir(), 'hono-startup-'));
  writeFileSync(join(without, 'app.mjs'), app(esmEntry));
  const env = { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_SERVICE_NAME: 'hono-bench' };
  const variants = {
    'hook (hono found)': [withHono, ['--import', register]],
    'hook, an app that never imports hono': [withHono, ['--import', register], 'empty.mjs'],
    'no hook (hono not found)': [without, ['--import', register]],
    'no clicktrace': [without, []],
  };
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let run = 0; run < RUNS + 2; run++) {
    for (const [name, [cwd, args, main = 'app.mjs']] of Object.entries(variants)) {
      const started = performance.now();
      const { status, stderr } = spawnSync(process.execPath, [...args, join(cwd, main)], { cwd, env });
      if (status !== 0) throw new Error(`${name}: ${stderr}`);
      if (run >= 2) times[name].push(performance.now() - started);
    }
  }
  rmSync(withHono, { recursive: true, force: true });
  rmSync(without, { recursive: true, force: true });
  const m = Object.fromEntries(Object.entries(times).map(([name, xs]) => [name, median(xs)]));
  for (const [name, ms] of Object.entries(m))
    print(`start-up, ${name}: ${ms.toFixed(1)} ms (median of ${RUNS})`);
  print(
    `start-up added by the hook: ${(m['hook (hono found)'] - m['no hook (hono not found)']).toFixed(1)} ms`,
  );
}

const honoVersion = JSON.parse(
  readFileSync(join(dirname(require.resolve('hono')), '../../package.json'), 'utf8'),
).version;
print(`Node ${process.version}, hono ${honoVersion}`);
await perRequest();
if (RUNS > 0) startUp();
