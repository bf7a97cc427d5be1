import { test } from '../../src/index.js';
import { exportBody, span } from '../spans.js';

// The page exports a click whose request never reached a traced server: waitForTrace must fail,
// at the line below, naming the collector's diagnosis, and the report must carry the test's trace.
// The page is one of the collector's (same origin), so it can post the spans the way an SDK does.
test('the order click reaches the API', async ({ page, traces, _clicktraceCollector }) => {
  await page.goto(`${_clicktraceCollector.url}/health`);
  const traceId = crypto.randomUUID().replaceAll('-', '');
  const body = exportBody([
    span({ traceId, spanId: '1111111111111111', name: 'click button "Order"' }),
    span({
      traceId,
      spanId: '2222222222222222',
      parentSpanId: '1111111111111111',
      name: 'POST',
      kind: 'CLIENT',
      attributes: {
        'http.request.method': 'POST',
        'url.full': 'http://127.0.0.1:3001/api/order',
        'http.response.status_code': 200,
        'clicktrace.trace_headers.sent': true,
        'clicktrace.trace_headers.names': ['traceparent'],
      },
    }),
  ]);
  await page.evaluate(async (json) => {
    // The URL the fixture gave the page (its collector, with the test's owner id), as @clicktrace/web reads it.
    await fetch((globalThis as Record<symbol, string>)[Symbol.for('clicktrace.web.endpoint')] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json,
    });
  }, body);
  // Longer than the collector's settle time (2 s under defineConfig): by then it has called the
  // server untraced.
  await traces.waitForTrace({ root: /click/, through: ['POST /api/order'] }, { timeout: 2_500 }); // WAIT-LINE
});
