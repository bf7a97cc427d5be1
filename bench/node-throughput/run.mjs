// Requests per second a small JSON API keeps under tracing: uninstrumented, with clicktrace
// (`--import @clicktrace/node/register`) and with the stock OpenTelemetry JS 3 setup (sdk-trace 3
// TracerProvider + BatchSpanProcessor + OTLP/protobuf exporter, instrumentation-http, and
// instrumentation-express for the Express app: stock-otel.mjs).
// autocannon on loopback, the variants alternating round after round in one run; every traced
// variant exports OTLP/protobuf to a receiver in its own process (collector.mjs), and each run
// checks, by decoding what arrived, that every request the server served was exported as a span.
//
// Where `taskset` exists, the server runs alone on CPU 1, and this process (autocannon) and the
// receiver on CPU 0: on a 2-core machine the server then has one core to itself in every variant,
// so the ratio measures the server's own cost instead of how the scheduler shared two cores
// between three busy processes (which swung a variant's rate by ±20% from round to round).
//   cd bench && node node-throughput/run.mjs
//   APP=http (node:http instead of Express 5), ROUNDS, DURATION, WARMUP, CONNECTIONS,
//   SPLIT=1 (adds clicktrace without the Server-Timing backlink), PIN=0 (no taskset),
//   COMPARE=<dir of another checkout, installed and built> COMPARE_LABEL=<name> (adds its
//   clicktrace and stock setups as two more variants),
//   NODE=/path/to/node (the servers' Node, e.g. $(npx -y node@24 -p process.execPath)),
//   OTEL_BSP_* (passed on to every traced server; unset, each setup keeps its own defaults:
//   the stock 2048/512 queue/batch, clicktrace's 32768/4096)
//
// The machine's speed drifts by ±20% over minutes, so a variant's ratio is the median of its
// per-round ratios (its rate over the uninstrumented rate of the same round), short rounds, many.
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const DURATION = Number(process.env.DURATION ?? 5);
const WARMUP = Number(process.env.WARMUP ?? 2);
const NODE = process.env.NODE ?? process.execPath;
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
// The stock figure was measured on an Express app; APP=http runs the same API on plain
// node:http (server.mjs), where the framework does no work and tracing is all the difference.
const APP = process.env.APP === 'http' ? 'http' : 'express';
const SERVER = APP === 'http' ? 'server.mjs' : 'server-express.mjs';
// Batch processor settings given to this script go to every server, so both setups can be run with
// the same ones; none are set by default.
const BSP_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name.startsWith('OTEL_BSP_')),
);
const register = createRequire(import.meta.url).resolve('@clicktrace/node/register');
const VARIANTS = {
  uninstrumented: [],
  clicktrace: ['--import', register],
  ...(process.env.SPLIT === '1'
    ? { 'clicktrace, no backlink': ['--import', `${here}clicktrace-no-backlink.mjs`] }
    : {}),
  'stock OpenTelemetry': ['--import', `${here}stock-otel.mjs`],
  // COMPARE=<another checkout, installed and built>: its clicktrace and its stock setup too, so
  // two versions are measured in one run (the machine's speed drifts between runs).
  ...(process.env.COMPARE
    ? {
        [`clicktrace (${process.env.COMPARE_LABEL ?? 'compared'})`]: [
          '--import',
          `${process.env.COMPARE}/packages/node/dist/register.js`,
        ],
        [`stock OpenTelemetry (${process.env.COMPARE_LABEL ?? 'compared'})`]: [
          '--import',
          `${process.env.COMPARE}/bench/node-throughput/stock-otel.mjs`,
        ],
      }
    : {}),
};

function hasTaskset() {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const PIN = process.env.PIN !== '0' && hasTaskset();
// This process (autocannon) and, forked from it, the receiver: CPU 0. The server: CPU 1.
if (PIN) execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });

const collector = fork(`${here}collector.mjs`, { stdio: 'inherit' });
const [{ url: collectorUrl }] = await once(collector, 'message');
async function exportedServerSpans(serviceName) {
  collector.send('counts');
  const [counts] = await once(collector, 'message');
  // The SERVER spans of that service, whatever their names.
  return Object.entries(counts[serviceName] ?? {})
    .filter(([kindAndName]) => kindAndName.startsWith('SERVER '))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** Starts the server under one variant; resolves once it prints its port. */
async function startServer(nodeArgs, serviceName) {
  const command = [NODE, ...nodeArgs, `${here}${SERVER}`];
  if (PIN) command.unshift('taskset', '-c', '1');
  const child = spawn(command[0], command.slice(1), {
    env: {
      PATH: process.env.PATH ?? '',
      BENCH_APP: APP,
      OTEL_SERVICE_NAME: serviceName,
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      ...BSP_ENV,
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
const bspNote = Object.entries(BSP_ENV)
  .map(([name, value]) => `, ${name}=${value}`)
  .join('');
const nodeVersion = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
const lines = [
  '',
  `${APP === 'http' ? 'node:http' : 'Express 5'}, Node ${nodeVersion}, ${ROUNDS} rounds x ${DURATION} s, ${CONNECTIONS} connections, GET /api/items/7, ${PIN ? 'server pinned to CPU 1, autocannon and receiver to CPU 0' : 'not pinned'}${bspNote}`,
  '',
  '| variant | req/s (median) | vs uninstrumented (median of per-round ratios) | spans exported / requests served |',
  '| --- | ---: | ---: | --- |',
];
for (const [name, runs] of Object.entries(results)) {
  const rps = median(runs.map((r) => r.rps));
  const ratio = median(runs.map((r, round) => r.rps / results.uninstrumented[round].rps));
  const exported = runs.every((r) => r.exported === undefined)
    ? 'n/a'
    : `${runs.reduce((n, r) => n + r.exported, 0)} / ${runs.reduce((n, r) => n + r.served, 0)}`;
  lines.push(`| ${name} | ${rps.toFixed(0)} | ${ratio.toFixed(2)} | ${exported} |`);
}
if (Object.values(results).some((runs) => runs.some((r) => r.errors > 0)))
  lines.push('', '(some runs had errors)');
process.stdout.write(`${lines.join('\n')}\n`);
