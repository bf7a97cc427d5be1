import { expect, test } from '@playwright/test';
import { captureOtlp, type ExportedSpan, SPAN_KIND } from './otlp-capture.js';
import { type PageServer, startPageServer } from './servers.js';

// The README's quick start (examples/quick-start: main.ts is the README's code block, verbatim, as
// test/readme.test.ts checks), served by Vite as a user's app would be, clicked in Chromium.

let example: PageServer;

test.beforeAll(async () => {
  // The README's quick start, served as a user's project would serve it.
  example = await startPageServer('examples/quick-start', { aliasPackage: true });
});

test.afterAll(async () => {
  await example?.close();
});

test('the quick start traces a click and its same-origin fetch as one trace', async ({ page }) => {
  // The example exports to http://127.0.0.1:4318/v1/traces: answered here, whatever listens there.
  const { spans } = await captureOtlp(page);
  const helloTraceparents: Array<string | undefined> = [];
  await page.route('**/api/hello', async (route) => {
    helloTraceparents.push(route.request().headers().traceparent);
    await route.fulfill({ status: 200, contentType: 'text/plain', body: 'hello' });
  });
  await page.goto(`${example.origin}/`);

  await page.getByRole('button', { name: 'Say hello' }).click();
  await expect(page.locator('output')).toHaveText('hello');

  const flush = () =>
    page.evaluate(() =>
      (
        (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as { flush(): Promise<void> }
      ).flush(),
    );
  const isHelloFetch = (span: ExportedSpan) =>
    span.kind === SPAN_KIND.CLIENT && String(span.attributes['url.full']).endsWith('/api/hello');
  await expect
    .poll(
      async () => {
        await flush();
        // The click span ends (and is exported) once its fetch and what follows it are over.
        return spans.some(isHelloFetch) && spans.some((span) => span.parentSpanId === undefined);
      },
      { timeout: 10_000, intervals: [100, 200, 400] },
    )
    .toBe(true);

  const roots = spans.filter((span) => span.parentSpanId === undefined);
  expect(roots.map((span) => span.name)).toEqual(['click button "Say hello"']);
  const [click] = roots as [ExportedSpan];
  expect(click).toMatchObject({
    kind: SPAN_KIND.INTERNAL,
    attributes: { 'clicktrace.event.type': 'click', 'clicktrace.target.label': 'Say hello' },
    resource: { 'service.name': 'shop-web' },
  });
  const fetchSpan = spans.find(isHelloFetch) as ExportedSpan;
  expect(fetchSpan).toMatchObject({ traceId: click.traceId, parentSpanId: click.spanId });
  expect(fetchSpan.attributes['http.request.method']).toBe('GET');
  expect(helloTraceparents).toEqual([`00-${fetchSpan.traceId}-${fetchSpan.spanId}-01`]);
});
