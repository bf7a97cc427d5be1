import { expect, test } from '@clicktrace/playwright';

test('a click on Checkout is one trace from the click to the inventory call', async ({ page, traces }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Add Green tea' }).click();
  await expect(page.getByTestId('cart')).toHaveText('tea');

  await page.getByRole('button', { name: 'Checkout' }).click();
  await expect(page.getByTestId('status')).toContainText('placed');

  const trace = await traces.waitForTrace({
    root: /^click/,
    through: ['POST /api/checkout', 'POST /api/inventory/reserve'],
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
  for (const span of [click, fetchSpan, server, outgoing, inventory])
    expect(span?.traceId).toBe(trace.traceId);
});

test('a click whose handler is synchronous carries its trace through promise callbacks', async ({
  page,
  traces,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Add Stoneware mug' }).click();

  const trace = await traces.waitForTrace({ root: /^click/, through: ['POST /api/cart'] });
  expect(trace).toBeConnected();
  const fetchSpan = trace.find({ name: 'POST /api/cart', kind: 'CLIENT' });
  const server = trace.find({ name: 'POST /api/cart', kind: 'SERVER' });
  expect(fetchSpan?.parentSpanId).toBe(trace.root?.spanId);
  expect(server?.parentSpanId).toBe(fetchSpan?.spanId);
});
