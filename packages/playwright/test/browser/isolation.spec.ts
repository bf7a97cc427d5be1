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
    // A page of the collector's own origin posts the spans, as an SDK pointed at it does.
    await page.goto(`${_clicktraceCollector.url}/health`);
    const traceId = crypto.randomUUID().replaceAll('-', '');
    const body = exportBody([span({ traceId, spanId: `${index + 1}`.repeat(16), name })]);
    await page.evaluate(
      async ([url, json]) => {
        await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
      },
      ['/v1/traces', body] as const,
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
