import { describe, expect, it } from 'vitest';
import { Trace } from '../src/trace.js';
import { findTraceBreaks } from '../src/trace-breaks.js';
import { traceMatches } from '../src/traces.js';
import { checkoutSpans, span } from './spans.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

describe('findTraceBreaks', () => {
  it('finds nothing in a trace with one root whose spans all have their parent', () => {
    expect(findTraceBreaks(new Trace(TRACE_ID, checkoutSpans()))).toEqual([]);
  });

  it('names a span whose parent is not in the trace', () => {
    const [click, fetchSpan, server] = checkoutSpans();
    const broken = new Trace(TRACE_ID, [click, { ...server, parentSpanId: 'ffffffffffffffff' }]);
    expect(fetchSpan).toBeDefined();
    const breaks = findTraceBreaks(broken);
    expect(breaks).toHaveLength(1);
    expect(breaks[0]).toContain('POST [SERVER shop-api]');
    expect(breaks[0]).toContain('names parent ffffffffffffffff, which is not in the trace');
  });

  it('reports a second root', () => {
    const spans = [...checkoutSpans(), span({ spanId: 'bbbbbbbbbbbbbbb1', name: 'click a "Home"' })];
    expect(findTraceBreaks(new Trace(TRACE_ID, spans))).toEqual([
      'it has 2 root spans instead of 1: click button "Checkout", click a "Home"',
    ]);
  });

  it('reports a trace that has no root at all', () => {
    const [, fetchSpan, server] = checkoutSpans();
    expect(findTraceBreaks(new Trace(TRACE_ID, [fetchSpan, server]))[0]).toBe(
      'it has no root span (every span names a parent)',
    );
  });
});

describe('Trace', () => {
  it('draws its tree with children indented under their parent', () => {
    expect(new Trace(TRACE_ID, checkoutSpans()).toString()).toBe(
      [
        `trace ${TRACE_ID} (3 spans)`,
        '  click button "Checkout" [INTERNAL shop-web] span=aaaaaaaaaaaaaaa1',
        '    HTTP POST [CLIENT shop-web] span=aaaaaaaaaaaaaaa2 parent=aaaaaaaaaaaaaaa1',
        '      POST [SERVER shop-api] span=aaaaaaaaaaaaaaa3 parent=aaaaaaaaaaaaaaa2',
      ].join('\n'),
    );
  });

  it('finds HTTP spans by "METHOD path", from stable or older attribute names', () => {
    const trace = new Trace(TRACE_ID, checkoutSpans());
    expect(trace.find({ name: 'POST /api/checkout', kind: 'SERVER' })?.spanId).toBe('aaaaaaaaaaaaaaa3');
    expect(trace.find({ name: 'POST /api/checkout', kind: 'CLIENT' })?.spanId).toBe('aaaaaaaaaaaaaaa2');
    expect(trace.find('GET /api/checkout')).toBeUndefined();
    expect(trace.find({ name: 'POST /api/checkout', service: 'nobody' })).toBeUndefined();
  });
});

describe('traceMatches', () => {
  const trace = new Trace(TRACE_ID, checkoutSpans());

  it('matches root, through, service and attributes together', () => {
    expect(
      traceMatches(trace, {
        root: /^click/,
        through: ['POST /api/checkout'],
        service: 'shop-api',
        attributes: { 'url.path': '/api/checkout' },
      }),
    ).toBe(true);
  });

  it('rejects a trace missing any one of them', () => {
    expect(traceMatches(trace, { root: /^submit/ })).toBe(false);
    expect(traceMatches(trace, { root: 'POST' })).toBe(false); // a span that is not the root
    expect(traceMatches(trace, { through: ['POST /api/checkout', 'GET /api/items'] })).toBe(false);
    expect(traceMatches(trace, { service: 'billing' })).toBe(false);
    expect(traceMatches(trace, { attributes: { 'url.path': '/api/cart' } })).toBe(false);
  });
});
