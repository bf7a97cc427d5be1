import { type Context, diag } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { InteractionLifetime } from './interaction-lifetime.js';

/**
 * Sits in front of the exporting processor (the BatchSpanProcessor):
 *
 * - counts each open interaction's child spans (any span of its trace) for the interaction
 *   lifetime: start +1, end −1, so an interaction stays open while its fetch is in flight;
 * - drops an interaction span that never had a child (a click that started no work) unless
 *   `keepEmptyInteractions` is set;
 *
 * Never throws into the SDK: bookkeeping errors go to `diag` and the span is passed on.
 */
export class InteractionSpanProcessor implements SpanProcessor {
  readonly #inner: SpanProcessor;
  readonly #lifetime: InteractionLifetime;
  readonly #keepEmpty: boolean;

  constructor(inner: SpanProcessor, lifetime: InteractionLifetime, keepEmptyInteractions: boolean) {
    this.#inner = inner;
    this.#lifetime = lifetime;
    this.#keepEmpty = keepEmptyInteractions;
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      this.#lifetime.spanStarted(span);
    } catch (error) {
      diag.error('clicktrace: interaction bookkeeping failed on span start', error);
    }
    this.#inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    let keep = true;
    try {
      keep = this.#lifetime.spanEnded(span, this.#keepEmpty);
    } catch (error) {
      diag.error('clicktrace: interaction bookkeeping failed on span end', error);
    }
    // The batch processor arms its export timer here: the SDK's timer, never an interaction's work.
    if (keep) this.#lifetime.bookkeeping(() => this.#inner.onEnd(span));
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}
