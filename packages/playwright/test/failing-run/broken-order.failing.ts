import { test } from '../../src/index.js';
import { exportBody, span } from '../spans.js';

// The page exports a click whose request never reached a traced server: waitForTrace must fail,
// at the line below, and the report must carry the test's trace.
test('the order click reaches the API', async ({ page, traces }) => {
  await page.goto('data:text/html,<title>exports</title>');
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
      },
    }),
  ]);
  await page.evaluate(async (json) => {
    await fetch('http://127.0.0.1:9/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json,
    });
  }, body);
  await traces.waitForTrace({ root: /click/, through: ['POST /api/order'] }, { timeout: 500 }); // WAIT-LINE
});
