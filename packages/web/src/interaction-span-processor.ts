import { type Context, diag } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { InteractionLifetime } from './interaction-lifetime.js';
import type { InteractionRegistry } from './interaction-registry.js';

/** Whose interactions the processor counts spans for, and whether empty ones are exported. */
export interface InteractionSpanProcessorOptions {
  interactions: InteractionRegistry;
  lifetime: InteractionLifetime;
  keepEmptyInteractions: boolean;
}

/**
 * Sits in front of the exporting processor (BatchExportProcessor):
 *
 * - hands each span to the open interaction of its trace as a child (start, end), so an
 *   interaction stays open while its fetch is in flight;
 * - drops an interaction span that never had a child (a click that started no work) unless
 *   `keepEmptyInteractions` is set;
 *
 * Never throws into the SDK: bookkeeping errors go to `diag` and the span is passed on.
 */
export class InteractionSpanProcessor implements SpanProcessor {
  readonly #inner: SpanProcessor;
  readonly #interactions: InteractionRegistry;
  readonly #lifetime: InteractionLifetime;
  readonly #keepEmpty: boolean;

  constructor(
    inner: SpanProcessor,
    { interactions, lifetime, keepEmptyInteractions }: InteractionSpanProcessorOptions,
  ) {
    this.#inner = inner;
    this.#interactions = interactions;
    this.#lifetime = lifetime;
    this.#keepEmpty = keepEmptyInteractions;
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      this.#interactions.ofTrace(span.spanContext().traceId)?.childStarted(span);
    } catch (error) {
      diag.error('clicktrace: interaction bookkeeping failed on span start', error);
    }
    this.#inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    let keep = true;
    try {
      const own = this.#interactions.ofSpan(span);
      if (own) keep = this.#keepEmpty || own.startedWork;
      else this.#interactions.ofTrace(span.spanContext().traceId)?.childEnded(span);
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
