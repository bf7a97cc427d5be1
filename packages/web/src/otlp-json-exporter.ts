import { ExportQueue, parseRetryAfter, RETRYABLE_STATUSES, type SendOutcome } from '@clicktrace/export-queue';
import { context, diag } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { encodeOtlpJson } from './otlp-json-encoding.js';

/** Options of `OtlpJsonExporter`. */
export interface OtlpJsonExporterOptions {
  /** Absolute OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`. */
  url: string;
  /**
   * The fetch to post with: the browser's own, never the fetch instrumentation's, so exports make
   * no spans of their own. Default: `globalThis.fetch` when the exporter is made.
   */
  fetch?: typeof fetch;
  /** Milliseconds before an export request is abandoned (default 10 000, OTLP's default timeout). */
  timeoutMillis?: number;
  /**
   * Request headers for every export (an ingest key). `content-type` stays the exporter's own
   * (`application/json`). With any header set, sendBeacon is never used: it cannot send headers.
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * Runs the retry timers (default `setTimeout`): the tracing passes one that runs them outside
   * any interaction's zone.
   */
  setTimer?(callback: () => void, ms: number): () => void;
  /** Backoff after the first failed attempt (default 1 s, doubling to 30 s). For tests. */
  initialBackoffMs?: number;
}

/** The most spans that wait for the collector at once; past it the oldest are dropped. */
export const MAX_QUEUED_SPANS = 2_048;
/** The most bytes of request bodies that wait for the collector at once; past it the oldest are dropped. */
export const MAX_QUEUED_BYTES = 1_048_576;

/** One export request body and how many spans it holds. */
interface RequestBody {
  bytes: Uint8Array<ArrayBuffer>;
  spans: number;
}

/**
 * Browsers let the keepalive requests of a page have at most 64 KiB of body in flight together
 * (Fetch standard, "inflight keepalive bytes"); past that, fetch rejects. sendBeacon shares the
 * budget, and so do the app's own beacons.
 */
const KEEPALIVE_BUDGET = 65_536;
/**
 * The largest request body: half the budget, so that as the page goes, the newest spans still fit
 * beside the request already in flight.
 */
const MAX_BODY_BYTES = KEEPALIVE_BUDGET / 2;
/** Chrome also rejects a keepalive request while 9 others of the renderer are in flight. */
const KEEPALIVE_MAX_REQUESTS = 9;

const KEEPALIVE_SUPPORTED = typeof Request === 'function' && 'keepalive' in Request.prototype;

/**
 * A `SpanExporter` that posts OTLP/JSON with fetch: a lean stand-in for
 * @opentelemetry/exporter-trace-otlp-http in the browser, which survives its collector being away
 * and the page going away.
 *
 * **Retries.** Every batch goes into a bounded queue (@clicktrace/export-queue) and is sent from
 * there, one request at a time, oldest first. While the collector cannot be reached (network
 * error, CORS refusal, timeout) or answers 429, 502, 503 or 504, the batch waits and is retried
 * with exponential backoff and jitter (1 s doubling to 30 s), or after the collector's
 * `Retry-After` (up to 60 s; readable cross-origin only if the collector lists it in
 * `Access-Control-Expose-Headers`). Other statuses (400, 413...) drop the batch. The queue holds
 * at most MAX_QUEUED_SPANS spans and MAX_QUEUED_BYTES bytes of request bodies; past either, the
 * oldest are dropped and counted in a `diag` warning. `export` hands its spans to the queue and
 * reports success at once: the batch processor's own queue never fills up behind an export that
 * waits for a collector; `forceFlush` sends what waits now.
 *
 * **Leaving the page.** Every request is a `keepalive` fetch while the browser's keepalive budget
 * allows (64 KiB of bodies in flight, shared with the app's own beacons; 9 requests), so
 * an export started as the page goes away still reaches the collector. Batches are split so that
 * each request body takes at most half the budget. When the page is hidden or left, `sendNow` sends
 * everything that waits at once: keepalive within the budget, then `navigator.sendBeacon`, then
 * a plain fetch the browser may cancel, counted in a `diag` warning; a request that fails goes
 * back in the queue (a page restored from the back/forward cache sends it then). sendBeacon is
 * the fallback, not the rule: it always sends cookies (so a cross-origin collector would have to
 * allow credentials) and tells nothing of the outcome. It cannot send request headers either, so
 * with `headers` set it is never used.
 */
export class OtlpJsonExporter implements SpanExporter {
  readonly #url: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMillis: number;
  readonly #headers: Record<string, string>;
  readonly #mayBeacon: boolean;
  readonly #queue: ExportQueue<RequestBody>;
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
    this.#queue = new ExportQueue<RequestBody>({
      send: (body) => this.#send(body),
      sizeOf: (body) => ({ spans: body.spans, bytes: body.bytes.length }),
      maxSpans: MAX_QUEUED_SPANS,
      maxBytes: MAX_QUEUED_BYTES,
      setTimer: options.setTimer,
      initialBackoffMs: options.initialBackoffMs,
    });
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#stopped) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('clicktrace: the exporter is shut down'),
      });
      return;
    }
    try {
      for (const body of requestBodies(spans)) this.#queue.push(body);
    } catch (error) {
      diag.error('clicktrace: could not encode spans for export', error);
      resultCallback({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      });
      return;
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  /** Sends everything that waits now, without waiting out a backoff; resolves when it was sent or failed. */
  forceFlush(): Promise<void> {
    return this.#queue.flush();
  }

  /** Refuses new exports and sends what waits, once. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return this.#queue.shutdown();
  }

  /**
   * The page is being hidden, left or frozen: sends everything that waits at once, synchronously (a
   * timer or an awaited step might never run), keepalive within the budget, then by beacon, then
   * as a plain fetch the browser may cancel (counted in a warning). A request that fails goes back
   * in the queue, for a page that comes back from the back/forward cache.
   */
  sendNow(): void {
    let unsure = 0;
    // Newest first: what ended last (the click that is leaving the page, its request) gets the
    // keepalive budget before older spans do.
    for (const body of this.#queue.takeAll().reverse()) {
      const keepalive = this.#fitsKeepalive(body);
      if (!keepalive && this.#mayBeacon && beacon(this.#url, body.bytes)) continue;
      // Past the budget, a plain fetch: the browser may cancel it as the page goes, or not.
      if (!keepalive) unsure += body.spans;
      // Back in the queue if it failed for a reason that may pass: a page that comes back sends it.
      void this.#send(body, false).then((outcome) => {
        if (!outcome.ok && outcome.retryable && !this.#stopped) this.#queue.push(body);
      });
    }
    if (unsure > 0) diag.warn(`clicktrace: ${unsure} spans went past the keepalive budget`);
  }

  #fitsKeepalive(body: RequestBody): boolean {
    return (
      KEEPALIVE_SUPPORTED &&
      this.#keepaliveBytes + body.bytes.length <= KEEPALIVE_BUDGET &&
      this.#keepaliveRequests < KEEPALIVE_MAX_REQUESTS
    );
  }

  /**
   * One attempt to deliver one request body: what the queue decides on. Never rejects. A body
   * past the keepalive budget goes by beacon first when the page is hidden (`sendNow`, which
   * tried the beacon already, says `beaconFirst: false`).
   */
  async #send(body: RequestBody, beaconFirst = true): Promise<SendOutcome> {
    const keepalive = this.#fitsKeepalive(body);
    if (!keepalive && beaconFirst && this.#mayBeacon && globalThis.document?.visibilityState === 'hidden') {
      if (beacon(this.#url, body.bytes)) return { ok: true };
    }
    if (keepalive) {
      this.#keepaliveBytes += body.bytes.length;
      this.#keepaliveRequests++;
    }
    try {
      // suppressTracing: even if #fetch is an instrumented fetch, the request makes no span.
      const response = await context.with(suppressTracing(context.active()), () =>
        // Called on the global object: fetch throws "Illegal invocation" on any other `this`.
        this.#fetch.call(globalThis, this.#url, {
          method: 'POST',
          keepalive,
          headers: { ...this.#headers, 'content-type': 'application/json' },
          body: body.bytes,
          // Optional: AbortSignal.timeout is missing before Safari 16; there the request has no timeout.
          signal: AbortSignal.timeout?.(this.#timeoutMillis),
        }),
      );
      // Read to its end, though nothing acts on it (an OTLP partial-success report at best):
      // Chromium counts a keepalive request against the budget until its response is done, and
      // with answers left unread (or cancelled) every other export failed under steady load.
      await response.arrayBuffer().catch(() => {});
      if (response.ok) return { ok: true };
      const retryable = RETRYABLE_STATUSES.has(response.status);
      return {
        ok: false,
        retryable,
        retryAfterMs: retryable
          ? parseRetryAfter(response.headers.get('retry-after'), Date.now())
          : undefined,
        error: new Error(`clicktrace: ${this.#url} answered HTTP ${response.status}`),
      };
    } catch (error) {
      // No answer: the collector is down or unreachable, CORS or a CSP refused, or the timeout hit.
      return { ok: false, retryable: true, error };
    } finally {
      if (keepalive) {
        this.#keepaliveBytes -= body.bytes.length;
        this.#keepaliveRequests--;
      }
    }
  }
}

const encoder = new TextEncoder();

/** Request bodies for the spans, halving the batch until each body is at most MAX_BODY_BYTES. */
function requestBodies(spans: ReadableSpan[]): RequestBody[] {
  if (spans.length === 0) return [];
  const bytes = encoder.encode(encodeOtlpJson(spans));
  if (bytes.length <= MAX_BODY_BYTES || spans.length === 1) return [{ bytes, spans: spans.length }];
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
