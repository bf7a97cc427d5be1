import { expect, test } from '@playwright/test';
import { captureOtlp } from './otlp-capture.js';
import { type PageServer, startPageServer } from './servers.js';

// The README's "In production" example (examples/production/main.ts, verbatim in the README as
// test/readme.test.ts checks), served by Vite as a user's app would be, in Chromium.

let example: PageServer;

test.beforeAll(async () => {
  example = await startPageServer('examples/production', { aliasPackage: true });
});

test.afterAll(async () => {
  await example?.close();
});

test('the production example exports the page load with its headers and resource', async ({ page }) => {
  // The example exports to https://otlp.example.com/v1/traces: answered here.
  const { spans, headers } = await captureOtlp(page);
  await page.goto(`${example.origin}/`);

  const flush = () =>
    page.evaluate(() =>
      (
        (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as { flush(): Promise<void> }
      ).flush(),
    );
  await expect
    .poll(
      async () => {
        await flush();
        return spans.some((span) => span.name === 'documentLoad');
      },
      { timeout: 0, intervals: [100, 200, 400] },
    )
    .toBe(true);

  expect(spans.find((span) => span.name === 'documentLoad')?.resource).toMatchObject({
    'service.name': 'shop-web',
    'deployment.environment.name': 'production',
  });
  expect(headers.length).toBeGreaterThan(0);
  for (const sent of headers) {
    expect(sent).toMatchObject({ 'x-ingest-key': 'browser-ingest-key', 'content-type': 'application/json' });
  }
});
