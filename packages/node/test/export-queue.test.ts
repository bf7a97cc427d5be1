import { afterEach, describe, expect, it } from 'vitest';
import { type Attempt, FlakyCollector } from './flaky-collector.js';
import type { ExportedSpan } from './recorder.js';
import { type App, registerEsm, spawnApp } from './spawn-app.js';

// The export queue of @clicktrace/node against a real collector that goes down and comes back on
// the same port, in a real child process started the zero-code way (--import register).
const SERVER = 2;
// Each test waits for events, with no deadline of its own; this is the limit for all of them.
const TEST_TIMEOUT = 20_000;

let started: { close?: () => Promise<void>; stop?: () => Promise<unknown> }[] = [];

afterEach(async () => {
  await Promise.all(started.map((it) => (it.stop ? it.stop() : it.close?.())));
  started = [];
});

async function collector(): Promise<FlakyCollector> {
  const it = await new FlakyCollector().start();
  started.push(it);
  return it;
}

/**
 * The app of test/fixtures/server.mjs, traced by --import register, exporting to the collector
 * in `protocol`: http/protobuf goes through our own processor (spans encoded as they end), http/json
 * through the stock batch processor; both wait in the same export queue. The stock exporter's timeout is 500 ms, so it gives up after its first failed
 * request (its own first retry would wait about 1 s): each attempt the queue makes is one request
 * the collector can count. The queue's backoff is 50 ms doubling to 400 ms (test-only variable).
 */
async function tracedApp(
  to: FlakyCollector,
  protocol: string,
  env: Record<string, string> = {},
): Promise<App> {
  const it = await spawnApp(['--import', registerEsm], 'server.mjs', {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${to.url}/v1/traces`,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '500',
    OTEL_BSP_SCHEDULE_DELAY: '20',
    CLICKTRACE_TEST_EXPORT_BACKOFF_MS: '50,400',
    ...env,
  });
  started.push(it);
  return it;
}

/** GET /r/1 … /r/count, one after the other; each must succeed, whatever the collector does. */
async function serveRequests(app: App, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    const response = await fetch(`${app.url}/r/${i}`);
    expect(response.status, 'the app answers as if nothing were wrong').toBe(200);
    await response.text();
  }
}

function serverPaths(spans: ExportedSpan[]): string[] {
  return spans
    .filter((span) => span.kind === SERVER)
    .map((span) => String(span.attributes['url.path']))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
}

function paths(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `/r/${from + i}`);
}

/** Resolves with what `find` returns from the app's stderr once it returns something. */
function untilStderr<T>(app: App, find: (stderr: string) => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const check = () => {
      const found = find(app.stderr());
      if (found === undefined) return;
      app.child.stderr?.off('data', check);
      resolve(found);
    };
    app.child.stderr?.on('data', check);
    check();
  });
}

describe.each(['http/protobuf', 'http/json'])(
  'the export queue (collector down, overloaded, or down too long), %s',
  (protocol) => {
    it(
      'delivers every span of the requests served while the collector was down, once it is back',
      async () => {
        const otlp = await collector();
        otlp.down();
        const app = await tracedApp(otlp, protocol);

        await serveRequests(app, 10);
        const attemptsBefore = otlp.attempts.length;
        // Down until the exporter has tried, and failed, at least three more times.
        await otlp.until(() => (otlp.attempts.length >= attemptsBefore + 3 ? true : undefined));
        expect(otlp.attempts.every((attempt) => attempt.outcome === 'cut')).toBe(true);
        expect(otlp.spans()).toEqual([]);

        otlp.up();
        const delivered = await otlp.until(() => {
          const found = serverPaths(otlp.spans());
          return found.length >= 10 ? found : undefined;
        });
        expect(delivered, 'each server span once, none lost').toEqual(paths(1, 10));
        // The exporter's own requests (its retries fire from timers, outside any request) make no spans.
        await app.stop();
        expect(otlp.spans().filter((span) => span.kind !== SERVER)).toEqual([]);
      },
      TEST_TIMEOUT,
    );

    it(
      'a batch over a cap on its own loses its oldest spans, as any overflow does, not all of them',
      async () => {
        const otlp = await collector();
        const app = await tracedApp(otlp, protocol, {
          CLICKTRACE_EXPORT_QUEUE_MAX_SPANS: '2',
          // One batch of all five: no scheduled export before the shutdown's flush.
          OTEL_BSP_SCHEDULE_DELAY: '600000',
        });

        await serveRequests(app, 5);
        await app.stop();
        if (protocol === 'http/json') {
          // The stock processor's one batch of five, in pieces of at most two: the first goes out at
          // once; of the rest, the cap keeps the newest.
          expect(serverPaths(otlp.spans())).toEqual(['/r/1', '/r/2', '/r/5']);
          expect(otlp.attempts.map((attempt) => attempt.outcome)).toEqual(['taken', 'taken']);
        } else {
          // Ours never makes a request bigger than the cap: one is cut every two spans and goes out
          // at once. The first and the newest are delivered; what came between is delivered or was
          // dropped as the oldest waiting, depending on how fast the collector took the first.
          const delivered = serverPaths(otlp.spans());
          expect(delivered.slice(0, 2)).toEqual(['/r/1', '/r/2']);
          expect(delivered.at(-1)).toBe('/r/5');
          expect(paths(1, 5)).toEqual(expect.arrayContaining(delivered));
          expect(otlp.attempts.every((attempt) => attempt.outcome === 'taken')).toBe(true);
        }
      },
      TEST_TIMEOUT,
    );

    it(
      "waits at least as long as a 503's Retry-After asks, in seconds or as an HTTP-date",
      async () => {
        const otlp = await collector();
        const inTwoSeconds = () => new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000).toUTCString();
        otlp.refuseNext(
          { status: 503, headers: () => ({ 'retry-after': '1' }) },
          { status: 503, headers: () => ({ 'retry-after': inTwoSeconds() }) },
          { status: 503, headers: () => ({ 'retry-after': '1' }) },
        );
        const app = await tracedApp(otlp, protocol);

        await serveRequests(app, 1);
        const delivered = await otlp.until(() => {
          const found = serverPaths(otlp.spans());
          return found.length >= 1 ? found : undefined;
        });
        expect(delivered).toEqual(['/r/1']);

        expect(otlp.attempts.map((attempt) => attempt.outcome)).toEqual([503, 503, 503, 'taken']);
        const [first, second, third, fourth] = otlp.attempts as [Attempt, Attempt, Attempt, Attempt];
        // Timers may fire a millisecond early: a few ms of slack, far below the 50 ms backoff.
        expect(second.at - first.answeredAt, 'Retry-After: 1').toBeGreaterThanOrEqual(995);
        const askedByDate = Date.parse(String(second.headers?.['retry-after'])) - second.answeredAtWall;
        expect(askedByDate, 'the date was 1 to 2 s ahead').toBeGreaterThan(1000);
        expect(third.at - second.answeredAt, 'Retry-After: <date>').toBeGreaterThanOrEqual(askedByDate - 5);
        expect(fourth.at - third.answeredAt, 'Retry-After: 1').toBeGreaterThanOrEqual(995);
      },
      TEST_TIMEOUT,
    );

    it.each([
      ['CLICKTRACE_EXPORT_QUEUE_MAX_SPANS', { CLICKTRACE_EXPORT_QUEUE_MAX_SPANS: '4' }],
      ['OTEL_BSP_MAX_QUEUE_SIZE (the default cap)', { OTEL_BSP_MAX_QUEUE_SIZE: '4' }],
    ])(
      'drops the oldest spans past its cap (%s), says how many in a diag warning, and delivers the newest',
      async (_name, cap) => {
        const otlp = await collector();
        otlp.down();
        const app = await tracedApp(otlp, protocol, {
          ...cap,
          // One span per batch, so the cap decides span by span which ones go.
          OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1',
          OTEL_LOG_LEVEL: 'warn',
        });

        await serveRequests(app, 10);
        // Each warning ends with the running total; six of the ten must go for four to fit.
        await untilStderr(app, (stderr) => (stderr.includes('(6 dropped so far)') ? true : undefined));
        expect(app.stderr()).toContain('dropped the oldest 1 spans (1 batches) waiting for the collector');
        expect(app.stderr()).toContain('the queue holds at most 4 spans');

        otlp.up();
        const delivered = await otlp.until(() => {
          const found = serverPaths(otlp.spans());
          return found.length >= 4 ? found : undefined;
        });
        if (protocol === 'http/json') {
          expect(delivered, 'the newest four').toEqual(paths(7, 10));
        } else {
          // Ours hands each span to the queue as soon as its batch (one span here) is full, so one
          // older span may be in the middle of an attempt (which the queue never drops) when the
          // cap is reached: the newest three, and that one.
          expect(delivered).toHaveLength(4);
          expect(delivered.slice(1), 'the newest three').toEqual(paths(8, 10));
          expect(Number(delivered[0]?.slice(3))).toBeLessThan(8);
        }

        // Shutting down (SIGTERM) flushes what is left: nothing older comes back.
        await app.stop();
        expect(serverPaths(otlp.spans())).toEqual(delivered);
      },
      TEST_TIMEOUT,
    );
  },
);
