import { test as base, expect, type Page } from '@playwright/test';
import { captureOtlp, type ExportedSpan, SPAN_KIND } from './otlp-capture.js';
import { type RecordingApi, type SeenRequest, startFixtureServer, startRecordingApi } from './servers.js';

let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let api: RecordingApi;
let other: RecordingApi;

base.beforeAll(async () => {
  [fixtures, api, other] = await Promise.all([
    startFixtureServer(),
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

const test = base.extend<{ app: TracedApp }>({
  app: async ({ page }, use) => {
    api.seen.length = 0;
    other.seen.length = 0;
    const { spans, exports } = await captureOtlp(page);
    const sameOriginTraceparents: Array<string | undefined> = [];
    await page.route('**/same-origin', async (route) => {
      sameOriginTraceparents.push(route.request().headers().traceparent);
      await route.fulfill({ status: 200, body: 'ok' });
    });
    await page.goto(`${fixtures.origin}/index.html?api=${api.origin}&other=${other.origin}`);
    await page.waitForFunction(() => (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')]);
    const flush = () =>
      page.evaluate(() =>
        (
          (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as { flush(): Promise<void> }
        ).flush(),
      );
    async function waitForSpan(predicate: (span: ExportedSpan) => boolean): Promise<ExportedSpan> {
      await expect
        .poll(
          async () => {
            await flush();
            return spans.some(predicate);
          },
          { timeout: 10_000, intervals: [100, 200, 400] },
        )
        .toBe(true);
      return spans.find(predicate) as ExportedSpan;
    }
    async function waitForRequest(server: RecordingApi, path: string): Promise<SeenRequest> {
      await expect.poll(() => server.seen.some((seen) => seen.path === path), { timeout: 10_000 }).toBe(true);
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

function traceparentOf(span: ExportedSpan): string {
  return `00-${span.traceId}-${span.spanId}-01`;
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
    },
    resource: { 'service.name': 'fixture-web', 'telemetry.sdk.language': 'webjs' },
  });
  expect(String(interaction.resource['user_agent.original'])).toContain('Chrome');
  await app.page.waitForTimeout(300);
  await app.flush();
  expect(app.spans.filter((span) => span.attributes['clicktrace.event.type'])).toHaveLength(1);
  expect(await app.page.evaluate(() => (window as unknown as { clicks: number }).clicks)).toBe(3);
});

test('a fetch in a click listener is a child of the click and carries its traceparent', async ({ app }) => {
  const { client, interaction } = await expectConnected(app, '#fetch-listener', '/fetch-listener');
  expect(interaction.name).toBe('click button "Fetch in listener"');
  expect(client.attributes['http.request.method']).toBe('GET');
});

test('an XHR in a click listener is a child of the click', async ({ app }) => {
  await expectConnected(app, '#xhr-listener', '/xhr-listener');
});

test('a fetch from a setTimeout in the listener is a child of the click', async ({ app }) => {
  await expectConnected(app, '#fetch-timeout', '/fetch-timeout');
});

test('a fetch from a .then in the listener is a child of the click', async ({ app }) => {
  await expectConnected(app, '#fetch-then', '/fetch-then');
});

test('an onclick property handler is traced', async ({ app }) => {
  await expectConnected(app, '#onclick-property', '/onclick-property');
});

test('an inline onclick="" attribute with a synchronous fetch is traced', async ({ app }) => {
  await expectConnected(app, '#inline', '/inline');
});

test('a listener delegated at the document root (React style) is traced', async ({ app }) => {
  const { interaction } = await expectConnected(app, '#delegated span', '/delegated');
  // The span inside the button was clicked; the button is what gets named.
  expect(interaction.name).toBe('click button "Delegated"');
});

test('a submit starts its own root span and its fetch is a child of it', async ({ app }) => {
  const { interaction } = await expectConnected(app, '#place-order', '/submit', 'submit');
  expect(interaction.name).toBe('submit form "checkout"');
  expect(interaction.attributes['clicktrace.target.tag']).toBe('form');
  const click = await app.waitForSpan((span) => span.name === 'click button "Place order"');
  expect(click.parentSpanId).toBeUndefined();
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

test("the exporter's own requests make no spans", async ({ app }) => {
  await expectConnected(app, '#fetch-listener', '/fetch-listener');
  await app.flush();
  await app.page.waitForTimeout(600);
  await app.flush();
  expect(app.exports()).toBeGreaterThan(0);
  expect(app.spans.filter((span) => JSON.stringify(span.attributes).includes('/v1/traces'))).toEqual([]);
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

test('records: a fetch after a native await in a listener', async ({ app }) => {
  const { client: before, interaction } = await expectConnected(app, '#await', '/before-await');
  const after = await app.waitForSpan(requestSpan('/after-await'));
  const seen = await app.waitForRequest(api, '/after-await');
  const connected = after.traceId === interaction.traceId;
  test.info().annotations.push({
    type: 'observed',
    description:
      `fetch before await: child of click = ${before.parentSpanId === interaction.spanId}; ` +
      `fetch after native await: same trace as click = ${connected}, parent = ${after.parentSpanId ?? 'none (root)'}, ` +
      `server traceparent = ${seen.traceparent}`,
  });
  process.stdout.write(`observed: ${test.info().annotations.at(-1)?.description}\n`);
  // Not asserted as a feature: zone.js cannot follow native await (the later Vite plugin lowers it).
  expect(seen.traceparent).toBe(traceparentOf(after));
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
  const exportsBefore = app.exports();
  await app.page.click('#fetch-listener');
  const seen = await app.waitForRequest(api, '/fetch-listener');
  expect(seen.traceparent).toBeUndefined();
  await app.page.waitForTimeout(500);
  expect(app.exports()).toBe(exportsBefore);
});
