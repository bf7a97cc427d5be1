/**
 * @module
 * Playwright fixtures and matchers for clicktrace: assert that a click produced one connected
 * trace that reached the backend.
 *
 * @example
 * import { test, expect } from '@clicktrace/playwright';
 * test('checkout is one trace', async ({ page, traces }) => {
 *   await page.getByRole('button', { name: 'Checkout' }).click();
 *   const trace = await traces.waitForTrace({ root: /click/, through: ['POST /api/checkout'] });
 *   expect(trace).toBeConnected();
 * });
 */
export { test } from './fixtures.js';
export type { TraceFixtures, TraceWorkerFixtures } from './fixtures.js';
export { expect } from './matchers.js';
export { defineConfig } from './define-config.js';
export { freePort } from './free-port.js';
export { Trace } from './trace.js';
export type { Traces, TraceQuery, WaitOptions } from './traces.js';
export type { SpanQuery, TextMatcher } from './span-query.js';
