import { ExportQueue, type SendOutcome } from '@clicktrace/export-queue';
import { context } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { estimateSpanBytes } from './estimate-span-bytes.js';
import type { ExportQueueLimits } from './export-queue-options-from-env.js';
import { sendOutcomeOf } from './export-result-outcome.js';
import { RetryAfterWatch } from './retry-after-watch.js';

/** Options of {@link QueuedSpanExporter}. */
export interface QueuedSpanExporterOptions extends ExportQueueLimits {
  /** The stock OTLP exporter that makes each attempt (with its own short retries inside). */
  exporter: SpanExporter;
}

/**
 * A `SpanExporter` that puts a bounded retry queue in front of the stock OTLP exporter, so spans
 * survive a collector that is down or overloaded for longer than the stock exporter's retries.
 *
 * `export()` only queues the batch. The queue hands batches to the stock exporter one at a time,
 * oldest first; when the stock exporter finally fails with a retryable error (see
 * export-result-outcome.ts), the batch goes back to the head of the queue and is tried again
 * after a backoff (and at least the collector's `Retry-After`). The queue holds at most
 * `maxSpans` spans and `maxBytes` bytes (see estimate-span-bytes.ts); past that, the oldest go,
 * counted in a `diag` warning. The host app is never blocked, thrown at or kept alive by it.
 *
 * `forceFlush()` and `shutdown()` make one attempt per waiting batch, without waiting out the
 * backoff, and stop at the first failure: each attempt is bounded by the stock exporter's own
 * timeout (`OTEL_EXPORTER_OTLP_TIMEOUT`, 10 s by default), so neither hangs on a dead collector.
 */
export class QueuedSpanExporter implements SpanExporter {
  readonly #exporter: SpanExporter;
  readonly #queue: ExportQueue<ReadableSpan[]>;
  readonly #retryAfter = new RetryAfterWatch();

  constructor({ exporter, ...limits }: QueuedSpanExporterOptions) {
    this.#exporter = exporter;
    this.#queue = new ExportQueue<ReadableSpan[]>({
      ...limits,
      send: (spans) => this.#sendOnce(spans),
      sizeOf: (spans) => {
        let bytes = 0;
        for (const span of spans) bytes += estimateSpanBytes(span);
        return { spans: spans.length, bytes };
      },
    });
  }

  /**
   * Queues the batch and reports SUCCESS at once: from here the queue owns its delivery and
   * reports its losses through `diag` itself. A FAILED would only make the batch processor log
   * the same loss a second time, and an answer delayed until delivery would stall the processor,
   * whose own buffer drops the newest spans, not the oldest, when it fills.
   */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#queue.push(spans);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  async forceFlush(): Promise<void> {
    await this.#queue.flush();
    await this.#exporter.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    await this.#queue.shutdown();
    await this.#exporter.shutdown();
  }

  /**
   * One stock export. Tracing is suppressed around it as the batch processor does for its own
   * exports: a retry fired by a timer, or a flush the app called inside a request, would
   * otherwise trace the exporter's own HTTP requests and export those spans in turn.
   */
  #sendOnce(spans: ReadableSpan[]): Promise<SendOutcome> {
    return new Promise((resolve, reject) => {
      this.#retryAfter.start();
      try {
        context.with(suppressTracing(context.active()), () => {
          this.#exporter.export(spans, (result) => resolve(sendOutcomeOf(result, this.#retryAfter.stop())));
        });
      } catch (error) {
        // The queue counts a rejected attempt as a retryable failure.
        this.#retryAfter.stop();
        reject(error);
      }
    });
  }
}
