// One server, two copies of the same Hono app: /hooked/* built with the `Hono` that `import 'hono'`
// gives under clicktrace (its router's add wrapped), /plain/* with Hono's own class (its ES module
// entry imported by file URL, which the import hook leaves alone). GET /cpu answers this process's
// CPU time so far, in µs; GET /inner times the two apps' fetch() in this process. SAME_CLASS=1
// builds both with Hono's own class (an A/A run, to see the noise).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono as Hooked } from 'hono';

const cjsEntry = createRequire(import.meta.url).resolve('hono');
const { Hono: Plain } = await import(pathToFileURL(cjsEntry.replace(/dist[/\\]cjs[/\\]/, 'dist/')).href);
// The hooked class is clicktrace's subclass of Hono's own.
if (Object.getPrototypeOf(Hooked) !== Plain) throw new Error('hono was not hooked');

function build(Hono, prefix) {
  const app = new Hono().basePath(prefix);
  app.use('*', async (c, next) => {
    await next();
    c.header('x-app', 'hono');
  });
  app.get('/items/:id', (c) => c.json({ id: c.req.param('id') }));
  return app;
}
const hooked = build(process.env.SAME_CLASS === '1' ? Plain : Hooked, '/hooked');
const plain = build(Plain, '/plain');

const server = serve(
  {
    fetch: (request, env) => {
      const path = new URL(request.url).pathname;
      if (path === '/inner') return Response.json(inner());
      if (path === '/cpu') {
        const { user, system } = process.cpuUsage();
        return new Response(String(user + system));
      }
      return (path.startsWith('/hooked/') ? hooked : plain).fetch(request, env);
    },
    port: 0,
    hostname: '127.0.0.1',
  },
  () => process.stdout.write(`${server.address().port}\n`),
);

/** µs per app.fetch() of each copy, with a request that looks traced to the hook (its state). */
function inner() {
  const INNER = Number(process.env.INNER ?? 500);
  const SAMPLES = 200;
  const STATE = Symbol.for('clicktrace.node.serverSpan');
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const time = (app, prefix) => {
    const env = { incoming: { [STATE]: { route: undefined } } };
    const started = performance.now();
    for (let i = 0; i < INNER; i++) app.fetch(new Request(`http://x${prefix}/items/${i}`), env);
    return ((performance.now() - started) * 1000) / INNER;
  };
  const rows = [];
  for (let i = 0; i < SAMPLES; i++) {
    // Alternate which goes first, so neither always runs on a warmer cache.
    const [first, second] = i % 2 ? [plain, hooked] : [hooked, plain];
    const a = time(first, first === hooked ? '/hooked' : '/plain');
    const b = time(second, second === hooked ? '/hooked' : '/plain');
    rows.push(first === hooked ? { h: a, p: b } : { h: b, p: a });
  }
  return {
    inner: INNER,
    samples: SAMPLES,
    hooked: median(rows.map((r) => r.h)),
    plain: median(rows.map((r) => r.p)),
    added: median(rows.map((r) => r.h - r.p)),
  };
}
