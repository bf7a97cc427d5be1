import { describe, expect, it } from 'vitest';
import { type DiagnoseOptions, diagnoseBreaks } from '../src/diagnose-breaks.js';
import type { AttributeValue, StoredSpan } from '../src/index.js';

const MS = 1_000_000n;
const T0 = 1_780_000_000_000n * MS;
let nextId = 1;

interface SpanInput {
  trace: string;
  parent?: StoredSpan;
  name: string;
  kind: StoredSpan['kind'];
  service: string;
  /** Start and end in ms after T0. */
  at: [number, number];
  attributes?: Record<string, AttributeValue>;
  links?: StoredSpan[];
  browser?: boolean;
  /** `service.instance.id`: which page load or process. */
  instance?: string;
}

/** A stored span as the collector holds it: input data for the pure diagnosis. */
function span(input: SpanInput): StoredSpan {
  const traceId = input.trace.padEnd(32, '0');
  const stored: StoredSpan = {
    traceId,
    spanId: (nextId++).toString(16).padStart(16, '0'),
    name: input.name,
    kind: input.kind,
    startTimeUnixNano: (T0 + BigInt(input.at[0]) * MS).toString(),
    endTimeUnixNano: (T0 + BigInt(input.at[1]) * MS).toString(),
    serviceName: input.service,
    resource: {
      'service.name': input.service,
      'telemetry.sdk.language': input.browser ? 'webjs' : 'nodejs',
      ...(input.instance !== undefined && { 'service.instance.id': input.instance }),
    },
    scope: { name: 'test' },
    attributes: input.attributes ?? {},
    status: { code: 'UNSET' },
    events: [],
    links: (input.links ?? []).map((linked) => ({
      traceId: linked.traceId,
      spanId: linked.spanId,
      attributes: {},
    })),
  };
  if (input.parent) stored.parentSpanId = input.parent.spanId;
  return stored;
}

const API = 'http://127.0.0.1:3001';

function click(trace: string, at: [number, number] = [0, 100], instance?: string): StoredSpan {
  return span({
    trace,
    instance,
    name: 'click button#pay',
    kind: 'INTERNAL',
    service: 'shop-web',
    at,
    browser: true,
    attributes: { 'clicktrace.event.type': 'click' },
  });
}

function fetchSpan(
  trace: string,
  parent: StoredSpan | undefined,
  attributes: Record<string, AttributeValue>,
  at: [number, number] = [10, 60],
): StoredSpan {
  return span({
    trace,
    parent,
    name: 'POST',
    kind: 'CLIENT',
    service: 'shop-web',
    at,
    browser: true,
    attributes: {
      'http.request.method': 'POST',
      'url.full': `${API}/api/checkout`,
      'http.response.status_code': 200,
      'clicktrace.trace_headers.sent': true,
      'clicktrace.trace_headers.names': ['traceparent'],
      ...attributes,
    },
  });
}

function serverSpan(
  trace: string,
  parent: StoredSpan | undefined,
  evidence: Record<string, AttributeValue> | undefined,
  links: StoredSpan[] = [],
): StoredSpan {
  return span({
    trace,
    parent,
    name: 'POST /api/checkout',
    kind: 'SERVER',
    service: 'shop-api',
    at: [20, 50],
    links,
    attributes: {
      'http.request.method': 'POST',
      'url.path': '/api/checkout',
      'http.response.status_code': 200,
      ...(evidence && {
        'clicktrace.trace_headers.received': [],
        'clicktrace.trace_headers.extracts': ['traceparent', 'tracestate', 'baggage'],
        'clicktrace.trace_headers.outcome': 'started',
        ...evidence,
      }),
    },
  });
}

const settled: DiagnoseOptions = { now: 10_000, settleMs: 0, arrivedAt: () => 0 };

function diagnose(spans: StoredSpan[], options: DiagnoseOptions = settled) {
  const traces = new Map<string, StoredSpan[]>();
  for (const one of spans) traces.set(one.traceId, [...(traces.get(one.traceId) ?? []), one]);
  return diagnoseBreaks(traces.values(), options);
}

describe('diagnoseBreaks', () => {
  it('finds no break in a connected trace', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {});
    const server = serverSpan('a', request, { 'clicktrace.trace_headers.outcome': 'continued' });
    expect(diagnose([root, request, server])).toEqual({ breaks: [] });
  });

  it('waits settleMs for a server span before calling the server untraced', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {});
    const waiting = diagnose([root, request], { now: 1_000, settleMs: 5_000, arrivedAt: () => 500 });
    expect(waiting).toEqual({ breaks: [], recheckAt: 5_500 });
    const due = diagnose([root, request], { now: 5_500, settleMs: 5_000, arrivedAt: () => 500 });
    expect(due.breaks).toMatchObject([
      {
        kind: 'server-not-traced',
        category: 'propagation',
        from: { traceId: request.traceId, spanId: request.spanId, serviceName: 'shop-web' },
        fix: expect.stringContaining(`trace ${API}`),
      },
    ]);
    expect(due.breaks[0]?.to).toBeUndefined();
  });

  it('does not wait for the server of a request that sent no trace headers, or was not answered', () => {
    const root = click('a');
    const thirdParty = fetchSpan('a', root, {
      'clicktrace.trace_headers.sent': false,
      'clicktrace.trace_headers.not_sent_reason': 'origin-not-allowed',
    });
    const failed = fetchSpan('a', root, { 'http.response.status_code': 0, 'error.type': 'TypeError' });
    expect(diagnose([root, thirdParty, failed]).breaks).toEqual([]);
  });

  it('names not-injected when the origin was not allowed and the server started a trace', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {
      'clicktrace.trace_headers.sent': false,
      'clicktrace.trace_headers.not_sent_reason': 'origin-not-allowed',
    });
    const server = serverSpan('b', undefined, {});
    const [found] = diagnose([root, request, server]).breaks;
    expect(found).toMatchObject({
      kind: 'not-injected',
      category: 'propagation',
      from: { traceId: request.traceId, spanId: request.spanId },
      to: { traceId: server.traceId, spanId: server.spanId, serviceName: 'shop-api' },
      fix: `add ${API} to propagateTo`,
    });
    expect(found?.summary).toMatch(/without trace headers/);
  });

  it('names header-stripped when headers were sent and none arrived', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {});
    const server = serverSpan('b', undefined, {});
    expect(diagnose([root, request, server]).breaks).toMatchObject([
      { kind: 'header-stripped', fix: expect.stringContaining('let traceparent through') },
    ]);
  });

  it('names propagator-mismatch when the server does not read the format it received', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {});
    const server = serverSpan('b', undefined, {
      'clicktrace.trace_headers.received': ['traceparent'],
      'clicktrace.trace_headers.extracts': ['b3'],
    });
    expect(diagnose([root, request, server]).breaks).toMatchObject([
      { kind: 'propagator-mismatch', fix: expect.stringContaining('OTEL_PROPAGATORS=tracecontext,baggage') },
    ]);
  });

  it('names not-extracted when a known header arrived, or the server says nothing', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {});
    const server = serverSpan('b', undefined, { 'clicktrace.trace_headers.received': ['traceparent'] });
    expect(diagnose([root, request, server]).breaks).toMatchObject([{ kind: 'not-extracted' }]);
    const silent = serverSpan('c', undefined, undefined);
    expect(diagnose([root, request, silent]).breaks).toMatchObject([{ kind: 'not-extracted' }]);
  });

  it('names cors-refused when the browser says a refusal is likely', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {
      'http.response.status_code': 0,
      'error.type': 'TypeError',
      'clicktrace.cors.refusal_likely': true,
    });
    expect(diagnose([root, request]).breaks).toMatchObject([
      {
        kind: 'cors-refused',
        fix: `allow traceparent in Access-Control-Allow-Headers on ${API}, for this origin (cors() from @clicktrace/node/cors does)`,
      },
    ]);
  });

  it('names restarted-by-policy from the link, and files it under policy', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {});
    const server = serverSpan('b', undefined, { 'clicktrace.trace_headers.outcome': 'restarted-by-policy' }, [
      request,
    ]);
    expect(diagnose([root, request, server]).breaks).toMatchObject([
      { kind: 'restarted-by-policy', category: 'policy', to: { spanId: server.spanId } },
    ]);
  });

  it('joins by the caller ids the server recorded before joining by time', () => {
    const root = click('a');
    const first = fetchSpan('a', root, {}, [10, 20]);
    const second = fetchSpan('a', root, {}, [30, 40]);
    // Starts nearest to `first`, but names `second` as its caller.
    const server = serverSpan('b', undefined, {
      'clicktrace.trace_headers.received': ['traceparent'],
      'clicktrace.trace_headers.extracts': ['b3'],
      'clicktrace.trace_headers.caller_span_id': second.spanId,
    });
    const breaks = diagnose([root, first, second, server], { ...settled, settleMs: 60_000 }).breaks;
    expect(breaks).toMatchObject([{ kind: 'propagator-mismatch', from: { spanId: second.spanId } }]);
  });

  it('does not join a server root that started long after the request ended', () => {
    const root = click('a', [0, 5_000]);
    const request = fetchSpan('a', root, {}, [10, 20]);
    const late = { ...serverSpan('b', undefined, {}), startTimeUnixNano: (T0 + 3_000n * MS).toString() };
    expect(diagnose([root, request, late], { ...settled, settleMs: 60_000 }).breaks).toEqual([]);
  });

  it('names context-lost in the browser for a root request made while clicks were open', () => {
    const first = click('a', [0, 200]);
    const second = click('b', [5, 210]);
    const lost = fetchSpan('c', undefined, {
      'clicktrace.parent.source': 'none',
      'clicktrace.parent.open_interactions': 2,
    });
    const server = serverSpan('c', lost, { 'clicktrace.trace_headers.outcome': 'continued' });
    expect(diagnose([first, second, lost, server]).breaks).toMatchObject([
      {
        kind: 'context-lost',
        category: 'context',
        where: 'browser',
        from: { spanId: second.spanId },
        to: { spanId: lost.spanId },
        fix: expect.stringContaining('clicktrace() Vite plugin'),
      },
    ]);
  });

  it('leaves a background request alone even while a click is open', () => {
    const open = click('a', [0, 200]);
    const background = fetchSpan('c', undefined, {
      'clicktrace.parent.source': 'none',
      'clicktrace.parent.open_interactions': 0,
    });
    const server = serverSpan('c', background, { 'clicktrace.trace_headers.outcome': 'continued' });
    expect(diagnose([open, background, server]).breaks).toEqual([]);
  });

  it('names context-lost on the server for an outgoing call that started its own trace mid-request', () => {
    const request = serverSpan('a', undefined, { 'clicktrace.trace_headers.outcome': 'started' });
    const outgoing = span({
      trace: 'b',
      name: 'GET',
      kind: 'CLIENT',
      service: 'shop-api',
      at: [30, 40],
      attributes: {
        'http.request.method': 'GET',
        'url.full': 'http://127.0.0.1:3002/stock',
        'http.response.status_code': 200,
      },
    });
    const downstream = span({
      trace: 'b',
      parent: outgoing,
      name: 'GET /stock',
      kind: 'SERVER',
      service: 'stock',
      at: [31, 39],
    });
    expect(diagnose([request, outgoing, downstream]).breaks).toMatchObject([
      {
        kind: 'context-lost',
        where: 'server',
        from: { spanId: request.spanId },
        to: { spanId: outgoing.spanId },
      },
    ]);
  });

  it("does not blame another page's click for a page's lost context", () => {
    const elsewhere = click('a', [0, 200], 'page-b');
    const lost = span({
      trace: 'c',
      name: 'POST',
      kind: 'CLIENT',
      service: 'shop-web',
      at: [10, 60],
      browser: true,
      instance: 'page-a',
      attributes: { 'clicktrace.parent.source': 'none', 'clicktrace.parent.open_interactions': 2 },
    });
    expect(diagnose([elsewhere, lost]).breaks).toEqual([]);
    const own = click('b', [5, 200], 'page-a');
    expect(diagnose([elsewhere, own, lost]).breaks).toMatchObject([
      { kind: 'context-lost', from: { spanId: own.spanId } },
    ]);
  });

  it('does not guess whose context an outgoing root lost while several requests were open', () => {
    const first = serverSpan('a', undefined, { 'clicktrace.trace_headers.outcome': 'started' });
    const second = serverSpan('b', undefined, { 'clicktrace.trace_headers.outcome': 'started' });
    const poll = span({
      trace: 'c',
      name: 'GET',
      kind: 'CLIENT',
      service: 'shop-api',
      at: [30, 40],
      attributes: { 'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:3002/stock' },
    });
    expect(diagnose([first, second, poll]).breaks).toEqual([]);
  });

  it('joins a request to a server root by time only once settled: its own server span may still come', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {});
    // Another caller of the same route, untraced, at the same moment.
    const stranger = serverSpan('b', undefined, {});
    const early = diagnose([root, request, stranger], { now: 1_000, settleMs: 5_000, arrivedAt: () => 500 });
    expect(early).toEqual({ breaks: [], recheckAt: 5_500 });
  });

  it('prefers a server root on the port the request went to', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {});
    const otherPort = {
      ...serverSpan('b', undefined, {}),
      attributes: { ...serverSpan('x', undefined, {}).attributes, 'server.port': 3999 },
    };
    const samePort = {
      ...serverSpan('c', undefined, {
        'clicktrace.trace_headers.received': ['traceparent'],
        'clicktrace.trace_headers.extracts': ['b3'],
      }),
      startTimeUnixNano: (T0 + 45n * MS).toString(),
    };
    samePort.attributes = { ...samePort.attributes, 'server.port': 3001 };
    expect(diagnose([root, request, otherPort, samePort]).breaks).toMatchObject([
      { kind: 'propagator-mismatch', to: { spanId: samePort.spanId } },
    ]);
  });

  it('does not call a server untraced when its answer carried the backlink', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {});
    request.links.push({ traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), attributes: {} });
    expect(diagnose([root, request]).breaks).toEqual([]);
  });

  it('fixes a no-cors request by its mode, not by propagateTo', () => {
    const root = click('a');
    const request = fetchSpan('a', root, {
      'clicktrace.trace_headers.sent': false,
      'clicktrace.trace_headers.not_sent_reason': 'no-cors',
    });
    const server = serverSpan('b', undefined, {});
    expect(diagnose([root, request, server]).breaks).toMatchObject([
      { kind: 'not-injected', fix: expect.stringContaining("without mode: 'no-cors'") },
    ]);
  });

  it('lists breaks newest first', () => {
    const early = click('a', [0, 100]);
    const earlyRequest = fetchSpan(
      'a',
      early,
      { 'clicktrace.cors.refusal_likely': true, 'http.response.status_code': 0 },
      [10, 20],
    );
    const late = click('b', [500, 600]);
    const lateRequest = fetchSpan(
      'b',
      late,
      { 'clicktrace.cors.refusal_likely': true, 'http.response.status_code': 0 },
      [510, 520],
    );
    const ids = diagnose([early, earlyRequest, late, lateRequest]).breaks.map((item) => item.from.spanId);
    expect(ids).toEqual([lateRequest.spanId, earlyRequest.spanId]);
  });
});
