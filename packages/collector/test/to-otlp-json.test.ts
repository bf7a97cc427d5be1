import { describe, expect, it } from 'vitest';
import { decodeOtlpJson, type StoredSpan, toOtlpJson } from '../src/index.js';
import { collectSampleSpans, storedSpan as span } from './sample-trace.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c'; // storedSpan's

describe('toOtlpJson', () => {
  it('round-trips through decodeOtlpJson: real SDK spans of two traces and two services, every field', async () => {
    const spans = await collectSampleSpans();
    // Through JSON text, as a file or a report attachment carries it.
    const decoded = decodeOtlpJson(JSON.parse(JSON.stringify(toOtlpJson(spans))));
    // The sample comes grouped by resource and scope, so even the order is kept.
    expect(decoded).toStrictEqual(spans);
    expect(new Set(decoded.map((s) => s.serviceName))).toEqual(new Set(['checkout-api', 'payments-api']));
    expect(decoded.some((s) => s.events.length > 0 && s.links.length > 0 && s.status.message)).toBe(true);
  });

  it('writes OTLP/JSON as the spec maps it: hex ids, decimal times, enums as numbers, typed values', () => {
    const request = toOtlpJson([
      span({
        parentSpanId: '00f067aa0ba902b7',
        traceState: 'vendor=1',
        kind: 'CLIENT',
        scope: { name: 'manual', version: '2.0.0' },
        attributes: {
          s: 'x',
          i: 42,
          d: 1.5,
          big: 2 ** 60,
          inf: Number.POSITIVE_INFINITY,
          b: false,
          arr: [1, 'two'],
          map: { k: true, nested: { list: [] } },
          none: null,
        },
        status: { code: 'ERROR', message: 'boom' },
        events: [{ name: 'retry', timeUnixNano: '1700000000000500000', attributes: { attempt: 2 } }],
        links: [{ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', attributes: {} }],
      }),
    ]);
    expect(request).toStrictEqual({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop-api' } }] },
          scopeSpans: [
            {
              scope: { name: 'manual', version: '2.0.0' },
              spans: [
                {
                  traceId: TRACE_ID,
                  spanId: 'eee19b7ec3c1b174',
                  traceState: 'vendor=1',
                  parentSpanId: '00f067aa0ba902b7',
                  name: 'work',
                  kind: 3,
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000001000000',
                  attributes: [
                    { key: 's', value: { stringValue: 'x' } },
                    { key: 'i', value: { intValue: '42' } },
                    { key: 'd', value: { doubleValue: 1.5 } },
                    { key: 'big', value: { doubleValue: 2 ** 60 } },
                    { key: 'inf', value: { doubleValue: 'Infinity' } },
                    { key: 'b', value: { boolValue: false } },
                    {
                      key: 'arr',
                      value: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'two' }] } },
                    },
                    {
                      key: 'map',
                      value: {
                        kvlistValue: {
                          values: [
                            { key: 'k', value: { boolValue: true } },
                            {
                              key: 'nested',
                              value: {
                                kvlistValue: {
                                  values: [{ key: 'list', value: { arrayValue: { values: [] } } }],
                                },
                              },
                            },
                          ],
                        },
                      },
                    },
                    { key: 'none', value: {} },
                  ],
                  events: [
                    {
                      timeUnixNano: '1700000000000500000',
                      name: 'retry',
                      attributes: [{ key: 'attempt', value: { intValue: '2' } }],
                    },
                  ],
                  links: [{ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', attributes: [] }],
                  status: { code: 2, message: 'boom' },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('numbers every kind and status code as the OTLP enums do', () => {
    const kinds = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
    const codes = ['UNSET', 'OK', 'ERROR'] as const;
    const spans = kinds.map((kind, i) =>
      span({ spanId: `000000000000000${i + 1}`, kind, status: { code: codes[i % 3] ?? 'UNSET' } }),
    );
    const [out] = toOtlpJson(spans).resourceSpans[0]?.scopeSpans ?? [];
    expect(out?.spans.map((s) => s.kind)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out?.spans.map((s) => s.status.code)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(decodeOtlpJson(toOtlpJson(spans))).toStrictEqual(spans);
  });

  it('groups interleaved spans by resource (whatever its key order), then by scope, in first-seen order', () => {
    const a1 = span({
      spanId: '0000000000000001',
      resource: { 'service.name': 'a', region: 'eu' },
      serviceName: 'a',
    });
    const b1 = span({ spanId: '0000000000000002', resource: { 'service.name': 'b' }, serviceName: 'b' });
    const a2 = span({
      spanId: '0000000000000003',
      resource: { region: 'eu', 'service.name': 'a' },
      serviceName: 'a',
      scope: { name: 'other', version: '1' },
    });
    const a3 = span({
      spanId: '0000000000000004',
      resource: { 'service.name': 'a', region: 'eu' },
      serviceName: 'a',
    });
    const request = toOtlpJson([a1, b1, a2, a3]);
    expect(
      request.resourceSpans.map((r) => r.scopeSpans.map((s) => [s.scope.name, s.spans.map((x) => x.spanId)])),
    ).toEqual([
      [
        ['manual', [a1.spanId, a3.spanId]],
        ['other', [a2.spanId]],
      ],
      [['manual', [b1.spanId]]],
    ]);
    const bySpanId = (x: StoredSpan, y: StoredSpan) => x.spanId.localeCompare(y.spanId);
    expect(decodeOtlpJson(request).sort(bySpanId)).toEqual([a1, b1, a2, a3]);
  });

  it('keeps a 1 apart from a "1" and a __proto__ attribute as data', () => {
    const one = span({
      spanId: '0000000000000001',
      resource: { 'service.name': 'a', v: 1 },
      serviceName: 'a',
    });
    const text = span({
      spanId: '0000000000000002',
      resource: { 'service.name': 'a', v: '1' },
      serviceName: 'a',
    });
    const attributes: Record<string, string> = {};
    Object.defineProperty(attributes, '__proto__', { value: 'kept', enumerable: true });
    const proto = span({ spanId: '0000000000000003', attributes });
    const request = toOtlpJson([one, text, proto]);
    expect(request.resourceSpans).toHaveLength(3);
    const [decoded] = decodeOtlpJson(toOtlpJson([proto]));
    expect(Object.keys(decoded?.attributes ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(decoded?.attributes)).toBe(Object.prototype);
  });

  it('names the service in the resource when the span has a service name and the resource none', () => {
    const request = toOtlpJson([span({ resource: { host: 'h1' }, serviceName: 'shop-api' })]);
    expect(request.resourceSpans[0]?.resource.attributes).toEqual([
      { key: 'host', value: { stringValue: 'h1' } },
      { key: 'service.name', value: { stringValue: 'shop-api' } },
    ]);
    const unnamed = span({ resource: {}, serviceName: 'unknown_service' });
    expect(toOtlpJson([unnamed]).resourceSpans[0]?.resource.attributes).toEqual([]);
    expect(decodeOtlpJson(toOtlpJson([unnamed]))).toStrictEqual([unnamed]);
  });

  it('gives an empty request for no spans', () => {
    expect(toOtlpJson([])).toEqual({ resourceSpans: [] });
    expect(decodeOtlpJson(toOtlpJson([]))).toEqual([]);
  });
});
