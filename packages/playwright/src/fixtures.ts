import { startCollector } from '@clicktrace/collector';
import { test as base } from '@playwright/test';
import { routeBrowserExports } from './browser-exports.js';
import { CollectorClient } from './collector-client.js';
import { COLLECTOR_URL_ENV } from './define-config.js';
import { Traces } from './traces.js';

export interface TraceFixtures {
  /** The traces this test caused: `await traces.waitForTrace({ root: /click/ })`. */
  traces: Traces;
  /** Which page requests are OTLP exports to capture. Default: every URL ending in `/v1/traces`. */
  clicktraceExportUrl: string | RegExp;
}

export interface TraceWorkerFixtures {
  _clicktraceCollector: CollectorClient;
}

export const test = base.extend<TraceFixtures, TraceWorkerFixtures>({
  clicktraceExportUrl: ['**/v1/traces', { option: true }],

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
    async ({ context, clicktraceExportUrl, _clicktraceCollector }, use) => {
      await routeBrowserExports(context, clicktraceExportUrl, _clicktraceCollector);
      const before = new Set((await _clicktraceCollector.summaries()).map((summary) => summary.traceId));
      await use(new Traces(_clicktraceCollector, context, before));
    },
    { box: true },
  ],
});
