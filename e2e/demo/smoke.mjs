// The README's demo command, as a new user runs it: `node scripts/demo.mjs` with its embedded
// defaults (PGlite for the database, a table of it for the jobs), nothing else installed. It must
// start every part, turn one checkout into one trace from the caller through the database, the
// queue and the worker to the email service, and stop every part on SIGTERM.
//   node e2e/demo/smoke.mjs      (after `pnpm run build`)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const [collector, api, web, pglite] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
const env = {
  ...process.env,
  COLLECTOR_PORT: `${collector}`,
  API_PORT: `${api}`,
  WEB_PORT: `${web}`,
  PGLITE_PORT: `${pglite}`,
};
for (const name of ['DATABASE_URL', 'AMQP_URL', 'REDIS_URL']) delete env[name];
const demo = spawn(process.execPath, ['scripts/demo.mjs'], {
  cwd: root,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
demo.stdout.on('data', (chunk) => {
  output += chunk;
});
demo.stderr.on('data', (chunk) => {
  output += chunk;
});
const exited = once(demo, 'exit');
let stopping = false;

function fail(message) {
  process.stderr.write(`demo smoke: ${message}\n--- the demo printed ---\n${output}\n`);
  demo.kill('SIGTERM');
  process.exit(1);
}
demo.once('exit', (code) => {
  if (!stopping) fail(`the demo exited (${code}) by itself`);
});

/** Polls `check` until it returns a value; a hang guard far above any healthy run, not a limit on speed. */
async function until(what, check) {
  const giveUp = Date.now() + 300_000;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > giveUp) fail(`gave up waiting for ${what}`);
    await delay(100);
  }
}

/** A plain node:http server's spans are named by method; the path says which route. */
function isEmailServer(span) {
  return span.kind === 'SERVER' && span.attributes['url.path'] === '/api/emails/order-confirmation';
}
await until('the worker to consume', async () =>
  output.includes('shop-worker consuming order confirmations'),
);
await until('the shop page', async () => (await fetch(`http://127.0.0.1:${web}/`)).ok);
const json = { 'content-type': 'application/json' };
await until('the API', async () => (await fetch(`http://127.0.0.1:${api}/api/items`)).ok);
await fetch(`http://127.0.0.1:${api}/api/cart`, {
  method: 'POST',
  headers: json,
  body: JSON.stringify({ cartId: 'smoke', itemId: 'tea' }),
});
// The browser's part is the e2e suite's: here the caller is this script, with its own traceparent.
const traceId = randomBytes(16).toString('hex');
const order = await fetch(`http://127.0.0.1:${api}/api/checkout`, {
  method: 'POST',
  headers: { ...json, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  body: JSON.stringify({ cartId: 'smoke' }),
});
if (!order.ok) fail(`checkout answered ${order.status}`);

const spans = await until('the trace to reach the email service', async () => {
  const response = await fetch(`http://127.0.0.1:${collector}/api/traces/${traceId}`);
  if (!response.ok) return undefined;
  const { spans } = await response.json();
  // Complete once every span from the email service's up to the checkout's has arrived.
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  let span = spans.find(isEmailServer);
  while (span?.parentSpanId && byId.has(span.parentSpanId)) span = byId.get(span.parentSpanId);
  return span?.attributes['url.path'] === '/api/checkout' ? spans : undefined;
});
const byId = new Map(spans.map((s) => [s.spanId, s]));
const chain = [];
for (let span = spans.find(isEmailServer); span; span = byId.get(span.parentSpanId))
  chain.unshift(`${span.kind} ${span.name} ${span.attributes['url.path'] ?? ''}`.trim());
const expected = [
  'SERVER POST /api/checkout',
  'PRODUCER',
  'CONSUMER',
  'CLIENT',
  'SERVER POST /api/emails/order-confirmation',
];
// Nothing above the checkout's SERVER span but this script's own (unsent) caller span.
const shape = chain.map((step) => step.split(' ')[0]);
if (
  JSON.stringify(shape) !== JSON.stringify(expected.map((step) => step.split(' ')[0])) ||
  chain[0] !== expected[0]
)
  fail(`the chain is ${JSON.stringify(chain)}, not ${JSON.stringify(expected)}`);
if (!spans.some((s) => s.kind === 'CLIENT' && /INSERT/.test(s.name)))
  fail(`no INSERT span in ${JSON.stringify(spans.map((s) => `${s.kind} ${s.name}`))}`);

stopping = true;
demo.kill('SIGTERM');
await exited;
process.stdout.write(`demo smoke: ok, one trace ${chain.join(' -> ')}\n`);
