import { describe, expect, it } from 'vitest';
import { decodeOtlpJson, OtlpDecodeError } from '../src/index.js';
import { captureExport } from './sample-trace.js';

const TRACE_ID = '5B8EFFF798038103D269B633813FC60C';
const SPAN_ID = 'EEE19B7EC3C1B174';

/** A minimal OTLP/JSON request around one span. */
function request(span: Record<string, unknown>, resourceAttributes: unknown[] = []): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: resourceAttributes },
        scopeSpans: [{ scope: { name: 'manual' }, spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, ...span }] }],
      },
    ],
  };
}

describe('decodeOtlpJson', () => {
  it('decodes a request sent by the stock JSON exporter', async () => {
    const { body, headers } = await captureExport('json');
    expect(headers['content-type']).toBe('application/json');
    const spans = decodeOtlpJson(JSON.parse(String(body)));
    expect(spans).toHaveLength(3);
    const call = spans.find((span) => span.name === 'GET payments');
    expect(call?.kind).toBe('CLIENT');
    expect(call?.status).toEqual({ code: 'ERROR', message: 'payment declined' });
  });

  it('accepts the OTLP/JSON variants: enum names, int64 as strings, hex in any case', () => {
    const [span] = decodeOtlpJson(
      request(
        {
          parentSpanId: '',
          name: 'checkout',
          kind: 'SPAN_KIND_PRODUCER',
          startTimeUnixNano: '1700000000123456789',
          endTimeUnixNano: 1700000000,
          traceState: 'vendor=1',
          status: { code: 'STATUS_CODE_OK' },
          attributes: [
            { key: 's', value: { stringValue: 'x' } },
            { key: 'i', value: { intValue: '-42' } },
            { key: 'huge', value: { intValue: '9223372036854775807' } },
            { key: 'd', value: { doubleValue: 1.5 } },
            { key: 'nan', value: { doubleValue: 'NaN' } },
            { key: 'b', value: { boolValue: false } },
            { key: 'arr', value: { arrayValue: { values: [{ intValue: 1 }, { stringValue: 'two' }] } } },
            { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } } },
            { key: 'bytes', value: { bytesValue: 'AQID' } },
            { key: 'empty', value: {} },
            { key: '__proto__', value: { stringValue: 'kept as data' } },
          ],
          events: [{ name: 'e', timeUnixNano: '1700000000123456790' }],
          links: [{ traceId: TRACE_ID, spanId: SPAN_ID }],
        },
        [{ key: 'service.name', value: { stringValue: 'shop-web' } }],
      ),
    );
    expect(span).toEqual({
      traceId: TRACE_ID.toLowerCase(),
      spanId: SPAN_ID.toLowerCase(),
      traceState: 'vendor=1',
      name: 'checkout',
      kind: 'PRODUCER',
      startTimeUnixNano: '1700000000123456789',
      endTimeUnixNano: '1700000000',
      serviceName: 'shop-web',
      resource: { 'service.name': 'shop-web' },
      scope: { name: 'manual' },
      attributes: {
        s: 'x',
        i: -42,
        huge: '9223372036854775807',
        d: 1.5,
        nan: 'NaN',
        b: false,
        arr: [1, 'two'],
        map: { k: true },
        bytes: 'AQID',
        empty: null,
        ['__proto__']: 'kept as data',
      },
      status: { code: 'OK' },
      events: [{ name: 'e', timeUnixNano: '1700000000123456790', attributes: {} }],
      links: [{ traceId: TRACE_ID.toLowerCase(), spanId: SPAN_ID.toLowerCase(), attributes: {} }],
    });
    expect(Object.getPrototypeOf(span?.attributes)).toBe(Object.prototype);
    expect(Object.keys(span?.attributes ?? {})).toContain('__proto__');
  });

  it('takes integer kinds and an all-zero parent id as no parent', () => {
    const [span] = decodeOtlpJson(request({ kind: 2, parentSpanId: '0000000000000000' }));
    expect(span?.kind).toBe('SERVER');
    expect(span && 'parentSpanId' in span).toBe(false);
    expect(span?.serviceName).toBe('unknown_service');
  });

  it('reads a request without resourceSpans as empty', () => {
    expect(decodeOtlpJson({})).toEqual([]);
  });

  it.each([
    ['a non-object body', 'text', /request body: expected an object/],
    ['resourceSpans that is not an array', { resourceSpans: {} }, /resourceSpans: expected an array/],
    ['a short traceId', request({ traceId: 'abc' }), /spans\[0\]\.traceId: expected 32 hex characters/],
    ['a base64 spanId', request({ spanId: '7uGbfsPBsXQ=' }), /spanId: expected 16 hex characters/],
    ['a malformed parentSpanId', request({ parentSpanId: 'xyz' }), /parentSpanId/],
    ['an unknown kind', request({ kind: 'SPAN_KIND_WEIRD' }), /kind: unknown value/],
    [
      'a negative timestamp',
      request({ startTimeUnixNano: '-1' }),
      /startTimeUnixNano: expected an unsigned integer/,
    ],
    [
      'an attribute without key',
      request({ attributes: [{ value: { stringValue: 'x' } }] }),
      /attributes\[0\]\.key/,
    ],
    ['a fractional intValue', request({ attributes: [{ key: 'k', value: { intValue: 1.5 } }] }), /intValue/],
  ])('rejects %s with a reason naming the field', (_, body, reason) => {
    expect(() => decodeOtlpJson(body)).toThrow(OtlpDecodeError);
    expect(() => decodeOtlpJson(body)).toThrow(reason);
  });
});
