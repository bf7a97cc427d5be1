// Server CPU per request that tracing adds, near the floor: for node:http and Express 5, on Node 24
// and Node 22 in one run, every span exported, side by side:
// - uninstrumented (the same app, no tracing);
// - the floor (floor-tracer.mjs: the least this work can cost, a yardstick, not product code);
// - clicktrace (`--import @clicktrace/node/register`);
// - stock OpenTelemetry JS 3 (../node-throughput/stock-otel.mjs: sdk-trace 3 TracerProvider +
//   BatchSpanProcessor + OTLP/protobuf exporter, instrumentation-http 0.301, and
//   instrumentation-express for the Express app).
//
//   cd bench && node request-cpu/run.mjs                 # about 15 minutes
//   cd bench && PARTS=1 node request-cpu/run.mjs         # + the cost per part (about 10 more)
//
// How. The machines here are shared: the same uninstrumented server took 31 µs of CPU per request
// in one half-minute and 96 µs in the next. So the variants are measured side by side in time:
// for one Node and one app, every variant's server is started (each alone on CPU 1 where `taskset`
// exists; this process and the OTLP receiver on CPU 0), warmed up, and then offered the same FIXED
// rate (RATE req/s, paced every 10 ms over CONNECTIONS keep-alive connections, each request with a
// sampled `traceparent` as a browser's fetch sends it) in turns of WINDOW seconds, variant after
// variant, WINDOWS turns each. Whatever the neighbours do, they do it to every variant alike.
// A server's CPU is the sum of its threads' run time in /proc/<pid>/task/*/schedstat, read once
// its warm-up spans have all reached the receiver and again once all its measured spans have (so
// the export of every measured span is counted, and nothing else): CPU per request is that
// difference over the requests it answered. The added cost of a variant is its CPU per request
// minus the uninstrumented server's. BLOCKS (3) such blocks, each with fresh servers, give the
// median and the range. The receiver (../node-throughput/collector.mjs) decodes what arrived:
// spans per request.
//
// PARTS=1 adds variants that each leave one part out (node:http only, both Nodes), and the table
// per part is the difference between neighbouring variants:
// - backlink    = clicktrace − clicktrace without the Server-Timing backlink (serverTiming: false);
// - export      = that − the same with OTEL_TRACES_EXPORTER=none (spans end, nothing is sent);
// - span        = that − the same with OTEL_TRACES_SAMPLER=always_off (no span is recorded);
// - propagation = that − the same loaded without `traceparent` (nothing to extract);
// - context     = that − uninstrumented: the request's context and the patches' own work.
// The stock setup the same way (it has no backlink).
//
// Knobs (environment): BLOCKS (3), WINDOWS (8 turns per variant and block), WINDOW (1 s), RATE
// (1500), WARMUP (3 s per server), CONNECTIONS (50), NODES (24,22: majors run through
// `npx -y node@N`, or paths to node binaries), APPS (http,express), PARTS=1, PIN=0 (no taskset),
// ONLY=<variant names separated by ;> (those and the uninstrumented one).
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const throughput = fileURLToPath(new URL('../node-throughput/', import.meta.url));
const BLOCKS = Number(process.env.BLOCKS ?? 3);
const WINDOWS = Number(process.env.WINDOWS ?? 8);
const WINDOW = Number(process.env.WINDOW ?? 1);
const RATE = Number(process.env.RATE ?? 1500);
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
  ct512: { nodeArgs: ['--import', register], env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' } },
  ct256: { nodeArgs: ['--import', register], env: { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '256' } },
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
const ONLY = process.env.ONLY?.split(';');
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

/**
 * Offers `RATE` requests per second to a server for `seconds`: every 10 ms, the requests due by
 * then, over at most CONNECTIONS keep-alive connections (the server's own agent, kept between its
 * turns). Resolves once every request of the turn has been answered, with the count and errors.
 */
async function load(server, seconds) {
  const total = Math.round(RATE * seconds);
  const started = performance.now();
  let sent = 0;
  let answered = 0;
  let errors = 0;
  let resolve;
  const done = new Promise((settled) => {
    resolve = settled;
  });
  const settle = () => {
    answered++;
    if (answered === total) resolve();
  };
  const send = () => {
    const i = server.next++ % 100;
    const request = http.request({
      host: '127.0.0.1',
      port: server.port,
      path: `/api/items/${i}`,
      agent: server.agent,
      headers: server.bare ? {} : { traceparent: TRACEPARENTS[i] },
    });
    request.on('response', (response) => {
      if (response.statusCode !== 200) errors++;
      response.resume();
      response.on('end', settle);
    });
    request.on('error', () => {
      errors++;
      settle();
    });
    request.end();
  };
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    while (sent < due) {
      send();
      sent++;
    }
    if (sent === total) clearInterval(timer);
  }, 10);
  await done;
  return { requests: total, errors };
}

async function spanCounts(serviceName) {
  collector.send('counts');
  const [counts] = await once(collector, 'message');
  return Object.entries(counts[serviceName] ?? {});
}

/** Resolves once the receiver holds at least `expected` SERVER spans of the service (fails after 2 minutes). */
async function serverSpansReached(serviceName, expected) {
  const deadline = performance.now() + 120_000;
  for (;;) {
    if (performance.now() > deadline)
      throw new Error(`${serviceName}: fewer than ${expected} SERVER spans arrived`);
    const server = (await spanCounts(serviceName))
      .filter(([kindAndName]) => kindAndName.startsWith('SERVER '))
      .reduce((sum, [, n]) => sum + n, 0);
    if (server >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every span of the service (its server has stopped and flushed). */
async function allSpans(serviceName) {
  return (await spanCounts(serviceName)).reduce((sum, [, n]) => sum + n, 0);
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

const traced = (name, variant) =>
  name !== 'uninstrumented' && !variant.env?.OTEL_TRACES_EXPORTER && variant.env?.FLOOR_EXPORT !== '0';

for (let block = 1; block <= BLOCKS; block++) {
  for (const { node, app, variants } of plans) {
    const names = Object.keys(variants);
    const servers = {};
    for (const name of names) {
      const variant = variants[name];
      const serviceName = `${versions[node]}-${app}-${name.replaceAll(/[ ,]+/g, '-')}-${block}`;
      servers[name] = {
        ...(await startServer({ node, app, variant, serviceName })),
        serviceName,
        traced: traced(name, variant),
        bare: variant.bare === true,
        agent: new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS }),
        next: 0,
        answered: 0,
        measured: 0,
        errors: 0,
      };
    }
    const turn = async (server, seconds) => {
      const result = await load(server, seconds);
      server.answered += result.requests;
      server.errors += result.errors;
      return result.requests;
    };
    for (const name of names) await turn(servers[name], WARMUP);
    // The warm-up's spans exported first, so the measured CPU holds neither less nor more.
    for (const server of Object.values(servers)) {
      if (server.traced) await serverSpansReached(server.serviceName, server.answered);
      server.cpuStart = cpuMicros(server.pid);
    }
    for (let i = 0; i < WINDOWS; i++) {
      const order = names.map((_, j) => names[(i + j) % names.length]);
      for (const name of order) servers[name].measured += await turn(servers[name], WINDOW);
    }
    for (const server of Object.values(servers)) {
      if (server.traced) await serverSpansReached(server.serviceName, server.answered);
      server.cpuEnd = cpuMicros(server.pid);
    }
    for (const name of names) {
      const server = servers[name];
      const served = await server.stop();
      server.agent.destroy();
      const spans = server.traced ? await allSpans(server.serviceName) : undefined;
      const run = {
        cpu: (server.cpuEnd - server.cpuStart) / server.measured,
        spansPerRequest: spans === undefined ? undefined : spans / served,
        errors: server.errors,
      };
      results[node] ??= {};
      results[node][app] ??= {};
      results[node][app][name] ??= [];
      results[node][app][name].push(run);
      process.stderr.write(
        `block ${block} ${versions[node]} ${app} ${name}: ${fixed(run.cpu)} µs/request${run.spansPerRequest === undefined ? '' : `, ${fixed(run.spansPerRequest, 3)} spans/request`}${run.errors ? `, ${run.errors} errors` : ''}\n`,
      );
    }
  }
}
collector.kill();

/** Same-round differences a − b, per round. */
const diff = (runs, a, b) => runs[a].map((run, block) => run.cpu - runs[b][block].cpu);

const lines = [
  '',
  `${BLOCKS} blocks of ${WINDOWS} turns of ${WINDOW} s per variant at ${RATE} req/s (after ${WARMUP} s of warm-up) over ${CONNECTIONS} keep-alive connections, GET /api/items/:id with a sampled traceparent, ${PIN ? 'servers pinned to CPU 1, the rest to CPU 0' : 'not pinned'}.`,
  '',
  "| Node | app | variant | CPU per request (µs, median of blocks) | added (µs, median of same-block differences) | added, range | added / floor's | spans exported per request |",
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
    'Added CPU per request by part, node:http (µs, median of same-block differences between neighbouring variants):',
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
