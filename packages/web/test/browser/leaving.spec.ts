import { test as base, expect, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../../../../scripts/chromium.mjs';
import { type ExportedSpan, isClickChain } from './otlp-capture.js';
import { type OtlpServer, startOtlpServer } from './otlp-server.js';
import {
  type PageServer,
  type RecordingApi,
  type SeenRequest,
  sameOriginApi,
  startBuiltPageServer,
  startRecordingApi,
} from './servers.js';

// Clicks that leave the page (fixtures-leave/) while their work is in flight, in Chromium, with a
// real collector on another origin: every click must still arrive as one complete chain,
// click -> request -> the server's received traceparent, exported as the page goes away.

/** How many times each way of leaving is tried. */
const RUNS = 20;

/** Requests the page's own origin received under /api, with their traceparent. */
const sameOrigin: SeenRequest[] = [];
/** Answers to /api/slow requests, held until the test releases them. */
const heldAnswers: Array<() => void> = [];

let fixtures: PageServer;
let api: RecordingApi;

base.beforeAll(async () => {
  [fixtures, api] = await Promise.all([
    startBuiltPageServer('test/browser/fixtures-leave', {
      plugins: [sameOriginApi(sameOrigin, heldAnswers)],
    }),
    startRecordingApi(),
  ]);
});

base.afterAll(async () => {
  for (const answer of heldAnswers.splice(0)) answer();
  await Promise.all([fixtures?.close(), api?.close()]);
});

interface LeavingPage {
  page: Page;
  collector: OtlpServer;
  /** Opens the fixture page for run `run` and waits for its tracing. */
  open(run: number): Promise<void>;
  /** The runs of `path` whose click -> request -> server chain arrived complete. */
  completeRuns(path: string, server?: SeenRequest[]): number[];
}

// 20 page loads per test: longer than the default 30 s on a slow machine.
base.describe.configure({ timeout: 180_000 });

// Playwright turns the back/forward cache off by default; users' browsers have it on.
base.use({
  launchOptions: { ...chromiumLaunchOptions, ignoreDefaultArgs: ['--disable-back-forward-cache'] },
});

const test = base.extend<{ leaving: LeavingPage }>({
  leaving: async ({ page }, use) => {
    sameOrigin.length = 0;
    api.seen.length = 0;
    const collector = await startOtlpServer();
    async function open(run: number): Promise<void> {
      const search = new URLSearchParams({ endpoint: collector.url, api: api.origin, run: String(run) });
      await page.goto(`${fixtures.origin}/index.html?${search}`);
      await page.waitForFunction(() => (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')]);
    }
    function completeRuns(path: string, server = sameOrigin): number[] {
      const spans = collector.spans();
      const runs = new Set<number>();
      for (const seen of server) {
        const url = new URL(seen.path, 'http://server');
        if (url.pathname === path && isClickChain(spans, seen.traceparent))
          runs.add(Number(url.searchParams.get('run')));
      }
      return [...runs].sort((a, b) => a - b);
    }
    await use({ page, collector, open, completeRuns });
    await collector.close();
  },
});

const allRuns = Array.from({ length: RUNS }, (_, run) => run);

/** Clicks `selector` in each run and waits until the page has left for next.html. */
async function clickAndLeave(leaving: LeavingPage, selector: string): Promise<void> {
  for (const run of allRuns) {
    await leaving.open(run);
    await Promise.all([leaving.page.waitForURL(/next\.html/), leaving.page.click(selector)]);
  }
}

const cases = [
  { title: 'location.href right after an unawaited fetch', selector: '#unawaited', path: '/api/unawaited' },
  { title: 'await fetch, then navigate', selector: '#awaited', path: '/api/awaited' },
  { title: 'an XHR, then navigate', selector: '#xhr', path: '/api/xhr' },
  { title: 'a form submit whose listener fetches, then navigates', selector: '#submit', path: '/api/form' },
  { title: 'a link whose click listener fetches', selector: '#link', path: '/api/link' },
];

for (const { title, selector, path } of cases) {
  test(`every click arrives complete when it leaves the page: ${title}`, async ({ leaving }) => {
    await clickAndLeave(leaving, selector);
    // No flush: the page is gone. What arrives was exported as the page was left.
    await expect.poll(() => leaving.completeRuns(path), { timeout: 0 }).toEqual(allRuns);
  });
}

test('every click arrives complete when it leaves the page: a cross-origin API', async ({ leaving }) => {
  await clickAndLeave(leaving, '#cross-origin');
  await expect.poll(() => leaving.completeRuns('/cross-origin', api.seen), { timeout: 0 }).toEqual(allRuns);
});

test('the interaction and the request cut off by leaving say so', async ({ leaving }) => {
  await leaving.open(0);
  await leaving.page.click('#slow');
  await expect
    .poll(() => sameOrigin.some((seen) => seen.path.startsWith('/api/slow')), { timeout: 0 })
    .toBe(true);
  await leaving.page.goto(`${fixtures.origin}/next.html`);
  const slow = (span: ExportedSpan) => String(span.attributes['url.full']).includes('/api/slow');
  await expect.poll(() => leaving.collector.spans().some(slow), { timeout: 0 }).toBe(true);
  const request = leaving.collector.spans().find(slow) as ExportedSpan;
  expect(request.attributes['error.type']).toBe('pagehide');
  expect(request.attributes['http.response.status_code']).toBeUndefined();
  await expect
    .poll(() => leaving.collector.spans().some((span) => span.spanId === request.parentSpanId), {
      timeout: 0,
    })
    .toBe(true);
  const click = leaving.collector
    .spans()
    .find((span) => span.spanId === request.parentSpanId) as ExportedSpan;
  expect(click.attributes['clicktrace.interaction.end']).toBe('pagehide');
  expect(click.endTime).toBeGreaterThanOrEqual(click.startTime);
});

test('a page restored from the back/forward cache keeps tracing', async ({ leaving }) => {
  for (const run of allRuns) {
    await leaving.open(run);
    await Promise.all([leaving.page.waitForURL(/next\.html/), leaving.page.click('#awaited')]);
    // A page restored from the cache fires no load event: wait for the document to be back.
    await leaving.page.goBack({ waitUntil: 'commit' });
    await leaving.page.waitForFunction(
      () =>
        document.readyState === 'complete' &&
        (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')],
    );
    expect(
      await leaving.page.evaluate(
        () => (globalThis as unknown as { fixture: { restored: boolean } }).fixture.restored,
      ),
      'the page came back from the back/forward cache',
    ).toBe(true);
    await leaving.page.click('#stay');
    await leaving.page.waitForFunction(
      () => (globalThis as unknown as { fixture: { answered: number } }).fixture.answered > 0,
    );
    // The page stays: the interaction ends when its work is over, and flush exports it.
    await leaving.page.evaluate(() =>
      (globalThis as unknown as { tracing: { flush(o: { idle: number }): Promise<void> } }).tracing.flush({
        idle: 5_000,
      }),
    );
  }
  await expect.poll(() => leaving.completeRuns('/api/awaited'), { timeout: 0 }).toEqual(allRuns);
  await expect.poll(() => leaving.completeRuns('/api/stay'), { timeout: 0 }).toEqual(allRuns);
});

/** Makes the page report itself hidden (or visible) and fires visibilitychange, as switching tabs does. */
function setHidden(page: Page, hidden: boolean): Promise<void> {
  return page.evaluate((hidden) => {
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (hidden ? 'hidden' : 'visible'),
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('a hidden tab ends its interaction and exports at once; its request keeps its real end, and a tab that comes back keeps tracing', async ({
  leaving,
}) => {
  // The page's clock stands still while it is hidden: only what hiding does, with no timer (the
  // 5 s batch timer above all), can deliver the spans.
  await leaving.page.clock.install();
  await leaving.open(0);
  await leaving.page.click('#slow');
  await expect
    .poll(() => sameOrigin.some((seen) => seen.path.startsWith('/api/slow')), { timeout: 0 })
    .toBe(true);
  await leaving.page.clock.pauseAt(Date.now() + 1_000);
  await setHidden(leaving.page, true);
  // No flush: hiding exports what ended, the interaction among it.
  const isClick = (span: ExportedSpan) =>
    span.name.startsWith('click') && span.attributes['clicktrace.interaction.end'] === 'hidden';
  await expect.poll(() => leaving.collector.spans().some(isClick), { timeout: 0 }).toBe(true);
  const click = leaving.collector.spans().find(isClick) as ExportedSpan;
  // The request is still open: a tab that comes back records its real outcome. While hidden, it
  // is exported as soon as it ends.
  for (const answer of heldAnswers.splice(0)) answer();
  const slow = (span: ExportedSpan) => String(span.attributes['url.full']).includes('/api/slow');
  await expect.poll(() => leaving.collector.spans().some(slow), { timeout: 0 }).toBe(true);
  const request = leaving.collector.spans().find(slow) as ExportedSpan;
  expect(request.parentSpanId).toBe(click.spanId);
  expect(Number(request.attributes['http.response.status_code'])).toBe(200);
  expect(request.attributes['error.type']).toBeUndefined();
  // Back: the next click is traced as usual.
  await leaving.page.clock.resume();
  await setHidden(leaving.page, false);
  await leaving.page.click('#stay');
  await leaving.page.evaluate(() =>
    (globalThis as unknown as { tracing: { flush(o: { idle: number }): Promise<void> } }).tracing.flush({
      idle: 5_000,
    }),
  );
  await expect.poll(() => leaving.completeRuns('/api/stay'), { timeout: 0 }).toEqual([0]);
});

test('a page frozen by the browser ends and exports what is open', async ({ leaving }) => {
  await leaving.open(0);
  await leaving.page.click('#slow');
  await expect
    .poll(() => sameOrigin.some((seen) => seen.path.startsWith('/api/slow')), { timeout: 0 })
    .toBe(true);
  await setHidden(leaving.page, true);
  // Chromium fires `freeze` on a hidden page before freezing it; headless Chromium does not,
  // even for the DevTools protocol's Page.setWebLifecycleState, so the event is dispatched here.
  await leaving.page.evaluate(() => document.dispatchEvent(new Event('freeze')));
  const slow = (span: ExportedSpan) => String(span.attributes['url.full']).includes('/api/slow');
  await expect.poll(() => leaving.collector.spans().some(slow), { timeout: 0 }).toBe(true);
  expect((leaving.collector.spans().find(slow) as ExportedSpan).attributes['error.type']).toBe('freeze');
  for (const answer of heldAnswers.splice(0)) answer();
});
