import { expect, test } from '../../src/index.js';
import { exportBody, span } from '../spans.js';

// Two tests that run at the same time on two workers, against the one collector of the run: each
// exports a trace from its page, waits until the other's has arrived too, and must still see only
// its own. (Each waits for the other, so they cannot pass by running one after the other.)
test.describe.configure({ mode: 'parallel' });

const NAMES = ['click button "Left"', 'click button "Right"'] as const;

for (const [index, name] of NAMES.entries()) {
  test(`${name} sees only its own trace while the other test's trace arrives`, async ({
    page,
    traces,
    _clicktraceCollector,
  }) => {
    // A page of the collector's own origin posts the spans to the URL the fixture gave it, as
    // @clicktrace/web does.
    await page.goto(`${_clicktraceCollector.url}/health`);
    const traceId = crypto.randomUUID().replaceAll('-', '');
    const body = exportBody([span({ traceId, spanId: `${index + 1}`.repeat(16), name })]);
    await page.evaluate(
      async ([key, json]) => {
        const url = (globalThis as Record<symbol, string>)[Symbol.for(key)] as string;
        await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
      },
      ['clicktrace.web.endpoint', body] as const,
    );

    const other = NAMES[1 - index];
    await expect
      .poll(async () => (await _clicktraceCollector.summaries()).some((s) => s.rootName === other), {
        message: `the other test's trace (${other}) arrives in the shared collector`,
        timeout: 20_000,
      })
      .toBe(true);
    expect((await traces.all()).map((trace) => trace.traceId)).toEqual([traceId]);
    await expect(traces).not.toHaveTrace({ root: other });
  });
}

test("a trace a page sends as it closes is still the test's (no browser event needed)", async ({
  page,
  traces,
  _clicktraceCollector,
}) => {
  await page.goto(`${_clicktraceCollector.url}/health`);
  const traceId = crypto.randomUUID().replaceAll('-', '');
  const body = exportBody([span({ traceId, spanId: '3'.repeat(16), name: 'click button "Leave"' })]);
  // A beacon, as @clicktrace/web sends its last spans at pagehide, and the page gone at once.
  await page.evaluate(
    ([key, json]) => {
      const url = (globalThis as Record<symbol, string>)[Symbol.for(key)] as string;
      navigator.sendBeacon(url, new Blob([json], { type: 'application/json' }));
    },
    ['clicktrace.web.endpoint', body] as const,
  );
  await page.close();
  await expect.poll(async () => (await traces.all()).map((trace) => trace.traceId)).toEqual([traceId]);
});
