import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, type Page, test } from '@playwright/test';
import { build, createServer, type InlineConfig, type Plugin, preview } from 'vite';
import { clicktrace } from '../../src/vite/index.js';
import { decodeOtlpJson, type ExportedSpan, pollForSpan, SPAN_KIND, traceparentOf } from './otlp-capture.js';
import { type RecordingApi, type SeenRequest, startRecordingApi } from './servers.js';

// Work handed from a click to a dedicated Web Worker (fixtures-worker): the page runs startTracing,
// the traced workers run startWorkerTracing (@clicktrace/web/worker), and fetch from a real API on
// another loopback origin that records the traceparent it receives. Page and workers export to
// `/v1/traces` on the page's origin (their default), where the Vite server below collects them.

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const root = fileURLToPath(new URL('fixtures-worker', import.meta.url));

/** Spans posted to `/v1/traces` on the fixture server, by the page and by its workers. */
const spans: ExportedSpan[] = [];

function collect(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    spans.push(...decodeOtlpJson(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}

const collector: Plugin = {
  name: 'collector',
  configureServer: (server) => void server.middlewares.use('/v1/traces', collect),
  configurePreviewServer: (server) => void server.middlewares.use('/v1/traces', collect),
};

function config(mode: 'dev' | 'build'): InlineConfig {
  return {
    root,
    configFile: false,
    logLevel: 'warn',
    cacheDir: `${packageDir}node_modules/.vite-test/workers-${mode}`,
    plugins: [clicktrace(), collector],
    // Discover every dependency up front: a late discovery reloads the page mid-test.
    optimizeDeps: { entries: ['index.html', 'traced-worker.ts', 'plain-worker.ts'] },
    server: { host: '127.0.0.1', port: 0, hmr: false, fs: { allow: [packageDir] } },
    preview: { host: '127.0.0.1', port: 0 },
    build: { outDir: `${packageDir}test-results/workers-build`, emptyOutDir: true },
  };
}

let dev: { origin: string; close(): Promise<void> };
let api: RecordingApi;

test.beforeAll(async () => {
  api = await startRecordingApi();
  const server = await createServer(config('dev'));
  await server.listen();
  const address = server.httpServer?.address() as AddressInfo;
  dev = { origin: `http://127.0.0.1:${address.port}`, close: () => server.close() };
});

test.afterAll(async () => {
  await Promise.all([dev?.close(), api?.close()]);
});

test.beforeEach(() => {
  spans.length = 0;
  api.seen.length = 0;
});

/** Opens the fixture and waits until the traced worker(s) said they are ready (after their hello). */
async function open(page: Page, origin: string, query = ''): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${origin}/index.html?api=${api.origin}${query}`);
  await page.locator('body[data-traced-ready]').waitFor({ state: 'attached' });
  if (query.includes('classic'))
    await page.locator('body[data-classic-ready]').waitFor({ state: 'attached' });
  expect(errors).toEqual([]);
}

function flush(page: Page): Promise<void> {
  return page.evaluate(() =>
    (
      (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as { flush(): Promise<void> }
    ).flush(),
  );
}

function waitForSpan(page: Page, predicate: (span: ExportedSpan) => boolean): Promise<ExportedSpan> {
  return pollForSpan(
    () => spans,
    () => flush(page),
    predicate,
  );
}

async function waitForRequest(path: string): Promise<SeenRequest> {
  await expect.poll(() => api.seen.some((seen) => seen.path === path), { timeout: 0 }).toBe(true);
  return api.seen.find((seen) => seen.path === path) as SeenRequest;
}

/** Whether the buffer posted with job `id` was transferred to the worker (detached on the page). */
function transferred(page: Page, id: string): Promise<boolean | undefined> {
  return page.evaluate(
    (job) => (window as unknown as { transferred: Record<string, boolean> }).transferred[job],
    id,
  );
}

function received(page: Page, worker: string): Promise<unknown[]> {
  return page.evaluate(
    (name) => (window as unknown as { received: Record<string, unknown[]> }).received[name] ?? [],
    worker,
  );
}

/** The answer the worker posted for job `id`, once it came. */
async function answerTo(page: Page, worker: string, id: string): Promise<Record<string, unknown>> {
  await expect
    .poll(async () => (await received(page, worker)).some((data) => (data as { id?: string }).id === id), {
      timeout: 0,
    })
    .toBe(true);
  return (await received(page, worker)).find((data) => (data as { id?: string }).id === id) as Record<
    string,
    unknown
  >;
}

/**
 * Clicks `selector`, then checks the chain the worker's request arrived with: the API's traceparent
 * is the worker's CLIENT span, whose parent is the page's PRODUCER span for the postMessage, whose
 * parent is the click's root span: one trace.
 */
async function expectHandOff(page: Page, selector: string, id: string, workerService: string) {
  await page.click(selector);
  const seen = await waitForRequest(`/worker/${id}`);
  const client = await waitForSpan(
    page,
    (span) => span.kind === SPAN_KIND.CLIENT && String(span.attributes['url.full']).endsWith(`/worker/${id}`),
  );
  expect(seen.traceparent).toBe(traceparentOf(client));
  expect(client.resource['service.name']).toBe(workerService);
  expect(client.attributes['clicktrace.parent.source']).toBe('context');
  const producer = await waitForSpan(page, (span) => span.spanId === client.parentSpanId);
  expect(producer).toMatchObject({
    kind: 4, // PRODUCER
    traceId: client.traceId,
    name: expect.stringMatching(/^postMessage .*worker/),
    attributes: { 'clicktrace.trace_headers.sent': true },
    resource: { 'service.name': 'fixture-web' },
  });
  const click = await waitForSpan(page, (span) => span.spanId === producer.parentSpanId);
  expect(click).toMatchObject({ kind: SPAN_KIND.INTERNAL, parentSpanId: undefined, traceId: client.traceId });
  expect(click.name).toMatch(/^click /);
  // The worker's handler got the app's message as posted, its buffer transferred.
  expect(await transferred(page, id)).toBe(true);
  const answer = await answerTo(page, id === 'classic' ? 'classic' : 'traced', id);
  expect(answer).toMatchObject({
    status: 200,
    keys: ['via', 'api', 'id', 'buffer'],
    bytes: [1, 2, 3, 4],
    ports: 0,
  });
  return { click, producer, client };
}

test('a click that hands work to a module worker (self.onmessage) is one trace down to the API', async ({
  page,
}) => {
  await open(page, dev.origin);
  await expectHandOff(page, '#to-onmessage', 'onmessage', 'fixture-worker');
  // The page's own onmessage never saw the worker's hello.
  const messages = await received(page, 'traced');
  expect(messages.filter((data) => JSON.stringify(data).includes('clicktrace'))).toEqual([]);
  expect(messages[0]).toEqual({ ready: true });
});

test('a click that hands work to a worker message listener is one trace down to the API', async ({
  page,
}) => {
  await open(page, dev.origin);
  await expectHandOff(page, '#to-listener', 'listener', 'fixture-worker');
});

test('a worker without clicktrace gets the exact message, and the click is kept for its hand-off', async ({
  page,
}) => {
  await open(page, dev.origin);
  await page.click('#to-plain');
  await expect.poll(async () => (await received(page, 'plain')).length, { timeout: 0 }).toBe(1);
  expect((await received(page, 'plain'))[0]).toEqual({
    data: { kind: 'job', n: 1, nested: { list: [1, 'two'] }, buffer: {} },
    ports: 0,
  });
  expect(
    await page.evaluate(() => {
      const [answer] = (
        window as unknown as { received: { plain: Array<{ data: { buffer: ArrayBuffer } }> } }
      ).received.plain;
      return [...new Uint8Array(answer?.data.buffer ?? new ArrayBuffer(0))];
    }),
  ).toEqual([5, 6, 7]);
  expect(await transferred(page, 'plain')).toBe(true);
  // The click's only work was the hand-off: it is exported (not dropped as empty), with the
  // PRODUCER span that says no context went along.
  const producer = await waitForSpan(page, (span) => span.kind === 4);
  expect(producer.attributes['clicktrace.trace_headers.sent']).toBe(false);
  const click = await waitForSpan(page, (span) => span.spanId === producer.parentSpanId);
  expect(click.name).toBe('click button "Plain worker"');
  expect(click.attributes['clicktrace.interaction.end']).toBe('idle');
});

test('a message posted outside any click starts no span on the page; the worker request is a root', async ({
  page,
}) => {
  await open(page, dev.origin);
  await page.evaluate(() => (window as unknown as { postOutsideClick(): void }).postOutsideClick());
  const seen = await waitForRequest('/worker/outside');
  const client = await waitForSpan(page, (span) =>
    String(span.attributes['url.full']).endsWith('/worker/outside'),
  );
  expect(seen.traceparent).toBe(traceparentOf(client));
  expect(client.parentSpanId).toBeUndefined();
  expect(client.attributes['clicktrace.parent.source']).toBe('none');
  // Still unwrapped for the worker's handler.
  expect(await answerTo(page, 'traced', 'outside')).toMatchObject({ keys: ['via', 'api', 'id', 'buffer'] });
  await flush(page);
  expect(spans.filter((span) => span.resource['service.name'] === 'fixture-web')).toEqual([]);
});

test('postMessage to a traced worker fails as the native one does: no argument, or one it cannot clone', async ({
  page,
}) => {
  await open(page, dev.origin);
  const outcomes = await page.evaluate(() => (window as unknown as { postBadly(): string[] }).postBadly());
  expect(outcomes).toEqual(['TypeError', 'DataCloneError']);
});

test('a classic worker (vite build) keeps the click trace too', async ({ page }) => {
  await build(config('build'));
  const server = await preview(config('build'));
  const { port } = server.httpServer.address() as AddressInfo;
  try {
    await open(page, `http://127.0.0.1:${port}`, '&classic');
    await expectHandOff(page, '#to-classic', 'classic', 'fixture-classic-worker');
  } finally {
    await server.close();
  }
});
