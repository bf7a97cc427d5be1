import { type Context, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';

/** How long an ended span waits for others to join its batch: the OpenTelemetry default (`OTEL_BSP_SCHEDULE_DELAY`). */
export const BATCH_DELAY_MS = 5_000;
/** A batch is exported at once when it holds this many spans (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`). */
export const MAX_BATCH_SPANS = 512;

/** Options of {@link BatchExportProcessor}. */
export interface BatchExportProcessorOptions {
  /** Takes each batch at once and delivers it in its own time (the OTLP exporter's retry queue). */
  exporter: SpanExporter;
  /** Whether the page is hidden now. */
  isHidden(): boolean;
  /** Runs the batch timer (`setTimeout` outside any interaction's zone); returns its cancel function. */
  setTimer(callback: () => void, ms: number): () => void;
}

/**
 * Collects ended spans into batches for the exporter: after BATCH_DELAY_MS, at MAX_BATCH_SPANS,
 * on `forceFlush`, and, while the page is hidden, at once (with the other spans that end in the
 * same task): a hidden tab's timers are throttled, then frozen, and a mobile browser may kill it
 * without another event, so the batch timer might never fire.
 *
 * In place of the SDK's BatchSpanProcessor, for a measured reason: our exporter hands every batch
 * to its own bounded retry queue at once, so the stock processor's second buffer, its export
 * timeout, its self-metrics and its own visibilitychange flush (ours are in page-lifecycle.ts) are
 * code the page would download for nothing (about 1 kB gzip of the minimal app; see BENCHMARKS.md).
 */
export class BatchExportProcessor implements SpanProcessor {
  readonly #options: BatchExportProcessorOptions;
  #batch: ReadableSpan[] = [];
  #cancelTimer: (() => void) | undefined;
  #exportQueued = false;

  constructor(options: BatchExportProcessorOptions) {
    this.#options = options;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    // An unsampled span is never exported (a sampler of the user's could make them).
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.#batch.push(span);
    if (this.#batch.length >= MAX_BATCH_SPANS) this.#export();
    else if (this.#options.isHidden()) {
      if (this.#exportQueued) return;
      this.#exportQueued = true;
      queueMicrotask(() => {
        this.#exportQueued = false;
        this.#export();
      });
    } else this.#cancelTimer ??= this.#options.setTimer(() => this.#export(), BATCH_DELAY_MS);
  }

  /** Hands what has ended to the exporter, then waits for what waits there to be sent. */
  forceFlush(): Promise<void> {
    this.#export();
    return this.#options.exporter.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.#export();
    return this.#options.exporter.shutdown();
  }

  #export(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    // The exporter reports its own failures (diag); it takes the batch whatever happens.
    this.#options.exporter.export(batch, () => {});
  }
}
