import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeOtlpJson, decodeOtlpProtobuf, OtlpDecodeError } from '../src/index.js';
import { captureExport, emitSampleTrace } from './sample-trace.js';

/** Hand-assembled wire bytes for cases the stock exporter never produces. */
function field(number: number, wireType: number, payload: number[]): number[] {
  const bytes = wireType === 2 ? [...varint(payload.length), ...payload] : payload;
  return [...varint((number << 3) | wireType), ...bytes];
}
function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}
function minimalRequest(spanFields: number[]): Uint8Array {
  const span = field(2, 2, spanFields); // ScopeSpans.spans
  const scopeSpans = field(2, 2, span); // ResourceSpans.scope_spans
  return Uint8Array.from(field(1, 2, scopeSpans)); // ExportTraceServiceRequest.resource_spans
}
const TRACE_ID = Array.from({ length: 16 }, (_, i) => i + 1);
const SPAN_ID = Array.from({ length: 8 }, (_, i) => 0xa0 + i);

describe('decodeOtlpProtobuf', () => {
  it('decodes a request sent by the stock protobuf exporter', async () => {
    const { body, headers } = await captureExport('protobuf');
    expect(headers['content-type']).toBe('application/x-protobuf');
    const spans = decodeOtlpProtobuf(body);
    expect(spans.map((span) => span.name).sort()).toEqual([
      'GET payments',
      'POST /api/checkout',
      'reserve stock',
    ]);
    const root = spans.find((span) => span.name === 'POST /api/checkout');
    expect(root?.kind).toBe('SERVER');
    expect(root?.attributes['app.sizes']).toEqual([1, 2, 3]);
    expect(root?.startTimeUnixNano).toMatch(/^1\d{18}$/);
  });

  it('decodes gzip bodies once gunzipped', async () => {
    const { body, headers } = await captureExport('protobuf', true);
    expect(headers['content-encoding']).toBe('gzip');
    expect(decodeOtlpProtobuf(gunzipSync(body))).toHaveLength(3);
  });

  it('stores the same spans as the JSON encoding of the same trace', async () => {
    // Same SDK spans through both serializers: compare everything except ids and times.
    const [json, proto] = await Promise.all([captureExport('json'), captureExport('protobuf')]);
    const normalize = (spans: ReturnType<typeof decodeOtlpJson>) =>
      spans
        .map(
          ({
            traceId,
            spanId,
            parentSpanId,
            startTimeUnixNano,
            endTimeUnixNano,
            events,
            links,
            ...rest
          }) => ({
            ...rest,
            hasParent: parentSpanId !== undefined,
            events: events.map(({ timeUnixNano, ...event }) => event),
            links: links.length,
          }),
        )
        .sort((a, b) => a.name.localeCompare(b.name));
    expect(normalize(decodeOtlpProtobuf(proto.body))).toEqual(
      normalize(decodeOtlpJson(JSON.parse(String(json.body)))),
    );
  });

  it('throws OtlpDecodeError for every truncation of a real request', async () => {
    const { body } = await captureExport('protobuf');
    for (let cut = 1; cut < body.byteLength; cut++) {
      expect(() => decodeOtlpProtobuf(body.subarray(0, cut)), `cut at ${cut}`).toThrow(OtlpDecodeError);
    }
  });

  it('reads an empty body as an empty request', () => {
    expect(decodeOtlpProtobuf(new Uint8Array())).toEqual([]);
  });

  it('treats an all-zero parent_span_id as no parent and skips unknown fields', () => {
    const spans = decodeOtlpProtobuf(
      minimalRequest([
        ...field(1, 2, TRACE_ID),
        ...field(2, 2, SPAN_ID),
        ...field(4, 2, [0, 0, 0, 0, 0, 0, 0, 0]),
        ...field(5, 2, [...Buffer.from('root')]),
        ...field(99, 0, [0x96, 0x01]), // an unknown varint field
        ...field(98, 2, [1, 2, 3]), // an unknown length-delimited field
        ...field(97, 5, [1, 2, 3, 4]), // an unknown fixed32 field
      ]),
    );
    expect(spans).toEqual([
      {
        traceId: '0102030405060708090a0b0c0d0e0f10',
        spanId: 'a0a1a2a3a4a5a6a7',
        name: 'root',
        kind: 'UNSPECIFIED',
        startTimeUnixNano: '0',
        endTimeUnixNano: '0',
        serviceName: 'unknown_service',
        resource: {},
        scope: { name: '' },
        attributes: {},
        status: { code: 'UNSET' },
        events: [],
        links: [],
      },
    ]);
  });

  it('decodes negative int64 attributes', () => {
    // KeyValue { key: "n", value: AnyValue { int_value: -1 } }: -1 is ten 0xff..0x01 bytes.
    const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    const keyValue = [...field(1, 2, [0x6e]), ...field(2, 2, field(3, 0, minusOne))];
    const [span] = decodeOtlpProtobuf(
      minimalRequest([...field(1, 2, TRACE_ID), ...field(2, 2, SPAN_ID), ...field(9, 2, keyValue)]),
    );
    expect(span?.attributes).toEqual({ n: -1 });
  });

  it.each([
    [
      'a trace_id of the wrong length',
      [...field(1, 2, [1, 2, 3]), ...field(2, 2, SPAN_ID)],
      /trace_id has 3 bytes/,
    ],
    ['a span without span_id', field(1, 2, TRACE_ID), /no span_id/],
    [
      'a string field of invalid UTF-8',
      [...field(1, 2, TRACE_ID), ...field(2, 2, SPAN_ID), ...field(5, 2, [0xff])],
      /UTF-8/,
    ],
    ['a wire type that does not match the field', [...field(1, 0, [1])], /wire type 0/],
    [
      'an unknown span kind',
      [...field(1, 2, TRACE_ID), ...field(2, 2, SPAN_ID), ...field(6, 0, [9])],
      /kind 9/,
    ],
  ])('rejects %s', (_, spanFields, reason) => {
    expect(() => decodeOtlpProtobuf(minimalRequest(spanFields))).toThrow(reason);
  });

  it('rejects garbage bytes with an OtlpDecodeError, never another error', () => {
    const garbage = Buffer.from('this is not protobuf at all, just some text');
    expect(() => decodeOtlpProtobuf(garbage)).toThrow(OtlpDecodeError);
  });

  it('keeps the sample attributes of each type', async () => {
    const { body } = await captureExport('protobuf');
    const root = decodeOtlpProtobuf(body).find((span) => span.parentSpanId === undefined);
    expect(root?.attributes).toMatchObject({ 'app.ratio': 0.25, 'app.cached': true, 'app.tags': ['a', 'b'] });
  });
});

// Keeps the helper honest: the SDK really produced a three-span trace.
describe('emitSampleTrace', () => {
  it('produces three spans of one trace', async () => {
    const spans = await emitSampleTrace({
      export: (_spans, done) => done({ code: 0 }),
      shutdown: async () => {},
    });
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    expect(spans).toHaveLength(3);
  });
});
