import { test } from '../../src/index.js';

// The page exports a click whose request never reached a traced server: waitForTrace must fail,
// at the line below, and the report must carry the test's trace.
test('the order click reaches the API', async ({ page, traces }) => {
  await page.goto('data:text/html,<title>exports</title>');
  const traceId = crypto.randomUUID().replaceAll('-', '');
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = (spanId: string, name: string, parentSpanId = '', attributes: object[] = []) => ({
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: parentSpanId ? 3 : 1,
    startTimeUnixNano: `${now}`,
    endTimeUnixNano: `${now + 5_000_000n}`,
    attributes,
  });
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop-web' } }] },
        scopeSpans: [
          {
            scope: { name: 'failing' },
            spans: [
              span('1111111111111111', 'click button "Order"'),
              span('2222222222222222', 'POST', '1111111111111111', [
                { key: 'http.request.method', value: { stringValue: 'POST' } },
                { key: 'url.full', value: { stringValue: 'http://127.0.0.1:3001/api/order' } },
                { key: 'http.response.status_code', value: { intValue: '200' } },
              ]),
            ],
          },
        ],
      },
    ],
  };
  await page.evaluate(async (json) => {
    await fetch('http://127.0.0.1:9/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json,
    });
  }, JSON.stringify(body));
  await traces.waitForTrace({ root: /click/, through: ['POST /api/order'] }, { timeout: 500 }); // WAIT-LINE
});
