import { test as base, expect, type Page } from '@playwright/test';
import { closedPortUrl, type EchoedRequest, startEchoApi } from './echo-api.js';
import { captureOtlp, type ExportedSpan, SPAN_KIND, traceparentOf } from './otlp-capture.js';
import { type PageServer, type RecordingApi, startPageServer, startRecordingApi } from './servers.js';

// Our fetch and XHR instrumentations and OTLP/JSON exporter, wired by hand on
// fixtures-instrumentation/, in real Chromium. Spans are read from the page's own export requests.

const PRESET_TRACEPARENT = '00-11111111111111111111111111111111-2222222222222222-01';

let fixtures: PageServer;
let api: Awaited<ReturnType<typeof startEchoApi>>;
let other: RecordingApi;
let closed: string;

base.beforeAll(async () => {
  [fixtures, api, other, closed] = await Promise.all([
    startPageServer('test/browser/fixtures-instrumentation'),
    startEchoApi(),
    startRecordingApi(),
    closedPortUrl(),
  ]);
});

base.afterAll(async () => {
  await Promise.all([fixtures?.close(), api?.close(), other?.close()]);
});

interface Outcome {
  status?: number;
  body?: string;
  error?: { name: string; message: string };
}

interface Fixture {
  page: Page;
  spans: ExportedSpan[];
  exports: () => number;
  /** Runs a case of fixtures-instrumentation/main.ts in the page. */
  run(name: string): Promise<Outcome>;
  flush(): Promise<void>;
  /** Flushes until a CLIENT span whose url.full ends with `path` is exported, then returns it. */
  spanFor(path: string): Promise<ExportedSpan>;
  /** The requests the page made to its own origin under /same-origin/, with their headers. */
  sameOrigin: Array<{ path: string; headers: Record<string, string> }>;
  /** The exported status code of a span (2 = ERROR): ExportedSpan does not keep it. */
  statusCodeOf(span: ExportedSpan): number | undefined;
}

interface OtlpStatuses {
  resourceSpans?: Array<{
    scopeSpans?: Array<{ spans?: Array<{ spanId: string; status?: { code?: number } }> }>;
  }>;
}

const test = base.extend<{ fixture: Fixture }>({
  fixture: async ({ page }, use) => {
    api.seen.length = 0;
    other.seen.length = 0;
    const { spans, exports } = await captureOtlp(page);
    const sameOrigin: Fixture['sameOrigin'] = [];
    await page.route('**/same-origin/**', async (route) => {
      sameOrigin.push({ path: new URL(route.request().url()).pathname, headers: route.request().headers() });
      await route.fulfill({ status: 200, body: 'same' });
    });
    const statusCodes = new Map<string, number>();
    page.on('request', (request) => {
      if (request.method() !== 'POST' || !request.url().endsWith('/v1/traces')) return;
      for (const resourceSpans of (request.postDataJSON() as OtlpStatuses).resourceSpans ?? [])
        for (const scopeSpans of resourceSpans.scopeSpans ?? [])
          for (const span of scopeSpans.spans ?? []) statusCodes.set(span.spanId, span.status?.code ?? 0);
    });
    const query = new URLSearchParams({ api: api.origin, other: other.origin, closed });
    await page.goto(`${fixtures.origin}/index.html?${query}`);
    await page.waitForFunction(() => 'fixture' in window);
    const flush = () =>
      page.evaluate(() => (window as unknown as { fixture: { flush(): Promise<void> } }).fixture.flush());
    const run = (name: string) =>
      page.evaluate(
        (caseName) =>
          (window as unknown as { fixture: { run(n: string): Promise<Outcome> } }).fixture.run(caseName),
        name,
      );
    async function spanFor(path: string): Promise<ExportedSpan> {
      const matches = (span: ExportedSpan) =>
        span.kind === SPAN_KIND.CLIENT && String(span.attributes['url.full']).endsWith(path);
      await expect
        .poll(
          async () => {
            await flush();
            return spans.filter(matches).length;
          },
          { timeout: 10_000, intervals: [100, 200, 400] },
        )
        .toBe(1);
      return spans.find(matches) as ExportedSpan;
    }
    const statusCodeOf = (span: ExportedSpan) => statusCodes.get(span.spanId);
    await use({ page, spans, exports, run, flush, spanFor, sameOrigin, statusCodeOf });
  },
});

function seenAt(path: string): EchoedRequest {
  const requests = api.seen.filter((request) => request.path === path);
  expect(requests, `requests to ${path}`).toHaveLength(1);
  return requests[0] as EchoedRequest;
}

/** The attributes every request span has, for a request to `url` on the echo API. */
function apiAttributes(method: string, url: string, status: number) {
  return {
    'http.request.method': method,
    'url.full': url,
    'server.address': '127.0.0.1',
    // OTLP/JSON writes int64 as a decimal string (proto3 JSON mapping).
    'server.port': new URL(url).port,
    'http.response.status_code': String(status),
    'clicktrace.parent.source': 'context',
  };
}

test.describe('fetch', () => {
  test('fetch(url string) to an allowed CORS origin: one CLIENT span, its traceparent on the request', async ({
    fixture,
  }) => {
    expect(await fixture.run('fetchString')).toEqual({ status: 200, body: 'GET ' });
    const span = await fixture.spanFor('/fetch-string?q=1');
    expect(span).toMatchObject({
      name: 'GET',
      kind: SPAN_KIND.CLIENT,
      parentSpanId: undefined,
      attributes: apiAttributes('GET', `${api.origin}/fetch-string?q=1`, 200),
      resource: { 'service.name': 'instrumentation-fixture' },
    });
    expect(seenAt('/fetch-string?q=1').traceparents).toEqual([traceparentOf(span)]);
  });

  test('fetch(new URL(...))', async ({ fixture }) => {
    expect(await fixture.run('fetchUrl')).toMatchObject({ status: 200 });
    const span = await fixture.spanFor('/fetch-url');
    expect(seenAt('/fetch-url').traceparents).toEqual([traceparentOf(span)]);
  });

  test('fetch(new Request(url, { POST JSON })) delivers the body and the headers, plus traceparent', async ({
    fixture,
  }) => {
    expect(await fixture.run('fetchRequestPostJson')).toEqual({ status: 200, body: 'POST {"cart":[1,2]}' });
    const span = await fixture.spanFor('/fetch-request');
    expect(span.name).toBe('POST');
    const seen = seenAt('/fetch-request');
    expect(seen).toMatchObject({
      method: 'POST',
      body: '{"cart":[1,2]}',
      traceparents: [traceparentOf(span)],
    });
    expect(seen.headers).toMatchObject({ 'content-type': 'application/json', 'x-app': 'kept' });
  });

  test('fetch(request, init): init wins, as without us', async ({ fixture }) => {
    expect(await fixture.run('fetchRequestWithInit')).toEqual({ status: 200, body: 'PUT from init' });
    const span = await fixture.spanFor('/fetch-request-init');
    expect(span.name).toBe('PUT');
    const seen = seenAt('/fetch-request-init');
    expect(seen.headers['x-init']).toBe('yes');
    expect(seen.headers['x-app']).toBeUndefined();
    expect(seen.traceparents).toEqual([traceparentOf(span)]);
  });

  test('a relative URL resolves against the page; the page origin gets traceparent', async ({ fixture }) => {
    expect(await fixture.run('fetchRelative')).toEqual({ status: 200, body: 'same' });
    const span = await fixture.spanFor('/same-origin/relative');
    expect(span.attributes['url.full']).toBe(`${fixtures.origin}/same-origin/relative`);
    expect(fixture.sameOrigin.map((request) => request.headers.traceparent)).toEqual([traceparentOf(span)]);
  });

  test('an origin not allowed gets no trace header; the request is still traced', async ({ fixture }) => {
    expect(await fixture.run('fetchOtherOrigin')).toEqual({ status: 200, body: '{"ok":true}' });
    await fixture.spanFor('/fetch-other');
    expect(other.seen).toEqual([{ path: '/fetch-other', traceparent: undefined }]);
  });

  test('a traceparent the app set is replaced: exactly one, ours', async ({ fixture }) => {
    await fixture.run('fetchPresetTraceparent');
    const span = await fixture.spanFor('/fetch-preset');
    const seen = seenAt('/fetch-preset');
    expect(seen.traceparents).toEqual([traceparentOf(span)]);
    expect(traceparentOf(span)).not.toBe(PRESET_TRACEPARENT);
    expect(seen.tracestates).toEqual([]);
  });

  test('HTTP 404: status code and error.type "404", span status ERROR', async ({ fixture }) => {
    expect(await fixture.run('fetchNotFound')).toMatchObject({ status: 404 });
    const span = await fixture.spanFor('/status/404');
    expect(span.attributes).toMatchObject({ 'http.response.status_code': '404', 'error.type': '404' });
    expect(fixture.statusCodeOf(span)).toBe(2);
  });

  test('network error (closed port): the app gets the same rejection as without us; error.type TypeError, ERROR', async ({
    fixture,
  }) => {
    const traced = await fixture.run('fetchClosedPort');
    const untraced = await fixture.run('fetchClosedPortUntraced');
    expect(traced.error?.name).toBe('TypeError');
    expect(traced).toEqual(untraced);
    const span = await fixture.spanFor('/closed');
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.attributes).not.toHaveProperty(['http.response.status_code']);
    expect(fixture.statusCodeOf(span)).toBe(2);
  });

  test('abort: error.type AbortError', async ({ fixture }) => {
    expect((await fixture.run('fetchAbort')).error?.name).toBe('AbortError');
    const span = await fixture.spanFor('/slow');
    expect(span.attributes['error.type']).toBe('AbortError');
  });

  test('the span is a child of the active context', async ({ fixture }) => {
    await fixture.run('fetchInParent');
    const span = await fixture.spanFor('/fetch-in-parent');
    await expect.poll(() => fixture.spans.find((s) => s.name === 'parent')?.spanId).toBe(span.parentSpanId);
  });
});

test.describe('XMLHttpRequest', () => {
  test('GET to an allowed CORS origin: one CLIENT span, its traceparent on the request', async ({
    fixture,
  }) => {
    expect(await fixture.run('xhrGet')).toEqual({ status: 200, body: 'GET ' });
    const span = await fixture.spanFor('/xhr-get?q=1');
    expect(span).toMatchObject({
      name: 'GET',
      kind: SPAN_KIND.CLIENT,
      attributes: apiAttributes('GET', `${api.origin}/xhr-get?q=1`, 200),
    });
    expect(seenAt('/xhr-get?q=1').traceparents).toEqual([traceparentOf(span)]);
  });

  test('POST with a body and a header the app set', async ({ fixture }) => {
    expect(await fixture.run('xhrPost')).toEqual({ status: 200, body: 'POST {"xhr":true}' });
    const span = await fixture.spanFor('/xhr-post');
    expect(span.name).toBe('POST');
    expect(seenAt('/xhr-post')).toMatchObject({
      body: '{"xhr":true}',
      traceparents: [traceparentOf(span)],
      headers: { 'content-type': 'application/json' },
    });
  });

  test('a relative URL resolves against the page', async ({ fixture }) => {
    await fixture.run('xhrRelative');
    const span = await fixture.spanFor('/same-origin/xhr-relative');
    expect(span.attributes['url.full']).toBe(`${fixtures.origin}/same-origin/xhr-relative`);
    expect(fixture.sameOrigin.map((request) => request.headers.traceparent)).toEqual([traceparentOf(span)]);
  });

  test('an origin not allowed gets no trace header', async ({ fixture }) => {
    await fixture.run('xhrOtherOrigin');
    await fixture.spanFor('/xhr-other');
    expect(other.seen).toEqual([{ path: '/xhr-other', traceparent: undefined }]);
  });

  test('a traceparent the app set with setRequestHeader is replaced: exactly one, ours', async ({
    fixture,
  }) => {
    await fixture.run('xhrPresetTraceparent');
    const span = await fixture.spanFor('/xhr-preset');
    const seen = seenAt('/xhr-preset');
    expect(seen.traceparents).toEqual([traceparentOf(span)]);
    expect(traceparentOf(span)).not.toBe(PRESET_TRACEPARENT);
    expect(seen.tracestates).toEqual([]);
  });

  test('HTTP 404: error.type "404"', async ({ fixture }) => {
    expect(await fixture.run('xhrNotFound')).toMatchObject({ status: 404 });
    const span = await fixture.spanFor('/status/404');
    expect(span.attributes).toMatchObject({ 'http.response.status_code': '404', 'error.type': '404' });
  });

  test('network error, abort and timeout set error.type and status ERROR', async ({ fixture }) => {
    expect(await fixture.run('xhrClosedPort')).toEqual({ status: 0, body: '' });
    const failed = await fixture.spanFor('/closed');
    expect(failed.attributes['error.type']).toBe('error');
    expect(fixture.statusCodeOf(failed)).toBe(2);
    await fixture.run('xhrAbort');
    await fixture.run('xhrTimeout');
    await expect
      .poll(async () => {
        await fixture.flush();
        return fixture.spans
          .filter((span) => String(span.attributes['url.full']).endsWith('/slow'))
          .map((span) => span.attributes['error.type'])
          .sort();
      })
      .toEqual(['abort', 'timeout']);
  });

  test('a synchronous XHR is traced, carries traceparent and delivers its body', async ({ fixture }) => {
    expect(await fixture.run('xhrSync')).toEqual({ status: 200, body: 'POST sync body' });
    const span = await fixture.spanFor('/xhr-sync');
    expect(span.attributes['http.response.status_code']).toBe('200');
    expect(seenAt('/xhr-sync')).toMatchObject({ body: 'sync body', traceparents: [traceparentOf(span)] });
  });

  test('a synchronous XHR network error still throws to the app; the span has error.type', async ({
    fixture,
  }) => {
    expect((await fixture.run('xhrSyncClosedPort')).error?.name).toBe('NetworkError');
    const span = await fixture.spanFor('/closed');
    expect(span.attributes['error.type']).toBe('NetworkError');
  });

  test('one XHR object reused for two requests makes two spans', async ({ fixture }) => {
    expect(await fixture.run('xhrReused')).toEqual({ body: '200,200' });
    const first = await fixture.spanFor('/xhr-reuse-1');
    const second = await fixture.spanFor('/xhr-reuse-2');
    expect(seenAt('/xhr-reuse-1').traceparents).toEqual([traceparentOf(first)]);
    expect(seenAt('/xhr-reuse-2').traceparents).toEqual([traceparentOf(second)]);
  });
});

test("the exporter's own requests make no spans", async ({ fixture }) => {
  await fixture.run('fetchString');
  await fixture.spanFor('/fetch-string?q=1');
  for (let i = 0; i < 3; i++) {
    await fixture.run('xhrGet');
    await fixture.flush();
  }
  // Each flush resolves once its export request has ended: a span of that request (there must be
  // none) would go out with the next one.
  await fixture.flush();
  expect(fixture.exports()).toBeGreaterThan(1);
  expect(fixture.spans.filter((span) => String(span.attributes['url.full']).includes('/v1/traces'))).toEqual(
    [],
  );
  expect(fixture.spans.filter((span) => span.kind === SPAN_KIND.CLIENT)).toHaveLength(4);
});

test('the export request is an OTLP/JSON POST', async ({ fixture }) => {
  const exportRequest = fixture.page.waitForRequest('**/v1/traces');
  await fixture.run('fetchString');
  await fixture.flush();
  const request = await exportRequest;
  expect(request.method()).toBe('POST');
  expect(await request.headerValue('content-type')).toBe('application/json');
  expect(request.postDataJSON()).toMatchObject({
    resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'GET' }] }] }],
  });
});

test('uninstrumenting restores fetch and XHR: no spans, no headers', async ({ fixture }) => {
  await fixture.page.evaluate(() =>
    (window as unknown as { fixture: { uninstrument(): void } }).fixture.uninstrument(),
  );
  await fixture.run('fetchString');
  await fixture.run('xhrGet');
  await fixture.flush();
  expect(api.seen.map((request) => request.traceparents)).toEqual([[], []]);
  expect(fixture.spans).toEqual([]);
});
