import { expect, test } from '@clicktrace/playwright';

// The demo shop is a React app whose handlers are plain `async` functions with native `await`s;
// the clicktrace Vite plugin is what keeps every request after an `await` in the click's trace.
// `clicktrace.parent.source = 'context'` on a request span says its parent came from the context
// zone.js carried, not from the interaction scope (the fallback for work whose context was lost).
const PARENT_SOURCE = 'clicktrace.parent.source';
/** A `pg` query's span, as the stock instrumentation marks it. */
const POSTGRES = { 'db.system.name': 'postgresql' };

test('a click on Checkout is one trace: the click, its requests after each await, the API, the inventory, the database, the queue, the worker and its call', async ({
  page,
  traces,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('ready');
  await page.getByRole('button', { name: 'Add Green tea' }).click();
  await expect(page.getByTestId('cart')).toHaveText('tea');

  await page.getByRole('button', { name: 'Checkout' }).click();
  await expect(page.getByTestId('status')).toContainText('placed');
  await expect(page.getByTestId('cart')).toHaveText('empty');

  const trace = await traces.waitForTrace({
    root: /^click button "Checkout"/,
    // The deepest spans, by kind: the trace is returned once their parents have arrived too.
    through: [
      { name: 'POST /api/inventory/reserve', kind: 'SERVER' },
      { name: 'GET /api/items', kind: 'SERVER' },
      { name: 'POST /api/emails/order-confirmation', kind: 'SERVER' },
    ],
  });
  expect(trace).toBeConnected();

  // The chain, link by link: each span the child of the one before, in one trace. The API saves
  // the order with `pg` and queues its confirmation (a jobs table in the embedded database under
  // vite-dev, RabbitMQ under vite-build); the worker process takes the job in the same trace and
  // calls the email service. None of the shop's code starts a span but the jobs table's.
  expect(trace).toHaveSpanTree({
    span: { name: /^click button "Checkout"/, kind: 'INTERNAL' },
    children: [
      {
        span: { name: 'POST /api/checkout', kind: 'CLIENT', service: 'shop-web' },
        children: [
          {
            span: { name: 'POST /api/checkout', kind: 'SERVER', service: 'shop-api' },
            children: [
              {
                span: { name: 'POST /api/inventory/reserve', kind: 'CLIENT', service: 'shop-api' },
                children: [
                  { span: { name: 'POST /api/inventory/reserve', kind: 'SERVER', service: 'shop-api' } },
                ],
              },
              { span: { name: /INSERT/, kind: 'CLIENT', service: 'shop-api', attributes: POSTGRES } },
              {
                span: { kind: 'PRODUCER', service: 'shop-api' },
                children: [
                  {
                    span: { kind: 'CONSUMER', service: 'shop-worker' },
                    children: [
                      {
                        span: { name: 'POST', kind: 'CLIENT', service: 'shop-worker' },
                        children: [
                          {
                            span: {
                              name: 'POST /api/emails/order-confirmation',
                              kind: 'SERVER',
                              service: 'shop-api',
                            },
                          },
                        ],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
      // The handler's second request, made after `await`ing the first one, is the click's child too.
      {
        span: { name: 'GET /api/items', kind: 'CLIENT', service: 'shop-web' },
        children: [{ span: { name: 'GET /api/items', kind: 'SERVER', service: 'shop-api' } }],
      },
    ],
  });
  // The page's first load of the catalog is not part of the click, and the refetch came second.
  const refetch = trace.filter({ name: 'GET /api/items', kind: 'CLIENT', service: 'shop-web' });
  expect(refetch).toHaveLength(1);
  const fetchSpan = trace.find({ name: 'POST /api/checkout', kind: 'CLIENT', service: 'shop-web' });
  expect(BigInt(refetch[0]?.startTimeUnixNano ?? 0)).toBeGreaterThan(
    BigInt(fetchSpan?.startTimeUnixNano ?? 0),
  );

  // Both requests come after native awaits, and found their parent in the context zone.js carried.
  for (const name of ['POST /api/checkout', 'GET /api/items']) {
    expect(trace).toContainSpan({ name, kind: 'CLIENT', attributes: { [PARENT_SOURCE]: 'context' } });
  }

  // A healthy run: the collector's diagnosis finds no break in anything the test caused.
  for (const own of await traces.all()) expect(own.breaks, `breaks of trace ${own.traceId}`).toEqual([]);

  // The collector's viewer draws that chain as one waterfall, each step indented under the last.
  const viewer = await page.context().newPage();
  await viewer.goto(`${process.env.CLICKTRACE_COLLECTOR_URL}/#trace=${trace.traceId}`);
  const rows = viewer.locator('.row .label');
  await expect(rows.filter({ hasText: 'POST /api/emails/order-confirmation' })).toHaveCount(2);
  const drawn = await rows.evaluateAll((labels) =>
    labels.map((label) => ({
      title: label.getAttribute('title') ?? '',
      kind: label.querySelector('.kind')?.textContent ?? '',
      // The waterfall indents a span 16 px per level: `padding-left: 32px`.
      depth: Number(/padding-left:\s*(\d+)px/.exec(label.getAttribute('style') ?? '')?.[1] ?? 0),
    })),
  );
  const chain = [
    { title: /^click button "Checkout"/, kind: 'internal' },
    { title: /^POST \/api\/checkout .*\(shop-web\)$/, kind: 'client' },
    { title: /^POST \/api\/checkout .*\(shop-api\)$/, kind: 'server' },
    { title: /\(shop-api\)$/, kind: 'producer' },
    { title: /\(shop-worker\)$/, kind: 'consumer' },
    { title: /\(shop-worker\)$/, kind: 'client' },
    { title: /^POST \/api\/emails\/order-confirmation .*\(shop-api\)$/, kind: 'server' },
  ];
  // Each step is the first row after the previous one that matches it, one level deeper.
  let at = -1;
  for (const step of chain) {
    const next = drawn.findIndex((row, i) => i > at && step.title.test(row.title) && row.kind === step.kind);
    expect(
      next,
      `${step.title} (${step.kind}) after row ${at} in ${JSON.stringify(drawn, null, 1)}`,
    ).toBeGreaterThan(at);
    if (at >= 0) expect(drawn[next]?.depth).toBe((drawn[at]?.depth ?? 0) + 16);
    at = next;
  }
  // The query sits under the API's SERVER span too.
  expect(drawn.some((row) => /INSERT/.test(row.title) && row.kind === 'client')).toBe(true);
  await viewer.close();
});

test('a click on Add is one trace: the request made before its handler first awaits', async ({
  page,
  traces,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Add Stoneware mug' }).click();
  await expect(page.getByTestId('cart')).toHaveText('mug');

  const query = {
    root: /^click button "Add Stoneware mug"/,
    through: [{ name: 'POST /api/cart', kind: 'SERVER' as const }],
  };
  await expect(traces).toHaveTrace(query);
  const trace = await traces.waitForTrace(query);
  expect(trace).toBeConnected();
  expect(trace).toHaveSpanTree({
    span: /^click button "Add Stoneware mug"/,
    children: [
      {
        span: { name: 'POST /api/cart', kind: 'CLIENT', attributes: { [PARENT_SOURCE]: 'context' } },
        children: [{ span: { name: 'POST /api/cart', kind: 'SERVER' } }],
      },
    ],
  });
});

test('a request after an await stays in its own click while another click is in flight', async ({
  page,
  traces,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Add Green tea' }).click();
  await expect(page.getByTestId('cart')).toHaveText('tea');

  // Hold the next add-to-cart request, so that its click stays open while Checkout runs. With two
  // interactions open, the interaction scope cannot tell whose a contextless request is (it would
  // start a new trace): only the context carried across Checkout's awaits joins its requests to it.
  let release = (): void => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route('**/api/cart', async (route) => {
    await released;
    await route.continue();
  });
  await page.getByRole('button', { name: 'Add Gooseneck kettle' }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();
  await expect(page.getByTestId('status')).toContainText('placed');
  release();
  await expect(page.getByTestId('cart')).toHaveText('kettle');

  const checkout = await traces.waitForTrace({
    root: /^click button "Checkout"/,
    // The deepest spans, by kind: the trace is returned once their parents have arrived too.
    through: [
      { name: 'POST /api/inventory/reserve', kind: 'SERVER' },
      { name: 'GET /api/items', kind: 'SERVER' },
    ],
  });
  expect(checkout).toBeConnected();
  const kettle = await traces.waitForTrace({
    root: /^click button "Add Gooseneck kettle"/,
    through: [{ name: 'POST /api/cart', kind: 'SERVER' }],
  });
  expect(kettle).toBeConnected();
  expect(kettle.traceId).not.toBe(checkout.traceId);

  expect(checkout).toHaveSpanTree({
    span: /^click button "Checkout"/,
    children: [
      { span: { name: 'POST /api/checkout', kind: 'CLIENT', attributes: { [PARENT_SOURCE]: 'context' } } },
      { span: { name: 'GET /api/items', kind: 'CLIENT', attributes: { [PARENT_SOURCE]: 'context' } } },
    ],
  });
  // Nothing crossed over between the two clicks.
  expect(kettle).not.toContainSpan('POST /api/checkout');
  expect(kettle).not.toContainSpan('GET /api/items');
  expect(checkout).not.toContainSpan('POST /api/cart');
  expect(kettle).toHaveSpanTree({
    span: /^click button "Add Gooseneck kettle"/,
    children: [{ span: { name: 'POST /api/cart', kind: 'CLIENT' } }],
  });
  // No trace of this test that starts at the Checkout click reaches POST /api/cart: the held
  // request stayed in the kettle click's trace.
  await expect(traces).not.toHaveTrace({ root: /^click button "Checkout"/, through: ['POST /api/cart'] });
});
