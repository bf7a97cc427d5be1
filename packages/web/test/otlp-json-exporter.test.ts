import { context, type DiagLogger, diag } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, isTracingSuppressed } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeOtlpJson } from '../src/otlp-json-encoding.js';
import { OtlpJsonExporter } from '../src/otlp-json-exporter.js';
import { SyncContextManager } from './sync-context-manager.js';

const URL = 'http://127.0.0.1:4318/v1/traces';

interface Sent {
  url: string;
  init: RequestInit;
  suppressed: boolean;
  body: string;
}

/** A fetch that records each call; `answer` decides each response (default 200), maybe later. */
function fakeFetch(answer: (sent: Sent) => Promise<Response> | Response = () => new Response('{}')) {
  const sent: Sent[] = [];
  const fetch = vi.fn(function (this: unknown, url: RequestInfo | URL, init?: RequestInit) {
    // As the browser's fetch: any `this` but the global object (or none) is an illegal invocation.
    if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
    const call: Sent = {
      url: String(url),
      init: init ?? {},
      suppressed: isTracingSuppressed(context.active()),
      body: new TextDecoder().decode(init?.body as Uint8Array),
    };
    sent.push(call);
    return Promise.resolve(answer(call));
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, sent };
}

function spans(count: number, attributeBytes = 10, name = 'span'): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('exporter-test');
  for (let i = 0; i < count; i++) {
    tracer.startSpan(`${name} ${i}`, { attributes: { payload: 'x'.repeat(attributeBytes) } }).end();
  }
  return exporter.getFinishedSpans();
}

/** Timers the test fires by hand: the exporter's retry delays. */
function manualTimers() {
  const pending: Array<{ callback: () => void; ms: number }> = [];
  return {
    pending,
    setTimer(callback: () => void, ms: number) {
      const timer = { callback, ms };
      pending.push(timer);
      return () => pending.splice(pending.indexOf(timer), 1);
    },
    fire() {
      for (const timer of pending.splice(0)) timer.callback();
    },
  };
}

function exportSpans(exporter: OtlpJsonExporter, batch: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(batch, resolve));
}

function spanNames(body: string): string[] {
  const request = JSON.parse(body) as {
    resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }>;
  };
  return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name)));
}

const warnings: unknown[][] = [];
beforeAll(() => {
  context.setGlobalContextManager(new SyncContextManager());
  const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as DiagLogger;
  diag.setLogger({ ...logger, error: logger.warn, info() {}, debug() {}, verbose() {} } as DiagLogger, {
    suppressOverrideMessage: true,
  });
});
afterAll(() => {
  context.disable();
  diag.disable();
});
afterEach(() => {
  warnings.length = 0;
  vi.unstubAllGlobals();
});

describe('OtlpJsonExporter', () => {
  it('posts the OTLP/JSON body with keepalive to the URL, with tracing suppressed', async () => {
    const { fetch, sent } = fakeFetch();
    const batch = spans(3);
    const result = await exportSpans(new OtlpJsonExporter({ url: URL, fetch }), batch);
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(sent).toHaveLength(1);
    const [call] = sent as [Sent];
    expect(call).toMatchObject({
      url: URL,
      suppressed: true,
      init: { method: 'POST', keepalive: true, headers: { 'content-type': 'application/json' } },
    });
    expect(call.init.signal).toBeInstanceOf(AbortSignal);
    expect(call.body).toBe(encodeOtlpJson(batch));
  });

  it('sends nothing for an empty batch', async () => {
    const { fetch, sent } = fakeFetch();
    expect(await exportSpans(new OtlpJsonExporter({ url: URL, fetch }), [])).toEqual({
      code: ExportResultCode.SUCCESS,
    });
    expect(sent).toHaveLength(0);
  });

  it('retries a batch the collector answered 503 after the backoff, and drops one it refused (400)', async () => {
    const statuses = [503, 200, 400];
    const { fetch, sent } = fakeFetch(() => new Response('{}', { status: statuses.shift() ?? 200 }));
    const timers = manualTimers();
    const exporter = new OtlpJsonExporter({ url: URL, fetch, setTimer: timers.setTimer });
    expect(await exportSpans(exporter, spans(1))).toEqual({ code: ExportResultCode.SUCCESS });
    await vi.waitFor(() => expect(timers.pending).toHaveLength(1));
    expect(timers.pending[0]?.ms).toBeGreaterThanOrEqual(500);
    timers.fire();
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]?.body).toBe(sent[0]?.body);
    exporter.export(spans(1), () => {});
    await vi.waitFor(() => expect(sent).toHaveLength(3));
    await exporter.forceFlush();
    expect(timers.pending).toHaveLength(0);
    expect(String(warnings.at(-1)?.[0])).toContain('refused 1 spans');
  });

  it('keeps a batch whose request failed (collector down) and honours Retry-After', async () => {
    const answers: Array<() => Response> = [
      () => {
        throw new TypeError('Failed to fetch');
      },
      () => new Response('', { status: 429, headers: { 'retry-after': '7' } }),
      () => new Response('{}'),
    ];
    const { fetch, sent } = fakeFetch(() => (answers.shift() as () => Response)());
    const timers = manualTimers();
    const exporter = new OtlpJsonExporter({ url: URL, fetch, setTimer: timers.setTimer });
    exporter.export(spans(1), () => {});
    await vi.waitFor(() => expect(timers.pending).toHaveLength(1));
    timers.fire();
    await vi.waitFor(() => expect(timers.pending).toHaveLength(1));
    expect(timers.pending[0]?.ms).toBeGreaterThanOrEqual(7_000);
    timers.fire();
    await vi.waitFor(() => expect(sent).toHaveLength(3));
    await exporter.forceFlush();
    expect(new Set(sent.map((call) => call.body)).size).toBe(1);
  });

  it('splits a batch into bodies of at most 32 KiB (half the keepalive budget), sent one after another, each keepalive', async () => {
    const { fetch, sent } = fakeFetch();
    const batch = spans(200, 1000);
    const exporter = new OtlpJsonExporter({ url: URL, fetch });
    exporter.export(batch, () => {});
    await exporter.forceFlush();
    const sizes = sent.map((call) => new TextEncoder().encode(call.body).length);
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(32_768);
    expect(sent.flatMap((call) => spanNames(call.body))).toEqual(batch.map((span) => span.name));
    expect(sent.every((call) => call.init.keepalive)).toBe(true);
  });

  it('sendNow sends everything at once: keepalive within 64 KiB, then sendBeacon, then plain fetches, counted', async () => {
    const beacons: Blob[] = [];
    vi.stubGlobal('document', { visibilityState: 'hidden' });
    let beaconsAccepted = 1;
    vi.stubGlobal('navigator', {
      sendBeacon: (url: string, blob: Blob) => url === URL && beaconsAccepted-- > 0 && beacons.push(blob) > 0,
    });
    const { fetch, sent } = fakeFetch(() => new Promise<Response>(() => {}));
    const exporter = new OtlpJsonExporter({ url: URL, fetch });
    // Four bodies of about 40 KiB: the first goes at once (keepalive) and is held; the rest wait.
    for (let i = 0; i < 4; i++) exporter.export(spans(1, 40_000), () => {});
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    exporter.sendNow();
    // The keepalive budget is taken by the first: one beacon, and two plain fetches the browser may cancel.
    expect(sent.map((call) => call.init.keepalive)).toEqual([true, false, false]);
    expect(beacons).toHaveLength(1);
    expect(beacons[0]?.type).toBe('application/json');
    expect(String(warnings.at(-1)?.[0])).toContain('2 spans went past the keepalive budget');
  });

  it('sendNow sends the newest first: keepalive while they fit beside the request in flight, then sendBeacon', async () => {
    const beacons: Blob[] = [];
    vi.stubGlobal('document', { visibilityState: 'hidden' });
    vi.stubGlobal('navigator', { sendBeacon: (_url: string, blob: Blob) => beacons.push(blob) > 0 });
    const { fetch, sent } = fakeFetch(() => new Promise<Response>(() => {}));
    const exporter = new OtlpJsonExporter({ url: URL, fetch });
    // A small body goes at once and is held; four of about 20 KiB wait, oldest `a`, newest `d`.
    exporter.export(spans(1, 10, 'first'), () => {});
    for (const name of ['a', 'b', 'c', 'd']) exporter.export(spans(1, 20_000, name), () => {});
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    exporter.sendNow();
    // Three fit in the 64 KiB budget beside the first, newest first; the oldest goes by beacon.
    expect(sent.map((call) => [spanNames(call.body)[0], call.init.keepalive])).toEqual([
      ['first 0', true],
      ['d 0', true],
      ['c 0', true],
      ['b 0', true],
    ]);
    expect(await Promise.all(beacons.map(async (blob) => spanNames(await blob.text())[0]))).toEqual(['a 0']);
  });

  it('sends the headers with every request; content-type stays application/json', async () => {
    const { fetch, sent } = fakeFetch();
    const exporter = new OtlpJsonExporter({
      url: URL,
      fetch,
      headers: { 'x-ingest-key': 'k3y', 'Content-Type': 'text/plain' },
    });
    expect(await exportSpans(exporter, spans(2, 40_000))).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.forceFlush();
    expect(sent.map((call) => call.init.headers)).toEqual([
      { 'x-ingest-key': 'k3y', 'content-type': 'application/json' },
      { 'x-ingest-key': 'k3y', 'content-type': 'application/json' },
    ]);
  });

  it('with headers, never uses sendBeacon (it cannot send them)', async () => {
    const beacons: Blob[] = [];
    vi.stubGlobal('document', { visibilityState: 'hidden' });
    vi.stubGlobal('navigator', { sendBeacon: (_url: string, blob: Blob) => beacons.push(blob) > 0 });
    const { fetch, sent } = fakeFetch(() => new Promise<Response>(() => {}));
    const exporter = new OtlpJsonExporter({ url: URL, fetch, headers: { 'x-ingest-key': 'k3y' } });
    exporter.export(spans(1, 60_000), () => {});
    exporter.export(spans(1, 10_000), () => {});
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    exporter.sendNow();
    expect(beacons).toHaveLength(0);
    expect(sent.map((call) => [call.init.keepalive, call.init.headers])).toEqual([
      [true, { 'x-ingest-key': 'k3y', 'content-type': 'application/json' }],
      [false, { 'x-ingest-key': 'k3y', 'content-type': 'application/json' }],
    ]);
  });

  it('drops the oldest spans past its byte cap, with a diag warning', async () => {
    const { fetch } = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const timers = manualTimers();
    const exporter = new OtlpJsonExporter({ url: URL, fetch, setTimer: timers.setTimer });
    // 1 MiB of bodies at most: 40 bodies of 60 KB is more.
    for (let i = 0; i < 40; i++) exporter.export(spans(1, 60_000), () => {});
    expect(
      warnings.map((args) => String(args[0])).some((message) => message.includes('dropped the oldest')),
    ).toBe(true);
  });

  it('forceFlush waits for exports in flight; after shutdown, exports fail without a request', async () => {
    let release: () => void = () => {};
    const { fetch, sent } = fakeFetch(
      () =>
        new Promise<Response>((resolve) => {
          release = () => resolve(new Response('{}'));
        }),
    );
    const exporter = new OtlpJsonExporter({ url: URL, fetch });
    const results: ExportResult[] = [];
    exporter.export(spans(1), (result) => results.push(result));
    let flushed = false;
    const flushing = exporter.forceFlush().then(() => {
      flushed = true;
    });
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
    await exporter.shutdown();
    const after = await exportSpans(exporter, spans(1));
    expect(after.code).toBe(ExportResultCode.FAILED);
    expect(sent).toHaveLength(1);
  });

  it('uses globalThis.fetch as it was when the exporter was made', async () => {
    const { fetch, sent } = fakeFetch();
    vi.stubGlobal('fetch', fetch);
    const exporter = new OtlpJsonExporter({ url: URL });
    vi.stubGlobal('fetch', () => Promise.reject(new Error('instrumented later')));
    expect(await exportSpans(exporter, spans(1))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(sent).toHaveLength(1);
  });
});
