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

export { defineConfig } from './define-config.js';
export type { TraceFixtures, TraceWorkerFixtures } from './fixtures.js';
export { test } from './fixtures.js';
export { freePort } from './free-port.js';
export { expect } from './matchers.js';
export type { SpanQuery, TextMatcher } from './span-query.js';
export type { SpanTreeShape } from './span-tree.js';
export { Trace } from './trace.js';
export type { TraceQuery, Traces, WaitOptions } from './traces.js';
