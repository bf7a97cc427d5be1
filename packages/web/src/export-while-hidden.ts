import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Sits in front of the batch processor: while the page is hidden, a span that ends is exported
 * at once (with the others that end in the same task) instead of after the batch delay. A hidden
 * tab's timers are throttled, then frozen, and a mobile browser may kill it without another
 * event: the batch timer might never fire.
 */
export class ExportWhileHidden implements SpanProcessor {
  readonly #inner: SpanProcessor;
  readonly #isHidden: () => boolean;
  #exportQueued = false;

  constructor(inner: SpanProcessor, isHidden: () => boolean) {
    this.#inner = inner;
    this.#isHidden = isHidden;
  }

  onStart(span: Span, parentContext: Context): void {
    this.#inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.#inner.onEnd(span);
    if (this.#exportQueued || !this.#isHidden()) return;
    this.#exportQueued = true;
    queueMicrotask(() => {
      this.#exportQueued = false;
      // Export errors are the exporter's to report (diag); nothing to add here.
      this.#inner.forceFlush().catch(() => {});
    });
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}
