import { type Context, diag } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { InteractionLifetime } from './interaction-lifetime.js';
import type { SpanProcessor as UserSpanProcessor } from './span-processor.js';

/**
 * Wraps a span processor the user passed in `spanProcessors`, so that it can neither break the page
 * nor stretch the interactions it sees:
 *
 * - The SDK's MultiSpanProcessor does not catch: a processor that throws from `onStart` or `onEnd`
 *   would throw out of `startSpan()` / `span.end()` (into the app's code, or into our request
 *   instrumentation with a span already counted as open) and skip the processors after it.
 *   Here the error goes to `diag`. `forceFlush` and `shutdown` failures too, so that `flush()` and
 *   `shutdown()` report the exporter's own outcome and never reject.
 * - `onEnd` runs as the SDK's bookkeeping (the root zone, see `InteractionLifetime.bookkeeping`),
 *   as our own batch processor's does: a batch processor arms its export timer there, an exporting
 *   one sends its request; counted as the work of the click whose span just ended, either would
 *   hold that click open (a 5 s timer for 5 s, a longer one until the 10 s cap).
 * - `onStart` and `onEnding` run where the span starts and ends, so `context.active()` is still
 *   the span's there (a processor should read `parentContext`, some read the active context).
 */
export class GuardedSpanProcessor implements SpanProcessor {
  readonly #inner: UserSpanProcessor;
  readonly #lifetime: Pick<InteractionLifetime, 'bookkeeping'>;

  constructor(inner: UserSpanProcessor, lifetime: Pick<InteractionLifetime, 'bookkeeping'>) {
    this.#inner = inner;
    this.#lifetime = lifetime;
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      this.#inner.onStart(span, parentContext);
    } catch (error) {
      this.#report('onStart', error);
    }
  }

  onEnding(span: Span): void {
    try {
      this.#inner.onEnding?.(span);
    } catch (error) {
      this.#report('onEnding', error);
    }
  }

  onEnd(span: ReadableSpan): void {
    try {
      this.#lifetime.bookkeeping(() => this.#inner.onEnd(span));
    } catch (error) {
      this.#report('onEnd', error);
    }
  }

  async forceFlush(): Promise<void> {
    try {
      await this.#inner.forceFlush();
    } catch (error) {
      this.#report('forceFlush', error);
    }
  }

  async shutdown(): Promise<void> {
    try {
      await this.#inner.shutdown();
    } catch (error) {
      this.#report('shutdown', error);
    }
  }

  #report(method: string, error: unknown): void {
    const name = this.#inner.constructor?.name ?? 'SpanProcessor';
    diag.error(`clicktrace: span processor ${name} threw in ${method}`, error);
  }
}
