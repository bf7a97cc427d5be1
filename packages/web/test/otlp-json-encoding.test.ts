import { createRequire } from 'node:module';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { encodeOtlpJson } from '../src/otlp-json-encoding.js';

// The stock serializer, @opentelemetry/otlp-transformer, is not a dependency of @clicktrace/web:
// it is reached through the stock exporter that is (pnpm keeps it next to that package).
const fromWeb = createRequire(import.meta.url);
const fromExporter = createRequire(fromWeb.resolve('@opentelemetry/exporter-trace-otlp-http'));
const { JsonTraceSerializer } = fromExporter('@opentelemetry/otlp-transformer') as {
  JsonTraceSerializer: { serializeRequest(spans: ReadableSpan[]): Uint8Array };
};

function stock(spans: ReadableSpan[]): unknown {
  return JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)));
}

function ours(spans: ReadableSpan[]): unknown {
  return JSON.parse(encodeOtlpJson(spans));
}

/** The stock output with its two deviations from proto3 JSON turned into ours (see encodeOtlpJson). */
function stockAsProto3Json(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stockAsProto3Json);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (key === 'intValue' && typeof item === 'number') return [key, String(item)];
      return [key, stockAsProto3Json(item)];
    }),
  );
}

function recordSpans(record: (provider: TracerProvider) => void): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'encoding-test',
      'deployment.environment.name': 'test',
    }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  record(provider);
  return exporter.getFinishedSpans();
}

describe('encodeOtlpJson', () => {
  it('encodes every span field like the stock JsonTraceSerializer', () => {
    const spans = recordSpans((provider) => {
      const tracer = provider.getTracer('scope-a', '1.2.3', {
        schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
      });
      const root = tracer.startSpan('click button', {
        kind: SpanKind.INTERNAL,
        startTime: [1_700_000_000, 123_456_789],
      });
      const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
        traceState: new TraceState('vendor=abc,other=1'),
      });
      const client = tracer.startSpan(
        'POST',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'http.request.method': 'POST',
            'server.port': 3001,
            ratio: 0.25,
            ok: true,
            tags: ['a', 'b'],
            ports: [1, 2],
            flags: [true, false],
            big: 2 ** 53 + 2,
          },
          links: [
            { context: trace.getSpanContext(remoteParent) as never, attributes: { 'link.kind': 'follows' } },
            { context: root.spanContext() },
          ],
        },
        remoteParent,
      );
      client.addEvent('sent', { bytes: 12 }, [1_700_000_001, 5]);
      client.addEvent('plain');
      client.setStatus({ code: SpanStatusCode.ERROR, message: 'Failed to fetch' });
      client.end([1_700_000_002, 0]);
      const child = tracer.startSpan('child', { kind: SpanKind.SERVER }, trace.setSpan(ROOT_CONTEXT, root));
      child.setStatus({ code: SpanStatusCode.OK });
      child.end();
      provider.getTracer('scope-b').startSpan('producer', { kind: SpanKind.PRODUCER }).end();
      provider
        .getTracer('scope-a', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' })
        .startSpan('consumer', { kind: SpanKind.CONSUMER })
        .end();
      root.end([1_700_000_003, 999_999_999]);
    });
    expect(spans).toHaveLength(5);
    expect(ours(spans)).toEqual(stockAsProto3Json(stock(spans)));
  });

  it('writes ids in hex, times and integers as decimal strings, kinds and codes as numbers', () => {
    const spans = recordSpans((provider) => {
      provider
        .getTracer('t')
        .startSpan('GET', { kind: SpanKind.CLIENT, startTime: [1_700_000_000, 5], attributes: { n: 7 } })
        .end([1_700_000_000, 123_000_000]);
    });
    const body = ours(spans) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }>;
    };
    const span = body.resourceSpans[0]?.scopeSpans[0]?.spans[0] as Record<string, unknown>;
    expect(span).toMatchObject({
      kind: 3,
      startTimeUnixNano: '1700000000000000005',
      endTimeUnixNano: '1700000000123000000',
      attributes: [{ key: 'n', value: { intValue: '7' } }],
      status: { code: 0 },
      flags: 0x101,
    });
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span).not.toHaveProperty('parentSpanId');
    expect(span).not.toHaveProperty('traceState');
  });

  it('writes non-finite doubles as proto3 JSON strings (the stock serializer writes null)', () => {
    const spans = recordSpans((provider) => {
      provider
        .getTracer('t')
        .startSpan('s', { attributes: { nan: Number.NaN, inf: Number.POSITIVE_INFINITY } })
        .end();
    });
    const encoded = JSON.stringify(ours(spans));
    expect(encoded).toContain('{"key":"nan","value":{"doubleValue":"NaN"}}');
    expect(encoded).toContain('{"key":"inf","value":{"doubleValue":"Infinity"}}');
  });

  it('keeps spans of different resources apart', () => {
    const first = recordSpans((provider) => provider.getTracer('t').startSpan('one').end());
    const second = recordSpans((provider) => provider.getTracer('t').startSpan('two').end());
    const spans = [...first, ...second];
    expect(ours(spans)).toEqual(stockAsProto3Json(stock(spans)));
    expect((ours(spans) as { resourceSpans: unknown[] }).resourceSpans).toHaveLength(2);
  });

  it('encodes no spans as an empty request', () => {
    expect(ours([])).toEqual({ resourceSpans: [] });
  });
});
