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
  readonly #queue: ExportQueue<SizedBatch>;
  readonly #limits: ExportQueueLimits;
  readonly #retryAfter = new RetryAfterWatch();

  constructor({ exporter, ...limits }: QueuedSpanExporterOptions) {
    this.#exporter = exporter;
    this.#limits = limits;
    this.#queue = new ExportQueue<SizedBatch>({
      ...limits,
      send: (batch) => this.#sendOnce(batch.spans),
      sizeOf: (batch) => ({ spans: batch.spans.length, bytes: batch.bytes }),
    });
  }

  /**
   * Queues the batch and reports SUCCESS at once: from here the queue owns its delivery and
   * reports its losses through `diag` itself. A FAILED would only make the batch processor log
   * the same loss a second time, and an answer delayed until delivery would stall the processor,
   * whose own buffer drops the newest spans, not the oldest, when it fills.
   */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    for (const batch of batchesWithinCaps(spans, this.#limits)) this.#queue.push(batch);
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

  /** One stock export (see attemptExport). */
  #sendOnce(spans: ReadableSpan[]): Promise<SendOutcome> {
    return attemptExport(this.#exporter, spans, this.#retryAfter);
  }
}

/**
 * One attempt of a stock exporter (its `export`, with its own short retries inside), as the
 * export queue's `send`. Tracing is suppressed around it as the batch processor does for its own
 * exports: a retry fired by a timer, or a flush the app called inside a request, would otherwise
 * trace the exporter's own HTTP requests and export those spans in turn.
 */
export function attemptExport<Item>(
  exporter: { export(item: Item, resultCallback: (result: ExportResult) => void): void },
  item: Item,
  retryAfter: RetryAfterWatch,
): Promise<SendOutcome> {
  return new Promise((resolve, reject) => {
    retryAfter.start();
    try {
      context.with(suppressTracing(context.active()), () => {
        exporter.export(item, (result) => resolve(sendOutcomeOf(result, retryAfter.stop())));
      });
    } catch (error) {
      // The queue counts a rejected attempt as a retryable failure.
      retryAfter.stop();
      reject(error);
    }
  });
}

/** A batch with its estimated size (estimate-span-bytes.ts), worked out once. */
interface SizedBatch {
  spans: ReadableSpan[];
  bytes: number;
}

/**
 * The batch processor's batch, in pieces that each fit the queue's caps: a batch over a cap on
 * its own (4096 spans of SQL-laden spans past 32 MiB, or a span cap set below the batch size)
 * would otherwise be dropped whole, collector up or not. A single span over the byte cap stays a
 * piece of its own, which the queue drops with a warning.
 */
function batchesWithinCaps(spans: ReadableSpan[], { maxSpans, maxBytes }: ExportQueueLimits): SizedBatch[] {
  const batches: SizedBatch[] = [];
  let current: SizedBatch = { spans: [], bytes: 0 };
  for (const span of spans) {
    const bytes = estimateSpanBytes(span);
    if (current.spans.length > 0 && (current.spans.length >= maxSpans || current.bytes + bytes > maxBytes)) {
      batches.push(current);
      current = { spans: [], bytes: 0 };
    }
    current.spans.push(span);
    current.bytes += bytes;
  }
  if (current.spans.length > 0) batches.push(current);
  return batches;
}
