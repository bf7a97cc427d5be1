import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { type Browser, type Page, expect as pwExpect, type Route } from '@playwright/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index.js';
import type { TraceBreak } from '../src/types.js';
import {
  type DrawnLine,
  drawnLines,
  launchChromium,
  listedNames,
  sendBrokenCheckout,
  sendSpans,
  start,
  stored,
  watchedPage,
} from './viewer-fixtures.js';

// The viewer the collector serves, in Chromium, reading a real collector that received its
// spans as OTLP/JSON from the SDK's stock exporter.
let browser: Browser;
let collector: Collector;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  // Verdicts at once: every test sends all its spans before it looks.
  collector = await startCollector({ port: 0, settleMs: 0 });
});
afterEach(async () => {
  await collector.close();
});

/** Sends `count` one-span traces `${prefix} 1`, `${prefix} 2`, … of report-worker, oldest first. */
function sendJobs(count: number, prefix = 'job'): Promise<void> {
  return sendSpans(collector, ['report-worker'], ({ 'report-worker': worker }) => {
    for (let i = 1; i <= count && worker; i++) start(worker, `${prefix} ${i}`).end();
  });
}

// A browser page takes a few hundred milliseconds; under a loaded parallel run, more.
describe('the live viewer (GET /)', { timeout: 30_000 }, () => {
  it("draws the collector's traces, opens one on click with #trace=, and fetches nothing but its own API", async () => {
    await sendBrokenCheckout(collector);
    const { page, dialogs, errors, requests } = await watchedPage(browser);
    await page.goto(collector.url);
    await pwExpect(page.locator('#count')).toHaveText('2 traces');
    expect(await listedNames(page)).toEqual(['POST', 'click Checkout']);
    await pwExpect(page.locator('#waterfall')).toHaveText('Select a trace on the left.');

    await page.locator('#list .trace', { hasText: 'click Checkout' }).click();
    const traceId = stored(collector, 'shop-web', 'click Checkout').traceId;
    const serverTraceId = stored(collector, 'shop-api', 'POST').traceId;
    await pwExpect(page).toHaveURL(`${collector.url}/#trace=${traceId}`);
    // The checkout broke on its way to the API: the server's part is joined in under a marker.
    await pwExpect
      .poll(() => drawnLines(page))
      .toEqual([
        { span: 'click Checkout', kind: 'internal', depth: 0 },
        { span: 'POST /api/checkout', kind: 'client', depth: 1 },
        { break: 'Trace headers stripped on the way', depth: 2 },
        { span: 'POST /api/checkout', kind: 'server', depth: 3, joined: true },
        { span: 'SELECT shop.orders', kind: 'client', depth: 4, joined: true },
      ]);
    await pwExpect(page.locator('#list .trace.selected')).toHaveCount(1);
    await pwExpect(page.locator('#list .trace.selected')).toContainText('click Checkout');

    const paths = [...new Set(requests.map((url) => url.replace(collector.url, '')))].sort();
    expect(paths).toEqual(
      ['/', '/api/traces', `/api/traces/${traceId}`, `/api/traces/${serverTraceId}`].sort(),
    );
    expect({ dialogs, errors }).toEqual({ dialogs: [], errors: [] });
    await page.close();
  });

  it('clears the collector with its Clear button', async () => {
    await sendBrokenCheckout(collector);
    const { page } = await watchedPage(browser);
    await page.goto(`${collector.url}/#trace=${stored(collector, 'shop-web', 'POST').traceId}`);
    await pwExpect(page.locator('#list .trace')).toHaveCount(2);
    await page.getByRole('button', { name: 'Clear traces' }).click();
    await pwExpect(page.locator('#list')).toHaveText(
      `No traces yet. Send OTLP/HTTP to ${collector.url}/v1/traces`,
    );
    await pwExpect(page.locator('#waterfall')).toHaveText('Select a trace on the left.');
    await pwExpect(page).toHaveURL(`${collector.url}/`);
    expect(collector.store.size).toBe(0);
    await page.close();
  });

  it('reads the API with relative URLs, so it works behind a proxy that serves it under a path', async () => {
    await sendBrokenCheckout(collector);
    // /clicktrace/<path> goes to the collector's /<path>; nothing else is served.
    const proxy = createServer((request, response) => {
      const path = request.url ?? '/';
      if (!path.startsWith('/clicktrace/')) return void response.writeHead(404).end();
      const upstream = httpRequest(
        `${collector.url}${path.slice('/clicktrace'.length)}`,
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { page, errors } = await watchedPage(browser);
      const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/clicktrace/`;
      const traceId = stored(collector, 'shop-api', 'POST').traceId;
      await page.goto(`${base}#trace=${traceId}`);
      await pwExpect(page.locator('#count')).toHaveText('2 traces');
      // The page's part of the broken checkout is joined in above the server's, through the proxy too.
      await pwExpect
        .poll(() => drawnLines(page))
        .toEqual([
          { span: 'click Checkout', kind: 'internal', depth: 0, joined: true },
          { span: 'POST /api/checkout', kind: 'client', depth: 1, joined: true },
          { break: 'Trace headers stripped on the way', depth: 2 },
          { span: 'POST /api/checkout', kind: 'server', depth: 3 },
          { span: 'SELECT shop.orders', kind: 'client', depth: 4 },
        ]);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await closeServer(proxy);
    }
  });

  it('shows the route, else the URL path, beside a span named by its method only', async () => {
    await sendSpans(collector, ['shop-api'], ({ 'shop-api': api }) => {
      if (!api) return;
      const root = start(api, 'POST', {
        kind: SpanKind.SERVER,
        attributes: { 'http.route': '/api/orders/:id' },
      });
      const spans = [
        // url.path beats url.full; url.full gives its path (no query); the older conventions too.
        start(api, 'GET', {
          kind: SpanKind.CLIENT,
          parent: root,
          attributes: { 'url.path': '/a', 'url.full': 'http://x/b' },
        }),
        start(api, 'GET', {
          kind: SpanKind.CLIENT,
          parent: root,
          attributes: { 'url.full': 'http://pay:81/charge?card=1' },
        }),
        start(api, 'PUT', {
          kind: SpanKind.CLIENT,
          parent: root,
          attributes: { 'http.url': 'http://stock/items/7' },
        }),
        start(api, 'DELETE', {
          kind: SpanKind.SERVER,
          parent: root,
          attributes: { 'http.target': '/cart/3?all=1' },
        }),
        // Already named with its route, or not an HTTP method, or nothing to add: as it is.
        start(api, 'GET /api/items', {
          kind: SpanKind.SERVER,
          parent: root,
          attributes: { 'http.route': '/api/items' },
        }),
        start(api, 'Post', { parent: root, attributes: { 'http.route': '/ignored' } }),
        start(api, 'PATCH', { kind: SpanKind.CLIENT, parent: root }),
      ];
      for (const span of spans) span.end();
      root.end();
    });
    const { page } = await watchedPage(browser);
    await page.goto(`${collector.url}/#trace=${stored(collector, 'shop-api', 'PATCH').traceId}`);
    expect((await drawnLines(page)).map((line) => ('span' in line ? line.span : line.break))).toEqual([
      'POST /api/orders/:id',
      'GET /a',
      'GET /charge',
      'PUT /items/7',
      'DELETE /cart/3',
      'GET /api/items',
      'Post',
      'PATCH',
    ]);
    await pwExpect(page.locator('#waterfall h2')).toHaveText('POST /api/orders/:id');
    await page.locator('#waterfall .row', { hasText: 'DELETE' }).click();
    await pwExpect(page.locator('#panel h3')).toHaveText('DELETE /cart/3');
    await page.close();
  });

  it('shows new traces and spans as they arrive, keeping the selection and where each part was scrolled', async () => {
    // Enough traces and spans that both the list and the waterfall scroll.
    await sendJobs(30);
    await sendSpans(collector, ['report-worker'], ({ 'report-worker': worker }) => {
      if (!worker) return;
      const root = start(worker, 'import');
      for (let i = 1; i <= 30; i++) start(worker, `step ${i}`, { parent: root }).end();
      root.end();
    });
    const root = stored(collector, 'report-worker', 'import');
    const { page, errors } = await watchedPage(browser, { width: 1000, height: 420 });
    await page.goto(`${collector.url}/#trace=${root.traceId}`);
    await pwExpect(page.locator('#waterfall .row:has(.bar)')).toHaveCount(31);
    await page.locator('#waterfall .row', { hasText: 'step 20' }).click();
    await pwExpect(page.locator('#panel h3')).toHaveText('step 20');
    const before = await page.evaluate(() => {
      const list = document.getElementById('list') as HTMLElement;
      const waterfall = document.getElementById('waterfall') as HTMLElement;
      list.scrollTop = 400;
      waterfall.scrollTop = 120;
      for (const item of list.querySelectorAll('.trace')) (item as HTMLElement).dataset.drawnBefore = 'yes';
      return { list: list.scrollTop, waterfall: waterfall.scrollTop };
    });
    expect(before.list).toBe(400);
    expect(before.waterfall).toBe(120);
    const topItem = () =>
      page.evaluate(() => {
        const list = document.getElementById('list') as HTMLElement;
        const top = list.getBoundingClientRect().top;
        const item = [...list.querySelectorAll<HTMLElement>('.trace')].find(
          (node) => node.getBoundingClientRect().bottom > top,
        );
        return {
          name: item?.querySelector('.name span')?.textContent,
          y: item && item.getBoundingClientRect().top - top,
        };
      });
    const topBefore = await topItem();

    // A new trace above everything, and a late span of the open trace.
    await sendJobs(1, 'late job');
    await sendSpans(collector, ['report-worker'], ({ 'report-worker': worker }) => {
      const parent = trace.wrapSpanContext({
        traceId: root.traceId,
        spanId: root.spanId,
        traceFlags: TraceFlags.SAMPLED,
      });
      if (worker) start(worker, 'step 31 (late)', { parent }).end();
    });
    await pwExpect(page.locator('#count')).toHaveText('32 traces');
    await pwExpect(page.locator('#waterfall .row:has(.bar)')).toHaveCount(32);

    // The list did not jump, nor was it rebuilt: the same items, the same one on top, at the same place.
    const topAfter = await topItem();
    expect(topAfter.name).toBe(topBefore.name);
    expect(topAfter.y).toBeCloseTo(topBefore.y ?? Number.NaN, 0);
    expect(await page.locator('#list .trace:not([data-drawn-before])').allTextContents()).toEqual([
      expect.stringContaining('late job 1'),
    ]);
    await pwExpect(page.locator('#list .trace.selected')).toContainText('import');
    // The waterfall was redrawn with the late span, where it was scrolled to, with the span still open.
    expect(await page.locator('#waterfall').evaluate((node) => node.scrollTop)).toBe(120);
    await pwExpect(page.locator('#waterfall .row.selected')).toContainText('step 20');
    await pwExpect(page.locator('#panel h3')).toHaveText('step 20');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('polls the collector every second while the page is visible, and not at all while it is hidden', async () => {
    await sendJobs(1);
    const { page } = await watchedPage(browser);
    await page.clock.install();
    let hidden = false;
    const polls = { visible: 0, hidden: 0 };
    // Every poll goes through here; when `held` is set, the next one waits for its release.
    let held: { arrived: boolean; release: Promise<void> } | undefined;
    await page.route(/\/api\/traces$/, async (route) => {
      polls[hidden ? 'hidden' : 'visible']++;
      const hold = held;
      if (hold) {
        hold.arrived = true;
        await hold.release;
      }
      await route.continue();
    });
    const answered = () =>
      page.waitForResponse((response) => new URL(response.url()).pathname === '/api/traces');
    // A request of the page's own after a poll's answer: the poll that read it has finished, and
    // any request the page sent before it has been seen.
    const settled = () => page.evaluate(() => fetch('health').then(() => undefined));
    const clockUntil = (done: () => boolean) =>
      pwExpect
        .poll(async () => {
          await page.clock.runFor(1000);
          return done();
        })
        .toBe(true);

    await page.goto(collector.url);
    await pwExpect(page.locator('#count')).toHaveText('1 trace');
    // Visible: a second later on the page's clock, another poll.
    let answer = answered();
    await clockUntil(() => polls.visible > 1);
    await answer;
    await settled();

    // Hidden while the next poll waits on its timer: none.
    hidden = true;
    await setVisibility(page, 'hidden');
    await page.clock.runFor(10_000);
    await settled();
    expect(polls.hidden).toBe(0);

    // Shown again: a poll at once, without waiting for the clock.
    hidden = false;
    let visible = polls.visible;
    answer = answered();
    await setVisibility(page, 'visible');
    await pwExpect.poll(() => polls.visible).toBe(visible + 1);
    await answer;
    await settled();

    // Hidden while a poll is on its way: that one ends, and no other follows.
    let release = () => {};
    held = { arrived: false, release: new Promise((resolve) => (release = resolve)) };
    await clockUntil(() => held?.arrived === true);
    held = undefined;
    hidden = true;
    await setVisibility(page, 'hidden');
    answer = answered();
    release();
    await answer;
    await settled();
    await page.clock.runFor(10_000);
    await settled();
    expect(polls.hidden).toBe(0);

    hidden = false;
    visible = polls.visible;
    await setVisibility(page, 'visible');
    await pwExpect.poll(() => polls.visible).toBe(visible + 1);
    await page.close();
  });

  it('filters the list by service, by status and by text in span names, attribute values and trace ids', async () => {
    await sendSpans(collector, ['shop-web', 'shop-api'], ({ 'shop-web': web, 'shop-api': api }) => {
      if (!web || !api) return;
      const click = start(web, 'click Checkout');
      start(api, 'POST', {
        parent: click,
        attributes: { 'app.order_id': 'ord-7731' },
        error: 'card declined',
      }).end();
      click.end();
    });
    await sendSpans(collector, ['shop-api'], ({ 'shop-api': api }) => {
      if (api) start(api, 'GET /api/items', { kind: SpanKind.SERVER }).end();
    });
    await sendJobs(1, 'nightly report');
    const items = stored(collector, 'shop-api', 'GET /api/items').traceId;
    const { page, errors } = await watchedPage(browser);
    await page.goto(collector.url);
    await pwExpect(page.locator('#count')).toHaveText('3 traces');
    const service = page.getByRole('combobox', { name: 'Service' });
    const status = page.getByRole('combobox', { name: 'Status' });
    const text = page.getByRole('searchbox', { name: 'Filter traces by text' });
    const shows = async (names: string[], count: string) => {
      await pwExpect.poll(() => listedNames(page)).toEqual(names);
      await pwExpect(page.locator('#count')).toHaveText(count);
    };

    await service.selectOption('shop-api');
    await shows(['GET /api/items', 'click Checkout'], '2 of 3 traces');
    await service.selectOption('report-worker');
    await shows(['nightly report 1'], '1 of 3 traces');
    await service.selectOption('');

    await status.selectOption('error');
    await shows(['click Checkout'], '1 of 3 traces');
    await status.selectOption('ok');
    await shows(['nightly report 1', 'GET /api/items'], '2 of 3 traces');
    await status.selectOption('any');
    await shows(['nightly report 1', 'GET /api/items', 'click Checkout'], '3 traces');

    await text.fill('ord-7731'); // an attribute value of a span below the root
    await shows(['click Checkout'], '1 of 3 traces');
    await text.fill('post'); // a span name, in any case
    await shows(['click Checkout'], '1 of 3 traces');
    await text.fill('NIGHTLY');
    await shows(['nightly report 1'], '1 of 3 traces');
    await text.fill(items.slice(4, 20)); // part of a trace id
    await shows(['GET /api/items'], '1 of 3 traces');
    await status.selectOption('error');
    await shows([], '0 of 3 traces');
    await pwExpect(page.locator('#list .empty')).toHaveText('No trace matches the filter.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("draws the breaks the collector finds: the list's badges, the markers with the other trace joined in, the Breaks page", async () => {
    await sendBrokenCheckout(collector);
    const post = stored(collector, 'shop-web', 'POST');
    const server = stored(collector, 'shop-api', 'POST');
    // The collector's own diagnosis of the spans sent: the proxy in between dropped the headers.
    const [brk] = collector.breaks.all();
    expect(brk).toMatchObject({
      kind: 'header-stripped',
      from: { spanId: post.spanId },
      to: { spanId: server.spanId },
    });
    if (brk === undefined) return;
    const { page, errors } = await watchedPage(browser);
    // Entries it cannot draw are left out: one without its texts, one with a time that is no time.
    const { summary: _, ...textless } = brk;
    await page.route(/\/api\/breaks$/, (route) =>
      route.fulfill({ json: { breaks: [brk, textless, { ...brk, timeUnixNano: 'soon' }, null] } }),
    );
    await page.goto(`${collector.url}/#trace=${post.traceId}`);
    await pwExpect(page.locator('#list .badge')).toHaveText(['1 break', '1 break']);
    const lines: DrawnLine[] = [
      { span: 'click Checkout', kind: 'internal', depth: 0 },
      { span: 'POST /api/checkout', kind: 'client', depth: 1 },
      { break: 'Trace headers stripped on the way', depth: 2 },
      { span: 'POST /api/checkout', kind: 'server', depth: 3, joined: true },
      { span: 'SELECT shop.orders', kind: 'client', depth: 4, joined: true },
    ];
    await pwExpect.poll(() => drawnLines(page)).toEqual(lines);
    await pwExpect(page.getByRole('note')).toContainText(`Fix: ${brk.fix}`);

    await page.getByRole('link', { name: 'Breaks', exact: true }).click();
    await pwExpect(page).toHaveURL(`${collector.url}/#breaks`);
    await pwExpect(page.locator('#breaks-page li')).toHaveCount(1);
    await pwExpect(page.locator('#breaks-page li')).toContainText(brk.summary);
    await page.getByRole('link', { name: /^POST \(shop-api\) in trace / }).click();
    await pwExpect(page).toHaveURL(`${collector.url}/#trace=${server.traceId}&span=${server.spanId}`);
    await pwExpect
      .poll(() => drawnLines(page))
      .toEqual([
        { ...lines[0], joined: true },
        { ...lines[1], joined: true },
        lines[2],
        { span: 'POST /api/checkout', kind: 'server', depth: 3 },
        { span: 'SELECT shop.orders', kind: 'client', depth: 4 },
      ] as DrawnLine[]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reads an older collector (no breaks in its answers, no GET /api/breaks) as one without breaks', async () => {
    await sendBrokenCheckout(collector);
    const { page, errors } = await watchedPage(browser);
    await page.route(/\/api\/breaks$/, (route) =>
      route.fulfill({ status: 404, json: { error: 'no route' } }),
    );
    await page.route(/\/api\/traces/, withoutBreaks);
    await page.goto(`${collector.url}/#trace=${stored(collector, 'shop-web', 'POST').traceId}`);
    expect(await drawnLines(page)).toEqual([
      { span: 'click Checkout', kind: 'internal', depth: 0 },
      { span: 'POST /api/checkout', kind: 'client', depth: 1 },
    ]);
    await pwExpect(page.locator('#list .trace')).toHaveCount(2);
    await pwExpect(page.locator('#list .badge')).toHaveCount(0);
    await page.getByRole('link', { name: 'Breaks', exact: true }).click();
    await pwExpect(page.locator('#breaks-page')).toContainText(
      'This collector does not report breaks (it is older than this viewer).',
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** Answers an API request with the real collector's answer without its breaks, as an older collector answers. */
async function withoutBreaks(route: Route): Promise<void> {
  const response = await route.fetch();
  const body = (await response.json()) as Record<string, unknown>;
  if (Array.isArray(body.traces)) {
    body.traces = body.traces.map((summary: { breakCount?: number }) => {
      const { breakCount: _, ...rest } = summary;
      return rest;
    });
  } else delete body.breaks;
  return route.fulfill({ response, json: body });
}

async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
