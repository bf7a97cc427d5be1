import { test as base, expect, type Page } from '@playwright/test';
import {
  type PageServer,
  SERVER_SPAN_ID,
  SERVER_TRACE_ID,
  startPageServer,
  startServerTimingApi,
} from './servers.js';

// The backlink: a response's `Server-Timing: traceparent;desc="00-…"` names the server span that
// answered, and our fetch and XHR instrumentations link their CLIENT span to it. Real Chromium,
// a cross-origin API; the page's trace headers go to it (it is the fixture's propagation target).

interface LinkedSpan {
  spanId: string;
  url: string;
  links: Array<{ traceId: string; spanId: string }>;
}

interface OtlpLinks {
  resourceSpans?: Array<{
    scopeSpans?: Array<{
      spans?: Array<{
        spanId: string;
        attributes?: Array<{ key: string; value: { stringValue?: string } }>;
        links?: Array<{ traceId: string; spanId: string }>;
      }>;
    }>;
  }>;
}

let pages: PageServer;
let api: Awaited<ReturnType<typeof startServerTimingApi>>;

base.beforeAll(async () => {
  [pages, api] = await Promise.all([
    startPageServer('test/browser/fixtures-instrumentation'),
    startServerTimingApi(),
  ]);
});
base.afterAll(async () => {
  await Promise.all([pages?.close(), api?.close()]);
});

const test = base.extend<{
  traced: { page: Page; spanFor(path: string): Promise<LinkedSpan>; consoleMessages: string[] };
}>({
  traced: async ({ page }, use) => {
    const spans: LinkedSpan[] = [];
    await page.route('**/v1/traces', async (route) => {
      const body = route.request().postDataJSON() as OtlpLinks;
      for (const resourceSpans of body.resourceSpans ?? [])
        for (const scopeSpans of resourceSpans.scopeSpans ?? [])
          for (const span of scopeSpans.spans ?? []) {
            const url = span.attributes?.find((a) => a.key === 'url.full')?.value.stringValue ?? '';
            spans.push({
              spanId: span.spanId,
              url,
              links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
            });
          }
      await route.fulfill({ status: 200, contentType: 'application/json', body: '{}' });
    });
    const consoleMessages: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleMessages.push(message.text());
    });
    page.on('pageerror', (error) => consoleMessages.push(`pageerror: ${error.message}`));
    await page.goto(`${pages.origin}/index.html?${new URLSearchParams({ api: api.origin })}`);
    await page.waitForFunction(() => 'fixture' in window);
    async function spanFor(path: string): Promise<LinkedSpan> {
      const url = `${api.origin}${path}`;
      await expect
        .poll(
          async () => {
            await page.evaluate(() =>
              (window as unknown as { fixture: { flush(): Promise<void> } }).fixture.flush(),
            );
            return spans.filter((span) => span.url === url).length;
          },
          { timeout: 10_000, intervals: [100, 200, 400] },
        )
        .toBe(1);
      return spans.find((span) => span.url === url) as LinkedSpan;
    }
    await use({ page, spanFor, consoleMessages });
  },
});

function fetchIn(page: Page, url: string): Promise<number> {
  return page.evaluate(async (target) => (await fetch(target)).status, url);
}

function xhrIn(page: Page, url: string): Promise<number> {
  return page.evaluate(
    (target) =>
      new Promise<number>((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open('GET', target);
        xhr.onloadend = () => resolve(xhr.status);
        xhr.send();
      }),
    url,
  );
}

const SERVER_SPAN = { traceId: SERVER_TRACE_ID, spanId: SERVER_SPAN_ID };

test('fetch and XHR link their span to the server span named in an exposed Server-Timing', async ({
  traced,
}) => {
  expect(await fetchIn(traced.page, `${api.origin}/exposed?by=fetch`)).toBe(200);
  expect(await xhrIn(traced.page, `${api.origin}/exposed?by=xhr`)).toBe(200);

  expect((await traced.spanFor('/exposed?by=fetch')).links).toEqual([SERVER_SPAN]);
  expect((await traced.spanFor('/exposed?by=xhr')).links).toEqual([SERVER_SPAN]);
});

test("reads the draft's bare `trace;desc=00-…` among other metrics", async ({ traced }) => {
  await fetchIn(traced.page, `${api.origin}/draft`);
  expect((await traced.spanFor('/draft')).links).toEqual([SERVER_SPAN]);
});

test('records nothing, and logs nothing, when Server-Timing is not exposed', async ({ traced }) => {
  expect(await fetchIn(traced.page, `${api.origin}/hidden?by=fetch`)).toBe(200);
  expect(await xhrIn(traced.page, `${api.origin}/hidden?by=xhr`)).toBe(200);

  expect((await traced.spanFor('/hidden?by=fetch')).links).toEqual([]);
  expect((await traced.spanFor('/hidden?by=xhr')).links).toEqual([]);
  expect(traced.consoleMessages).toEqual([]);
});

test('ignores a malformed Server-Timing traceparent', async ({ traced }) => {
  for (const [index] of api.malformed.entries()) {
    expect(await fetchIn(traced.page, `${api.origin}/malformed/${index}?by=fetch`)).toBe(200);
    expect(await xhrIn(traced.page, `${api.origin}/malformed/${index}?by=xhr`)).toBe(200);
  }
  for (const [index, value] of api.malformed.entries()) {
    for (const by of ['fetch', 'xhr']) {
      expect((await traced.spanFor(`/malformed/${index}?by=${by}`)).links, `${by}: ${value}`).toEqual([]);
    }
  }
  expect(traced.consoleMessages).toEqual([]);
});
