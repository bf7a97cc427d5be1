import { test as base, expect, type Page } from '@playwright/test';
import { type ExportedSpan, pollForSpan, SPAN_KIND } from './otlp-capture.js';
import { type OtlpServer, startOtlpServer } from './otlp-server.js';
import { type PageServer, type RecordingApi, startPageServer, startRecordingApi } from './servers.js';

// startTracing's production options (headers, resourceAttributes, instrumentations, spanProcessors)
// on fixtures-options/, in Chromium, exporting to a real OTLP/HTTP collector on another origin.

let fixtures: PageServer;
let api: RecordingApi;

base.beforeAll(async () => {
  [fixtures, api] = await Promise.all([
    startPageServer('test/browser/fixtures-options'),
    startRecordingApi(),
  ]);
});

base.afterAll(async () => {
  await Promise.all([fixtures?.close(), api?.close()]);
});

/** What fixtures-options/main.ts publishes as `window.fixture`. */
interface FixtureState {
  diagnostics: string[];
  calls: string[];
  secondBackend: string[];
  checkoutIsTraced: boolean;
}

/** The running instance, as startTracing publishes it on the page. */
interface Running {
  flush(options?: { idle?: number }): Promise<void>;
  shutdown(): Promise<void>;
}

interface OptionsPage {
  page: Page;
  collector: OtlpServer;
  /** Opens the fixture page with these query parameters (besides endpoint and api). */
  open(query?: Record<string, string>): Promise<void>;
  flush(options?: { idle?: number }): Promise<void>;
  shutdown(): Promise<void>;
  /** Flushes until a span matches, then returns it. */
  waitForSpan(predicate: (span: ExportedSpan) => boolean): Promise<ExportedSpan>;
  state(): Promise<FixtureState>;
}

const test = base.extend<{ options: OptionsPage }>({
  options: async ({ page }, use) => {
    const collector = await startOtlpServer();
    async function open(query: Record<string, string> = {}): Promise<void> {
      const search = new URLSearchParams({ endpoint: collector.url, api: api.origin, ...query });
      await page.goto(`${fixtures.origin}/index.html?${search}`);
      await page.waitForFunction(() => (globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')]);
    }
    const flush = (options?: { idle?: number }) =>
      page.evaluate(
        (o) => ((globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as Running).flush(o),
        options,
      );
    const waitForSpan = (predicate: (span: ExportedSpan) => boolean) =>
      pollForSpan(() => collector.spans(), flush, predicate);
    const state = () =>
      page.evaluate(() => {
        const fixture = (window as unknown as { fixture: Record<string, unknown> }).fixture;
        return {
          diagnostics: [...(fixture.diagnostics as string[])],
          calls: [...(fixture.calls as string[])],
          secondBackend: (fixture.secondBackend as () => string[])(),
          checkoutIsTraced: (fixture.checkoutIsTraced as () => boolean)(),
        };
      });
    const shutdown = () =>
      page.evaluate(() =>
        ((globalThis as Record<symbol, unknown>)[Symbol.for('clicktrace.web')] as Running).shutdown(),
      );
    await use({ page, collector, open, flush, shutdown, waitForSpan, state });
    await collector.close();
  },
});

const named = (name: string) => (span: ExportedSpan) => span.name === name;

test.describe('instrumentations', () => {
  test("the stock document-load instrumentation's spans reach the collector with our resource", async ({
    options,
  }) => {
    await options.open();
    const documentLoad = await options.waitForSpan(named('documentLoad'));
    expect(documentLoad).toMatchObject({
      kind: SPAN_KIND.INTERNAL,
      parentSpanId: undefined,
      resource: { 'service.name': 'options-web', 'deployment.environment.name': 'test' },
    });
    expect(documentLoad.attributes['url.full']).toContain('/index.html');
    const documentFetch = await options.waitForSpan(named('documentFetch'));
    expect(documentFetch).toMatchObject({ traceId: documentLoad.traceId, parentSpanId: documentLoad.spanId });
  });

  test("an instrumentation's span started in the active context is a child of the click", async ({
    options,
  }) => {
    await options.open();
    await options.page.click('#checkout');
    await expect(options.page.locator('#result')).toHaveText('checked out');
    const checkout = await options.waitForSpan(named('checkout'));
    const click = await options.waitForSpan((span) => span.spanId === checkout.parentSpanId);
    expect(click).toMatchObject({
      name: 'click button "Checkout"',
      traceId: checkout.traceId,
      parentSpanId: undefined,
    });
    expect(checkout.resource['service.name']).toBe('options-web');
  });

  test('one made after the load event, which enabled itself, is not enabled twice: one documentLoad', async ({
    options,
  }) => {
    await options.open({ late: '' });
    await options.waitForSpan(named('documentLoad'));
    // A second enable() would have queued its collection right behind the first one's: both have
    // run by now, and this flush exports whatever they made.
    await options.flush();
    expect(options.collector.spans().filter(named('documentLoad'))).toHaveLength(1);
  });

  test('shutdown disables them', async ({ options }) => {
    await options.open();
    expect((await options.state()).checkoutIsTraced).toBe(true);
    await options.shutdown();
    expect((await options.state()).checkoutIsTraced).toBe(false);
  });

  test('one that throws is reported through diag; startTracing and the others go on', async ({ options }) => {
    await options.open({ throwing: '' });
    expect((await options.state()).diagnostics).toContain(
      'clicktrace: instrumentation fixture-throws failed to start',
    );
    // Listed after the one that throws, and only enabled by startTracing.
    await options.page.click('#checkout');
    const checkout = await options.waitForSpan(named('checkout'));
    expect(checkout.parentSpanId).toBeDefined();
  });
});

test.describe('spanProcessors', () => {
  test('see every span, the empty clicks we drop included; flush() and shutdown() reach them', async ({
    options,
  }) => {
    await options.open();
    await options.page.click('#nothing');
    await options.page.click('#checkout');
    await options.waitForSpan(named('click button "Checkout"'));
    // The empty click ended before the checkout click began: had we exported it, it would be here.
    expect(options.collector.spans().filter(named('click button "Nothing"'))).toEqual([]);
    const { calls } = await options.state();
    for (const name of ['click button "Nothing"', 'click button "Checkout"', 'checkout']) {
      expect(calls).toContain(`onStart ${name}`);
      expect(calls).toContain(`onEnd ${name}`);
    }
    expect(calls).toContain('forceFlush');
    expect(calls).not.toContain('shutdown');
    await options.shutdown();
    expect((await options.state()).calls.at(-1)).toBe('shutdown');
  });

  test("a batch processor of the user's own exports on flush() and does not hold the click open", async ({
    options,
  }) => {
    await options.open();
    await options.waitForSpan(named('documentLoad'));
    expect((await options.state()).secondBackend).toContain('documentLoad');
    // Nothing buffered, no timer: the checkout span's end arms the user's 60 s export timer. Were it
    // counted as the click's work, the click would stay open until its 10 s cap.
    await options.page.click('#checkout');
    await options.flush({ idle: 5_000 });
    expect(options.collector.spans().map((span) => span.name)).toContain('click button "Checkout"');
    const click = options.collector.spans().find(named('click button "Checkout"')) as ExportedSpan;
    expect(click.attributes['clicktrace.interaction.capped']).toBeUndefined();
    expect((await options.state()).secondBackend).toEqual(
      expect.arrayContaining(['checkout', 'click button "Checkout"']),
    );
  });

  test('one that throws and rejects breaks neither the page nor the processors after it', async ({
    options,
  }) => {
    await options.open({ throwing: '' });
    await options.page.click('#app-span');
    await expect(options.page.locator('#result')).toHaveText('app work done');
    const appWork = await options.waitForSpan(named('app work'));
    const click = await options.waitForSpan(named('click button "App span"'));
    expect(appWork.parentSpanId).toBe(click.spanId);
    expect(click.attributes['clicktrace.interaction.capped']).toBeUndefined();
    await options.page.click('#fetch');
    await options.waitForSpan((span) => span.kind === SPAN_KIND.CLIENT);
    await options.shutdown();
    const { calls, diagnostics } = await options.state();
    expect(calls).toEqual(expect.arrayContaining(['onStart app work', 'onEnd app work', 'shutdown']));
    for (const method of ['onStart', 'onEnd', 'forceFlush', 'shutdown']) {
      expect(diagnostics).toContain(`clicktrace: span processor FailingProcessor threw in ${method}`);
    }
    expect(diagnostics).not.toContain('clicktrace: flush failed');
  });
});

test.describe('resourceAttributes', () => {
  test('are on every span; service.name is serviceName', async ({ options }) => {
    await options.open();
    await options.page.click('#fetch');
    const request = await options.waitForSpan((span) => span.kind === SPAN_KIND.CLIENT);
    expect(request.resource).toMatchObject({
      'service.name': 'options-web',
      'deployment.environment.name': 'test',
      'app.build': '7',
      'telemetry.sdk.language': 'webjs',
    });
    expect(String(request.resource['user_agent.original'])).toContain('Chrome');
    expect((await options.state()).diagnostics).toContain(
      "clicktrace: resourceAttributes['service.name'] is ignored: serviceName sets it",
    );
  });
});

test.describe('headers', () => {
  const headers = JSON.stringify({ 'X-Ingest-Key': 'k3y', 'x-team': 'shop' });

  test('go with every export request, allowed by the preflight; content-type stays ours', async ({
    options,
  }) => {
    await options.open({ headers });
    await options.page.click('#checkout');
    await options.waitForSpan(named('click button "Checkout"'));
    expect(options.collector.exports.length).toBeGreaterThan(0);
    for (const received of options.collector.exports) {
      expect(received.headers).toMatchObject({
        'x-ingest-key': 'k3y',
        'x-team': 'shop',
        'content-type': 'application/json',
      });
    }
    // Custom headers make the export preflighted (content-type application/json already does).
    expect(options.collector.preflights.at(-1)?.split(',').sort()).toEqual([
      'content-type',
      'x-ingest-key',
      'x-team',
    ]);
  });

  test('go with what is exported as the page goes away (keepalive fetch, not sendBeacon)', async ({
    options,
  }) => {
    await options.open({ headers });
    await options.page.click('#checkout');
    await expect(options.page.locator('#result')).toHaveText('checked out');
    // The checkout span has ended and waits in the batch (5 s): leaving the page flushes it.
    const leftAt = Date.now();
    await options.page.goto('about:blank');
    await expect
      .poll(() => options.collector.exports.filter((received) => received.spans.some(named('checkout'))), {
        timeout: 0,
      })
      .toHaveLength(1);
    const [received] = options.collector.exports.filter((r) => r.spans.some(named('checkout')));
    expect(received?.receivedAt).toBeGreaterThanOrEqual(leftAt);
    expect(received?.headers).toMatchObject({ 'x-ingest-key': 'k3y', 'content-type': 'application/json' });
  });

  test('go with every export of a hidden page in a browser without keepalive: never sendBeacon', async ({
    options,
  }) => {
    // As in a browser without keepalive fetch (Firefox before 133), where the exporter hands the
    // requests of a hidden page to sendBeacon. A beacon cannot carry headers (and, sent with
    // credentials, is refused by a collector that allows any origin): with headers, the exporter
    // must use fetch, or this export never arrives.
    await options.page.addInitScript(() => {
      delete (Request.prototype as { keepalive?: boolean }).keepalive;
    });
    await options.open({ headers });
    await options.page.click('#checkout');
    await expect(options.page.locator('#result')).toHaveText('checked out');
    await options.page.evaluate(() => {
      // Hidden, as when the user switches tabs: the page stays alive, so a fetch completes too.
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(() => options.collector.spans().some(named('checkout')), { timeout: 0 }).toBe(true);
    for (const received of options.collector.exports) {
      expect(received.headers).toMatchObject({ 'x-ingest-key': 'k3y', 'content-type': 'application/json' });
    }
  });
});

test('bad values of the new options make startTracing throw a TypeError', async ({ options }) => {
  await options.open();
  const results = await options.page.evaluate(() => {
    const { startTracing } = (window as unknown as { fixture: { startTracing: (o: unknown) => unknown } })
      .fixture;
    const attempt = (extra: Record<string, unknown>) => {
      try {
        startTracing({ serviceName: 'again', ...extra });
        return 'no error';
      } catch (error) {
        return error instanceof TypeError ? 'TypeError' : String(error);
      }
    };
    return [
      attempt({ headers: { 'x key': 'k' } }),
      attempt({ headers: { cookie: 'a=b' } }),
      attempt({ headers: { 'x-key': 'k\ny' } }),
      attempt({ headers: new Headers({ 'x-key': 'k' }) }),
      attempt({ resourceAttributes: [['k', 'v']] }),
      attempt({ instrumentations: {} }),
      attempt({ instrumentations: [{ enable() {} }] }),
      attempt({ spanProcessors: [{}] }),
    ];
  });
  expect(results).toEqual(Array(8).fill('TypeError'));
});
