import { describe, expect, it } from 'vitest';
import { type StoredSpan, TraceStore } from '../src/index.js';

let nextSpan = 0;

/** A span of `trace` (a short label, padded into a hex id) starting at `startMs`. */
function span(
  trace: string,
  options: { parent?: string; startMs?: number; name?: string; service?: string } = {},
) {
  const spanId = (++nextSpan).toString(16).padStart(16, '0');
  const start = BigInt(1_700_000_000_000 + (options.startMs ?? 0)) * 1_000_000n;
  const stored: StoredSpan = {
    traceId: trace.padStart(32, '0'),
    spanId,
    name: options.name ?? `span ${spanId}`,
    kind: 'INTERNAL',
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 10_000_000n).toString(),
    serviceName: options.service ?? 'svc',
    resource: {},
    scope: { name: 'test' },
    attributes: {},
    status: { code: 'UNSET' },
    events: [],
    links: [],
  };
  if (options.parent) stored.parentSpanId = options.parent;
  return stored;
}

const id = (trace: string) => trace.padStart(32, '0');

describe('TraceStore', () => {
  it('groups spans by trace and counts them', () => {
    const store = new TraceStore();
    const root = span('a1');
    store.add([root, span('a1', { parent: root.spanId }), span('b2')]);
    expect(store.size).toBe(3);
    expect(store.trace(id('a1'))).toHaveLength(2);
    expect(store.trace(id('A1'))).toHaveLength(2);
    expect(store.trace(id('ff'))).toBeUndefined();
    expect(store.spans()).toHaveLength(3);
  });

  it('evicts whole oldest traces, by first arrival, once over maxSpans', () => {
    const store = new TraceStore({ maxSpans: 5 });
    store.add([span('a'), span('a')]); // oldest
    store.add([span('b'), span('b')]);
    store.add([span('a')]); // a late span does not make trace a younger
    expect(store.size).toBe(5);
    store.add([span('c')]); // 6 spans: trace a (3 spans) goes, as a whole
    expect(store.size).toBe(3);
    expect(store.trace(id('a'))).toBeUndefined();
    expect(store.trace(id('b'))).toHaveLength(2);
    expect(store.trace(id('c'))).toHaveLength(1);
    store.add([span('d'), span('d'), span('d')]); // 6 again: b goes, c stays
    expect(store.size).toBe(4);
    expect(
      store
        .traces()
        .map((t) => t.traceId)
        .sort(),
    ).toEqual([id('c'), id('d')]);
  });

  it('never holds more than maxSpans, even when one batch is larger', () => {
    const store = new TraceStore({ maxSpans: 3 });
    for (let i = 0; i < 20; i++) {
      store.add([span(`t${i}`), span(`t${i}`)]);
      expect(store.size).toBeLessThanOrEqual(3);
      expect(store.spans()).toHaveLength(store.size);
    }
    expect(store.traces().map((t) => t.traceId)).toEqual([id('t19')]);
  });

  it('does not count a re-sent span twice', () => {
    const store = new TraceStore();
    const once = span('a');
    store.add([once]);
    store.add([{ ...once, name: 'retried' }]);
    expect(store.size).toBe(1);
    expect(store.trace(id('a'))?.[0]?.name).toBe('retried');
  });

  it('summarizes traces newest first', () => {
    const store = new TraceStore();
    const root = span('a', { name: 'click checkout', startMs: 100, service: 'shop-web' });
    store.add([span('a', { parent: root.spanId, startMs: 150, service: 'shop-api' }), root]);
    store.add([span('b', { name: 'older', startMs: 0 })]);
    store.add([span('c', { parent: 'ffffffffffffffff', startMs: 200 })]);
    const [c, a, b] = store.traces();
    expect([c?.traceId, a?.traceId, b?.traceId]).toEqual([id('c'), id('a'), id('b')]);
    expect(a).toEqual({
      traceId: id('a'),
      rootName: 'click checkout',
      serviceNames: ['shop-web', 'shop-api'],
      spanCount: 2,
      startTimeUnixNano: root.startTimeUnixNano,
      durationMs: 60,
    });
    expect(c?.rootName).toBeUndefined();
  });

  it('tells listeners about each batch until they unsubscribe', () => {
    const store = new TraceStore();
    const batches: number[] = [];
    const stop = store.onSpans((spans) => batches.push(spans.length));
    store.add([span('a'), span('a')]);
    stop();
    store.add([span('b')]);
    expect(batches).toEqual([2]);
  });

  it('runs every listener even when one throws, then rethrows', () => {
    const store = new TraceStore();
    let called = false;
    store.onSpans(() => {
      throw new Error('listener broke');
    });
    store.onSpans(() => {
      called = true;
    });
    expect(() => store.add([span('a')])).toThrow('listener broke');
    expect(called).toBe(true);
    expect(store.size).toBe(1);
  });

  it('clears', () => {
    const store = new TraceStore();
    store.add([span('a')]);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.traces()).toEqual([]);
  });

  it('rejects a maxSpans that is not a positive integer', () => {
    expect(() => new TraceStore({ maxSpans: 0 })).toThrow(RangeError);
    expect(() => new TraceStore({ maxSpans: 1.5 })).toThrow(RangeError);
  });
});
