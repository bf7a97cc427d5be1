import type { StoredSpan } from '@clicktrace/collector';
import { describe, expect, it } from 'vitest';
import { explainMissingStep } from '../src/explain-break.js';
import { describeShape, matchesShape, type SpanTreeShape, whereShapeDiffers } from '../src/span-tree.js';
import { Trace } from '../src/trace.js';
import { explainNoMatch } from '../src/traces.js';
import { span } from './spans.js';

const PAGE_TRACE = '0af7651916cd43dd8448eb211c80319c';
const SERVER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** The click and its fetch, as the page exported them; the fetch got a 200. */
function pageSpans(): StoredSpan[] {
  return [
    span({ spanId: 'aaaaaaaaaaaaaaa1', name: 'click button "Order"' }),
    span({
      spanId: 'aaaaaaaaaaaaaaa2',
      parentSpanId: 'aaaaaaaaaaaaaaa1',
      name: 'POST',
      kind: 'CLIENT',
      startTimeUnixNano: '1700000000010000000',
      endTimeUnixNano: '1700000000050000000',
      attributes: {
        'http.request.method': 'POST',
        'url.full': 'http://127.0.0.1:3001/api/order?x=1',
        'http.response.status_code': 200,
      },
    }),
  ];
}

/** The API's span for that request, in a trace of its own. */
function serverSpan(fields: Partial<StoredSpan> = {}): StoredSpan {
  return span({
    traceId: SERVER_TRACE,
    spanId: 'bbbbbbbbbbbbbbb1',
    name: 'POST /api/order',
    kind: 'SERVER',
    serviceName: 'shop-api',
    startTimeUnixNano: '1700000000020000000',
    endTimeUnixNano: '1700000000040000000',
    attributes: { 'http.request.method': 'POST', 'url.path': '/api/order', 'http.route': '/api/order' },
    ...fields,
  });
}

describe('explainMissingStep', () => {
  const page = new Trace(PAGE_TRACE, pageSpans());

  it('names a server span that started its own trace, and the origin to add to propagateTo', () => {
    const others = [new Trace(SERVER_TRACE, [serverSpan()])];
    expect(explainMissingStep(page, 'POST /api/order', others)).toEqual([
      'the server span `POST /api/order` started trace 4bf9… instead of continuing 0af7…: the request ' +
        'reached the server without a traceparent — is http://127.0.0.1:3001 in propagateTo?',
    ]);
  });

  it('tells a restarted trace (a link back to the request span) from a missing traceparent', () => {
    const linked = serverSpan({
      links: [{ traceId: PAGE_TRACE, spanId: 'aaaaaaaaaaaaaaa2', attributes: {} }],
    });
    const [reason] = explainMissingStep(page, 'POST /api/order', [new Trace(SERVER_TRACE, [linked])]);
    expect(reason).toContain("trustIncoming: 'restart'");
  });

  it('names another traceparent than the page sent', () => {
    const foreign = serverSpan({ parentSpanId: 'cccccccccccccccc' });
    const [reason] = explainMissingStep(page, 'POST /api/order', [new Trace(SERVER_TRACE, [foreign])]);
    expect(reason).toContain(
      'continued trace 4bf9… from span cccccccccccccccc, not the request span aaaaaaaaaaaaaaa2',
    );
  });

  it('says when no server span arrived at all, and how to trace the server', () => {
    const [reason] = explainMissingStep(page, 'POST /api/order', []);
    expect(reason).toContain('was answered (200) but no server span for it arrived');
    expect(reason).toContain('--import @clicktrace/node/register');
  });

  it('ignores server spans of the same route far from the request in time (another test)', () => {
    const later = serverSpan({
      startTimeUnixNano: '1700000009000000000',
      endTimeUnixNano: '1700000009100000000',
    });
    const [reason] = explainMissingStep(page, 'POST /api/order', [new Trace(SERVER_TRACE, [later])]);
    expect(reason).toContain('no server span for it arrived');
  });

  it('says when no request of the trace could lead to the step', () => {
    const [reason] = explainMissingStep(page, 'GET /api/items', []);
    expect(reason).toContain('no request span of this trace leads to "GET /api/items"');
  });
});

describe('explainNoMatch', () => {
  it('picks the trace with the root, says where it stops, and draws the traces', () => {
    const text = explainNoMatch(
      { root: /click/, through: ['POST /api/order'] },
      5000,
      [new Trace(PAGE_TRACE, pageSpans())],
      [new Trace(SERVER_TRACE, [serverSpan()])],
    );
    expect(text).toContain('No trace matched { root /click/; through "POST /api/order" } within 5000 ms.');
    expect(text).toContain(`The closest, trace ${PAGE_TRACE}, does not reach "POST /api/order":`);
    expect(text).toContain('is http://127.0.0.1:3001 in propagateTo?');
    expect(text).toContain('  click button "Order" [INTERNAL shop-web]');
  });

  it("says when the test's pages exported nothing", () => {
    expect(explainNoMatch({ root: /click/ }, 100, [], [])).toContain(
      "No trace arrived from this test's pages",
    );
  });
});

describe('span tree shapes', () => {
  const connected = new Trace(PAGE_TRACE, [
    ...pageSpans(),
    serverSpan({ traceId: PAGE_TRACE, parentSpanId: 'aaaaaaaaaaaaaaa2' }),
  ]);
  const shape: SpanTreeShape = {
    span: /click/,
    children: [
      { span: { name: 'POST /api/order', kind: 'CLIENT' }, children: [{ span: { kind: 'SERVER' } }] },
    ],
  };

  it('matches a trace that has the shape, extra spans allowed', () => {
    expect(matchesShape(connected, shape)).toBe(true);
    expect(matchesShape(connected, { span: /click/ })).toBe(true);
  });

  it('gives each wanted child its own span', () => {
    const twice: SpanTreeShape = {
      span: /click/,
      children: [{ span: 'POST /api/order' }, { span: 'POST /api/order' }],
    };
    expect(matchesShape(connected, twice)).toBe(false);
  });

  it('says which span lacks which child', () => {
    const broken = new Trace(PAGE_TRACE, pageSpans());
    expect(matchesShape(broken, shape)).toBe(false);
    expect(whereShapeDiffers(broken, shape)).toBe('"POST" has no child matching {"kind":"SERVER"}');
    expect(whereShapeDiffers(connected, { span: /submit/ })).toBe(
      'the root span "click button "Order"" does not match /submit/',
    );
  });

  it('draws the shape', () => {
    expect(describeShape(shape)).toBe(
      ['  /click/', '    {"name":"POST /api/order","kind":"CLIENT"}', '      {"kind":"SERVER"}'].join('\n'),
    );
  });
});

describe('explanations in a shared collector', () => {
  const page = new Trace(PAGE_TRACE, pageSpans());

  it("does not blame another test's server span, reached from its own traced page", () => {
    const otherPage = '9'.repeat(32);
    const theirs = new Trace(otherPage, [
      span({ traceId: otherPage, spanId: 'ccccccccccccccc1', name: 'POST', kind: 'CLIENT' }),
      serverSpan({ traceId: otherPage, parentSpanId: 'ccccccccccccccc1' }),
    ]);
    const [reason] = explainMissingStep(page, 'POST /api/order', [theirs]);
    expect(reason).toContain('no server span for it arrived');
  });

  it('reads a route template step (`http.route` style) as the request it names', () => {
    const [reason] = explainMissingStep(page, 'POST /api/:resource', [
      new Trace(SERVER_TRACE, [serverSpan()]),
    ]);
    expect(reason).toContain('is http://127.0.0.1:3001 in propagateTo?');
  });
});

describe('a shape that wants a child twice', () => {
  it('says the span has no more such child, not that every span was found', () => {
    const trace = new Trace(PAGE_TRACE, pageSpans());
    const twice: SpanTreeShape = {
      span: /click/,
      children: [{ span: { kind: 'CLIENT' } }, { span: { kind: 'CLIENT' } }],
    };
    expect(whereShapeDiffers(trace, twice)).toBe(
      '"click button "Order"" has no more child matching {"kind":"CLIENT"}',
    );
  });
});
