import { writeFile } from 'node:fs/promises';
import { renderTraceHtml, startCollector, toOtlpJson } from '@clicktrace/collector';
import { test as base, type TestInfo } from '@playwright/test';
import { routeBrowserExports } from './browser-exports.js';
import { CollectorClient } from './collector-client.js';
import { COLLECTOR_URL_ENV } from './define-config.js';
import { Traces } from './traces.js';

export interface TraceFixtures {
  /** The traces this test caused: `await traces.waitForTrace({ root: /click/ })`. */
  traces: Traces;
  /** Which page requests are OTLP exports to capture. Default: every URL ending in `/v1/traces`. */
  clicktraceExportUrl: string | RegExp;
  /**
   * Also let the page's exports go on to where the app sends them (a copy still reaches the
   * test's collector). Default: false, the test's collector answers them.
   */
  clicktracePassOnExports: boolean;
}

export interface TraceWorkerFixtures {
  _clicktraceCollector: CollectorClient;
}

export const test = base.extend<TraceFixtures, TraceWorkerFixtures>({
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
      const collector = await startCollector({ port: 0 });
      try {
        await use(new CollectorClient(collector.url));
      } finally {
        await collector.close();
      }
    },
    { scope: 'worker', box: true },
  ],

  traces: [
    async (
      { context, clicktraceExportUrl, clicktracePassOnExports, _clicktraceCollector },
      use,
      testInfo,
    ) => {
      const owned = new Set<string>();
      const own = (traceIds: Iterable<string>) => {
        for (const traceId of traceIds) owned.add(traceId);
      };
      await routeBrowserExports(
        context,
        clicktraceExportUrl,
        _clicktraceCollector,
        own,
        clicktracePassOnExports,
      );
      const before = new Set((await _clicktraceCollector.summaries()).map((summary) => summary.traceId));
      const traces = new Traces(_clicktraceCollector, context, owned, before);
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
    const spans = (await traces.all({ settle: 0 })).flatMap((trace) => trace.spans);
    if (spans.length === 0) return;
    const html = testInfo.outputPath('clicktrace-traces.html');
    const json = testInfo.outputPath('clicktrace-traces.otlp.json');
    await writeFile(html, renderTraceHtml(spans, { title: testInfo.title }));
    await writeFile(json, JSON.stringify(toOtlpJson(spans), null, 2));
    await testInfo.attach('clicktrace traces.html', { path: html, contentType: 'text/html' });
    await testInfo.attach('clicktrace traces.otlp.json', { path: json, contentType: 'application/json' });
  } catch {
    // The page or the collector is gone: the test's own failure is what the report must show.
  }
}
