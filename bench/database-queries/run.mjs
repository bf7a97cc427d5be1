// What tracing database calls costs a Node server: clicktrace (`--import @clicktrace/node/register`)
// beside the stock OpenTelemetry JS 3 setup (stock-otel.mjs: TracerProvider + BatchSpanProcessor +
// OTLP/protobuf exporter, HttpInstrumentation, PgInstrumentation, IORedisInstrumentation) and an
// uninstrumented server, in the same run, against real PostgreSQL and Redis
// (scripts/services.mjs starts them on loopback and this script stops them).
//
//   cd bench && node database-queries/run.mjs        # Node 24 first on PATH; about 5 minutes
//
// 1. Per-request cost. server.mjs (node:http, ES module) answers GET /api/items/:id with one
//    parameterized pg query (`SELECT … WHERE id = $1`, through a pg.Pool) and one ioredis GET.
//    Each round starts it once per variant (uninstrumented, clicktrace, stock; the order rotated
//    each round), offers it a FIXED rate (autocannon's overallRate over CONNECTIONS connections,
//    paced, not as fast as it can), and reads the server's CPU time (utime + stime from
//    /proc/<pid>/stat, every thread of the process) before and after the measured DURATION. The
//    figure is CPU µs per request; a variant's added cost is its figure minus the uninstrumented
//    server's of the same round, and the table gives the median over rounds. A fixed rate makes
//    every variant do the same work in the same time, so the CPU it took is its cost, whatever
//    else the 2 shared cores were doing (a throughput figure would measure the neighbours too).
//    Every traced variant exports every span to a receiver in its own process (../node-throughput/collector.mjs),
//    which counts them by kind and name once the server has stopped: spans per request served.
// 2. Start-up. Time from spawn() to the server's "listening" line (its port on stdout), measured
//    here with performance.now(), for the database app uninstrumented, under clicktrace (an ES
//    module app with ioredis: clicktrace registers import-in-the-middle's hook for it) and under
//    the stock setup (as in 1, and with the ESM loader hook its README gives for ES module apps);
//    and for an app with no database library, uninstrumented and under clicktrace (copied to a
//    temporary folder where pg and ioredis do not resolve, so no library chunk loads). STARTS
//    runs of each, the cases alternated and rotated; medians.
//
// Where `taskset` exists, each server runs alone on CPU 1; this process (autocannon), the
// receiver, PostgreSQL and Redis on CPU 0.
//
// Knobs (environment): ROUNDS (5), RATE (500 req/s), DURATION (10 s measured per round), WARMUP
// (3 s at the same rate before it), CONNECTIONS (50), STARTS (10 start-ups per case), PIN=0 (no
// taskset), NODE=/path/to/node (the servers' Node), OTEL_BSP_* (passed on to every traced server;
// unset, each setup keeps its defaults: stock 2048/512 queue/batch, clicktrace 32768/4096).
//
// Every process started here (servers, receiver, PostgreSQL, Redis) is stopped on the way out,
// also when a step fails or the run is interrupted.
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startPostgres, startRedis } from '../../scripts/services.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const RATE = Number(process.env.RATE ?? 500);
const DURATION = Number(process.env.DURATION ?? 10);
const WARMUP = Number(process.env.WARMUP ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const STARTS = Number(process.env.STARTS ?? 10);
const NODE = process.env.NODE ?? process.execPath;
const BSP_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name.startsWith('OTEL_BSP_')),
);
const require = createRequire(import.meta.url);
const register = require.resolve('@clicktrace/node/register');
const stock = `${here}stock-otel.mjs`;

const VARIANTS = {
  uninstrumented: [],
  clicktrace: ['--import', register],
  'stock OpenTelemetry': ['--import', stock],
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
// Before anything is started: the databases and the receiver inherit CPU 0.
if (PIN) execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

// ---- Everything started here is stopped on the way out. ----
const children = new Set();
let noDbDir;
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  if (noDbDir) rmSync(noDbDir, { recursive: true, force: true });
  // scripts/services.mjs kills PostgreSQL and Redis in its own exit handler if they still run.
});
// Node's default for these signals exits without 'exit' handlers: exit through them instead.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** utime + stime of a process, in µs. */
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/**
 * Starts `script` under `nodeArgs` (pinned to CPU 1) and resolves once it prints its port, with
 * the time that took. `stop()` sends SIGTERM (the server closes, the tracing flushes, the process
 * ends by itself) and resolves to the count of requests it served.
 */
async function startServer({ nodeArgs, script, cwd = here, serviceName, env = {} }) {
  const command = [NODE, ...nodeArgs, script];
  if (PIN) command.unshift('taskset', '-c', '1');
  const startedAt = performance.now();
  const child = track(
    spawn(command[0], command.slice(1), {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: services.postgres.url,
        REDIS_URL: services.redis.url,
        OTEL_SERVICE_NAME: serviceName,
        OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        ...BSP_ENV,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const exited = once(child, 'exit');
  let stdout = '';
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve(performance.now());
    });
    exited.then(([code, signal]) =>
      reject(new Error(`${script} exited (${signal ?? code}) before listening:\n${stdout}`)),
    );
  });
  const listeningAt = await listening;
  return {
    pid: child.pid,
    port: Number(stdout.split('\n')[0]),
    startupMs: listeningAt - startedAt,
    async stop() {
      child.kill('SIGTERM');
      // A server that does not end (a flush stuck on the receiver) must not hang the run.
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
      return Number(/served (\d+)/.exec(stdout)?.[1]);
    },
  };
}

/** The offered load: RATE requests per second in all, ids 0-99 in turn. */
function load(port, duration) {
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    overallRate: RATE,
    duration,
    requests: [
      { method: 'GET', setupRequest: (request) => ({ ...request, path: `/api/items/${next++ % 100}` }) },
    ],
  });
}

async function spanCounts() {
  collector.send('counts');
  const [counts] = await once(collector, 'message');
  return counts;
}

/** The spans of one service by "KIND name", once the receiver has stopped getting any. */
async function settledSpans(serviceName) {
  let last = -1;
  for (;;) {
    const names = (await spanCounts())[serviceName] ?? {};
    const total = Object.values(names).reduce((sum, n) => sum + n, 0);
    if (total === last) return names;
    last = total;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fixed = (value, digits = 1) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

// ---- The services, the receiver and the data. ----
const services = {};
let collector;
let collectorUrl;

async function setUp() {
  [services.postgres, services.redis] = await Promise.all([startPostgres(), startRedis()]);
  const pg = require('pg');
  const client = new pg.Client(services.postgres.url);
  await client.connect();
  await client.query('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price int NOT NULL)');
  await client.query("INSERT INTO items SELECT i, 'item ' || i, 100 + i FROM generate_series(0, 99) i");
  await client.end();
  const Redis = require('ioredis');
  const redis = new Redis(services.redis.url);
  await redis.mset(Object.fromEntries(Array.from({ length: 100 }, (_, id) => [`stock:${id}`, 3 * id])));
  await redis.quit();
  collector = track(fork(`${here}../node-throughput/collector.mjs`, { stdio: 'inherit' }));
  [{ url: collectorUrl }] = await once(collector, 'message');
  noDbDir = mkdtempSync(join(tmpdir(), 'clicktrace-bench-no-db-'));
  copyFileSync(`${here}server-no-db.mjs`, join(noDbDir, 'server.mjs'));
}

async function tearDown() {
  collector?.kill();
  await Promise.allSettled([services.postgres?.stop(), services.redis?.stop()]);
  if (noDbDir) rmSync(noDbDir, { recursive: true, force: true });
  noDbDir = undefined;
}

// ---- 2. Start-up. ----
async function measureStartup() {
  const dbApp = { script: `${here}server.mjs` };
  const noDbApp = () => ({ script: join(noDbDir, 'server.mjs'), cwd: noDbDir });
  const cases = {
    'uninstrumented, pg + ioredis': { ...dbApp, nodeArgs: [] },
    'clicktrace, pg + ioredis (ESM app: ioredis import hook on)': {
      ...dbApp,
      nodeArgs: ['--import', register],
    },
    'stock OpenTelemetry, pg + ioredis (require() before the app, no loader hook)': {
      ...dbApp,
      nodeArgs: ['--import', stock],
    },
    'stock OpenTelemetry, pg + ioredis, its ESM loader hook (instrumentation/hook.mjs)': {
      ...dbApp,
      nodeArgs: ['--import', stock],
      env: { BENCH_STOCK_ESM_HOOK: '1' },
    },
    'uninstrumented, no database library': { ...noDbApp(), nodeArgs: [] },
    'clicktrace, no database library (no chunk loaded)': { ...noDbApp(), nodeArgs: ['--import', register] },
  };
  const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  const names = Object.keys(cases);
  // One start of each first, not counted: the disk cache and the compile cache settle.
  for (let run = 0; run <= STARTS; run++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + run) % names.length];
      const server = await startServer({ ...cases[name], serviceName: `startup-${run}-${i}` });
      await server.stop();
      if (run > 0) times[name].push(server.startupMs);
    }
    if (run > 0) process.stderr.write(`start-up run ${run}/${STARTS} done\n`);
  }
  return times;
}

// ---- 1. Per-request cost. ----
async function measureRequests() {
  const results = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]));
  const names = Object.keys(VARIANTS);
  for (let round = 1; round <= ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round - 1) % names.length]);
    for (const name of order) {
      const serviceName = `${name.replaceAll(' ', '-')}-${round}`;
      const server = await startServer({
        nodeArgs: VARIANTS[name],
        script: `${here}server.mjs`,
        serviceName,
      });
      const warm = await load(server.port, WARMUP);
      const cpuBefore = cpuMicros(server.pid);
      const result = await load(server.port, DURATION);
      const cpuAfter = cpuMicros(server.pid);
      const served = await server.stop();
      const spans = name === 'uninstrumented' ? undefined : await settledSpans(serviceName);
      const requests = result.requests.total;
      const run = {
        cpuPerRequest: (cpuAfter - cpuBefore) / requests,
        rate: requests / DURATION,
        served,
        spans,
        errors: warm.errors + warm.non2xx + result.errors + result.non2xx,
      };
      results[name].push(run);
      const spanNote = spans
        ? `, ${fixed(Object.values(spans).reduce((a, b) => a + b, 0) / served, 3)} spans/request`
        : '';
      process.stderr.write(
        `round ${round} ${name}: ${fixed(run.cpuPerRequest)} µs CPU/request at ${fixed(run.rate, 0)} req/s${spanNote}${run.errors ? `, ${run.errors} errors` : ''}\n`,
      );
    }
  }
  return results;
}

// ---- The run. ----
const nodeVersion = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
let startup;
let requests;
try {
  await setUp();
  startup = await measureStartup();
  requests = await measureRequests();
} finally {
  for (const child of children) if (child !== collector) child.kill('SIGKILL');
  await tearDown();
}

const lines = [
  '',
  `Node ${nodeVersion}, ${ROUNDS} rounds, ${RATE} req/s offered for ${DURATION} s (after ${WARMUP} s) over ${CONNECTIONS} connections, GET /api/items/:id = 1 pg query + 1 ioredis GET, ${PIN ? 'server pinned to CPU 1, the rest to CPU 0' : 'not pinned'}${Object.entries(
    BSP_ENV,
  )
    .map(([name, value]) => `, ${name}=${value}`)
    .join('')}`,
  '',
  '| variant | server CPU per request (µs, median) | added over uninstrumented (µs, median of rounds) | added, range over rounds | req/s served | spans exported per request |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
];
const added = {};
for (const [name, runs] of Object.entries(requests)) {
  added[name] = runs.map((run, round) => run.cpuPerRequest - requests.uninstrumented[round].cpuPerRequest);
  const spans = runs.every((run) => run.spans === undefined)
    ? '–'
    : fixed(
        runs.reduce((n, run) => n + Object.values(run.spans).reduce((a, b) => a + b, 0), 0) /
          runs.reduce((n, run) => n + run.served, 0),
        3,
      );
  const isBase = name === 'uninstrumented';
  lines.push(
    `| ${name} | ${fixed(median(runs.map((run) => run.cpuPerRequest)))} | ${isBase ? '–' : fixed(median(added[name]))} | ${isBase ? '–' : `${fixed(Math.min(...added[name]))} to ${fixed(Math.max(...added[name]))}`} | ${fixed(median(runs.map((run) => run.rate)), 0)} | ${spans} |`,
  );
}
const ratioOfMedians = median(added.clicktrace) / median(added['stock OpenTelemetry']);
const perRound = added.clicktrace.map((value, round) => value / added['stock OpenTelemetry'][round]);
lines.push(
  '',
  `Added CPU, clicktrace / stock: ${fixed(ratioOfMedians, 2)} (ratio of the medians); per round ${perRound.map((r) => fixed(r, 2)).join(', ')} (median ${fixed(median(perRound), 2)}).`,
  '',
  'Spans per request served, by kind and name (all rounds; warm-up requests included):',
);
for (const [name, runs] of Object.entries(requests)) {
  if (name === 'uninstrumented') continue;
  const served = runs.reduce((n, run) => n + run.served, 0);
  const byName = {};
  for (const run of runs)
    for (const [span, count] of Object.entries(run.spans)) byName[span] = (byName[span] ?? 0) + count;
  const list = Object.entries(byName)
    .sort((a, b) => b[1] - a[1])
    .map(([span, count]) => `${span} ${fixed(count / served, 4)} (${count})`)
    .join('; ');
  lines.push(`- ${name} (${served} requests): ${list}`);
}
if (Object.values(requests).some((runs) => runs.some((run) => run.errors > 0)))
  lines.push('', '(some rounds had errors or non-2xx answers)');

const uninstrumentedDb = median(startup['uninstrumented, pg + ioredis']);
const uninstrumentedNoDb = median(startup['uninstrumented, no database library']);
lines.push(
  '',
  `Start-up, spawn() to listening, ${STARTS} runs per case after one unmeasured, cases alternated:`,
  '',
  '| case | median (ms) | range (ms) | added over the same app uninstrumented (ms) |',
  '| --- | ---: | ---: | ---: |',
);
for (const [name, times] of Object.entries(startup)) {
  const base = name.includes('no database') ? uninstrumentedNoDb : uninstrumentedDb;
  const isBase = name.startsWith('uninstrumented');
  lines.push(
    `| ${name} | ${fixed(median(times))} | ${fixed(Math.min(...times))} to ${fixed(Math.max(...times))} | ${isBase ? '–' : fixed(median(times) - base)} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
