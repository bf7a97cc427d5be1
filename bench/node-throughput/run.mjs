// Requests per second a small node:http JSON API keeps under tracing: uninstrumented, with
// clicktrace (`--import @clicktrace/node/register`) and with the stock OpenTelemetry setup
// (sdk-trace-node + instrumentation-http, stock-otel.mjs). autocannon on loopback, the three
// variants alternating round after round in one run; every traced variant exports OTLP/protobuf
// to a real collector (collector.mjs), and each run checks how many of the requests the server
// served arrived there as SERVER spans.
//   pnpm --filter @clicktrace/bench node-throughput     (ROUNDS=5 DURATION=10 CONNECTIONS=50 APP=express to change)
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const DURATION = Number(process.env.DURATION ?? 10);
const WARMUP = Number(process.env.WARMUP ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
// APP=express runs the same API on Express 5 (server-express.mjs) instead of plain node:http.
const SERVER = process.env.APP === 'express' ? 'server-express.mjs' : 'server.mjs';
const register = createRequire(import.meta.url).resolve('@clicktrace/node/register');
const VARIANTS = {
  uninstrumented: [],
  clicktrace: ['--import', register],
  'stock OpenTelemetry': ['--import', `${here}stock-otel.mjs`],
};

const collector = fork(`${here}collector.mjs`, { stdio: 'inherit' });
const [{ url: collectorUrl }] = await once(collector, 'message');
async function exportedServerSpans(serviceName) {
  collector.send('counts');
  const [counts] = await once(collector, 'message');
  return counts[serviceName] ?? 0;
}

/** Starts the server under one variant; resolves once it prints its port. */
async function startServer(nodeArgs, serviceName) {
  const child = spawn(process.execPath, [...nodeArgs, `${here}${SERVER}`], {
    env: {
      PATH: process.env.PATH ?? '',
      OTEL_SERVICE_NAME: serviceName,
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  while (!stdout.includes('\n')) await once(child.stdout, 'data');
  const port = Number(stdout.split('\n')[0]);
  return {
    port,
    /** SIGTERM; the server prints how many requests it served, flushes, and exits. */
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      return Number(/served (\d+)/.exec(stdout)?.[1]);
    },
  };
}

function load(port, duration) {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration,
    requests: [{ method: 'GET', path: '/api/items/7' }],
  });
}

/** Waits until the collector has stopped receiving spans for this service. */
async function settledCount(serviceName) {
  let last = -1;
  for (;;) {
    const count = await exportedServerSpans(serviceName);
    if (count === last) return count;
    last = count;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const results = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]));
for (let round = 1; round <= ROUNDS; round++) {
  // Rotate the order each round so no variant always runs first (or right after a heavy one).
  const names = Object.keys(VARIANTS);
  const order = names.map((_, i) => names[(i + round - 1) % names.length]);
  for (const name of order) {
    const serviceName = `${name.replaceAll(' ', '-')}-${round}`;
    const server = await startServer(VARIANTS[name], serviceName);
    await load(server.port, WARMUP);
    const result = await load(server.port, DURATION);
    const served = await server.stop();
    const exported = name === 'uninstrumented' ? undefined : await settledCount(serviceName);
    const rps = result.requests.total / DURATION;
    results[name].push({ rps, served, exported, errors: result.errors + result.non2xx });
    const spans = exported === undefined ? '' : `, ${exported}/${served} spans exported`;
    process.stderr.write(`round ${round} ${name}: ${rps.toFixed(0)} req/s${spans}\n`);
  }
}
collector.kill();

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const base = median(results.uninstrumented.map((r) => r.rps));
const lines = [
  '',
  `Node ${process.version}, ${ROUNDS} rounds x ${DURATION} s, ${CONNECTIONS} connections, GET /api/items/7`,
  '',
  '| variant | req/s (median) | runs | vs uninstrumented | spans exported / requests served |',
  '| --- | ---: | --- | ---: | --- |',
];
for (const [name, runs] of Object.entries(results)) {
  const rps = median(runs.map((r) => r.rps));
  const all = runs.map((r) => r.rps.toFixed(0)).join(', ');
  const exported = runs.every((r) => r.exported === undefined)
    ? 'n/a'
    : `${runs.reduce((n, r) => n + r.exported, 0)} / ${runs.reduce((n, r) => n + r.served, 0)}`;
  lines.push(`| ${name} | ${rps.toFixed(0)} | ${all} | ${(rps / base).toFixed(2)} | ${exported} |`);
}
if (Object.values(results).some((runs) => runs.some((r) => r.errors > 0)))
  lines.push('', '(some runs had errors)');
process.stdout.write(`${lines.join('\n')}\n`);
