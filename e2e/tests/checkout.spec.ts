import { expect, test } from '@clicktrace/playwright';

// The demo shop is a React app whose handlers are plain `async` functions with native `await`s;
// the clicktrace Vite plugin is what keeps every request after an `await` in the click's trace.
// `clicktrace.parent.source = 'context'` on a request span says its parent came from the context
// zone.js carried, not from the interaction scope (the fallback for work whose context was lost).
const PARENT_SOURCE = 'clicktrace.parent.source';

test('a click on Checkout is one trace: the click, its requests after each await, the API, the inventory', async ({
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
    ],
  });
  expect(trace).toBeConnected();

  // The chain, link by link, by trace and parent ids and span kinds.
  const click = trace.root;
  expect(click?.kind).toBe('INTERNAL');
  const fetchSpan = trace.find({ name: 'POST /api/checkout', kind: 'CLIENT', service: 'shop-web' });
  const server = trace.find({ name: 'POST /api/checkout', kind: 'SERVER', service: 'shop-api' });
  const outgoing = trace.find({ name: 'POST /api/inventory/reserve', kind: 'CLIENT', service: 'shop-api' });
  const inventory = trace.find({ name: 'POST /api/inventory/reserve', kind: 'SERVER', service: 'shop-api' });
  expect(fetchSpan?.parentSpanId).toBe(click?.spanId);
  expect(server?.parentSpanId).toBe(fetchSpan?.spanId);
  expect(outgoing?.parentSpanId).toBe(server?.spanId);
  expect(inventory?.parentSpanId).toBe(outgoing?.spanId);

  // The handler's second request, made after `await`ing the first one, is the click's child too.
  const refetch = trace.filter({ name: 'GET /api/items', kind: 'CLIENT', service: 'shop-web' });
  expect(refetch).toHaveLength(1); // the page's first load of the catalog is not part of the click
  const refetchServer = trace.find({ name: 'GET /api/items', kind: 'SERVER', service: 'shop-api' });
  expect(refetch[0]?.parentSpanId).toBe(click?.spanId);
  expect(refetchServer?.parentSpanId).toBe(refetch[0]?.spanId);
  expect(BigInt(refetch[0]?.startTimeUnixNano ?? 0)).toBeGreaterThan(
    BigInt(fetchSpan?.startTimeUnixNano ?? 0),
  );

  // Both requests come after native awaits, and found their parent in the context zone.js carried.
  expect(fetchSpan?.attributes[PARENT_SOURCE]).toBe('context');
  expect(refetch[0]?.attributes[PARENT_SOURCE]).toBe('context');
  for (const span of [click, fetchSpan, server, outgoing, inventory, ...refetch, refetchServer])
    expect(span?.traceId).toBe(trace.traceId);
});

test('a click on Add is one trace: the request made before its handler first awaits', async ({
  page,
  traces,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Add Stoneware mug' }).click();
  await expect(page.getByTestId('cart')).toHaveText('mug');

  const trace = await traces.waitForTrace({
    root: /^click button "Add Stoneware mug"/,
    through: [{ name: 'POST /api/cart', kind: 'SERVER' }],
  });
  expect(trace).toBeConnected();
  const fetchSpan = trace.find({ name: 'POST /api/cart', kind: 'CLIENT' });
  const server = trace.find({ name: 'POST /api/cart', kind: 'SERVER' });
  expect(fetchSpan?.parentSpanId).toBe(trace.root?.spanId);
  expect(server?.parentSpanId).toBe(fetchSpan?.spanId);
  expect(fetchSpan?.attributes[PARENT_SOURCE]).toBe('context');
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

  const click = checkout.root;
  const fetchSpan = checkout.find({ name: 'POST /api/checkout', kind: 'CLIENT', service: 'shop-web' });
  const refetch = checkout.find({ name: 'GET /api/items', kind: 'CLIENT', service: 'shop-web' });
  expect(fetchSpan?.parentSpanId).toBe(click?.spanId);
  expect(refetch?.parentSpanId).toBe(click?.spanId);
  expect(fetchSpan?.attributes[PARENT_SOURCE]).toBe('context');
  expect(refetch?.attributes[PARENT_SOURCE]).toBe('context');
  // Nothing crossed over between the two clicks.
  expect(kettle.find({ name: 'POST /api/checkout' })).toBeUndefined();
  expect(kettle.find({ name: 'GET /api/items' })).toBeUndefined();
  expect(checkout.find({ name: 'POST /api/cart' })).toBeUndefined();
  expect(kettle.find({ name: 'POST /api/cart', kind: 'CLIENT' })?.parentSpanId).toBe(kettle.root?.spanId);
});
