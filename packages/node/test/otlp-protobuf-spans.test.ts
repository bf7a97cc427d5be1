import { decodeOtlpProtobuf } from '@clicktrace/collector';
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type ReadableSpan, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { encodeOtlpSpans, OtlpSpanBatch } from '../src/otlp-protobuf-spans.js';

/** Ended spans of a provider, as a batch processor would hand them to the exporter. */
function recordingProvider(resourceAttributes: Attributes = { 'service.name': 'shop-api' }) {
  const ended: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart() {},
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resourceAttributes),
    spanProcessors: [collect],
  });
  return { provider, ended };
}

const REMOTE_PARENT: Context = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: new TraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
});

/** Every kind of field and value the encoder writes, on spans of two resources and three scopes. */
function variedSpans(): ReadableSpan[] {
  const first = recordingProvider({ 'service.name': 'shop-api', 'host.cores': 2, 'deployment.canary': true });
  const second = recordingProvider({ 'service.name': 'shop-worker', 'service.namespace': 'ünïcode ✓' });
  const server = first.provider.getTracer('@clicktrace/node', '0.4.0');
  const scoped = first.provider.getTracer('orders', undefined, {
    schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
  });
  const worker = second.provider.getTracer('worker');

  const request = server.startSpan(
    'GET /api/items/:id',
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'url.path': '/api/items/7',
        'server.port': 3000,
        'clicktrace.trace_headers.received': ['traceparent', 'tracestate'],
        'http.response.body.size': 2 ** 40, // an int64 past 32 bits
        'app.delta': -17, // a negative int64: ten bytes
        'app.ratio': 0.25,
        'app.big': 2 ** 70, // not an int64: a double
        'app.flag': false,
        'app.empty': '',
        'app.text': 'naïve café — 日本語 🎉',
        'app.lone_surrogate': 'a\ud800b',
        'app.long': 'x'.repeat(300), // a value longer than 127 bytes: two-byte lengths
        'app.mixed': [1, 2.5, true, 'four'],
        'app.numbers': [0, -1, 2 ** 33],
      },
    },
    REMOTE_PARENT,
  );
  request.addEvent('exception', {
    'exception.type': 'TypeError',
    'exception.message': 'x is undefined',
    'exception.stacktrace': 'TypeError: x is undefined\n    at handler (app.js:1:1)\n'.repeat(5),
  });
  request.addEvent('cache miss');
  request.addLink({
    context: {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.NONE,
      isRemote: true,
      traceState: new TraceState('vendor@tenant=1'),
    },
    attributes: { 'link.reason': 'caller not trusted' },
  });
  request.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
  request.end();

  const child = scoped.startSpan(
    'INSERT orders',
    { kind: SpanKind.CLIENT },
    trace.setSpan(ROOT_CONTEXT, request),
  );
  child.setAttribute('db.query.text', 'INSERT INTO orders VALUES ($1, $2)');
  child.end();

  const root = scoped.startSpan('work', { attributes: { 'app.bytes': new Uint8Array([0, 1, 254, 255]) } });
  root.end();

  // Over 16 kB in one span: three-byte lengths for the span and its parents.
  const big = worker.startSpan('process shop.jobs', { kind: SpanKind.CONSUMER });
  for (let i = 0; i < 100; i++) big.setAttribute(`app.field_${i}`, `value ${i} `.repeat(20));
  big.end();

  const internal = server.startSpan('render', {}, REMOTE_PARENT);
  internal.setStatus({ code: SpanStatusCode.OK });
  internal.end();

  // Interleaved, so grouping by resource and scope has work to do.
  return [first.ended[0], second.ended[0], first.ended[1], first.ended[2], first.ended[3]].filter(
    (span): span is ReadableSpan => span !== undefined,
  );
}

describe('encodeOtlpSpans', () => {
  it('writes the same bytes as the stock protobuf serializer', () => {
    const spans = variedSpans();
    expect(spans).toHaveLength(5);
    const stock = ProtobufTraceSerializer.serializeRequest(spans);
    expect(stock).toBeDefined();
    const ours = encodeOtlpSpans(spans);
    expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(stock as Uint8Array).toString('hex'));
  });

  it('writes the same bytes for a server batch of thousands of spans', () => {
    const { provider, ended } = recordingProvider();
    const tracer = provider.getTracer('@clicktrace/node', '0.4.0');
    for (let i = 0; i < 4096; i++) {
      const span = tracer.startSpan('GET', {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': 'GET', 'url.path': `/api/items/${i}` },
      });
      span.setAttribute('http.response.status_code', 200);
      span.end();
    }
    const ours = encodeOtlpSpans(ended);
    expect(
      Buffer.from(ours).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(ended) as Uint8Array)),
    ).toBe(true);
    expect(decodeOtlpProtobuf(ours)).toHaveLength(4096);
  });

  it('keeps nothing from one batch in the next', () => {
    const spans = variedSpans();
    const first = Buffer.from(encodeOtlpSpans(spans));
    encodeOtlpSpans(spans.slice(0, 1));
    expect(Buffer.from(encodeOtlpSpans(spans)).equals(first)).toBe(true);
  });

  it('one batch used again and again: a span turned away by the byte cap leaves nothing behind', () => {
    const spans = variedSpans();
    const batch = new OtlpSpanBatch();
    for (let round = 0; round < 3; round++) {
      const requests: Uint8Array[] = [];
      let cut: ReadableSpan[] = [];
      const pieces: ReadableSpan[][] = [];
      for (const span of spans) {
        // Room for a little more than one span: most spans start a request of their own.
        if (!batch.add(span, 2_000)) {
          requests.push(batch.take());
          pieces.push(cut);
          cut = [];
          expect(batch.add(span, 2_000)).toBe(true);
        }
        cut.push(span);
      }
      requests.push(batch.take());
      pieces.push(cut);
      expect(pieces.length).toBeGreaterThan(2);
      // Each request is exactly what the stock serializer makes of its spans: no empty resource or
      // scope left by a span that did not fit, nothing of the previous round.
      for (const [i, request] of requests.entries()) {
        const stock = ProtobufTraceSerializer.serializeRequest(pieces[i] as ReadableSpan[]) as Uint8Array;
        expect(Buffer.from(request).toString('hex')).toBe(Buffer.from(stock).toString('hex'));
      }
    }
  });

  it('encodes an empty batch as an empty request, as the stock serializer does', () => {
    expect(encodeOtlpSpans([])).toHaveLength(0);
    expect(ProtobufTraceSerializer.serializeRequest([])).toHaveLength(0);
  });

  it('is read back by an OTLP decoder: ids, parent, kind, names, attributes', () => {
    const decoded = decodeOtlpProtobuf(encodeOtlpSpans(variedSpans()));
    const request = decoded.find((span) => span.name === 'GET /api/items/:id');
    expect(request).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      kind: 'SERVER',
      serviceName: 'shop-api',
    });
    expect(request?.attributes['app.text']).toBe('naïve café — 日本語 🎉');
    expect(request?.attributes['app.delta']).toBe(-17);
    expect(decoded.map((span) => span.serviceName).sort()).toEqual([
      'shop-api',
      'shop-api',
      'shop-api',
      'shop-api',
      'shop-worker',
    ]);
  });
});
