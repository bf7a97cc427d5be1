import { type Attributes, type Span, trace } from '@opentelemetry/api';
import {
  type ReadableSpan,
  type SpanLimits,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it, vi } from 'vitest';
import { addAttributes } from '../src/span-attributes.js';

/** A span of the bundled SDK's version, and what it looks like once ended. */
function sdkSpan(spanLimits: SpanLimits = {}) {
  const ended: ReadableSpan[] = [];
  const collect: SpanProcessor = {
    onStart() {},
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const span = new TracerProvider({ spanLimits, spanProcessors: [collect] })
    .getTracer('test')
    .startSpan('GET');
  return {
    span,
    end(): ReadableSpan {
      span.end();
      return ended[0] as ReadableSpan;
    },
  };
}

/** What the SDK itself makes of the same attributes, through setAttributes. */
function bySdk(attributes: Attributes, spanLimits: SpanLimits = {}): ReadableSpan {
  const { span, end } = sdkSpan(spanLimits);
  span.setAttributes(attributes);
  return end();
}

const SERVER_ATTRIBUTES: Attributes = {
  'http.request.method': 'GET',
  'url.path': '/api/items/7',
  'server.port': 3000,
  'app.cached': false,
  'clicktrace.trace_headers.received': ['traceparent', 'tracestate'],
};

describe('addAttributes', () => {
  it('gives a span what setAttributes gives it, without calling it, and takes the object as it is', () => {
    const { span, end } = sdkSpan();
    const setAttribute = vi.spyOn(span, 'setAttribute');
    const setAttributes = vi.spyOn(span, 'setAttributes');
    const attributes = { ...SERVER_ATTRIBUTES };

    addAttributes(span, attributes);
    const ended = end();

    expect(setAttribute).not.toHaveBeenCalled();
    expect(setAttributes).not.toHaveBeenCalled();
    expect(ended.attributes).toBe(attributes);
    expect(ended.attributes).toEqual(bySdk(SERVER_ATTRIBUTES).attributes);
    expect(ended.droppedAttributesCount).toBe(0);
  });

  it('adds to a span that has attributes already, and counts them with the ones it had', () => {
    const { span, end } = sdkSpan({ attributeCountLimit: 3 });
    span.setAttribute('first', 1);
    addAttributes(span, { second: 'two', first: 'replaced' });
    addAttributes(span, { third: true, fourth: 4, fifth: 5 });
    const ended = end();

    expect(ended.attributes).toEqual({ first: 'replaced', second: 'two', third: true });
    // The two over the limit are counted as dropped, as the SDK counts them.
    expect(ended.droppedAttributesCount).toBe(2);
    const sdk = bySdk(
      { first: 1, second: 'two', third: true, fourth: 4, fifth: 5 },
      { attributeCountLimit: 3 },
    );
    expect(ended.droppedAttributesCount).toBe(sdk.droppedAttributesCount);
  });

  it('applies the value length limit to strings and to each string of an array, as the SDK does', () => {
    const limits = { attributeValueLengthLimit: 4 };
    const attributes = { 'url.path': '/api/items/7', list: ['abcdef', 'ab'], port: 3000 };
    const { span, end } = sdkSpan(limits);
    addAttributes(span, attributes);
    const ended = end();

    expect(ended.attributes).toEqual({ 'url.path': '/api', list: ['abcd', 'ab'], port: 3000 });
    expect(ended.attributes).toEqual(bySdk(attributes, limits).attributes);
    // The caller's object and array are left as they were.
    expect(attributes.list).toEqual(['abcdef', 'ab']);
  });

  it('passes any other value to setAttribute, which checks it', () => {
    const { span, end } = sdkSpan();
    const setAttribute = vi.spyOn(span, 'setAttribute');
    const attributes = { kept: 'yes', numbers: [1, 2], empty: undefined } as Attributes;
    addAttributes(span, attributes);
    const ended = end();

    expect(setAttribute).toHaveBeenCalledWith('numbers', [1, 2]);
    expect(ended.attributes).toEqual({ kept: 'yes', numbers: [1, 2] });
  });

  it('uses setAttributes for a span that is not a live span of this SDK', () => {
    const { span, end } = sdkSpan();
    end();
    const setAttributes = vi.spyOn(span, 'setAttributes');
    addAttributes(span, { late: 'value' });
    expect(setAttributes).toHaveBeenCalledWith({ late: 'value' });

    const nonRecording: Span = trace.wrapSpanContext({
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: 0,
    });
    expect(() => addAttributes(nonRecording, SERVER_ATTRIBUTES)).not.toThrow();
  });
});
