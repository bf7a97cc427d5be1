import type { Span } from '@opentelemetry/api';
import { endHttpClientSpan } from './http-client-span.js';

/** Why a request span was ended before its response: the page lifecycle event that cut it off. */
export type PageExit = 'pagehide' | 'freeze';

/**
 * The fetch and XHR spans in flight. Each request span is ended exactly once: by its response
 * or failure (`end`), or by the page going away (`cutOff`), whichever comes first. A response
 * that arrives after the cut-off (a page restored from the back/forward cache) changes nothing.
 */
export class OpenRequestSpans {
  readonly #spans = new Set<Span>();

  add(span: Span): void {
    this.#spans.add(span);
  }

  /** Whether the span is still in flight (not yet ended by its response or the page leaving). */
  has(span: Span): boolean {
    return this.#spans.has(span);
  }

  /** Ends the span as `endHttpClientSpan` does, unless it has been ended already. */
  end(span: Span, status: number, errorType?: string, message?: string): void {
    if (this.#spans.delete(span)) endHttpClientSpan(span, status, errorType, message);
  }

  /**
   * Ends every request span still in flight as failed, `error.type` set to the lifecycle event:
   * the page is being left or frozen, and a span that is not ended now is never exported (the
   * server's span would then point at a parent that never arrives).
   */
  cutOff(reason: PageExit): void {
    for (const span of this.#spans)
      endHttpClientSpan(span, 0, reason, `the page was left (${reason}) before the response arrived`);
    this.#spans.clear();
  }
}
