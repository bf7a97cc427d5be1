import { test as base, expect, type Page } from '@playwright/test';
import type { Plugin } from 'vite';
import { closedPortUrl } from './echo-api.js';
import { type ExportedSpan, pollForSpan, SPAN_KIND, traceparentOf } from './otlp-capture.js';
import { type OtlpServer, startOtlpServer } from './otlp-server.js';
import {
  type PageServer,
  type RecordingApi,
  startPageServer,
  startRecordingApi,
  startRefusingApi,
} from './servers.js';

// What a request span says about its trace headers, for the collector to tell why a trace broke:
// whether they were sent (and which), why not, cross-origin, a likely CORS refusal, and how many
// clicks were open when a request lost its context. The fixture page with startTracing, in real
// Chromium, against real servers on loopback. No page.route here: while Playwright intercepts
// requests, it answers CORS preflights itself (allowing everything), and the refusal never happens.

/** The fixture page's own origin: `/same-origin` answers, `/hang-up` closes the connection unanswered, `/slow/<name>` answers when released. */
function sameOriginApi(traceparents: Array<string | undefined>, held: Map<string, () => void>): Plugin {
  return {
    name: 'same-origin-api',
    configureServer(server) {
      server.middlewares.use('/same-origin', (request, response) => {
        traceparents.push(request.headers.traceparent as string | undefined);
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
      server.middlewares.use('/hang-up', (request) => request.socket.destroy());
      server.middlewares.use('/slow', (request, response) => {
        const name = request.url?.slice(1) ?? '';
        held.set(name, () => {
          held.delete(name);
          response.writeHead(200).end('ok');
        });
      });
    },
  };
}

const sameOriginTraceparents: Array<string | undefined> = [];
const held = new Map<string, () => void>();
let fixtures: PageServer;
let api: RecordingApi;
let other: RecordingApi;
let refusing: Awaited<ReturnType<typeof startRefusingApi>>;
let closed: string;
let otlp: OtlpServer;

base.beforeAll(async () => {
  [fixtures, api, other, refusing, closed, otlp] = await Promise.all([
    startPageServer('test/browser/fixtures', { plugins: [sameOriginApi(sameOriginTraceparents, held)] }),
    startRecordingApi(),
    startRecordingApi(),
    startRefusingApi(),
    closedPortUrl(),
    startOtlpServer(),
  ]);
});

base.afterAll(async () => {
  for (const answer of [...held.values()]) answer();
  await Promise.all([fixtures?.close(), api?.close(), other?.close(), refusing?.close(), otlp?.close()]);
});

interface TracedPage {
  page: Page;
  /** Flushes until the CLIENT span of the request whose URL ends with `path` is exported. */
  requestSpan(path: string): Promise<ExportedSpan>;
  /** Answers the held `/slow/<name>` request, once it has arrived. */
  release(name: string): Promise<void>;
}

const test = base.extend<{ traced: TracedPage }>({
  traced: async ({ page }, use) => {
    for (const seen of [api.seen, other.seen, refusing.seen, sameOriginTraceparents, otlp.exports])
      seen.length = 0;
    for (const answer of [...held.values()]) answer();
    const query = new URLSearchParams({
      api: api.origin,
      other: other.origin,
      refusing: refusing.origin,
      endpoint: otlp.url,
    });
    await page.goto(`${fixtures.origin}/index.html?${query}`);
    await page.waitForFunction(() => (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')]);
    const flush = () =>
      page.evaluate(() =>
        (
          (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as { flush(): Promise<void> }
        ).flush(),
      );
    const requestSpan = (path: string) =>
      pollForSpan(
        () => otlp.spans(),
        flush,
        (span) => span.kind === SPAN_KIND.CLIENT && String(span.attributes['url.full']).endsWith(path),
      );
    async function release(name: string): Promise<void> {
      await expect.poll(() => held.has(name)).toBe(true);
      held.get(name)?.();
    }
    await use({ page, requestSpan, release });
  },
});

/**
 * The attributes of `span` this spec is about (ours on request spans, but the parent source), as
 * the SDK set them: OTLP/JSON writes an int64 as a decimal string and an array as `{ values }`.
 */
function evidence(span: ExportedSpan): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(span.attributes)
      .filter(([key]) => key.startsWith('clicktrace.') && key !== 'clicktrace.parent.source')
      .map(([key, value]) => [key, fromOtlpJson(key, value)]),
  );
}

function fromOtlpJson(key: string, value: unknown): unknown {
  if (key === 'clicktrace.parent.open_interactions') return Number(value);
  const array = (value as { values?: Array<Record<string, unknown>> }).values;
  return array ? array.map((item) => Object.values(item)[0]) : value;
}

/**
 * What the page saw of one request: fetch's status or the name of its error; an XHR's status and
 * last event; a synchronous XHR's status or the name of the exception send() threw.
 */
function request(page: Page, client: 'fetch' | 'xhr' | 'sync-xhr', url: string): Promise<string> {
  return page.evaluate(
    ([client, url]) =>
      client === 'fetch'
        ? fetch(url).then(
            (response) => `status ${response.status}`,
            (error: Error) => error.name,
          )
        : client === 'sync-xhr'
          ? (() => {
              const xhr = new XMLHttpRequest();
              xhr.open('GET', url, false);
              try {
                xhr.send();
                return `status ${xhr.status}`;
              } catch (error) {
                return (error as Error).name;
              }
            })()
          : new Promise<string>((resolve) => {
              const xhr = new XMLHttpRequest();
              let last = '';
              for (const type of ['load', 'error', 'abort', 'timeout'])
                xhr.addEventListener(type, () => {
                  last = type;
                });
              xhr.onloadend = () => resolve(`status ${xhr.status} ${last}`);
              xhr.open('GET', url);
              xhr.send();
            }),
    [client, url] as const,
  );
}

test('a same-origin fetch: trace headers sent, named', async ({ traced }) => {
  await traced.page.click('#same-origin');
  const span = await traced.requestSpan('/same-origin');
  expect(sameOriginTraceparents).toEqual([traceparentOf(span)]);
  expect(evidence(span)).toEqual({
    'clicktrace.request.cross_origin': false,
    'clicktrace.trace_headers.sent': true,
    'clicktrace.trace_headers.names': ['traceparent'],
  });
});

test('a cross-origin fetch to an origin in propagateTo: trace headers sent', async ({ traced }) => {
  await traced.page.click('#fetch-listener');
  const span = await traced.requestSpan('/fetch-listener');
  expect(api.seen.map((seen) => seen.traceparent)).toEqual([traceparentOf(span)]);
  expect(evidence(span)).toEqual({
    'clicktrace.request.cross_origin': true,
    'clicktrace.trace_headers.sent': true,
    'clicktrace.trace_headers.names': ['traceparent'],
  });
});

test('a cross-origin fetch to an origin outside propagateTo: not sent, origin-not-allowed', async ({
  traced,
}) => {
  await traced.page.click('#other-origin');
  const span = await traced.requestSpan('/other-origin');
  expect(other.seen).toEqual([{ path: '/other-origin', traceparent: undefined }]);
  expect(evidence(span)).toEqual({
    'clicktrace.request.cross_origin': true,
    'clicktrace.trace_headers.sent': false,
    'clicktrace.trace_headers.not_sent_reason': 'origin-not-allowed',
  });
});

test('a no-cors fetch to an allowed origin: not sent, no-cors (the browser would drop them)', async ({
  traced,
}) => {
  // The browser's own rule, which is why clicktrace adds nothing: a no-cors request drops the
  // headers that are not CORS-safelisted, traceparent among them, without a word.
  await traced.page.evaluate((url) => {
    // The browser's own fetch, as zone.js saved it: not ours.
    const browserFetch = (globalThis as unknown as Record<string, typeof fetch>).__zone_symbol__fetch;
    const traceparent = '00-11111111111111111111111111111111-2222222222222222-01';
    return browserFetch?.(url, { mode: 'no-cors', headers: { traceparent } });
  }, `${api.origin}/untraced`);
  // So a no-cors fetch through clicktrace says why its trace will break there. Its answer is
  // opaque (status 0 to the page), which is no failure: no cors.refusal_likely.
  expect(
    await traced.page.evaluate(
      (url) => fetch(url, { mode: 'no-cors' }).then((response) => `${response.type} ${response.status}`),
      `${api.origin}/no-cors`,
    ),
  ).toBe('opaque 0');
  expect(api.seen).toEqual([
    { path: '/untraced', traceparent: undefined },
    { path: '/no-cors', traceparent: undefined },
  ]);
  const span = await traced.requestSpan('/no-cors');
  expect(evidence(span)).toEqual({
    'clicktrace.request.cross_origin': true,
    'clicktrace.trace_headers.sent': false,
    'clicktrace.trace_headers.not_sent_reason': 'no-cors',
    'clicktrace.parent.open_interactions': 0,
  });
});

for (const [propagator, reason] of [
  ['disabled', 'suppressed'],
  ['throwing', 'error'],
] as const) {
  test(`fetch and XHR to an allowed origin with the propagator ${propagator}: not sent, ${reason}`, async ({
    traced,
  }) => {
    await traced.page.evaluate((propagator) => {
      const { propagation } = (
        window as unknown as {
          clicktraceFixture: {
            propagation: {
              disable(): void;
              setGlobalPropagator(propagator: {
                inject(): void;
                extract<T>(context: T): T;
                fields(): string[];
              }): boolean;
            };
          };
        }
      ).clicktraceFixture;
      propagation.disable();
      if (propagator === 'throwing') {
        propagation.setGlobalPropagator({
          inject() {
            throw new Error('a broken propagator');
          },
          extract: (context) => context,
          fields: () => ['traceparent'],
        });
      }
    }, propagator);
    for (const client of ['fetch', 'xhr'] as const) {
      // The request still goes, untraced by the server.
      expect(await request(traced.page, client, `${api.origin}/${propagator}-${client}`)).toMatch(
        /^status 200/,
      );
      const span = await traced.requestSpan(`/${propagator}-${client}`);
      expect(evidence(span)).toMatchObject({
        'clicktrace.request.cross_origin': true,
        'clicktrace.trace_headers.sent': false,
        'clicktrace.trace_headers.not_sent_reason': reason,
      });
    }
    expect(api.seen.map((seen) => seen.traceparent)).toEqual([undefined, undefined]);
  });
}

/** All a page sees of a refused request: what it got, and the span's error.type. */
const REFUSED = {
  fetch: { outcome: 'TypeError', errorType: 'TypeError' },
  xhr: { outcome: 'status 0 error', errorType: 'error' },
  'sync-xhr': { outcome: 'NetworkError', errorType: 'NetworkError' },
};

for (const client of ['fetch', 'xhr', 'sync-xhr'] as const) {
  test(`a ${client} whose CORS preflight does not allow traceparent fails, and its span says a CORS refusal is likely`, async ({
    traced,
  }) => {
    const outcome = await request(traced.page, client, `${refusing.origin}/refused-${client}`);
    // fetch rejects with a TypeError, an XHR ends with status 0 and `error`, a synchronous one throws.
    expect(outcome).toBe(REFUSED[client].outcome);
    // The server saw why: a preflight asking for traceparent, and no request after it.
    expect(refusing.seen).toEqual([
      { method: 'OPTIONS', path: `/refused-${client}`, requestHeaders: 'traceparent' },
    ]);
    const span = await traced.requestSpan(`/refused-${client}`);
    expect(span.attributes['error.type']).toBe(REFUSED[client].errorType);
    expect(evidence(span)).toEqual({
      'clicktrace.request.cross_origin': true,
      'clicktrace.trace_headers.sent': true,
      'clicktrace.trace_headers.names': ['traceparent'],
      'clicktrace.cors.refusal_likely': true,
      'clicktrace.parent.open_interactions': 0,
    });
  });
}

for (const client of ['fetch', 'xhr'] as const) {
  test(`a ${client} that fails without CORS in play: refusal not likely`, async ({ traced }) => {
    // Same origin, trace headers sent: the server hangs up.
    expect(await request(traced.page, client, `${fixtures.origin}/hang-up?${client}`)).toBe(
      client === 'fetch' ? 'TypeError' : 'status 0 error',
    );
    const hungUp = await traced.requestSpan(`/hang-up?${client}`);
    expect(evidence(hungUp)).toMatchObject({
      'clicktrace.request.cross_origin': false,
      'clicktrace.trace_headers.sent': true,
      'clicktrace.cors.refusal_likely': false,
    });
    // Cross-origin, no trace headers (not in propagateTo): nothing listens there.
    expect(await request(traced.page, client, `${closed}?${client}`)).toBe(
      client === 'fetch' ? 'TypeError' : 'status 0 error',
    );
    const refused = await traced.requestSpan(`/closed?${client}`);
    expect(evidence(refused)).toMatchObject({
      'clicktrace.request.cross_origin': true,
      'clicktrace.trace_headers.sent': false,
      'clicktrace.cors.refusal_likely': false,
    });
  });
}

test('a request that succeeds has no cors.refusal_likely', async ({ traced }) => {
  expect(await request(traced.page, 'xhr', `${api.origin}/answered`)).toBe('status 200 load');
  const span = await traced.requestSpan('/answered');
  expect(span.attributes).not.toHaveProperty(['clicktrace.cors.refusal_likely']);
});

test('a request with no parent made while no click is open: open_interactions 0', async ({ traced }) => {
  // page.evaluate runs outside zone.js: no context, as a script loaded before it.
  await traced.page.evaluate(() => fetch('/same-origin?background'));
  const span = await traced.requestSpan('/same-origin?background');
  expect(span.parentSpanId).toBeUndefined();
  expect(span.attributes['clicktrace.parent.source']).toBe('none');
  expect(evidence(span)['clicktrace.parent.open_interactions']).toBe(0);
});

test('a fetch after a native await while two clicks are open: a root, open_interactions 2', async ({
  traced,
}) => {
  // The first click stays open: its request is held.
  await traced.page.click('#slow-a');
  // The second one's listener fetches, awaits natively (no Vite plugin here), and fetches again:
  // zone.js lost its context there, and with two clicks open no parent can be chosen.
  await traced.page.click('#await');
  const lost = await traced.requestSpan('/after-await');
  expect(lost.parentSpanId).toBeUndefined();
  expect(lost.attributes['clicktrace.parent.source']).toBe('none');
  expect(evidence(lost)['clicktrace.parent.open_interactions']).toBe(2);
  const before = await traced.requestSpan('/before-await');
  expect(before.attributes['clicktrace.parent.source']).toBe('context');
  expect(before.attributes).not.toHaveProperty(['clicktrace.parent.open_interactions']);
  await traced.release('a');
  await traced.requestSpan('/slow/a');
});
