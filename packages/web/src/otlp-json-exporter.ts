import { context, diag } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { encodeOtlpJson } from './otlp-json-encoding.js';

/** Options of `OtlpJsonExporter`. */
export interface OtlpJsonExporterOptions {
  /** Absolute OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`. */
  url: string;
  /**
   * The fetch to post with: the page's fetch as it was BEFORE the fetch instrumentation wrapped it,
   * so exports never make spans of their own. Default: `globalThis.fetch` when the exporter is made.
   */
  fetch?: typeof fetch;
  /** Milliseconds before an export request is abandoned (default 10 000, OTLP's default timeout). */
  timeoutMillis?: number;
  /**
   * Request headers for every export (an ingest key). `content-type` stays the exporter's own
   * (`application/json`). With any header set, sendBeacon is never used: it cannot send headers.
   */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Browsers let the keepalive requests of a page have at most 64 KiB of body in flight together
 * (Fetch standard, "inflight keepalive bytes"); past that, fetch rejects. sendBeacon shares the budget.
 */
const KEEPALIVE_BUDGET = 65_536;
/** Chrome also rejects a keepalive request while 9 others of the renderer are in flight. */
const KEEPALIVE_MAX_REQUESTS = 9;

const KEEPALIVE_SUPPORTED = typeof Request === 'function' && 'keepalive' in Request.prototype;

/**
 * A `SpanExporter` that posts OTLP/JSON with fetch: a lean stand-in for
 * @opentelemetry/exporter-trace-otlp-http in the browser.
 *
 * Every request is a `keepalive` fetch while the browser's keepalive budget allows (64 KiB of
 * bodies, 9 requests in flight), so an export started as the page goes away still reaches the
 * collector. Batches are split so that each request body fits the budget on its own. A request
 * that does not fit what is left of the budget is a plain fetch while the page is visible; when
 * the page is hidden (it may be unloading) it goes to `navigator.sendBeacon` first, as every
 * request does in browsers without keepalive support. sendBeacon is the fallback, not the rule:
 * it always sends cookies (so a cross-origin collector would have to allow credentials) and
 * tells nothing of the outcome. It cannot send request headers either, so with `headers` set it
 * is never used: a collector that wants an ingest key would refuse the request anyway. Such a body
 * goes as a plain fetch, which the browser may cancel if the page is being unloaded.
 *
 * No retries: a failed request fails its export (the ExportResult says why, `diag` warns).
 * The BatchSpanProcessor then drops that batch, which keeps memory bounded on a page that may
 * be offline for a long time; the stock exporter retries 429/502/503/504 with backoff.
 */
export class OtlpJsonExporter implements SpanExporter {
  readonly #url: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMillis: number;
  readonly #headers: Record<string, string>;
  readonly #mayBeacon: boolean;
  readonly #pending = new Set<Promise<unknown>>();
  #keepaliveBytes = 0;
  #keepaliveRequests = 0;
  #stopped = false;

  constructor(options: OtlpJsonExporterOptions) {
    this.#url = options.url;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMillis = options.timeoutMillis ?? 10_000;
    this.#headers = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      // Header names ignore case: a 'Content-Type' here would be sent beside ours, not instead.
      if (name.toLowerCase() !== 'content-type') this.#headers[name] = value;
    }
    this.#mayBeacon = Object.keys(this.#headers).length === 0;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#stopped) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('clicktrace: the exporter is shut down'),
      });
      return;
    }
    const sending = (async () => {
      await Promise.all(requestBodies(spans).map((body) => this.#send(body)));
    })().then(
      (): ExportResult => ({ code: ExportResultCode.SUCCESS }),
      (error: unknown): ExportResult => {
        diag.warn('clicktrace: span export failed', error);
        return {
          code: ExportResultCode.FAILED,
          error: error instanceof Error ? error : new Error(String(error)),
        };
      },
    );
    this.#pending.add(sending);
    void sending.then((result) => {
      this.#pending.delete(sending);
      resultCallback(result);
    });
  }

  /** Resolves when every export started so far has finished. */
  async forceFlush(): Promise<void> {
    await Promise.all(this.#pending);
  }

  /** Refuses new exports and waits for those in flight. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return this.forceFlush();
  }

  async #send(body: Uint8Array<ArrayBuffer>): Promise<void> {
    const keepalive =
      this.#keepaliveBytes + body.length <= KEEPALIVE_BUDGET &&
      this.#keepaliveRequests < KEEPALIVE_MAX_REQUESTS;
    if (
      this.#mayBeacon &&
      globalThis.document?.visibilityState === 'hidden' &&
      !(keepalive && KEEPALIVE_SUPPORTED)
    ) {
      if (beacon(this.#url, body)) return;
    }
    if (keepalive) {
      this.#keepaliveBytes += body.length;
      this.#keepaliveRequests++;
    }
    try {
      // suppressTracing: even if #fetch is an instrumented fetch (no original was passed and
      // the exporter was made after instrumenting), the request makes no span.
      const response = await context.with(suppressTracing(context.active()), () =>
        // Called on the global object: fetch throws "Illegal invocation" on any other `this`.
        this.#fetch.call(globalThis, this.#url, {
          method: 'POST',
          keepalive,
          headers: { ...this.#headers, 'content-type': 'application/json' },
          body,
          // Optional: AbortSignal.timeout is missing before Safari 16; there the request has no timeout.
          signal: AbortSignal.timeout?.(this.#timeoutMillis),
        }),
      );
      // The body (an OTLP partial-success report at best) is not read: nothing acts on it.
      if (!response.ok) throw new Error(`clicktrace: ${this.#url} answered HTTP ${response.status}`);
    } finally {
      if (keepalive) {
        this.#keepaliveBytes -= body.length;
        this.#keepaliveRequests--;
      }
    }
  }
}

const encoder = new TextEncoder();

/** Request bodies for the spans, halving the batch until each body fits the keepalive budget. */
function requestBodies(spans: ReadableSpan[]): Array<Uint8Array<ArrayBuffer>> {
  if (spans.length === 0) return [];
  const body = encoder.encode(encodeOtlpJson(spans));
  if (body.length <= KEEPALIVE_BUDGET || spans.length === 1) return [body];
  const half = spans.length >> 1;
  return [...requestBodies(spans.slice(0, half)), ...requestBodies(spans.slice(half))];
}

/** Queues the body with sendBeacon; false when the browser refuses it (budget, no support, CORS rule). */
function beacon(url: string, body: Uint8Array<ArrayBuffer>): boolean {
  try {
    return globalThis.navigator?.sendBeacon?.(url, new Blob([body], { type: 'application/json' })) === true;
  } catch {
    return false;
  }
}
