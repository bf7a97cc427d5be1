import { test as base, expect, type Page } from '@playwright/test';
import type { Plugin } from 'vite';
import { captureOtlp, type ExportedSpan, pollForSpan, SPAN_KIND, traceparentOf } from './otlp-capture.js';
import {
  type PageServer,
  type RecordingApi,
  type SeenRequest,
  startPageServer,
  startRecordingApi,
} from './servers.js';

/** `/redirect?to=<url>` on the fixture page's own origin: a 302 there. */
const sameOriginRedirect: Plugin = {
  name: 'same-origin-redirect',
  configureServer(server) {
    server.middlewares.use('/redirect', (request, response) => {
      const to = new URL(request.url ?? '/', 'http://page').searchParams.get('to') ?? '/';
      response.writeHead(302, { location: to }).end();
    });
  },
};

let fixtures: PageServer;
let api: RecordingApi;
let other: RecordingApi;

base.beforeAll(async () => {
  [fixtures, api, other] = await Promise.all([
    startPageServer('test/browser/fixtures', { plugins: [sameOriginRedirect] }),
    startRecordingApi(),
    startRecordingApi(),
  ]);
});

base.afterAll(async () => {
  await Promise.all([fixtures?.close(), api?.close(), other?.close()]);
});

/** The fixture page, traced, with its exported spans and helpers to wait for them. */
interface TracedApp {
  page: Page;
  spans: ExportedSpan[];
  exports: () => number;
  flush(): Promise<void>;
  /** Flushes until a span matches, then returns it. */
  waitForSpan(predicate: (span: ExportedSpan) => boolean): Promise<ExportedSpan>;
  /** Waits until `server` received a request for `path`. */
  waitForRequest(server: RecordingApi, path: string): Promise<SeenRequest>;
  parentOf(span: ExportedSpan): Promise<ExportedSpan>;
  /** The traceparent of each request the page made to its own origin's `/same-origin`. */
  sameOriginTraceparents: Array<string | undefined>;
}

const test = base.extend<{ app: TracedApp; fixtureQuery: string }>({
  /** Extra query parameters for the fixture page: `&keepEmpty` sets keepEmptyInteractions. */
  fixtureQuery: ['', { option: true }],
  app: async ({ page, fixtureQuery }, use) => {
    api.seen.length = 0;
    other.seen.length = 0;
    const { spans, exports } = await captureOtlp(page);
    const sameOriginTraceparents: Array<string | undefined> = [];
    await page.route('**/same-origin', async (route) => {
      sameOriginTraceparents.push(route.request().headers().traceparent);
      await route.fulfill({ status: 200, body: 'ok' });
    });
    await page.goto(`${fixtures.origin}/index.html?api=${api.origin}&other=${other.origin}${fixtureQuery}`);
    await page.waitForFunction(() => (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')]);
    const flush = () =>
      page.evaluate(() =>
        (
          (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as { flush(): Promise<void> }
        ).flush(),
      );
    const waitForSpan = (predicate: (span: ExportedSpan) => boolean) =>
      pollForSpan(() => spans, flush, predicate);
    async function waitForRequest(server: RecordingApi, path: string): Promise<SeenRequest> {
      await expect.poll(() => server.seen.some((seen) => seen.path === path), { timeout: 0 }).toBe(true);
      return server.seen.find((seen) => seen.path === path) as SeenRequest;
    }
    function parentOf(span: ExportedSpan): Promise<ExportedSpan> {
      return waitForSpan((candidate) => candidate.spanId === span.parentSpanId);
    }
    await use({ page, spans, exports, flush, waitForSpan, waitForRequest, parentOf, sameOriginTraceparents });
  },
});

function requestSpan(path: string) {
  return (span: ExportedSpan) =>
    span.kind === SPAN_KIND.CLIENT &&
    String(span.attributes['url.full'] ?? span.attributes['http.url']).endsWith(path);
}

function rootsNamed(app: TracedApp, name: RegExp): ExportedSpan[] {
  return app.spans.filter((span) => span.parentSpanId === undefined && name.test(span.name));
}

/** Clicks, then checks: server got traceparent = the CLIENT span; its parent is the root interaction span. */
async function expectConnected(app: TracedApp, selector: string, path: string, eventType = 'click') {
  await app.page.click(selector);
  const seen = await app.waitForRequest(api, path);
  const client = await app.waitForSpan(requestSpan(path));
  expect(seen.traceparent).toBe(traceparentOf(client));
  const interaction = await app.parentOf(client);
  expect(interaction.kind).toBe(SPAN_KIND.INTERNAL);
  expect(interaction.parentSpanId).toBeUndefined();
  expect(interaction.name.startsWith(eventType)).toBe(true);
  expect(interaction.attributes['clicktrace.event.type']).toBe(eventType);
  expect(interaction.traceId).toBe(client.traceId);
  return { client, interaction };
}

test.describe('with keepEmptyInteractions', () => {
  test.use({ fixtureQuery: '&keepEmpty' });

  test('one click with three listeners makes one root interaction span', async ({ app }) => {
    await app.page.click('#three');
    const interaction = await app.waitForSpan((span) => span.attributes['clicktrace.target.id'] === 'three');
    expect(interaction).toMatchObject({
      name: 'click button "Three listeners"',
      kind: SPAN_KIND.INTERNAL,
      parentSpanId: undefined,
      attributes: {
        'clicktrace.event.type': 'click',
        'clicktrace.target.tag': 'button',
        'clicktrace.target.id': 'three',
        'clicktrace.target.label': 'Three listeners',
        'clicktrace.target.xpath': '//*[@id="three"]',
        'clicktrace.interaction.input': 'pointer',
      },
      resource: { 'service.name': 'fixture-web', 'telemetry.sdk.language': 'webjs' },
    });
    expect(String(interaction.resource['user_agent.original'])).toContain('Chrome');
    // A later click's export proves the first one's is done: still one span for it.
    await expectConnected(app, '#fetch-listener', '/fetch-listener');
    expect(app.spans.filter((span) => span.attributes['clicktrace.target.id'] === 'three')).toHaveLength(1);
    expect(await app.page.evaluate(() => (window as unknown as { clicks: number }).clicks)).toBe(3);
  });
});

test('a fetch in a click listener is a child of the click and carries its traceparent', async ({ app }) => {
  const { client, interaction } = await expectConnected(app, '#fetch-listener', '/fetch-listener');
  expect(interaction.name).toBe('click button "Fetch in listener"');
  expect(client.attributes['http.request.method']).toBe('GET');
  expect(client.attributes['clicktrace.parent.source']).toBe('context');
  // The interaction lasts until its fetch is over, not until the listener returns.
  expect(interaction.endTime).toBeGreaterThanOrEqual(client.endTime);
});

test('an XHR in a click listener is a child of the click', async ({ app }) => {
  await expectConnected(app, '#xhr-listener', '/xhr-listener');
});

test('a click whose listener does setTimeout(10) then fetch is exported and is the parent of the fetch', async ({
  app,
}) => {
  const { client, interaction } = await expectConnected(app, '#fetch-timeout', '/fetch-timeout');
  expect(interaction.endTime).toBeGreaterThanOrEqual(client.endTime);
});

test('a fetch from a .then in the listener is a child of the click', async ({ app }) => {
  await expectConnected(app, '#fetch-then', '/fetch-then');
});

test('an onclick property handler is traced', async ({ app }) => {
  await expectConnected(app, '#onclick-property', '/onclick-property');
});

test('an inline onclick="" attribute with a synchronous fetch is traced through the interaction scope', async ({
  app,
}) => {
  const { client } = await expectConnected(app, '#inline', '/inline');
  expect(client.attributes['clicktrace.parent.source']).toBe('interaction-scope');
});

test('a listener delegated at the document root (React style) is traced', async ({ app }) => {
  const { interaction } = await expectConnected(app, '#delegated span', '/delegated');
  // The span inside the button was clicked; the button is what gets named.
  expect(interaction.name).toBe('click button "Delegated"');
});

test('a submit from a submit-button click is part of the click: one root, submit listeners in its context', async ({
  app,
}) => {
  const { interaction } = await expectConnected(app, '#place-order', '/submit', 'click');
  expect(interaction.name).toBe('click button "Place order"');
  await app.flush();
  expect(rootsNamed(app, /^submit/)).toEqual([]);
  expect(rootsNamed(app, /Place order/)).toHaveLength(1);
});

test('a request to an origin outside propagateTo carries no traceparent', async ({ app }) => {
  await app.page.click('#other-origin');
  const seen = await app.waitForRequest(other, '/other-origin');
  expect(seen.traceparent).toBeUndefined();
  // It is still traced on the browser side.
  const client = await app.waitForSpan(requestSpan('/other-origin'));
  expect((await app.parentOf(client)).name).toBe('click button "Other origin"');
});

test('a request to the page origin carries traceparent', async ({ app }) => {
  await app.page.click('#same-origin');
  const client = await app.waitForSpan(requestSpan('/same-origin'));
  expect(app.sameOriginTraceparents).toEqual([traceparentOf(client)]);
  expect((await app.parentOf(client)).name).toBe('click button "Same origin"');
});

test('startTracing with bad options throws TypeError; a second call returns the first instance', async ({
  app,
}) => {
  const results = await app.page.evaluate(() => {
    const { startTracing } = (
      window as unknown as { clicktraceFixture: { startTracing: (o: unknown) => unknown } }
    ).clicktraceFixture;
    const attempt = (options: unknown) => {
      try {
        startTracing(options);
        return 'no error';
      } catch (error) {
        return error instanceof TypeError ? 'TypeError' : String(error);
      }
    };
    const running = (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')];
    return {
      bad: [
        attempt(undefined),
        attempt({ serviceName: '' }),
        attempt({ serviceName: 'x', endpoint: 'not a url' }),
        attempt({ serviceName: 'x', propagateTo: ['http://127.0.0.1:3001/api'] }),
        attempt({ serviceName: 'x', propagateTo: [42] }),
      ],
      second: startTracing({ serviceName: 'again' }) === running,
    };
  });
  expect(results).toEqual({ bad: Array(5).fill('TypeError'), second: true });
});

test('a fetch after a native await (no Vite plugin) joins the click through the interaction scope', async ({
  app,
}) => {
  const { client: before, interaction } = await expectConnected(app, '#await', '/before-await');
  expect(before.attributes['clicktrace.parent.source']).toBe('context');
  const after = await app.waitForSpan(requestSpan('/after-await'));
  expect(after).toMatchObject({ traceId: interaction.traceId, parentSpanId: interaction.spanId });
  expect(after.attributes['clicktrace.parent.source']).toBe('interaction-scope');
  const seen = await app.waitForRequest(api, '/after-await');
  expect(seen.traceparent).toBe(traceparentOf(after));
  expect(interaction.endTime).toBeGreaterThanOrEqual(after.endTime);
});

test('shutdown removes the listeners, the zone patch and the global hook', async ({ app }) => {
  const state = await app.page.evaluate(async () => {
    const hook = Symbol.for('clicktrace.web');
    const zonePrototype = (globalThis as unknown as { Zone: { prototype: { runTask: { name: string } } } })
      .Zone.prototype;
    const patchedName = zonePrototype.runTask.name;
    const tracing = (globalThis as Record<symbol, unknown>)[hook] as { shutdown(): Promise<void> };
    await tracing.shutdown();
    return { patchedName, restoredName: zonePrototype.runTask.name, hook: hook in globalThis };
  });
  expect(state).toEqual({ patchedName: 'runTaskInInteraction', restoredName: 'runTask', hook: false });
  // fetch is unpatched: the request goes out without trace headers.
  await app.page.click('#fetch-listener');
  const seen = await app.waitForRequest(api, '/fetch-listener');
  expect(seen.traceparent).toBeUndefined();
});

test("beside another SDK registered first, startTracing steps aside and leaves that SDK's globals alone", async ({
  app,
}) => {
  const state = await app.page.evaluate(async () => {
    type Api = {
      trace: {
        setGlobalTracerProvider(provider: object): boolean;
        getTracerProvider(): { getDelegate(): object };
      };
      startTracing(options: object): { flush(): Promise<void>; shutdown(): Promise<void> };
    };
    const fixture = (window as unknown as { clicktraceFixture: Api }).clicktraceFixture;
    const running = (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as {
      shutdown(): Promise<void>;
    };
    await running.shutdown();
    const other = { getTracer: () => ({}) }; // another SDK's provider, registered first
    fixture.trace.setGlobalTracerProvider(other);
    const second = fixture.startTracing({ serviceName: 'second' });
    await second.flush();
    await second.shutdown();
    return {
      stillTheOther: fixture.trace.getTracerProvider().getDelegate() === other,
      hook: Symbol.for('clicktrace.web') in globalThis,
    };
  });
  expect(state).toEqual({ stillTheOther: true, hook: false });
  // Nothing of ours patches the page: the request goes out without trace headers.
  await app.page.click('#fetch-listener');
  const seen = await app.waitForRequest(api, '/fetch-listener');
  expect(seen.traceparent).toBeUndefined();
});

test('an interaction ends after its last fetch: a chain of two fetches', async ({ app }) => {
  const { interaction } = await expectConnected(app, '#fetch-chain', '/chain-1');
  const second = await app.waitForSpan(requestSpan('/chain-2'));
  expect(second.parentSpanId).toBe(interaction.spanId);
  expect(interaction.endTime).toBeGreaterThanOrEqual(second.endTime);
  expect(interaction.attributes['clicktrace.interaction.capped']).toBeUndefined();
});

test('a click that starts no work is not exported', async ({ app }) => {
  await app.page.click('#three');
  // A later click, exported once its work is over: the empty one, ended long before, is not.
  await expectConnected(app, '#fetch-listener', '/fetch-listener');
  await app.flush();
  expect(app.exports()).toBeGreaterThan(0);
  expect(rootsNamed(app, /Three listeners/)).toEqual([]);
  expect(await app.page.evaluate(() => (window as unknown as { clicks: number }).clicks)).toBe(3);
});

test('an interaction still busy after 10 s is ended there and marked capped', async ({ app }) => {
  // Playwright's fake clock: the interaction's cap timer and the page's timers run on it.
  await app.page.clock.install();
  await app.page.reload();
  await app.page.waitForFunction(() => (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')]);
  await app.page.click('#forever');
  const client = await app.waitForSpan(requestSpan('/forever'));
  await app.flush();
  expect(rootsNamed(app, /Poll forever/)).toEqual([]);
  await app.page.clock.runFor(10_500);
  const interaction = await app.parentOf(client);
  expect(interaction.attributes['clicktrace.interaction.capped']).toBe(true);
  expect(interaction.endTime - interaction.startTime).toBeGreaterThanOrEqual(9_900);
  expect(interaction.endTime - interaction.startTime).toBeLessThan(11_000);
});

for (const key of ['Enter', 'Space'] as const) {
  test(`${key} on a focused button is one interaction with input 'keyboard'`, async ({ app }) => {
    await app.page.focus('#fetch-listener');
    await app.page.keyboard.press(key === 'Space' ? ' ' : key);
    const seen = await app.waitForRequest(api, '/fetch-listener');
    const client = await app.waitForSpan(requestSpan('/fetch-listener'));
    expect(seen.traceparent).toBe(traceparentOf(client));
    const interaction = await app.parentOf(client);
    expect(interaction).toMatchObject({
      name: 'click button "Fetch in listener"',
      parentSpanId: undefined,
      attributes: { 'clicktrace.event.type': 'click', 'clicktrace.interaction.input': 'keyboard' },
    });
    await app.flush();
    expect(rootsNamed(app, /Fetch in listener/)).toHaveLength(1);
  });
}

test("a programmatic click is marked 'programmatic'", async ({ app }) => {
  await app.page.evaluate(() => document.getElementById('fetch-listener')?.click());
  const client = await app.waitForSpan(requestSpan('/fetch-listener'));
  const interaction = await app.parentOf(client);
  expect(interaction.attributes['clicktrace.interaction.input']).toBe('programmatic');
});

test('a click dispatched inside another click listener runs in the outer interaction', async ({ app }) => {
  const { interaction } = await expectConnected(app, '#outer', '/nested');
  expect(interaction.name).toBe('click button "Outer"');
  await app.flush();
  expect(rootsNamed(app, /Inner/)).toEqual([]);
});

test('a click the page makes from a timer of an open interaction runs in that interaction', async ({
  app,
}) => {
  const { interaction, client } = await expectConnected(app, '#later', '/nested');
  expect(interaction.name).toBe('click button "Later"');
  // Joined, not found by the interaction scope's fallback for code without context.
  expect(client.attributes['clicktrace.parent.source']).toBe('context');
  await app.flush();
  expect(rootsNamed(app, /Inner/)).toEqual([]);
});

test.describe('with a window capture listener added before startTracing', () => {
  test.use({ fixtureQuery: '&earlyCapture' });

  test('a window capture listener the page adds later still runs in the interaction', async ({ app }) => {
    const { interaction, client } = await expectConnected(app, '#capture-fetch', '/capture-fetch');
    expect(interaction.name).toBe('click button "Capture fetch"');
    expect(client.attributes['clicktrace.parent.source']).toBe('context');
  });
});

test('a click on a label and the click the browser forwards to its control are one interaction', async ({
  app,
}) => {
  const { interaction } = await expectConnected(app, '#agree-text', '/agree');
  expect(interaction.name).toBe('click label "Agree to terms"');
  await app.flush();
  expect(
    app.spans.filter((span) => span.parentSpanId === undefined && span.attributes['clicktrace.event.type']),
  ).toHaveLength(1);
});

/** Holds the page's `/slow/<name>` requests until the test releases them (once they arrived). */
async function holdSlowRequests(app: TracedApp): Promise<(name: string) => Promise<void>> {
  const held = new Map<string, () => void>();
  await app.page.route('**/slow/*', async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop() ?? '';
    await new Promise<void>((resolve) => held.set(name, resolve));
    await route.fulfill({ status: 200, body: name });
  });
  return async (name) => {
    await expect.poll(() => held.has(name)).toBe(true);
    held.get(name)?.();
  };
}

test('two overlapping clicks: each fetch is a child of its own click', async ({ app }) => {
  const release = await holdSlowRequests(app);
  // Both requests are held, so both interactions are open together.
  await app.page.click('#slow-a');
  await app.page.click('#slow-b');
  await release('b');
  await release('a');
  const a = await app.waitForSpan(requestSpan('/slow/a'));
  const b = await app.waitForSpan(requestSpan('/slow/b'));
  expect((await app.parentOf(a)).name).toBe('click button "Slow A"');
  expect((await app.parentOf(b)).name).toBe('click button "Slow B"');
  expect(a.traceId).not.toBe(b.traceId);
});

test('a contextless fetch while two interactions overlap joins neither: parent source none', async ({
  app,
}) => {
  const release = await holdSlowRequests(app);
  await app.page.click('#slow-a');
  await app.page.click('#slow-b');
  // page.evaluate runs outside zone.js: no context, like a CDN script.
  await app.page.evaluate(() => void fetch('/same-origin'));
  const contextless = await app.waitForSpan(requestSpan('/same-origin'));
  expect(contextless.parentSpanId).toBeUndefined();
  expect(contextless.attributes['clicktrace.parent.source']).toBe('none');
  await release('a');
  await release('b');
  const a = await app.waitForSpan(requestSpan('/slow/a'));
  const b = await app.waitForSpan(requestSpan('/slow/b'));
  expect(new Set([a.traceId, b.traceId, contextless.traceId]).size).toBe(3);
});

test('a contextless fetch while exactly one interaction is open joins it through the scope', async ({
  app,
}) => {
  const release = await holdSlowRequests(app);
  await app.page.click('#slow-a');
  await app.page.evaluate(() => void fetch('/same-origin'));
  const contextless = await app.waitForSpan(requestSpan('/same-origin'));
  expect(contextless.attributes['clicktrace.parent.source']).toBe('interaction-scope');
  await release('a');
  const a = await app.waitForSpan(requestSpan('/slow/a'));
  expect(contextless.parentSpanId).toBe(a.parentSpanId);
});

test('a fetch after a MessageChannel hop joins the click through the interaction scope', async ({ app }) => {
  const { client } = await expectConnected(app, '#message-hop', '/message-hop');
  expect(client.attributes['clicktrace.parent.source']).toBe('interaction-scope');
});

test('describeTarget names elements by their accessible name, never by user data', async ({ app }) => {
  const names = await app.page.evaluate(() => {
    const { describeTarget, interactionElement, shortName } = (
      window as unknown as {
        clicktraceFixture: {
          describeTarget: (element: Element) => { label?: string; tag: string; id?: string };
          interactionElement: (target: EventTarget | null) => Element | undefined;
          shortName: (description: { label?: string; tag: string; id?: string }) => string;
        };
      }
    ).clicktraceFixture;
    const sandbox = document.createElement('div');
    sandbox.innerHTML = `
      <button id="aria" aria-label="Close dialog">×</button>
      <span id="l1">Delete</span><span id="l2">invoice 42</span>
      <button id="labelledby" aria-labelledby="l1 l2">🗑</button>
      <label for="email">E-mail address</label><input id="email" value="me@example.com" />
      <label>Password <input id="password" type="password" value="hunter2" /></label>
      <input id="secret" type="password" value="hunter2" />
      <input id="search" value="what I typed" placeholder="Search products" />
      <textarea id="notes">private notes</textarea>
      <button id="icon"><img src="data:," alt="Settings" /></button>
      <input id="image" type="image" alt="Go" />
      <input id="submit" type="submit" value="Place order" />
      <button id="titled" title="Refresh"><svg></svg></button>
      <button id="long">  Add   this item to the shopping cart and continue checking out  </button>
      <a href="#x" id="link"><span>Next <b>page</b></span></a>
      <td-like id="cell">Jane Customer</td-like>
      <div id="editor" contenteditable="true"><p id="para">my draft text</p></div>
      <div role="button" id="role">Open menu</div>
      <button id="hidden-part">Save<span aria-hidden="true"> ✓ icon</span></button>`;
    document.body.append(sandbox);
    const name = (id: string) => {
      const element = interactionElement(document.getElementById(id)) as Element;
      return shortName(describeTarget(element));
    };
    const ids = [
      'aria',
      'labelledby',
      'email',
      'password',
      'secret',
      'search',
      'notes',
      'icon',
      'image',
      'submit',
      'titled',
      'long',
      'link',
      'cell',
      'para',
      'role',
      'hidden-part',
    ];
    const result = Object.fromEntries(ids.map((id) => [id, name(id)]));
    sandbox.remove();
    return result;
  });
  expect(names).toEqual({
    aria: 'button "Close dialog"',
    labelledby: 'button "Delete invoice 42"',
    email: 'input "E-mail address"',
    password: 'input "Password"',
    secret: 'input#secret',
    search: 'input "Search products"',
    notes: 'textarea#notes',
    icon: 'button "Settings"',
    image: 'input "Go"',
    submit: 'input "Place order"',
    titled: 'button "Refresh"',
    long: 'button "Add this item to the shopping cart and…"',
    link: 'a "Next page"',
    cell: 'td-like#cell',
    para: 'p#para',
    role: 'div "Open menu"',
    'hidden-part': 'button "Save"',
  });
});

test('flush({ idle }) waits for the click still at work, then exports it with its request', async ({
  app,
}) => {
  // Hold the request, so the click is still open when flush is called.
  let release = (): void => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached = (): void => {};
  const requestReached = new Promise<void>((resolve) => {
    reached = resolve;
  });
  await app.page.route(`${api.origin}/fetch-listener`, async (route) => {
    reached();
    await released;
    await route.continue();
  });
  await app.page.click('#fetch-listener');
  await requestReached;
  let flushSettled = false;
  // Generous idle: only the click's end can let flush go on.
  const flushed = app.page
    .evaluate(() =>
      (
        (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as {
          flush(options: { idle: number }): Promise<void>;
        }
      ).flush({ idle: 60_000 }),
    )
    .finally(() => {
      flushSettled = true;
    });
  // A round trip through the page's next frame and task: a flush that does not wait has resolved by then.
  await app.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))));
  expect(flushSettled, 'flush waits while the click is open').toBe(false);
  release();
  await flushed;
  // By the time flush resolved, the click's span and its request's span were exported.
  const click = app.spans.find((span) => span.attributes['clicktrace.target.id'] === 'fetch-listener');
  expect(click, 'the click span was exported before flush resolved').toBeDefined();
  expect(click?.parentSpanId).toBeUndefined();
  const request = app.spans.find(requestSpan('/fetch-listener'));
  expect(request?.parentSpanId).toBe(click?.spanId);
  expect(request?.traceId).toBe(click?.traceId);
});

test('flush({ idle }) gives up waiting after idle ms and exports what has ended', async ({ app }) => {
  // One click whose work is over, then one whose request is never answered.
  await app.page.click('#fetch-timeout');
  await app.waitForRequest(api, '/fetch-timeout');
  await app.page.route(`${api.origin}/fetch-listener`, () => {}); // never answered
  await app.page.click('#fetch-listener');
  // Measured in the page, on its own clock: how long flush waited before it gave up.
  const waited = await app.page.evaluate(async () => {
    const tracing = (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as {
      flush(options: { idle: number }): Promise<void>;
    };
    const start = performance.now();
    await tracing.flush({ idle: 300 });
    return performance.now() - start;
  });
  expect(waited, 'flush waited for the open click, up to idle').toBeGreaterThanOrEqual(300);
  // What had ended was exported by that flush; the click still at work was not.
  const ended = app.spans.find((span) => span.attributes['clicktrace.target.id'] === 'fetch-timeout');
  expect(ended, 'the ended click was exported').toBeDefined();
  expect(app.spans.find(requestSpan('/fetch-timeout'))?.parentSpanId).toBe(ended?.spanId);
  expect(
    app.spans.filter((span) => span.attributes['clicktrace.target.id'] === 'fetch-listener'),
  ).toHaveLength(0);
});

for (const client of ['fetch', 'xhr'] as const) {
  for (const from of ['same-origin', 'cross-origin'] as const) {
    test(`a ${client} to an allowed ${from} URL redirected to a third party: its span names where the trace headers went`, async ({
      app,
    }) => {
      const landing = `/landed-${client}-${from}`;
      const start = from === 'same-origin' ? fixtures.origin : api.origin;
      const url = `${start}/redirect?to=${encodeURIComponent(other.origin + landing)}`;
      await app.page.evaluate(
        ([client, url]) =>
          client === 'fetch'
            ? fetch(url).then((response) => response.text())
            : new Promise((resolve) => {
                const xhr = new XMLHttpRequest();
                xhr.open('GET', url);
                xhr.onloadend = resolve;
                xhr.send();
              }),
        [client, url] as const,
      );
      // What no page script can prevent: the browser copied the headers onto the redirect.
      const landed = await app.waitForRequest(other, landing);
      expect(landed.traceparent).toBeDefined();
      // So it is told: the span of the request says where they went.
      const span = await app.waitForSpan(
        (candidate) =>
          candidate.kind === SPAN_KIND.CLIENT &&
          String(candidate.attributes['url.full']).includes(landing.slice(1)),
      );
      expect(landed.traceparent).toBe(traceparentOf(span));
      expect(span.attributes['clicktrace.trace_headers.redirected_to']).toBe(other.origin);
    });
  }
}

test('a request redirected within allowed origins records no redirect', async ({ app }) => {
  const url = `${fixtures.origin}/redirect?to=${encodeURIComponent(`${api.origin}/landed-allowed`)}`;
  await app.page.evaluate((url) => fetch(url).then((response) => response.text()), url);
  await app.waitForRequest(api, '/landed-allowed');
  const span = await app.waitForSpan(
    (candidate) =>
      candidate.kind === SPAN_KIND.CLIENT &&
      String(candidate.attributes['url.full']).includes('landed-allowed'),
  );
  expect(span.attributes['clicktrace.trace_headers.redirected_to']).toBeUndefined();
});
