import { readdirSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  build,
  createServer as createViteServer,
  type Plugin,
  type PluginOption,
  preview,
  type ViteDevServer,
} from 'vite';

/** One request a recording API server received. */
export interface SeenRequest {
  path: string;
  traceparent: string | undefined;
}

/**
 * A cross-origin API on 127.0.0.1 that records the traceparent of every request, except
 * `/redirect?to=<url>`, which it answers with a 302 to that URL.
 */
export interface RecordingApi {
  origin: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startRecordingApi(): Promise<RecordingApi> {
  const seen: SeenRequest[] = [];
  const server = createHttpServer((request, response) => {
    // CORS that lets the page send trace headers (they make the request preflighted).
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-allow-headers', 'traceparent, tracestate, content-type');
    response.setHeader('access-control-allow-methods', 'GET, POST');
    if (request.method === 'OPTIONS') {
      response.writeHead(204).end();
      return;
    }
    const traceparent = request.headers.traceparent;
    // /redirect?to=<url>: a 302 there (CORS lets the browser follow it).
    const redirectTo = new URL(request.url ?? '/', 'http://api').searchParams.get('to');
    if (request.url?.startsWith('/redirect') && redirectTo) {
      request.resume();
      response.writeHead(302, { location: redirectTo }).end();
      return;
    }
    seen.push({
      path: request.url ?? '',
      traceparent: Array.isArray(traceparent) ? traceparent[0] : traceparent,
    });
    request.resume();
    request.on('end', () =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
    );
  });
  const port = await listen(server);
  return { origin: `http://127.0.0.1:${port}`, seen, close: () => close(server) };
}

/** One request a {@link startRefusingApi} received, preflights included. */
export interface RefusingApiRequest {
  method: string;
  path: string;
  /** A preflight's `Access-Control-Request-Headers`: the headers the page asked to send. */
  requestHeaders: string | undefined;
}

/**
 * A cross-origin API whose CORS lets any origin in, but not the trace headers: its preflight allows
 * `content-type` only. The browser then refuses a request that carries `traceparent` without
 * sending it, and the page sees a network error. Requests without trace headers are answered.
 */
export async function startRefusingApi(): Promise<{
  origin: string;
  seen: RefusingApiRequest[];
  close(): Promise<void>;
}> {
  const seen: RefusingApiRequest[] = [];
  const server = createHttpServer((request, response) => {
    const requestHeaders = request.headers['access-control-request-headers'];
    seen.push({ method: request.method ?? '', path: request.url ?? '', requestHeaders });
    response.setHeader('access-control-allow-origin', '*');
    request.resume();
    if (request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-methods', 'GET, POST');
      response.setHeader('access-control-allow-headers', 'content-type');
      response.writeHead(204).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  const port = await listen(server);
  return { origin: `http://127.0.0.1:${port}`, seen, close: () => close(server) };
}

/** The server span every {@link startServerTimingApi} response names. */
export const SERVER_TRACE_ID = '5bd66ef5095369c7b0d1f8f4bd33716a';
export const SERVER_SPAN_ID = 'c532cb4098ac3dd2';

/**
 * A cross-origin API (CORS for any origin, trace headers allowed) that names a server span in
 * `Server-Timing`, as `@clicktrace/node` responses do. The path picks the header:
 * `/exposed` and `/draft` (`db;dur=5, trace;desc=00-…`) expose it with Access-Control-Expose-Headers,
 * `/hidden` does not, `/malformed/<n>` sends the n-th malformed value, exposed.
 */
export async function startServerTimingApi(): Promise<{
  origin: string;
  malformed: string[];
  close(): Promise<void>;
}> {
  const traceparent = `00-${SERVER_TRACE_ID}-${SERVER_SPAN_ID}-01`;
  const malformed = [
    `traceparent;desc="00-${SERVER_TRACE_ID}-${SERVER_SPAN_ID}-01`, // half-quoted
    `traceparent;desc="00-${SERVER_TRACE_ID.toUpperCase()}-${SERVER_SPAN_ID}-01"`, // upper-case hex
    `traceparent;desc="00-${'0'.repeat(32)}-${SERVER_SPAN_ID}-01"`, // invalid trace id
    `traceparent;desc="01-${SERVER_TRACE_ID}-${SERVER_SPAN_ID}-01"`, // unknown version
    `traceparent;desc="00-${SERVER_TRACE_ID}-${SERVER_SPAN_ID}-01x"`, // trailing junk
    `mytraceparent;desc="${traceparent}"`, // another metric
  ];
  const server = createHttpServer((request, response) => {
    response.setHeader('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-headers', 'traceparent, tracestate');
      response.writeHead(204).end();
      return;
    }
    const path = new URL(request.url ?? '/', 'http://api').pathname;
    const value =
      path === '/draft'
        ? `db;dur=5, trace;desc=${traceparent}`
        : path.startsWith('/malformed/')
          ? malformed[Number(path.slice('/malformed/'.length))]
          : `traceparent;desc="${traceparent}"`;
    if (value) response.setHeader('server-timing', value);
    if (path !== '/hidden') response.setHeader('access-control-expose-headers', 'Server-Timing');
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  const port = await listen(server);
  return { origin: `http://127.0.0.1:${port}`, malformed, close: () => close(server) };
}

/** A running Vite dev server for a test page. */
export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Vite serving a folder of test pages (relative to this package), with the package source
 * importable from them. `aliasPackage` also resolves `@clicktrace/web` to the source, as a
 * user's project that installed it would import it; `plugins` are added to Vite's (a
 * same-origin API's middleware, say).
 */
export async function startPageServer(
  folder: string,
  { aliasPackage = false, plugins = [] as PluginOption[] } = {},
): Promise<PageServer> {
  const packageDir = fileURLToPath(new URL('../..', import.meta.url));
  const vite: ViteDevServer = await createViteServer({
    configFile: false,
    root: fileURLToPath(new URL(`../../${folder}`, import.meta.url)),
    cacheDir: fileURLToPath(
      new URL(`../../node_modules/.vite-test/${folder.replaceAll('/', '-')}`, import.meta.url),
    ),
    logLevel: 'warn',
    plugins,
    resolve: aliasPackage
      ? { alias: { '@clicktrace/web': fileURLToPath(new URL('../../src/index.ts', import.meta.url)) } }
      : undefined,
    // Discover every dependency up front: a late discovery reloads the page mid-test.
    optimizeDeps: { entries: ['index.html'] },
    server: { host: '127.0.0.1', port: 0, fs: { allow: [packageDir] }, hmr: false },
  });
  await vite.listen();
  const address = vite.httpServer?.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${address.port}`, close: () => vite.close() };
}

/**
 * A folder of test pages built by Vite for production (every HTML file in it is an entry), then
 * served by Vite's preview server with `plugins` (their `configurePreviewServer` hooks run): a
 * page loads in a few requests, for tests that load it many times.
 */
export async function startBuiltPageServer(
  folder: string,
  { plugins = [] as PluginOption[] } = {},
): Promise<PageServer> {
  const root = fileURLToPath(new URL(`../../${folder}`, import.meta.url));
  const outDir = fileURLToPath(
    new URL(`../../node_modules/.vite-test-build/${folder.replaceAll('/', '-')}`, import.meta.url),
  );
  const pages = readdirSync(root).filter((name) => name.endsWith('.html'));
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      rollupOptions: { input: Object.fromEntries(pages.map((name) => [name, `${root}/${name}`])) },
    },
  });
  const server = await preview({
    configFile: false,
    root,
    logLevel: 'warn',
    plugins,
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0 },
  });
  const address = server.httpServer.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

/**
 * A same-origin API under `/api` for a page served by {@link startBuiltPageServer}: records each
 * request's path and traceparent in `seen`; `/api/slow` is answered only when the test calls the
 * answers pushed to `held`, the rest at once.
 */
export function sameOriginApi(seen: SeenRequest[], held: Array<() => void> = []): Plugin {
  return {
    name: 'same-origin-api',
    configurePreviewServer(server) {
      server.middlewares.use('/api', (request: IncomingMessage, response: ServerResponse) => {
        const traceparent = request.headers.traceparent;
        seen.push({
          path: `/api${request.url ?? ''}`,
          traceparent: Array.isArray(traceparent) ? traceparent[0] : traceparent,
        });
        request.resume();
        const answer = () => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        if (request.url?.startsWith('/slow')) held.push(answer);
        else answer();
      });
    },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
