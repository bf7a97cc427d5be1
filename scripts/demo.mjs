// Runs the demo: collector + viewer, the shop's API (traced by @clicktrace/node), and the shop's
// SPA under `vite dev` (traced by @clicktrace/web). Ctrl-C stops all three.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const host = '127.0.0.1';

/** The preferred port when it is free, any free port otherwise. */
function port(preferred) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => {
      const any = createServer();
      any.listen(0, host, () => {
        const { port: free } = any.address();
        any.close(() => resolve(free));
      });
    });
    probe.listen(preferred, host, () => probe.close(() => resolve(preferred)));
  });
}

const collectorPort = await port(Number(process.env.COLLECTOR_PORT ?? 4318));
const apiPort = await port(Number(process.env.API_PORT ?? 3001));
const webPort = await port(Number(process.env.WEB_PORT ?? 5173));
// The database: DATABASE_URL, else an embedded PostgreSQL (PGlite). The queue: AMQP_URL (RabbitMQ),
// else REDIS_URL (BullMQ), else a jobs table in that database.
const pglitePort = process.env.DATABASE_URL ? undefined : await port(Number(process.env.PGLITE_PORT ?? 5433));
const databaseUrl = process.env.DATABASE_URL ?? `postgres://postgres@${host}:${pglitePort}/postgres`;
const collectorUrl = `http://${host}:${collectorPort}`;
const apiUrl = `http://${host}:${apiPort}`;
const webUrl = `http://${host}:${webPort}`;

const children = [];
function start(name, command, args, cwd, env) {
  const child = spawn(command, args, {
    cwd: `${root}/${cwd}`,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`${name} exited (${signal ?? code}); stopping the demo\n`);
    stop(1);
  });
  children.push(child);
}

let stopping = false;
/** SIGTERM to every part, and exits once all have: a part still there after 10 s is killed. */
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const child of running)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, 10_000);
  Promise.all(running.map((child) => new Promise((resolve) => child.once('exit', resolve)))).then(() => {
    clearTimeout(killer);
    process.exit(code);
  });
}
process.on('SIGINT', () => stop());
process.on('SIGTERM', () => stop());

start(
  'collector',
  process.execPath,
  ['bin/clicktrace-collector.js', '--port', String(collectorPort)],
  'packages/collector',
);
if (pglitePort !== undefined) {
  start('database', process.execPath, ['dist/embedded-database.js'], 'apps/demo-api', {
    PGLITE_PORT: String(pglitePort),
  });
}
start(
  'shop-api',
  process.execPath,
  ['--import', '@clicktrace/node/register', 'dist/server.js'],
  'apps/demo-api',
  {
    PORT: String(apiPort),
    DATABASE_URL: databaseUrl,
    OTEL_SERVICE_NAME: 'shop-api',
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    OTEL_BSP_SCHEDULE_DELAY: '500',
  },
);
start(
  'shop-worker',
  process.execPath,
  ['--import', '@clicktrace/node/register', 'dist/worker.js'],
  'apps/demo-api',
  {
    DATABASE_URL: databaseUrl,
    EMAIL_SERVICE_URL: apiUrl,
    OTEL_SERVICE_NAME: 'shop-worker',
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
    OTEL_BSP_SCHEDULE_DELAY: '500',
  },
);
start(
  'shop-web',
  process.execPath,
  ['node_modules/vite/bin/vite.js', '--logLevel', 'warn'],
  'apps/demo-web',
  {
    PORT: String(webPort),
    VITE_API_URL: apiUrl,
    VITE_OTLP_ENDPOINT: `${collectorUrl}/v1/traces`,
  },
);

process.stdout.write(
  [
    '',
    'clicktrace demo is starting:',
    `  shop (click around):   ${webUrl}/`,
    `  trace viewer:          ${collectorUrl}/`,
    `  shop API:              ${apiUrl}/api/items`,
    `  database:              ${pglitePort === undefined ? 'DATABASE_URL' : `embedded PostgreSQL (PGlite) at ${host}:${pglitePort}`}`,
    `  jobs queue:            ${process.env.AMQP_URL ? 'RabbitMQ (AMQP_URL)' : process.env.REDIS_URL ? 'BullMQ on Redis (REDIS_URL)' : 'a table in that database'}`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);
