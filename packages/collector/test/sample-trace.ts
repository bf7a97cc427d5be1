/**
 * Real OTLP payloads for the tests: spans made by the OpenTelemetry SDK and sent by the
 * stock OTLP/HTTP exporters, so the decoders are tested against what senders really send.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { expect } from 'vitest';
import { type StoredSpan, startCollector } from '../src/index.js';

export type Encoding = 'json' | 'protobuf';

export interface ExportTarget {
  url: string;
  encoding: Encoding;
  gzip?: boolean;
}

/** The stock exporter for an encoding, pointed at `url` (a full `/v1/traces` URL). */
export function createExporter({ url, encoding, gzip = false }: ExportTarget): SpanExporter {
  const config = { url, compression: gzip ? 'gzip' : 'none' } as ConstructorParameters<
    typeof JsonExporter
  >[0];
  return encoding === 'json' ? new JsonExporter(config) : new ProtoExporter(config);
}

/** Attributes of every OTLP AnyValue kind the SDK can produce. */
export const ROOT_ATTRIBUTES = {
  'http.request.method': 'POST',
  'http.response.status_code': 201,
  'app.ratio': 0.25,
  'app.cached': true,
  'app.tags': ['a', 'b'],
  'app.sizes': [1, 2, 3],
  'app.big': 2 ** 53 + 2,
} as const;

/**
 * Emits one trace of three spans through `exporter`, in one export request (batched): a SERVER root, an INTERNAL child with an
 * event, and a CLIENT grandchild that ends in error and links to the root. Returns the spans
 * as the SDK saw them, to compare the stored ones against.
 */
export async function emitSampleTrace(
  exporter: SpanExporter,
  serviceName = 'checkout-api',
): Promise<ReadableSpan[]> {
  const seen = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'deployment.environment.name': 'test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: seen }), new BatchSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('sample-tracer', '1.2.3');

  const root = tracer.startSpan('POST /api/checkout', {
    kind: SpanKind.SERVER,
    attributes: { ...ROOT_ATTRIBUTES },
  });
  const rootContext = trace.setSpan(context.active(), root);
  const work = tracer.startSpan('reserve stock', { kind: SpanKind.INTERNAL }, rootContext);
  work.addEvent('stock.checked', { 'stock.items': 3, 'stock.warehouse': 'north' });
  const call = tracer.startSpan(
    'GET payments',
    {
      kind: SpanKind.CLIENT,
      links: [{ context: root.spanContext(), attributes: { 'link.reason': 'retry-of' } }],
    },
    trace.setSpan(context.active(), work),
  );
  call.setStatus({ code: SpanStatusCode.ERROR, message: 'payment declined' });
  call.end();
  work.end();
  root.end();

  await provider.forceFlush();
  // Read before shutdown: shutting down the in-memory exporter empties it.
  const finished = seen.getFinishedSpans();
  await provider.shutdown();
  return finished;
}

/** The body and headers one exporter request carries, captured by a throwaway server. */
export interface CapturedRequest {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export async function captureExport(encoding: Encoding, gzip = false): Promise<CapturedRequest> {
  const captured: CapturedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      captured.push({ body: Buffer.concat(chunks), headers: request.headers });
      response.writeHead(200, {
        'Content-Type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
      });
      response.end(encoding === 'json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await emitSampleTrace(createExporter({ url: `http://127.0.0.1:${port}/v1/traces`, encoding, gzip }));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  if (captured.length !== 1) throw new Error(`expected one export request, got ${captured.length}`);
  return captured[0] as CapturedRequest;
}

/**
 * Asserts that `stored` holds exactly the sample trace: ids, parents, kinds, every
 * attribute type, the event, the link, the error status and the service.
 */
export function expectSampleTrace(
  stored: StoredSpan[],
  sdkSpans: ReadableSpan[],
  serviceName = 'checkout-api',
): void {
  expect(stored).toHaveLength(3);
  const byName = new Map(stored.map((span) => [span.name, span]));
  const sdk = new Map(sdkSpans.map((span) => [span.name, span]));
  const root = byName.get('POST /api/checkout') as StoredSpan;
  const work = byName.get('reserve stock') as StoredSpan;
  const call = byName.get('GET payments') as StoredSpan;
  const sdkRoot = sdk.get('POST /api/checkout') as ReadableSpan;

  for (const span of stored) {
    const original = sdk.get(span.name) as ReadableSpan;
    expect(span.traceId).toBe(original.spanContext().traceId);
    expect(span.spanId).toBe(original.spanContext().spanId);
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.startTimeUnixNano).toBe(hrTimeToNanos(original.startTime));
    expect(span.endTimeUnixNano).toBe(hrTimeToNanos(original.endTime));
    expect(span.serviceName).toBe(serviceName);
    expect(span.resource['service.name']).toBe(serviceName);
    expect(span.resource['deployment.environment.name']).toBe('test');
    expect(span.scope).toEqual({ name: 'sample-tracer', version: '1.2.3' });
  }

  expect(root.parentSpanId).toBeUndefined();
  expect('parentSpanId' in root).toBe(false);
  expect(work.parentSpanId).toBe(root.spanId);
  expect(call.parentSpanId).toBe(work.spanId);
  expect([root.kind, work.kind, call.kind]).toEqual(['SERVER', 'INTERNAL', 'CLIENT']);

  expect(root.attributes).toEqual({
    'http.request.method': 'POST',
    'http.response.status_code': 201,
    'app.ratio': 0.25,
    'app.cached': true,
    'app.tags': ['a', 'b'],
    'app.sizes': [1, 2, 3],
    // int64 beyond the safe-integer range is kept exact as a decimal string.
    'app.big': '9007199254740994',
  });
  expect(root.status).toEqual({ code: 'UNSET' });

  expect(work.events).toEqual([
    {
      name: 'stock.checked',
      timeUnixNano: hrTimeToNanos((sdk.get('reserve stock') as ReadableSpan).events[0]?.time ?? [0, 0]),
      attributes: { 'stock.items': 3, 'stock.warehouse': 'north' },
    },
  ]);
  expect(call.status).toEqual({ code: 'ERROR', message: 'payment declined' });
  expect(call.links).toEqual([
    {
      traceId: sdkRoot.spanContext().traceId,
      spanId: sdkRoot.spanContext().spanId,
      attributes: { 'link.reason': 'retry-of' },
    },
  ]);
}

/** Exact nanoseconds of an SDK HrTime, as a decimal string. */
export function hrTimeToNanos([seconds, nanos]: [number, number]): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanos)).toString();
}

/**
 * Spans as the collector stores them, for tests that take stored spans in: the sample trace
 * of `checkout-api` (stock JSON exporter) with a downstream SERVER span of `payments-api`
 * added by hand (nested, empty and null attribute values, a trace state, a scope without a
 * version, an event and a link), then the sample trace of `payments-api` (stock protobuf
 * exporter). Two traces, two services in the first, seven spans, grouped by resource and scope.
 */
export async function collectSampleSpans(): Promise<StoredSpan[]> {
  const collector = await startCollector({ port: 0 });
  try {
    const url = `${collector.url}/v1/traces`;
    await emitSampleTrace(createExporter({ url, encoding: 'json' }), 'checkout-api');
    const call = collector.store.spans().find((span) => span.name === 'GET payments') as StoredSpan;
    const start = BigInt(call.startTimeUnixNano) + 1000n;
    collector.store.add([
      {
        traceId: call.traceId,
        spanId: 'a1b2c3d4e5f60718',
        parentSpanId: call.spanId,
        traceState: 'vendor=payments',
        name: 'POST /charge',
        kind: 'SERVER',
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + 2_500_000n),
        serviceName: 'payments-api',
        resource: { 'service.name': 'payments-api', 'deployment.environment.name': 'test' },
        scope: { name: 'payments-handwritten' },
        attributes: {
          'rpc.request': { card: { brand: 'visa', last4: '4242' }, amounts: [12.5, 3], retried: false },
          'app.matrix': [
            [1, 2],
            ['x', true, null],
          ],
          'app.nothing': null,
          'app.empty': '',
          'app.empty_list': [],
          'app.empty_map': {},
          'app.negative': -7,
          'app.min_int64': '-9223372036854775808',
          'app.not_a_number': 'NaN',
        },
        status: { code: 'ERROR', message: 'card declined' },
        events: [
          {
            name: 'fraud.checked',
            timeUnixNano: String(start + 1_000_000n),
            attributes: { 'fraud.score': 0.12, 'fraud.rules': ['velocity', 'geo'] },
          },
        ],
        links: [{ traceId: call.traceId, spanId: call.spanId, attributes: {} }],
      },
    ]);
    await emitSampleTrace(createExporter({ url, encoding: 'protobuf' }), 'payments-api');
    const spans = collector.store.spans();
    expect(spans).toHaveLength(7);
    return spans;
  } finally {
    await collector.close();
  }
}

/** A hand-made stored span with every optional field left out; `fields` overrides. */
export function storedSpan(fields: Partial<StoredSpan> = {}): StoredSpan {
  return {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name: 'work',
    kind: 'INTERNAL',
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000001000000',
    serviceName: 'shop-api',
    resource: { 'service.name': 'shop-api' },
    scope: { name: 'manual' },
    attributes: {},
    status: { code: 'UNSET' },
    events: [],
    links: [],
    ...fields,
  };
}

/** A span name that would run a script if a page put it into HTML unescaped. */
export const XSS_NAME = '</script><script>alert(1)</script>';
