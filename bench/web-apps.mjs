// What the Chromium benchmarks of the minimal apps share (main-thread, web-heap): the three apps
// of bench/bundle-size (no tracing, clicktrace, hand-wired OpenTelemetry) built for production,
// one loopback origin serving them with the API they call and an OTLP sink, and the page-side
// scripts that click and wait without scheduling timers of their own.
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
export const APPS = ['baseline', 'clicktrace', 'hand-wired'];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript' };

/** Builds the three apps for production into `outDir`/<app>. */
export async function buildApps(outDir) {
  for (const app of APPS) {
    await build({
      root: join(here, 'bundle-size/apps', app),
      logLevel: 'silent',
      base: './',
      build: { outDir: join(outDir, app), emptyOutDir: true },
    });
  }
}

/**
 * Serves `outDir`/<app>/ at /<app>/, the apps' API at …/api/items and an OTLP/HTTP-JSON sink at
 * …/v1/traces that counts the spans it receives (a check that the tracing ran and its flush got
 * through), on 127.0.0.1.
 */
export async function serveApps(outDir) {
  let spans = 0;
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url.endsWith('/api/items'))
      return res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    if (url.endsWith('/v1/traces')) {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      return req.on('end', () => {
        try {
          for (const rs of JSON.parse(Buffer.concat(chunks).toString()).resourceSpans ?? [])
            for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
        } catch {}
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    }
    const [, app, ...rest] = url.split('/');
    const path = `/${rest.join('/')}`;
    const file = join(outDir, app ?? '', path === '/' ? 'index.html' : path);
    if (!app || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    /** Spans received since the last reset. */
    spans: () => spans,
    resetSpans: () => {
      spans = 0;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// Run in the page once it has loaded: a count of completed /api/items fetches. The page's fetch,
// as the app's tracing left it, is wrapped once more, outermost, so that each call's promise bumps
// the count when it resolves, with the response (the 2-byte body comes with the headers): one
// more promise reaction per fetch, the same in the three apps. Resource-timing entries would be
// the other signal, but Chromium reports them for a fetch whose body nobody reads about 50 ms
// after the response, and at once when something reads it (the stock fetch instrumentation
// does): waiting for them would cost the apps differently.
export const installFetchCounter = `(() => {
  const bench = { responses: 0, wake: undefined };
  const completed = () => { bench.responses++; const wake = bench.wake; bench.wake = undefined; wake?.(); };
  const inner = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    const response = inner.call(this, input, init);
    if (String(input instanceof Request ? input.url : input).endsWith('/api/items')) response.then(completed, completed);
    return response;
  };
  globalThis.__bench = bench;
})()`;

// n clicks on the button (its listener fetches), each awaited until its response has completed.
// Returns how many responses completed in all, for the caller to check.
export const clickAndAwait = `async (n) => {
  const button = document.querySelector('button');
  const bench = globalThis.__bench;
  for (let i = 0; i < n; i++) {
    const want = bench.responses + 1;
    button.click();
    while (bench.responses < want) await new Promise((resolve) => { bench.wake = resolve; });
  }
  return bench.responses;
}`;

// The app's flush where it has one: clicktrace's waits for its open interactions to end first
// (at most 10 s); the hand-wired app's hook is its provider's forceFlush.
export const flushTracing = `async () => {
  const sdk = globalThis[Symbol.for('clicktrace.web')];
  if (sdk) await sdk.flush({ idle: 10000 });
}`;
