import { writeFile } from 'node:fs/promises';
import { renderTraceHtml, startCollector, toOtlpJson } from '@clicktrace/collector';
import { test as base, type TestInfo } from '@playwright/test';
import { CollectorClient } from './collector-client.js';
import { COLLECTOR_SETTLE_MS, COLLECTOR_URL_ENV } from './define-config.js';
import { PageExports } from './page-exports.js';
import { Traces } from './traces.js';

export interface TraceFixtures {
  /** The traces this test caused: `await traces.waitForTrace({ root: /click/ })`. */
  traces: Traces;
  /**
   * Which page requests are OTLP exports of another SDK, copied to the test's collector. Default:
   * every URL ending in `/v1/traces`. (@clicktrace/web exports straight to the test's collector.)
   */
  clicktraceExportUrl: string | RegExp;
  /**
   * Let @clicktrace/web export to where the app sends its spans (its relay, say), and copy each
   * export to the test's collector. Default: false, the page exports straight to the test's
   * collector.
   */
  clicktracePassOnExports: boolean;
}

export interface TraceWorkerFixtures {
  _clicktraceCollector: CollectorClient;
}

interface InternalFixtures {
  _clicktraceExports: PageExports;
}

export const test = base.extend<TraceFixtures & InternalFixtures, TraceWorkerFixtures>({
  clicktraceExportUrl: ['**/v1/traces', { option: true }],
  clicktracePassOnExports: [false, { option: true }],

  // The collector `defineConfig` started; without it, one in this worker.
  _clicktraceCollector: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads fixture dependencies from the destructuring.
    async ({}, use) => {
      const url = process.env[COLLECTOR_URL_ENV];
      if (url) {
        await use(new CollectorClient(url));
        return;
      }
      const collector = await startCollector({ port: 0, settleMs: COLLECTOR_SETTLE_MS });
      try {
        await use(new CollectorClient(collector.url));
      } finally {
        await collector.close();
      }
    },
    { scope: 'worker', box: true },
  ],

  // Set up for every test, before its hooks: a page a beforeEach opens exports to the test's
  // collector too. No route: a page with one gets its CORS preflights answered by Playwright.
  _clicktraceExports: [
    async ({ context, clicktraceExportUrl, clicktracePassOnExports, _clicktraceCollector }, use) => {
      const exports = new PageExports(context, _clicktraceCollector, {
        exportUrl: clicktraceExportUrl,
        passOn: clicktracePassOnExports,
      });
      await exports.start();
      try {
        await use(exports);
      } finally {
        exports.stop();
      }
    },
    { auto: true, box: true },
  ],

  traces: [
    async ({ context, _clicktraceCollector, _clicktraceExports }, use, testInfo) => {
      const traces = new Traces(_clicktraceCollector, context, _clicktraceExports);
      await use(traces);
      if (testInfo.status !== testInfo.expectedStatus) await attachTraces(traces, testInfo);
    },
    { box: true },
  ],
});

/**
 * A failed test's traces in its report: the viewer's waterfall, and the spans as OTLP JSON. Both
 * are files in the test's output folder, attached by path, so the terminal reporters name them
 * instead of printing a page of HTML after the failure.
 */
async function attachTraces(traces: Traces, testInfo: TestInfo): Promise<void> {
  try {
    const own = await traces.all({ settle: 0 });
    const spans = own.flatMap((trace) => trace.spans);
    if (spans.length === 0) return;
    const breaks = [...new Map(own.flatMap((trace) => trace.breaks.map((item) => [item.id, item]))).values()];
    const html = testInfo.outputPath('clicktrace-traces.html');
    const json = testInfo.outputPath('clicktrace-traces.otlp.json');
    await writeFile(html, renderTraceHtml(spans, { title: testInfo.title, breaks }));
    await writeFile(json, JSON.stringify(toOtlpJson(spans), null, 2));
    await testInfo.attach('clicktrace traces.html', { path: html, contentType: 'text/html' });
    await testInfo.attach('clicktrace traces.otlp.json', { path: json, contentType: 'application/json' });
  } catch {
    // The page or the collector is gone: the test's own failure is what the report must show.
  }
}
