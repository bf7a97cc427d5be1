import { type Collector, startCollector } from '@clicktrace/collector';
import type { BrowserContext } from '@playwright/test';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectorClient } from '../src/collector-client.js';
import type { PageExports } from '../src/page-exports.js';
import { Traces } from '../src/traces.js';
import { exportBody, span } from './spans.js';

// `Traces.poll` against a real collector. The trace arrives exactly at the second look (the
// client posts it when asked for the summaries the second time), so timing cannot decide the test.
// The browser side is empty: what a page exports is tested in test/browser.
const noPages = { pages: () => [] } as unknown as BrowserContext;
const TRACE_ID = '5'.repeat(32);
/** What the pages would have told: the trace is the test's own. */
const OWNER = 'poll-test';
const ownsTheTrace = { owner: OWNER, settled: async () => {} } as unknown as PageExports;
const LATE_SPAN = span({ traceId: TRACE_ID, spanId: '5'.repeat(16), name: 'click button "late"' });

/** A collector client that has the trace exported when it is asked for summaries the n-th time. */
class LateClient extends CollectorClient {
  looks = 0;
  constructor(
    url: string,
    private readonly arriveAt: number,
  ) {
    super(url);
  }
  override async summaries(owner?: string) {
    this.looks++;
    if (this.looks === this.arriveAt)
      await this.post(
        Buffer.from(exportBody([LATE_SPAN])),
        { 'content-type': 'application/json' },
        `${this.tracesUrl}?owner=${OWNER}`,
      );
    return super.summaries(owner);
  }
}

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

describe('Traces.poll with absent (.not.toHaveTrace)', () => {
  it('does not pass on the first empty look: a trace arriving at the second look fails it', async () => {
    collector = await startCollector({ port: 0 });
    const client = new LateClient(collector.url, 2);
    const traces = new Traces(client, noPages, ownsTheTrace);
    const result = await traces.poll({ root: /late/ }, { timeout: 1_500, absent: true });
    expect(result.failure).toContain('A trace matched { root /late/ }');
    expect(client.looks).toBeGreaterThanOrEqual(2);
  });

  it('passes after several looks with no match', async () => {
    collector = await startCollector({ port: 0 });
    const client = new LateClient(collector.url, Number.POSITIVE_INFINITY);
    const traces = new Traces(client, noPages, ownsTheTrace);
    const result = await traces.poll({ root: /late/ }, { timeout: 5_000, absent: true });
    expect(result.failure).toBe('');
    expect(client.looks).toBeGreaterThan(2); // not the first empty look
  });
});
