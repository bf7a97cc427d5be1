/**
 * What the viewer's Chromium tests share: the browser, a page that records what must not
 * happen, readers of what the page draws, and real spans: made by the OpenTelemetry SDK and
 * posted as OTLP/JSON by the stock exporter to a real collector.
 */
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { type Browser, chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../../../scripts/chromium.mjs';
import type { Collector, StoredSpan } from '../src/index.js';

export function launchChromium(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions);
}

export interface WatchedPage {
  page: Page;
  /** Dialogs opened (a script from the data ran) and uncaught script errors. */
  dialogs: string[];
  errors: string[];
  /** Every URL the page requested. */
  requests: string[];
}

/** A new page that records dialogs, script errors and requests. */
export async function watchedPage(
  browser: Browser,
  viewport = { width: 1200, height: 800 },
): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport });
  const watched: WatchedPage = { page, dialogs: [], errors: [], requests: [] };
  page.on('dialog', (dialog) => {
    watched.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => watched.errors.push(error.message));
  page.on('request', (request) => watched.requests.push(request.url()));
  return watched;
}

/** One line of the waterfall as drawn: a span row or a break's marker. */
export type DrawnLine =
  | { span: string; kind: string; depth: number; joined?: true }
  | { break: string; depth: number };

/**
 * The waterfall's lines as the page shows them: a span row's visible label (name and route)
 * and kind, its indent in levels, whether it belongs to a joined trace; a marker's kind in
 * words.
 */
export async function drawnLines(page: Page): Promise<DrawnLine[]> {
  await page.locator('#waterfall .row .bar').first().waitFor({ timeout: 5000 });
  return page.locator('#waterfall .row:not(.axis-row)').evaluateAll((rows) =>
    rows.map((row) => {
      const indent = (element: Element | null) =>
        Number(/padding-left:\s*(\d+)px/.exec(element?.getAttribute('style') ?? '')?.[1] ?? '0') / 16;
      const marker = row.querySelector('.break');
      if (marker)
        return { break: marker.querySelector('.break-kind')?.textContent ?? '', depth: indent(row) };
      const label = row.querySelector('.label') as HTMLElement;
      const kind = label.querySelector('.kind')?.textContent ?? '';
      const words = [...label.children].filter((child) => child.matches('.name, .route'));
      const line: DrawnLine = {
        span: words.map((word) => word.textContent).join(' '),
        kind,
        depth: indent(label),
      };
      return row.classList.contains('joined') ? { ...line, joined: true as const } : line;
    }),
  );
}

/** The names of the traces the list shows, top to bottom. */
export function listedNames(page: Page): Promise<string[]> {
  return page.locator('#list .trace .name > span:first-child').allTextContents();
}

/** Tracers of several services, whose spans go to `collector` as OTLP/JSON when `emit` returns. */
export async function sendSpans(
  collector: Collector,
  services: readonly string[],
  emit: (tracers: Record<string, Tracer>) => void,
): Promise<void> {
  const providers = services.map(
    (service) =>
      new TracerProvider({
        resource: resourceFromAttributes({ 'service.name': service }),
        spanProcessors: [
          new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${collector.url}/v1/traces` }) }),
        ],
      }),
  );
  emit(
    Object.fromEntries(
      services.map((service, i) => [service, providers[i]?.getTracer('viewer-test') as Tracer]),
    ),
  );
  // forceFlush resolves once the collector answered: the spans are in its store.
  await Promise.all(providers.map((provider) => provider.forceFlush()));
  await Promise.all(providers.map((provider) => provider.shutdown()));
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  parent?: Span;
  error?: string;
}

/** Starts a span, as a child of `parent` when given; the caller ends it. */
export function start(
  tracer: Tracer,
  name: string,
  { kind, attributes, parent, error }: SpanOptions = {},
): Span {
  const parentContext = parent ? trace.setSpan(context.active(), parent) : context.active();
  const span = tracer.startSpan(name, { kind: kind ?? SpanKind.INTERNAL, attributes }, parentContext);
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  return span;
}

/** The stored span named `name` of `service`. */
export function stored(collector: Collector, service: string, name: string): StoredSpan {
  const found = collector.store.spans().find((span) => span.serviceName === service && span.name === name);
  if (!found) throw new Error(`no span ${name} of ${service} in the collector`);
  return found;
}

/**
 * A checkout whose trace broke: shop-web's click and its `POST` to the API (one trace), and
 * shop-api's `POST` server span with a query under it (another trace: the headers were lost on
 * the way). Both POST spans are named by their method only, as the HTTP conventions name them.
 */
export async function sendBrokenCheckout(collector: Collector): Promise<void> {
  await sendSpans(collector, ['shop-web', 'shop-api'], ({ 'shop-web': web, 'shop-api': api }) => {
    if (!web || !api) return;
    const click = start(web, 'click Checkout');
    const post = start(web, 'POST', {
      kind: SpanKind.CLIENT,
      parent: click,
      attributes: {
        'http.request.method': 'POST',
        'url.full': 'http://127.0.0.1:3001/api/checkout?cart=7',
        'http.response.status_code': 200,
        // The evidence @clicktrace/web and @clicktrace/node record: sent, and none arrived.
        'clicktrace.trace_headers.sent': true,
        'clicktrace.trace_headers.names': ['traceparent'],
      },
    });
    const server = start(api, 'POST', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/api/checkout',
        'url.path': '/api/checkout',
        'clicktrace.trace_headers.received': [],
        'clicktrace.trace_headers.extracts': ['traceparent', 'tracestate'],
        'clicktrace.trace_headers.outcome': 'started',
      },
    });
    const query = start(api, 'SELECT shop.orders', { kind: SpanKind.CLIENT, parent: server });
    query.end();
    server.end();
    post.end();
    click.end();
  });
}
