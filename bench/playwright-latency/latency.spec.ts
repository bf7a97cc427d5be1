import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, Trace } from '@clicktrace/playwright';
import type { BrowserContext, Page, Request } from '@playwright/test';

// Click on Checkout → trace in hand, for the demo shop's production build, RUNS times per variant,
// the two variants alternating (clicktrace, stock, stock, clicktrace, …):
// - clicktrace: `traces.waitForTrace(QUERY)` as the package ships it: before each look at the
//   collector (every 50 ms) it flushes the page's SDK; the API exports every 100 ms
//   (OTEL_BSP_SCHEDULE_DELAY=100, set by defineConfig).
// - stock: nothing is flushed. The same query is polled on the collector's HTTP API every 50 ms
//   until the spans arrive on the SDKs' own batch timers: the API's BatchSpanProcessor at its stock
//   5 s delay, the page's at the web SDK's (@clicktrace/web builds its BatchSpanProcessor without a
//   delay, and the browser build reads no OTEL_BSP_* variable: the stock 5 000 ms).
// Each variant keeps one page for the whole run, reloaded before every checkout. Run 0 of each
// warms the page up and is marked `discarded`. Durations go to LATENCY_OUT (run.mjs reads it).

type Variant = 'clicktrace' | 'stock';
type Span = Trace['spans'][number];

const RUNS = Number(process.env.RUNS ?? 15);
const VARIANTS: Variant[] =
  process.env.VARIANT === 'clicktrace' || process.env.VARIANT === 'stock'
    ? [process.env.VARIANT]
    : ['clicktrace', 'stock'];
const OUT = process.env.LATENCY_OUT ?? fileURLToPath(new URL('./out/latency.json', import.meta.url));
const COLLECTOR = process.env.CLICKTRACE_COLLECTOR_URL ?? '';
const WEB_URLS: Record<Variant, string> = {
  clicktrace: `http://127.0.0.1:${process.env.LATENCY_WEB_PORT}`,
  stock: `http://127.0.0.1:${process.env.LATENCY_STOCK_WEB_PORT}`,
};
// Opt-in (BREAKDOWN=1): a second poller records when each part of the trace reached the collector.
// It adds load on the collector while the clock runs, so its runs are not the headline figures.
const BREAKDOWN = process.env.BREAKDOWN === '1';

const ROOT = /^click button "Checkout"/;
const THROUGH = [
  { name: 'POST /api/inventory/reserve', kind: 'SERVER' as const },
  { name: 'GET /api/items', kind: 'SERVER' as const },
];
const POLL_INTERVAL_MS = 50; // the same as waitForTrace's
const SETTLE_MS = 2_000; // the same as waitForTrace's default

/**
 * One browser context and page per variant for the whole worker, so that a reload, not a fresh
 * page, comes between two checkouts. Playwright's `context` and `page` are replaced by the
 * variant's; the `traces` fixture, which depends on `context`, routes that page's exports to
 * the collector (each test's routing is registered last, so it is the one that answers).
 */
const test = base.extend<
  { variant: Variant },
  { shopPages: Map<Variant, { context: BrowserContext; page: Page }> }
>({
  variant: ['clicktrace', { option: true }],
  shopPages: [
    async ({ browser }, use) => {
      const pages = new Map<Variant, { context: BrowserContext; page: Page }>();
      for (const variant of VARIANTS) {
        const context = await browser.newContext({ baseURL: WEB_URLS[variant] });
        pages.set(variant, { context, page: await context.newPage() });
      }
      await use(pages);
      for (const { context } of pages.values()) await context.close();
    },
    { scope: 'worker' },
  ],
  context: async ({ shopPages, variant }, use) => {
    await use(shopPages.get(variant)?.context as BrowserContext);
  },
  page: async ({ shopPages, variant }, use) => {
    await use(shopPages.get(variant)?.page as Page);
  },
});

for (let run = 0; run < RUNS; run++) {
  const order = run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
  for (const variant of order) {
    test.describe(`${variant}`, () => {
      test.use({ variant });
      test(`checkout ${run}`, async ({ page, context, traces }) => {
        if (page.url() === 'about:blank') await page.goto('/');
        else await page.reload();
        await expect(page.getByTestId('status')).toHaveText('ready');
        await page.getByRole('button', { name: 'Add Green tea' }).click();
        await expect(page.getByTestId('cart')).toHaveText('tea');
        const checkout = page.getByRole('button', { name: 'Checkout' });
        await expect(checkout).toBeEnabled();

        const before = new Set((await collectorSummaries()).map((summary) => summary.traceId));
        const exports: PageExport[] = [];
        const onRequest = (request: Request) => {
          if (request.method() !== 'POST' || !request.url().endsWith('/v1/traces')) return;
          // Only the click's own span is named with a capital C ("click button \"Checkout\"").
          exports.push({ at: Date.now(), root: (request.postData() ?? '').includes('Checkout') });
        };
        context.on('request', onRequest);
        const observer = BREAKDOWN ? observeArrivals(before) : undefined;
        if (BREAKDOWN) await page.evaluate(probeSpanEnds);

        const t0 = performance.now();
        const t0Wall = Date.now();
        await checkout.click();
        const trace =
          variant === 'clicktrace'
            ? await traces.waitForTrace({ root: ROOT, through: THROUGH })
            : await waitWithoutFlush(before);
        const ms = performance.now() - t0;

        context.off('request', onRequest);
        const arrivals = await observer?.stop();
        const ends = BREAKDOWN
          ? await page.evaluate(() => (globalThis as unknown as { __latencyEnds: SpanEnd[] }).__latencyEnds)
          : undefined;
        await expect(page.getByTestId('status')).toContainText('placed');
        expect(trace).toBeConnected();
        record({
          variant,
          run,
          discarded: run === 0,
          ms: round(ms),
          breakdown: breakdown(trace, t0Wall, exports, arrivals?.get(trace.traceId), ends),
        });
      });
    });
  }
}

/** `waitForTrace`'s loop without its flush: the spans come when the SDKs export them on their own. */
async function waitWithoutFlush(before: ReadonlySet<string>, timeout = 20_000): Promise<Trace> {
  const deadline = Date.now() + timeout;
  const cache = new Map<string, { spanCount: number; trace: Trace }>();
  let matchedAt: number | undefined;
  for (;;) {
    let found: Trace | undefined;
    for (const summary of await collectorSummaries()) {
      if (before.has(summary.traceId)) continue;
      let cached = cache.get(summary.traceId);
      if (cached?.spanCount !== summary.spanCount) {
        cached = {
          spanCount: summary.spanCount,
          trace: new Trace(summary.traceId, await collectorSpans(summary.traceId)),
        };
        cache.set(summary.traceId, cached);
      }
      if (matches(cached.trace)) {
        found = cached.trace;
        break;
      }
    }
    if (found) {
      matchedAt ??= Date.now();
      if (found.orphans.length === 0 || Date.now() - matchedAt >= SETTLE_MS) return found;
    }
    if (Date.now() >= deadline)
      throw new Error(`no checkout trace reached the collector within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** The query `waitForTrace` is given: a root span named so, and a span matching each step. */
function matches(trace: Trace): boolean {
  return (
    trace.filter(ROOT).some((span) => span.parentSpanId === undefined) &&
    THROUGH.every((step) => trace.find(step) !== undefined)
  );
}

interface Summary {
  traceId: string;
  spanCount: number;
  serviceNames: string[];
}

async function collectorSummaries(): Promise<Summary[]> {
  const response = await fetch(`${COLLECTOR}/api/traces`);
  return ((await response.json()) as { traces: Summary[] }).traces;
}

async function collectorSpans(traceId: string): Promise<Span[]> {
  const response = await fetch(`${COLLECTOR}/api/traces/${traceId}`);
  return ((await response.json()) as { spans: Span[] }).spans;
}

/** BREAKDOWN=1: every 5 ms, when each new trace's span count and services changed (wall clock). */
function observeArrivals(before: ReadonlySet<string>) {
  const seen = new Map<string, Array<{ at: number; spanCount: number; services: string[] }>>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      for (const summary of await collectorSummaries()) {
        if (before.has(summary.traceId)) continue;
        const history = seen.get(summary.traceId) ?? [];
        if (history.at(-1)?.spanCount !== summary.spanCount) {
          history.push({ at, spanCount: summary.spanCount, services: summary.serviceNames });
          seen.set(summary.traceId, history);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return seen;
    },
  };
}

interface PageExport {
  at: number;
  /** Whether it carried the click's span. */
  root: boolean;
}

interface SpanEnd {
  name: string;
  at: number;
}

/**
 * BREAKDOWN=1, in the page: records when each span is ended (the moment `end()` is called, which
 * for the interaction span is after its quiet window), by adding a span processor of our own next
 * to the SDK's through the OpenTelemetry API's global registry. Diagnostic only: it reaches into
 * the SDK's private fields (`_delegate`, `_activeSpanProcessor`, `_spanProcessors`).
 */
function probeSpanEnds(): void {
  const g = globalThis as unknown as Record<string | symbol, unknown>;
  const registry = g[Symbol.for('opentelemetry.js.api.1')] as { trace: { _delegate?: unknown } };
  const provider = (registry.trace._delegate ?? registry.trace) as {
    _activeSpanProcessor: { _spanProcessors: unknown[] };
  };
  const ends: SpanEnd[] = [];
  g.__latencyEnds = ends;
  provider._activeSpanProcessor._spanProcessors.push({
    onStart() {},
    onEnd(span: { name: string }) {
      ends.push({ name: span.name, at: performance.timeOrigin + performance.now() });
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  });
}

/** Where the time went, in ms after the moment just before `click()`, from the spans' own clocks. */
function breakdown(
  trace: Trace,
  t0Wall: number,
  exports: PageExport[],
  arrivals: Array<{ at: number; spanCount: number; services: string[] }> | undefined,
  ends: SpanEnd[] | undefined,
) {
  const ms = (nano: string) => round(Number(BigInt(nano) / 1000n) / 1000 - t0Wall);
  const since = (at: number | undefined) => (at === undefined ? undefined : round(at - t0Wall));
  const root = trace.spans.find((span) => span.parentSpanId === undefined) as Span;
  const api = trace.spans.filter((span) => span.serviceName !== 'shop-web');
  const apiEnds = api.map((span) => ms(span.endTimeUnixNano));
  return {
    // The click event (the interaction span starts with it).
    clickEvent: ms(root.startTimeUnixNano),
    // The interaction's last work (its span's end time); the span is ended, and so can be
    // exported, once it stayed idle for the quiet window (INTERACTION_QUIET_MS, 50) after that.
    interactionWorkEnd: ms(root.endTimeUnixNano),
    // The API's first span of the trace to end (which starts its batch timer if its queue was
    // empty), and its last.
    firstApiSpanEnd: Math.min(...apiEnds),
    lastApiSpanEnd: Math.max(...apiEnds),
    spans: trace.spans.length,
    // The page's OTLP export requests after the click (the fixture's flushes, or its batch
    // timer), and the first that carried the click's span.
    pageExports: exports.map((e) => e.at - t0Wall),
    rootExport: since(exports.find((e) => e.root)?.at),
    // BREAKDOWN=1 only: when the page called end() on the click's span (after the quiet window),
    rootEnded: since(ends?.find((e) => ROOT.test(e.name))?.at),
    // when the collector first held API spans of the trace, and when it held all its spans,
    apiArrived: since(arrivals?.find((a) => a.services.some((name) => name !== 'shop-web'))?.at),
    allArrived: since(arrivals?.find((a) => a.spanCount >= trace.spans.length)?.at),
    // and each change of the collector's span count for this trace.
    arrivals: arrivals?.map((arrival) => ({ ...arrival, at: arrival.at - t0Wall })),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Appends to the JSON file (read back each time: a worker restarted after a failure starts afresh). */
function record(entry: object): void {
  mkdirSync(dirname(OUT), { recursive: true });
  const entries = existsSync(OUT) ? (JSON.parse(readFileSync(OUT, 'utf8')) as object[]) : [];
  entries.push(entry);
  writeFileSync(OUT, `${JSON.stringify(entries, null, 2)}\n`);
}
