import type { StoredSpan } from '@clicktrace/collector';
import type { Page } from '@playwright/test';
import { expect, Trace, test } from '../../src/index.js';
import { exportBody, span } from '../spans.js';

// Spans are exported the way a page's SDK exports them under the fixture: OTLP/JSON POSTed by the
// page itself straight to the URL the fixture gave it (the test's collector, with its owner id; the
// page is one of the collector's, same origin).

/** Epoch milliseconds as OTLP's decimal nanoseconds. */
const at = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

/** The page exports spans, as @clicktrace/web's exporter would. */
async function pageExports(page: Page, spans: StoredSpan[]): Promise<void> {
  const status = await page.evaluate(
    async ([key, body]) => {
      const url = (globalThis as Record<symbol, string>)[Symbol.for(key)] as string;
      return (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }))
        .status;
    },
    ['clicktrace.web.endpoint', exportBody(spans)] as const,
  );
  expect(status).toBe(200);
}

const hex = (n: number, length: number) => n.toString(16).padStart(length, '0');
const randomTraceId = () => Array.from({ length: 4 }, () => hex((Math.random() * 2 ** 32) >>> 0, 8)).join('');

/** A click whose fetch to POST /api/order got a 200, but whose server span started its own trace. */
function brokenOrder(now: number) {
  const pageTrace = randomTraceId();
  const serverTrace = randomTraceId();
  const page: StoredSpan[] = [
    span({
      traceId: pageTrace,
      spanId: 'aaaaaaaaaaaaaaa1',
      name: 'click button "Order"',
      startTimeUnixNano: at(now),
      endTimeUnixNano: at(now + 40),
    }),
    span({
      traceId: pageTrace,
      spanId: 'aaaaaaaaaaaaaaa2',
      parentSpanId: 'aaaaaaaaaaaaaaa1',
      name: 'POST',
      kind: 'CLIENT',
      startTimeUnixNano: at(now + 5),
      endTimeUnixNano: at(now + 30),
      resource: { 'telemetry.sdk.language': 'webjs' },
      attributes: {
        'http.request.method': 'POST',
        'url.full': 'http://127.0.0.1:3001/api/order',
        'http.response.status_code': 200,
        // What @clicktrace/web records for an origin not in propagateTo.
        'clicktrace.trace_headers.sent': false,
        'clicktrace.trace_headers.not_sent_reason': 'origin-not-allowed',
      },
    }),
  ];
  const server: StoredSpan[] = [
    span({
      traceId: serverTrace,
      spanId: 'bbbbbbbbbbbbbbb1',
      name: 'POST /api/order',
      kind: 'SERVER',
      serviceName: 'shop-api',
      startTimeUnixNano: at(now + 10),
      endTimeUnixNano: at(now + 20),
      attributes: { 'http.request.method': 'POST', 'url.path': '/api/order', 'http.route': '/api/order' },
    }),
  ];
  return { pageTrace, serverTrace, page, server };
}

test.beforeEach(async ({ page, _clicktraceCollector }) => {
  await page.goto(`${_clicktraceCollector.url}/health`);
});

test("toHaveTrace finds the test's trace, and names the collector's diagnosis of a request whose server started its own trace", async ({
  page,
  traces,
  _clicktraceCollector,
}) => {
  const order = brokenOrder(Date.now());
  await pageExports(page, order.page);
  // The API exports straight to the collector, not through the page: its trace is not the test's.
  const answer = await _clicktraceCollector.post(Buffer.from(exportBody(order.server)), {
    'content-type': 'application/json',
  });
  expect(answer.status).toBe(200);

  await expect(traces).toHaveTrace({ root: /click/ });
  await expect(traces).not.toHaveTrace({ root: /submit/ });
  expect((await traces.all()).map((trace) => trace.traceId)).toEqual([order.pageTrace]);

  // Past the collector's settle time (2 s under defineConfig): only then does it join a request to
  // a server root by method, path and time (the request's own server span might still come).
  const failure = expect(traces).toHaveTrace(
    { root: /click/, through: ['POST /api/order'] },
    { timeout: 2_500 },
  );
  await expect(failure).rejects.toThrow(
    '  - not-injected: POST http://127.0.0.1:3001/api/order left shop-web without trace headers, so shop-api started a new trace. Fix: add http://127.0.0.1:3001 to propagateTo.',
  );
  await expect(failure).rejects.toThrow(`click button "Order" [INTERNAL shop-web]`);

  const waited = traces.waitForTrace({ root: /click/, through: ['POST /api/order'] }, { timeout: 2_500 });
  await expect(waited).rejects.toThrow(
    /No trace matched \{ root \/click\/; through "POST \/api\/order" \} within 2500 ms/,
  );
  await expect(waited).rejects.toThrow(/Fix: add http:\/\/127\.0\.0\.1:3001 to propagateTo\./);

  const stillThere = expect(traces).not.toHaveTrace({ root: /click/ }, { timeout: 300 });
  await expect(stillThere).rejects.toThrow(/A trace matched \{ root \/click\/ \}/);
});

test('a page whose SDK never answers a flush does not hold an assertion past its timeout', async ({
  page,
  traces,
}) => {
  await page.evaluate(() => {
    (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] = {
      flush: () => new Promise(() => {}),
    };
  });
  await expect(expect(traces).toHaveTrace({ root: /never/ }, { timeout: 1_000 })).rejects.toThrow(
    /No trace matched \{ root \/never\/ \} within 1000 ms/,
  );
});

/** A connected click → fetch → server trace, and the same with its fetch span missing. */
function checkout(): { connected: Trace; broken: Trace } {
  const base = {
    resource: {},
    scope: { name: 't' },
    status: { code: 'UNSET' as const },
    events: [],
    links: [],
  };
  const at = (ms: number) => `${1_700_000_000_000_000_000n + BigInt(ms) * 1_000_000n}`;
  const spans: StoredSpan[] = [
    {
      ...base,
      traceId: 'f'.repeat(32),
      spanId: '1'.repeat(16),
      name: 'click button "Checkout"',
      kind: 'INTERNAL',
      startTimeUnixNano: at(0),
      endTimeUnixNano: at(50),
      serviceName: 'shop-web',
      attributes: {},
    },
    {
      ...base,
      traceId: 'f'.repeat(32),
      spanId: '2'.repeat(16),
      parentSpanId: '1'.repeat(16),
      name: 'POST',
      kind: 'CLIENT',
      startTimeUnixNano: at(1),
      endTimeUnixNano: at(40),
      serviceName: 'shop-web',
      attributes: { 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:3001/api/checkout' },
    },
    {
      ...base,
      traceId: 'f'.repeat(32),
      spanId: '3'.repeat(16),
      parentSpanId: '2'.repeat(16),
      name: 'POST /api/checkout',
      kind: 'SERVER',
      startTimeUnixNano: at(2),
      endTimeUnixNano: at(30),
      serviceName: 'shop-api',
      attributes: { 'http.request.method': 'POST', 'http.route': '/api/checkout' },
    },
  ];
  return {
    connected: new Trace('f'.repeat(32), spans),
    broken: new Trace('f'.repeat(32), [spans[0] as StoredSpan, spans[2] as StoredSpan]),
  };
}

test('toBeConnected, toContainSpan and toHaveSpanTree pass and fail with messages that explain', () => {
  const { connected, broken } = checkout();
  const shape = {
    span: /click/,
    children: [
      {
        span: { name: 'POST /api/checkout', kind: 'CLIENT' as const },
        children: [{ span: { kind: 'SERVER' as const } }],
      },
    ],
  };

  expect(connected).toBeConnected();
  expect(broken).not.toBeConnected();
  expect(() => expect(broken).toBeConnected()).toThrow(
    'The trace is broken: POST /api/checkout [SERVER shop-api] span=3333333333333333 parent=2222222222222222 names parent 2222222222222222, which is not in the trace.',
  );
  expect(() => expect(connected).not.toBeConnected()).toThrow(
    'Expected the trace not to be connected, but it is:',
  );

  expect(connected).toContainSpan({ name: 'POST /api/checkout', kind: 'SERVER', service: 'shop-api' });
  expect(connected).not.toContainSpan('GET /api/items');
  expect(() => expect(connected).toContainSpan('GET /api/items')).toThrow(
    /No span matches "GET \/api\/items"\.\ntrace f{32} \(3 spans\)/,
  );
  expect(() => expect(connected).not.toContainSpan({ kind: 'SERVER' })).toThrow(
    'Expected no span matching {"kind":"SERVER"}, found "POST /api/checkout"',
  );

  expect(connected).toHaveSpanTree(shape);
  expect(broken).not.toHaveSpanTree(shape);
  expect(() => expect(broken).toHaveSpanTree(shape)).toThrow(
    'The trace does not have the shape: "click button "Checkout"" has no child matching {"name":"POST /api/checkout","kind":"CLIENT"}.',
  );

  expect(() => expect('not a trace').toBeConnected()).toThrow('Expected a Trace (from traces.waitForTrace)');
  expect(() => expect('not a trace').not.toBeConnected()).toThrow(
    'Expected a Trace (from traces.waitForTrace)',
  );
});
