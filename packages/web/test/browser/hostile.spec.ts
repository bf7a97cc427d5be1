import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as base, expect, type Frame, type Page } from '@playwright/test';
import { type EchoedRequest, startEchoApi } from './echo-api.js';
import { type ExportedSpan, pollForSpan, SPAN_KIND, traceparentOf } from './otlp-capture.js';
import { type OtlpServer, startOtlpServer } from './otlp-server.js';
import { type PageServer, startPageServer } from './servers.js';

// The SDK never breaks a hostile page: each case of fixtures-hostile/ (an app that wraps fetch,
// sets a CSP, loads zone.js itself, starts tracing twice or late, streams an upload, sends a
// synchronous XHR, or embeds an iframe) runs twice in Chromium, without clicktrace (the page never
// loads it, nor zone.js) and with it. Both runs must show the same log lines, make the same
// requests, and raise no uncaught error and no unhandled rejection; the traced run must still trace.

let pages: PageServer;
let api: Awaited<ReturnType<typeof startEchoApi>>;

base.beforeAll(async () => {
  [pages, api] = await Promise.all([
    startPageServer('test/browser/fixtures-hostile', { aliasPackage: true }),
    startEchoApi(),
  ]);
});

base.afterAll(async () => {
  await Promise.all([pages?.close(), api?.close()]);
});

/** One run of a case page. */
interface Run {
  page: Page;
  /** Flushes clicktrace in every frame (nothing to flush in an untraced run). */
  flush(): Promise<void>;
  /** Flushes until an exported span matches, then returns it. */
  waitForSpan(predicate: (span: ExportedSpan) => boolean): Promise<ExportedSpan>;
}

/** What both runs must have alike. */
interface Outcome {
  /** The `#log` lines of each frame, the main frame first. */
  logs: string[][];
  /** What the echo API received, trace headers left out, sorted. */
  requests: string[];
}

interface Hostile {
  collector: OtlpServer;
  /**
   * Opens the case page without tracing, runs `scenario`, then does the same with tracing, and
   * checks that both runs have the same {@link Outcome} and that neither raised an uncaught error or
   * an unhandled rejection. Returns the traced run, its page still open.
   */
  compare(
    name: string,
    scenario: (run: Run) => Promise<void>,
    options?: { query?: Record<string, string>; origin?: string },
  ): Promise<Run>;
}

const test = base.extend<{ hostile: Hostile }>({
  hostile: async ({ page }, use) => {
    const collector = await startOtlpServer();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error}`));
    await page.addInitScript(() => {
      const reported: string[] = [];
      Object.assign(window, { reportedErrors: reported });
      addEventListener('unhandledrejection', (event) => {
        const reason = event.reason as { stack?: string } | undefined;
        reported.push(`unhandledrejection: ${reason?.stack ?? String(reason)}`);
      });
      // Where zone.js is loaded, an unhandled rejection of its promises, or an error thrown in one
      // of its microtasks, is neither of the above: zone.js hands it to console.error. (The
      // case apps never call console.error themselves.)
      // biome-ignore lint/suspicious/noConsole: records what zone.js reports there
      const consoleError = console.error.bind(console);
      console.error = (...args: unknown[]) => {
        reported.push(`console.error: ${args.map((arg) => (arg as Error)?.stack ?? String(arg)).join(' ')}`);
        consoleError(...args);
      };
    });

    function makeRun(): Run {
      const flush = async () => {
        for (const frame of page.frames()) {
          await frame.evaluate(() =>
            (
              (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as
                | { flush(): Promise<void> }
                | undefined
            )?.flush(),
          );
        }
      };
      const waitForSpan = (predicate: (span: ExportedSpan) => boolean) =>
        pollForSpan(() => collector.spans(), flush, predicate);
      return { page, flush, waitForSpan };
    }

    async function runOnce(
      traced: boolean,
      name: string,
      scenario: (run: Run) => Promise<void>,
      { query = {}, origin = pages.origin }: { query?: Record<string, string>; origin?: string },
    ): Promise<{ run: Run; outcome: Outcome }> {
      errors.length = 0;
      api.seen.length = 0;
      const search = new URLSearchParams({
        case: name,
        api: api.origin,
        endpoint: collector.url,
        ...query,
        ...(traced ? { trace: '' } : {}),
      });
      await page.goto(`${origin}/index.html?${search}`);
      await expect(page.locator('html[data-ready]')).toBeAttached();
      const run = makeRun();
      await scenario(run);
      if (traced) await run.flush();
      const logs = await Promise.all(
        page.frames().map((frame) => frame.locator('#log li').allTextContents()),
      );
      const requests = api.seen.map(describeRequest).sort();
      for (const frame of page.frames()) errors.push(...(await reportedErrorsIn(frame)));
      expect(errors, `errors of the ${traced ? 'traced' : 'untraced'} run`).toEqual([]);
      return { run, outcome: { logs, requests } };
    }

    async function compare(
      name: string,
      scenario: (run: Run) => Promise<void>,
      options: { query?: Record<string, string>; origin?: string } = {},
    ): Promise<Run> {
      const untraced = await test.step('without tracing', () => runOnce(false, name, scenario, options));
      expect(collector.exports, 'exports of the untraced run').toEqual([]);
      const traced = await test.step('with tracing', () => runOnce(true, name, scenario, options));
      expect(traced.outcome, 'the traced run looks like the untraced one').toEqual(untraced.outcome);
      return traced.run;
    }

    try {
      await use({ collector, compare });
      // What the page did after the comparison (the test's own waits, flushes and retries) counts too.
      for (const frame of page.frames()) errors.push(...(await reportedErrorsIn(frame)));
      expect(errors, 'errors after the comparison').toEqual([]);
    } finally {
      await collector.close();
    }
  },
});

/** A request as the app made it: method, path, body and its own (x-) headers; no trace headers. */
function describeRequest(request: EchoedRequest): string {
  const own = Object.entries(request.headers)
    .filter(([name]) => name.startsWith('x-'))
    .map(([name, value]) => `${name}=${String(value)}`)
    .sort();
  return [request.method, request.path, JSON.stringify(request.body), ...own].join(' ');
}

/** The unhandled rejections and zone.js error reports the init script recorded in `frame`. */
function reportedErrorsIn(frame: Frame): Promise<string[]> {
  return frame.evaluate(() => [
    ...((window as unknown as { reportedErrors?: string[] }).reportedErrors ?? []),
  ]);
}

/** The requests the echo API received for `path`. */
function seenAt(path: string): EchoedRequest[] {
  return api.seen.filter((request) => request.path === path);
}

function clientSpan(path: string) {
  return (span: ExportedSpan) =>
    span.kind === SPAN_KIND.CLIENT && String(span.attributes['url.full']).endsWith(path);
}

function clickOn(label: string) {
  return (span: ExportedSpan) => span.parentSpanId === undefined && span.name === `click button "${label}"`;
}

/** Waits for the request span of `path` and its click; checks they are one trace and the request carried it. */
async function expectTracedClick(run: Run, label: string, path: string): Promise<ExportedSpan> {
  const click = await run.waitForSpan(clickOn(label));
  const request = await run.waitForSpan((span) => clientSpan(path)(span) && span.traceId === click.traceId);
  expect(request.parentSpanId).toBe(click.spanId);
  expect(seenAt(path).flatMap((seen) => seen.traceparents)).toContain(traceparentOf(request));
  return request;
}

function diagnosticsOf(page: Page): Promise<string[]> {
  return page.evaluate(() => [
    ...(window as unknown as { hostile: { diagnostics: string[] } }).hostile.diagnostics,
  ]);
}

// 1. fetch wrapped by another library, before or after startTracing.
for (const wrap of ['before', 'loaded', 'after'] as const) {
  for (const style of ['request', 'init'] as const) {
    test(`fetch wrapped (${style} style) ${wrap} startTracing: the app's request and the wrapper's header arrive, traced`, async ({
      hostile,
    }) => {
      const traced = await hostile.compare(
        'fetch-wrapper',
        async ({ page }) => {
          await page.click('#order');
          await expect(page.locator('#log li')).toHaveText(['order: 200 POST one book']);
          expect(seenAt('/order').map(describeRequest)).toEqual([
            `POST /order "one book" x-app=shop x-wrapper=${style}`,
          ]);
        },
        { query: { wrap, style } },
      );
      await expectTracedClick(traced, 'Order', '/order');
      // The exporter posts with the browser's own fetch, as zone.js saved it when @clicktrace/web
      // loaded: a wrapper installed after that never sees its requests (an auth wrapper would hand
      // the collector its token). This page loads @clicktrace/web after a wrapper installed
      // 'before': exports then go through it, and clicktrace says so.
      expect(hostile.collector.exports.length).toBeGreaterThan(0);
      const wrapperHeaders = hostile.collector.exports.map((received) => received.headers['x-wrapper']);
      if (wrap !== 'before') expect(wrapperHeaders).not.toContain(style);
      else {
        expect(wrapperHeaders).toContain(style);
        expect((await diagnosticsOf(traced.page)).join('\n')).toContain(
          'fetch was wrapped before @clicktrace/web loaded',
        );
      }
    });
  }
}

// 2. A Content-Security-Policy that blocks the collector.
test('a CSP whose connect-src blocks the collector: the app works, exports fail quietly', async ({
  hostile,
}) => {
  const csp = await startCspProxy(pages.origin, `connect-src 'self' ${api.origin}`);
  try {
    const traced = await hostile.compare(
      'csp',
      async ({ page }) => {
        for (const id of ['#fetch', '#xhr', '#fetch', '#xhr']) await page.click(id);
        await expect(page.locator('#log li')).toHaveText([
          'fetch: 200 GET ',
          'xhr: 200 GET ',
          'fetch: 200 GET ',
          'xhr: 200 GET ',
        ]);
      },
      { origin: csp.origin },
    );
    // Still traced: the requests carry traceparent. The exports are refused by the browser.
    for (const path of ['/csp-fetch', '/csp-xhr']) {
      expect(seenAt(path).map((seen) => seen.traceparents.length)).toEqual([1, 1]);
    }
    await expect
      .poll(async () => {
        await traced.flush();
        return (await diagnosticsOf(traced.page)).some((message) => message.includes('export failed'));
      })
      .toBe(true);
    const violations = await traced.page.evaluate(
      () => (window as unknown as { violations: string[] }).violations,
    );
    expect(violations).toContain(hostile.collector.url);
    expect(hostile.collector.exports).toEqual([]);
  } finally {
    await csp.close();
  }
});

// 3. zone.js loaded by the app first, with an app zone of its own.
test('zone.js loaded by the app before clicktrace, an app zone forked: clicks and fetches work, connected', async ({
  hostile,
}) => {
  const traced = await hostile.compare('zone-first', async ({ page }) => {
    await page.click('#load');
    await expect(page.locator('#log li')).toHaveText([
      'click: task HTMLButtonElement.addEventListener:click, in app zone true',
      'load: GET , in app zone true',
    ]);
  });
  await expectTracedClick(traced, 'Load', '/zone-fetch');
});

// 4. startTracing twice, and late.
test('startTracing twice: the same instance, a diag warning, one span and one traceparent per request', async ({
  hostile,
}) => {
  const traced = await hostile.compare('twice', async ({ page }) => {
    await page.click('#send');
    await expect(page.locator('#log li')).toHaveText(['send: 200 GET ']);
  });
  expect(
    await traced.page.evaluate(() => (window as unknown as { sameInstance: boolean }).sameInstance),
  ).toBe(true);
  expect(await diagnosticsOf(traced.page)).toEqual([
    'clicktrace: startTracing was called again; returning the running instance, new options ignored',
  ]);
  const request = await expectTracedClick(traced, 'Send', '/twice');
  expect(seenAt('/twice').map((seen) => seen.traceparents)).toEqual([[traceparentOf(request)]]);
  await traced.flush();
  const spans = hostile.collector.spans();
  expect(spans.filter(clientSpan('/twice'))).toHaveLength(1);
  expect(spans.filter(clickOn('Send'))).toHaveLength(1);
  expect(new Set(spans.map((span) => span.resource['service.name']))).toEqual(new Set(['hostile-web']));
});

test('startTracing late, after listeners and requests: the app keeps working, later clicks are traced', async ({
  hostile,
}) => {
  const traced = await hostile.compare('late', async ({ page }) => {
    await expect(page.locator('#log li')).toHaveText(['boot: 200 GET ']);
    await page.click('#search');
    await expect(page.locator('#log li')).toHaveCount(2);
    await page.click('#consent');
    await expect(page.locator('#log li')).toHaveCount(4);
    await page.click('#search');
    await expect(page.locator('#log li')).toHaveText([
      'boot: 200 GET ',
      'search: 200 GET ',
      'in flight: 200 GET ',
      'consent given',
      'search: 200 GET ',
    ]);
  });
  // Before tracing started, no traceparent; the search after it is a child of its click.
  expect(seenAt('/boot').map((seen) => seen.traceparents)).toEqual([[]]);
  expect(seenAt('/search').map((seen) => seen.traceparents.length)).toEqual([0, 1]);
  await expectTracedClick(traced, 'Search', '/search');
});

// 5. A streamed upload to an origin in propagateTo.
test('fetch with a ReadableStream body (duplex half): the same outcome as without tracing', async ({
  hostile,
}) => {
  // Chromium sends streamed uploads over HTTP/2 or QUIC only: to this HTTP/1.1 API, both calls
  // reject with a TypeError, which the app prints. What matters is that the traced run is alike.
  const traced = await hostile.compare('stream-body', async ({ page }) => {
    await page.click('#request');
    await expect(page.locator('#log li')).toHaveCount(1);
    await page.click('#init');
    await expect(page.locator('#log li')).toHaveCount(2);
  });
  for (const [label, path] of [
    ['Upload a Request', '/stream-request'],
    ['Upload with init', '/stream-init'],
  ] as const) {
    const click = await traced.waitForSpan(clickOn(label));
    const request = await traced.waitForSpan(clientSpan(path));
    expect(request.parentSpanId).toBe(click.spanId);
    expect(request.attributes['error.type']).toBe('TypeError');
  }
});

// 6. A synchronous XHR in a click listener.
test('a synchronous XHR in a click listener: the same result, traced', async ({ hostile }) => {
  const traced = await hostile.compare('sync-xhr', async ({ page }) => {
    await page.click('#stock');
    await expect(page.locator('#log li')).toHaveText(['load event: 4', 'stock: 200 GET ']);
  });
  await expectTracedClick(traced, 'Check stock', '/sync-xhr');
});

// 7. A same-origin iframe that starts tracing itself.
test('a same-origin iframe that traces itself: parent and iframe work, clicks in the iframe are traced', async ({
  hostile,
}) => {
  const traced = await hostile.compare('iframe-parent', async ({ page }) => {
    const child = page.frameLocator('iframe');
    await expect(child.locator('html[data-ready]')).toBeAttached();
    await page.click('#parent');
    await child.locator('#child').click();
    await page.click('#click-in-frame');
    await expect(page.locator('#log li')).toHaveText(['parent: 200 GET ']);
    await expect(child.locator('#log li')).toHaveText(['frame: 200 GET ', 'frame: 200 GET ']);
  });
  await expectTracedClick(traced, 'Parent fetch', '/parent');
  const frameRequest = await expectTracedClick(traced, 'Frame fetch', '/frame');
  expect(frameRequest.resource['service.name']).toBe('hostile-frame');
  // The click the parent's code dispatched in the frame is traced by the frame too.
  expect(seenAt('/frame').map((seen) => seen.traceparents.length)).toEqual([1, 1]);
  await expect
    .poll(async () => {
      await traced.flush();
      return hostile.collector.spans().filter(clickOn('Frame fetch')).length;
    })
    .toBe(2);
});

/**
 * A proxy to the page server that adds a Content-Security-Policy header to every response, as a
 * site's own server would.
 */
async function startCspProxy(
  target: string,
  policy: string,
): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const upstream = httpRequest(
      new URL(request.url ?? '/', target),
      { method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, {
          ...answer.headers,
          'content-security-policy': policy,
        });
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
