import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { test as base, expect, type Page } from '@playwright/test';
import { decodeOtlpJson, type ExportedSpan, isClickChain } from './otlp-capture.js';
import { type PageServer, type SeenRequest, sameOriginApi, startBuiltPageServer } from './servers.js';

// The exporter survives its collector (fixtures-leave/, its "Fetch and stay" button): while the
// collector is down or overloaded the spans wait and are retried, and the page never notices.

/** How the collector answers right now. */
type CollectorMode = { kind: 'up' } | { kind: 'down' } | { kind: 'busy'; retryAfterSeconds: number };

/** A real OTLP/HTTP collector on loopback that can be taken down (every connection reset) or made busy (503). */
interface FlakyCollector {
  url: string;
  mode: CollectorMode;
  spans: ExportedSpan[];
  /** Export attempts (connections while down, POSTs otherwise), with `Date.now()` when each came. */
  attempts: Array<{ at: number; mode: CollectorMode['kind'] }>;
  close(): Promise<void>;
}

async function startFlakyCollector(): Promise<FlakyCollector> {
  const collector: FlakyCollector = {
    url: '',
    mode: { kind: 'up' },
    spans: [],
    attempts: [],
    close: async () => {},
  };
  const sockets = new Set<Socket>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-expose-headers', 'Retry-After');
    if (request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-headers', 'content-type');
      response.setHeader('access-control-allow-methods', 'POST');
      response.writeHead(204).end();
      return;
    }
    const mode = collector.mode;
    collector.attempts.push({ at: Date.now(), mode: mode.kind });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (mode.kind === 'busy') {
        response.writeHead(503, { 'retry-after': String(mode.retryAfterSeconds) }).end();
        return;
      }
      collector.spans.push(...decodeOtlpJson(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  // Down: the process is there but resets every connection, as a crashed collector behind a proxy does.
  server.on('connection', (socket: Socket) => {
    if (collector.mode.kind === 'down') {
      collector.attempts.push({ at: Date.now(), mode: 'down' });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  collector.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  collector.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return collector;
}

/** Requests the page's own origin received under /api. */
const sameOrigin: SeenRequest[] = [];

let fixtures: PageServer;

base.beforeAll(async () => {
  fixtures = await startBuiltPageServer('test/browser/fixtures-leave', {
    plugins: [sameOriginApi(sameOrigin)],
  });
});

base.afterAll(async () => {
  await fixtures?.close();
});

// Backoff doubles from 1 s: an outage long enough for several retries takes a while.
base.describe.configure({ timeout: 180_000 });

const test = base.extend<{ collector: FlakyCollector }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern
  collector: async ({}, use) => {
    sameOrigin.length = 0;
    const collector = await startFlakyCollector();
    await use(collector);
    await collector.close();
  },
});

async function open(page: Page, collector: FlakyCollector): Promise<void> {
  const search = new URLSearchParams({ endpoint: collector.url, api: 'http://127.0.0.1:9', run: '0' });
  await page.goto(`${fixtures.origin}/index.html?${search}`);
  await page.waitForFunction(() => (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')]);
}

/** Clicks "Fetch and stay" `times` times, each waiting for the app to have its answer. */
async function clickAndStay(page: Page, times: number): Promise<void> {
  for (let click = 1; click <= times; click++) {
    await page.click('#stay');
    await page.waitForFunction(
      (count) => (globalThis as unknown as { fixture: { answered: number } }).fixture.answered >= count,
      click,
    );
  }
}

/** How many requests the server received arrived as complete click -> request chains. */
function completeChains(collector: FlakyCollector): number {
  return sameOrigin.filter((seen) => isClickChain(collector.spans, seen.traceparent)).length;
}

test('10 clicks while the collector is down all arrive once it is back, and the app never noticed', async ({
  page,
  collector,
}) => {
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  await open(page, collector);
  collector.mode = { kind: 'down' };
  await clickAndStay(page, 10);
  // The app's own requests went through while its spans could not.
  expect(sameOrigin).toHaveLength(10);
  // Down until the exporter has tried, and failed, at least 3 times after the last click.
  const afterClicks = collector.attempts.length;
  await expect.poll(() => collector.attempts.length - afterClicks, { timeout: 0 }).toBeGreaterThanOrEqual(3);
  expect(collector.spans).toHaveLength(0);
  collector.mode = { kind: 'up' };
  // No flush: the exporter's own retry delivers them.
  await expect.poll(() => completeChains(collector), { timeout: 0 }).toBe(10);
  expect(errors).toEqual([]);
});

test("a busy collector's Retry-After is honoured before the next attempt", async ({ page, collector }) => {
  await open(page, collector);
  collector.mode = { kind: 'busy', retryAfterSeconds: 3 };
  await clickAndStay(page, 1);
  await expect.poll(() => collector.attempts.length, { timeout: 0 }).toBeGreaterThanOrEqual(1);
  collector.mode = { kind: 'up' };
  await expect.poll(() => completeChains(collector), { timeout: 0 }).toBe(1);
  const [busy, retry] = collector.attempts;
  expect(busy?.mode).toBe('busy');
  // The first backoff alone would be about 1 s: the wait is the collector's 3 s.
  expect((retry?.at ?? 0) - (busy?.at ?? 0)).toBeGreaterThanOrEqual(2_900);
});

test('under steady load every span arrives and no export fails', async ({ page, collector }) => {
  await open(page, collector);
  // The SDK's diagnostics, through the OpenTelemetry API's global (the fixture sets no logger).
  await page.evaluate(() => {
    const warnings: string[] = [];
    const api = (globalThis as Record<symbol, { diag?: unknown }>)[Symbol.for('opentelemetry.js.api.1')];
    if (api) {
      const record = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
      api.diag = { error: record, warn: record, info() {}, debug() {}, verbose() {} };
    }
    Object.assign(globalThis, { warnings });
  });
  // 300 clicks as fast as the app answers them: about 400 kB of spans, many requests in a row.
  await page.evaluate(async () => {
    const button = document.getElementById('stay') as HTMLButtonElement;
    const state = (globalThis as unknown as { fixture: { answered: number } }).fixture;
    for (let click = 1; click <= 300; click++) {
      button.click();
      while (state.answered < click) await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  });
  await page.evaluate(() =>
    (globalThis as unknown as { tracing: { flush(o: { idle: number }): Promise<void> } }).tracing.flush({
      idle: 10_000,
    }),
  );
  await expect.poll(() => completeChains(collector), { timeout: 0 }).toBe(300);
  // None failed on the way: retried later, it would arrive, but late, and a longer run would
  // overflow the queue (Chromium refused every other keepalive request when answers went unread).
  expect(await page.evaluate(() => (globalThis as unknown as { warnings: string[] }).warnings)).toEqual([]);
});
