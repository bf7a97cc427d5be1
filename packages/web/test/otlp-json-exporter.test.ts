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

function spans(count: number, attributeBytes = 10): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('exporter-test');
  for (let i = 0; i < count; i++) {
    tracer.startSpan(`span ${i}`, { attributes: { payload: 'x'.repeat(attributeBytes) } }).end();
  }
  return exporter.getFinishedSpans();
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

  it('fails the export and warns through diag when the collector answers an error', async () => {
    const { fetch } = fakeFetch(() => new Response('nope', { status: 503 }));
    const result = await exportSpans(new OtlpJsonExporter({ url: URL, fetch }), spans(1));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toContain('HTTP 503');
    expect(warnings.map((args) => args[0])).toEqual(['clicktrace: span export failed']);
  });

  it('fails the export when the request fails', async () => {
    const { fetch } = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const result = await exportSpans(new OtlpJsonExporter({ url: URL, fetch }), spans(1));
    expect(result).toMatchObject({ code: ExportResultCode.FAILED, error: { name: 'TypeError' } });
  });

  it('splits a batch into bodies of at most 64 KiB, keepalive while the 64 KiB budget lasts', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { fetch, sent } = fakeFetch(async () => {
      await held;
      return new Response('{}');
    });
    const batch = spans(200, 1000);
    const exporting = exportSpans(new OtlpJsonExporter({ url: URL, fetch }), batch);
    await vi.waitFor(() => expect(sent.length).toBeGreaterThan(2));
    release();
    expect(await exporting).toEqual({ code: ExportResultCode.SUCCESS });
    const sizes = sent.map((call) => new TextEncoder().encode(call.body).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(65_536);
    expect(sent.flatMap((call) => spanNames(call.body))).toEqual(batch.map((span) => span.name));
    // All requests are in flight together: only as many as fit in 64 KiB may be keepalive.
    const keepaliveBytes = sizes.filter((_, i) => sent[i]?.init.keepalive).reduce((a, b) => a + b, 0);
    expect(keepaliveBytes).toBeLessThanOrEqual(65_536);
    expect(sent[0]?.init.keepalive).toBe(true);
    expect(sent.at(-1)?.init.keepalive).toBe(false);
  });

  it('keeps at most 9 keepalive requests in flight, as Chrome allows', async () => {
    const { fetch, sent } = fakeFetch(() => new Promise<Response>(() => {}));
    const exporter = new OtlpJsonExporter({ url: URL, fetch });
    for (let i = 0; i < 11; i++) exporter.export(spans(1), () => {});
    await vi.waitFor(() => expect(sent).toHaveLength(11));
    expect(sent.map((call) => call.init.keepalive)).toEqual([...Array(9).fill(true), false, false]);
  });

  it('hands a body that cannot be keepalive to sendBeacon when the page is hidden', async () => {
    const beacons: Blob[] = [];
    vi.stubGlobal('document', { visibilityState: 'hidden' });
    vi.stubGlobal('navigator', {
      sendBeacon: (url: string, blob: Blob) => url === URL && beacons.push(blob) > 0,
    });
    const { fetch, sent } = fakeFetch(() => new Promise<Response>(() => {}));
    const exporter = new OtlpJsonExporter({ url: URL, fetch });
    exporter.export(spans(1, 60_000), () => {});
    const result = await exportSpans(exporter, spans(1, 10_000));
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(sent).toHaveLength(1);
    expect(beacons).toHaveLength(1);
    expect(beacons[0]?.type).toBe('application/json');
    expect(spanNames(await (beacons[0] as Blob).text())).toEqual(['span 0']);
  });

  it('sends the headers with every request; content-type stays application/json', async () => {
    const { fetch, sent } = fakeFetch();
    const exporter = new OtlpJsonExporter({
      url: URL,
      fetch,
      headers: { 'x-ingest-key': 'k3y', 'Content-Type': 'text/plain' },
    });
    expect(await exportSpans(exporter, spans(2, 40_000))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(sent.map((call) => call.init.headers)).toEqual([
      { 'x-ingest-key': 'k3y', 'content-type': 'application/json' },
      { 'x-ingest-key': 'k3y', 'content-type': 'application/json' },
    ]);
  });

  it('with headers, never uses sendBeacon (it cannot send them): a hidden page posts with fetch', async () => {
    const beacons: Blob[] = [];
    vi.stubGlobal('document', { visibilityState: 'hidden' });
    vi.stubGlobal('navigator', { sendBeacon: (_url: string, blob: Blob) => beacons.push(blob) > 0 });
    const { fetch, sent } = fakeFetch(() => new Promise<Response>(() => {}));
    const exporter = new OtlpJsonExporter({ url: URL, fetch, headers: { 'x-ingest-key': 'k3y' } });
    // The first body takes most of the keepalive budget: the second one cannot be keepalive.
    exporter.export(spans(1, 60_000), () => {});
    exporter.export(spans(1, 10_000), () => {});
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(beacons).toHaveLength(0);
    expect(sent.map((call) => [call.init.keepalive, call.init.headers])).toEqual([
      [true, { 'x-ingest-key': 'k3y', 'content-type': 'application/json' }],
      [false, { 'x-ingest-key': 'k3y', 'content-type': 'application/json' }],
    ]);
  });

  it('falls back to a plain fetch when sendBeacon refuses', async () => {
    vi.stubGlobal('document', { visibilityState: 'hidden' });
    vi.stubGlobal('navigator', { sendBeacon: () => false });
    const { fetch, sent } = fakeFetch();
    const exporter = new OtlpJsonExporter({ url: URL, fetch });
    expect(await exportSpans(exporter, spans(2, 40_000))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(sent.map((call) => call.init.keepalive)).toEqual([true, false]);
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
    await new Promise((resolve) => setTimeout(resolve, 10));
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
