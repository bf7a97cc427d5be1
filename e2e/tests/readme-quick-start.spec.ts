import { expect, test } from '@clicktrace/playwright';

test('checkout is one trace, from the click to the API', async ({ page, traces }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Add Green tea' }).click();
  await page.getByRole('button', { name: 'Checkout' }).click();

  const trace = await traces.waitForTrace({ root: /click/, through: ['POST /api/checkout'] });
  expect(trace).toBeConnected();
});
