// Server CPU per request that tracing adds, near the floor: for node:http and Express 5, on Node 24
// and Node 22 in one run, every span exported, side by side:
// - uninstrumented (the same app, no tracing);
// - the floor (floor-tracer.mjs: the least this work can cost, a yardstick, not product code);
// - clicktrace (`--import @clicktrace/node/register`);
// - stock OpenTelemetry JS 3 (../node-throughput/stock-otel.mjs: sdk-trace 3 TracerProvider +
//   BatchSpanProcessor + OTLP/protobuf exporter, instrumentation-http 0.301, and
//   instrumentation-express for the Express app).
//
//   cd bench && node request-cpu/run.mjs                 # about 25 minutes
//   cd bench && PARTS=1 node request-cpu/run.mjs         # + the cost per part (about 35 more)
//
// How. Each round starts each variant's server once (the order rotated round by round), offers it
// a FIXED rate (RATE req/s over CONNECTIONS connections, autocannon's overallRate, each request
// carrying a sampled `traceparent` as a browser's fetch would), and reads the server's CPU time
// before and after the measured DURATION: the sum of every thread's run time in
// /proc/<pid>/task/*/schedstat (nanoseconds). A variant's added cost is its CPU per request minus
// the uninstrumented server's of the same round (same app, same Node); the tables give the median
// of those same-round differences. A closed loop (requests as fast as they go) would measure the
// neighbours on a shared machine more than the variant; at a fixed rate every variant does the same
// work, and the CPU it took is its cost. Where `taskset` exists the server runs alone on CPU 1, this
// process (autocannon) and the OTLP receiver (../node-throughput/collector.mjs) on CPU 0. The
// receiver decodes what arrived once each server has stopped: spans per request served.
//
// PARTS=1 adds variants that each leave one part out (node:http only, both Nodes), and the table
// per part is the difference between neighbouring variants of the same round:
// - backlink    = clicktrace − clicktrace without the Server-Timing backlink (serverTiming: false);
// - export      = that − the same with OTEL_TRACES_EXPORTER=none (spans end, nothing is sent);
// - span        = that − the same with OTEL_TRACES_SAMPLER=always_off (no span is recorded);
// - propagation = that − the same loaded without `traceparent` (nothing to extract);
// - context     = that − uninstrumented: the request's context and the patches' own work.
// The stock setup the same way (it has no backlink).
//
// Knobs (environment): ROUNDS (5), RATE (1500), DURATION (8 s measured per round), WARMUP (3 s
// at the same rate before it), CONNECTIONS (50), NODES (24,22: majors run through `npx -y node@N`,
// or paths to node binaries), APPS (http,express), PARTS=1, PIN=0 (no taskset), ONLY=<comma list
// of variant names> (runs those and the uninstrumented one).
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = fileURLToPath(new URL('.', import.meta.url));
const throughput = fileURLToPath(new URL('../node-throughput/', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const RATE = Number(process.env.RATE ?? 1500);
const DURATION = Number(process.env.DURATION ?? 8);
const WARMUP = Number(process.env.WARMUP ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const PARTS = process.env.PARTS === '1';
const APPS = (process.env.APPS ?? 'http,express').split(',');
const NODES = (process.env.NODES ?? '24,22').split(',').map((node) => {
  if (!/^\d+$/.test(node)) return node;
  return execFileSync('npx', ['-y', `node@${node}`, '-p', 'process.execPath'], { encoding: 'utf8' }).trim();
});
const register = createRequire(import.meta.url).resolve('@clicktrace/node/register');
const noBacklink = `${throughput}clicktrace-no-backlink.mjs`;
const stock = `${throughput}stock-otel.mjs`;
const SERVERS = { http: `${throughput}server.mjs`, express: `${throughput}server-express.mjs` };

const NO_EXPORT = { OTEL_TRACES_EXPORTER: 'none' };
const NOTHING_RECORDED = { ...NO_EXPORT, OTEL_TRACES_SAMPLER: 'always_off' };
/** name → how the server starts, and whether requests carry a traceparent. */
const ALL_VARIANTS = {
  uninstrumented: { nodeArgs: [] },
  floor: { nodeArgs: ['--import', `${here}floor-tracer.mjs`] },
  clicktrace: { nodeArgs: ['--import', register] },
  'stock OpenTelemetry JS 3': { nodeArgs: ['--import', stock] },
};
const PART_VARIANTS = {
  'clicktrace, no backlink': { nodeArgs: ['--import', noBacklink] },
  'clicktrace, no backlink, no export': { nodeArgs: ['--import', noBacklink], env: NO_EXPORT },
  'clicktrace, nothing recorded': { nodeArgs: ['--import', noBacklink], env: NOTHING_RECORDED },
  'clicktrace, nothing recorded, no traceparent': {
    nodeArgs: ['--import', noBacklink],
    env: NOTHING_RECORDED,
    bare: true,
  },
  'stock, no export': { nodeArgs: ['--import', stock], env: NO_EXPORT },
  'stock, nothing recorded': { nodeArgs: ['--import', stock], env: NOTHING_RECORDED },
  'stock, nothing recorded, no traceparent': {
    nodeArgs: ['--import', stock],
    env: NOTHING_RECORDED,
    bare: true,
  },
};
const ONLY = process.env.ONLY?.split(',');
const pick = (variants) =>
  Object.fromEntries(
    Object.entries(variants).filter(([name]) => !ONLY || name === 'uninstrumented' || ONLY.includes(name)),
  );

function hasTaskset() {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const PIN = process.env.PIN !== '0' && hasTaskset();
if (PIN) execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });

// ---- Everything started here is stopped on the way out. ----
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** CPU time of every thread of a process so far, in µs (schedstat's first field is ns on CPU). */
function cpuMicros(pid) {
  let nanos = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanos += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read: its time is gone with it.
    }
  }
  return nanos / 1000;
}

const collector = track(fork(`${throughput}collector.mjs`, { stdio: 'inherit' }));
const [{ url: collectorUrl }] = await once(collector, 'message');

async function startServer({ node, app, variant, serviceName }) {
  const command = [node, ...variant.nodeArgs, SERVERS[app]];
  if (PIN) command.unshift('taskset', '-c', '1');
  const child = track(
    spawn(command[0], command.slice(1), {
      env: {
        PATH: process.env.PATH ?? '',
        BENCH_APP: app,
        OTEL_SERVICE_NAME: serviceName,
        OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        ...variant.env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const exited = once(child, 'exit');
  let stdout = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve();
    });
    exited.then(([code, signal]) => reject(new Error(`server exited (${signal ?? code}):\n${stdout}`)));
  });
  return {
    pid: child.pid,
    port: Number(stdout.split('\n')[0]),
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
      return Number(/served (\d+)/.exec(stdout)?.[1]);
    },
  };
}

// A hundred sampled callers, as a browser's fetch sends them; used in turn.
const hex = (bytes) =>
  Array.from({ length: bytes }, () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');
const TRACEPARENTS = Array.from({ length: 100 }, () => `00-${hex(16)}-${hex(8)}-01`);

function load(port, duration, bare) {
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    overallRate: RATE,
    duration,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const i = next++ % 100;
          return {
            ...request,
            path: `/api/items/${i}`,
            headers: bare ? request.headers : { ...request.headers, traceparent: TRACEPARENTS[i] },
          };
        },
      },
    ],
  });
}

async function settledSpans(serviceName) {
  let last = -1;
  for (;;) {
    collector.send('counts');
    const [counts] = await once(collector, 'message');
    const names = counts[serviceName] ?? {};
    const total = Object.values(names).reduce((sum, n) => sum + n, 0);
    if (total === last) return total;
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

/** results[node][app][variant] = one run per round. */
const results = {};
const plans = [];
for (const node of NODES) {
  for (const app of APPS) {
    const variants = { ...pick(ALL_VARIANTS), ...(PARTS && app === 'http' ? pick(PART_VARIANTS) : {}) };
    plans.push({ node, app, variants });
  }
}
const versions = Object.fromEntries(
  NODES.map((node) => [node, execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()]),
);

for (let round = 1; round <= ROUNDS; round++) {
  for (const { node, app, variants } of plans) {
    const names = Object.keys(variants);
    const order = names.map((_, i) => names[(i + round - 1) % names.length]);
    for (const name of order) {
      const variant = variants[name];
      const serviceName = `${versions[node]}-${app}-${name.replaceAll(/[ ,]+/g, '-')}-${round}`;
      const server = await startServer({ node, app, variant, serviceName });
      const warm = await load(server.port, WARMUP, variant.bare);
      const before = cpuMicros(server.pid);
      const result = await load(server.port, DURATION, variant.bare);
      const after = cpuMicros(server.pid);
      const served = await server.stop();
      const traced = name !== 'uninstrumented' && !variant.env?.OTEL_TRACES_EXPORTER;
      const spans = traced ? await settledSpans(serviceName) : undefined;
      const run = {
        cpu: (after - before) / result.requests.total,
        rate: result.requests.total / DURATION,
        spansPerRequest: spans === undefined ? undefined : spans / served,
        errors: warm.errors + warm.non2xx + result.errors + result.non2xx,
      };
      results[node] ??= {};
      results[node][app] ??= {};
      results[node][app][name] ??= [];
      results[node][app][name].push(run);
      process.stderr.write(
        `round ${round} ${versions[node]} ${app} ${name}: ${fixed(run.cpu)} µs/request at ${fixed(run.rate, 0)} req/s${run.spansPerRequest === undefined ? '' : `, ${fixed(run.spansPerRequest, 3)} spans/request`}${run.errors ? `, ${run.errors} errors` : ''}\n`,
      );
    }
  }
}
collector.kill();

/** Same-round differences a − b, per round. */
const diff = (runs, a, b) => runs[a].map((run, round) => run.cpu - runs[b][round].cpu);

const lines = [
  '',
  `${ROUNDS} rounds, ${RATE} req/s offered for ${DURATION} s (after ${WARMUP} s) over ${CONNECTIONS} connections, GET /api/items/:id with a sampled traceparent, ${PIN ? 'server pinned to CPU 1, the rest to CPU 0' : 'not pinned'}.`,
  '',
  "| Node | app | variant | CPU per request (µs) | added (µs, median of same-round differences) | added, range | added / floor's | spans exported per request |",
  '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
];
for (const { node, app, variants } of plans) {
  const runs = results[node][app];
  const floor = runs.floor && median(diff(runs, 'floor', 'uninstrumented'));
  for (const name of Object.keys(variants)) {
    if (name !== 'uninstrumented' && !(name in ALL_VARIANTS)) continue;
    const added = diff(runs, name, 'uninstrumented');
    const spans = runs[name].every((run) => run.spansPerRequest === undefined)
      ? '–'
      : fixed(median(runs[name].map((run) => run.spansPerRequest)), 3);
    const base = name === 'uninstrumented';
    lines.push(
      `| ${versions[node]} | ${app} | ${name} | ${fixed(median(runs[name].map((run) => run.cpu)))} | ${base ? '–' : fixed(median(added))} | ${base ? '–' : `${fixed(Math.min(...added))} to ${fixed(Math.max(...added))}`} | ${base || floor === undefined ? '–' : fixed(median(added) / floor, 2)} | ${spans} |`,
    );
  }
  if (runs.clicktrace && runs['stock OpenTelemetry JS 3']) {
    const ours = median(diff(runs, 'clicktrace', 'uninstrumented'));
    const theirs = median(diff(runs, 'stock OpenTelemetry JS 3', 'uninstrumented'));
    lines.push(`|  |  | clicktrace's added / stock's |  | ${fixed((100 * ours) / theirs, 0)}% |  |  |  |`);
  }
}

if (PARTS) {
  lines.push(
    '',
    'Added CPU per request by part, node:http (µs, median of same-round differences between neighbouring variants):',
    '',
    '| Node | setup | context | propagation | span | export | backlink | sum of parts | measured total |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const node of NODES) {
    const runs = results[node]?.http;
    if (!runs) continue;
    const ladders = {
      clicktrace: [
        'uninstrumented',
        'clicktrace, nothing recorded, no traceparent',
        'clicktrace, nothing recorded',
        'clicktrace, no backlink, no export',
        'clicktrace, no backlink',
        'clicktrace',
      ],
      'stock OpenTelemetry JS 3': [
        'uninstrumented',
        'stock, nothing recorded, no traceparent',
        'stock, nothing recorded',
        'stock, no export',
        'stock OpenTelemetry JS 3',
        'stock OpenTelemetry JS 3',
      ],
    };
    for (const [setup, ladder] of Object.entries(ladders)) {
      if (!ladder.every((name) => runs[name])) continue;
      const parts = ladder.slice(1).map((name, i) => median(diff(runs, name, ladder[i])));
      const total = median(diff(runs, ladder.at(-1), 'uninstrumented'));
      lines.push(
        `| ${versions[node]} | ${setup} | ${parts.map((part) => fixed(part)).join(' | ')} | ${fixed(parts.reduce((a, b) => a + b, 0))} | ${fixed(total)} |`,
      );
    }
  }
}
const errors = Object.values(results)
  .flatMap((apps) => Object.values(apps))
  .flatMap((variants) => Object.values(variants))
  .flat()
  .some((run) => run.errors > 0);
if (errors) lines.push('', '(some runs had errors or non-2xx answers)');
process.stdout.write(`${lines.join('\n')}\n`);
