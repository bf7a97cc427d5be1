import type { Span } from '@opentelemetry/api';
import { endHttpClientSpan } from './http-client-span.js';
import { ATTR_CORS_REFUSAL_LIKELY } from './interaction-attributes.js';

/** Why a request span was ended before its response: the page lifecycle event that cut it off. */
export type PageExit = 'pagehide' | 'freeze';

/** `error.type` of a network error: fetch's rejection, an XHR's `error` event, a synchronous XHR's exception. */
const NETWORK_ERROR = /^(TypeError|error|NetworkError)$/;

/**
 * The fetch and XHR spans in flight. Each request span is ended exactly once: by its response
 * or failure (`end`), or by the page going away (`cutOff`), whichever comes first. A response
 * that arrives after the cut-off (a page restored from the back/forward cache) changes nothing.
 */
export class OpenRequestSpans {
  /** Each span in flight, and whether its request was preflighted for our trace headers. */
  readonly #spans = new Map<Span, boolean>();

  add(span: Span): void {
    this.#spans.set(span, false);
  }

  /**
   * Notes that the request carries our trace headers to another origin, so the browser asks that
   * origin first (a CORS preflight: `traceparent` is not a CORS-safelisted header).
   */
  preflighted(span: Span): void {
    this.#spans.set(span, true);
  }

  /** Whether the span is still in flight (not yet ended by its response or the page leaving). */
  has(span: Span): boolean {
    return this.#spans.has(span);
  }

  /**
   * Ends the span as `endHttpClientSpan` does, unless it has been ended already. A request that
   * failed with no response gets `clicktrace.cors.refusal_likely`: a preflight that refused our
   * headers looks, to a page, exactly like a network error, so it is likely when it was preflighted.
   */
  end(span: Span, status: number, errorType?: string, message?: string): void {
    const preflighted = this.#spans.get(span);
    if (!this.#spans.delete(span)) return;
    if (errorType && !status)
      span.setAttribute(ATTR_CORS_REFUSAL_LIKELY, !!preflighted && NETWORK_ERROR.test(errorType));
    endHttpClientSpan(span, status, errorType, message);
  }

  /**
   * Ends every request span still in flight as failed, `error.type` set to the lifecycle event:
   * the page is being left or frozen, and a span that is not ended now is never exported (the
   * server's span would then point at a parent that never arrives).
   */
  cutOff(reason: PageExit): void {
    for (const span of this.#spans.keys())
      endHttpClientSpan(span, 0, reason, `the page was left (${reason}) before the response arrived`);
    this.#spans.clear();
  }
}
