import type { Context } from '@opentelemetry/api';
import {
  BatchSpanProcessor,
  type BatchSpanProcessorOptions,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { ExportQueueLimits } from './export-queue-options-from-env.js';
import { QueuedSpanExporter } from './queued-span-exporter.js';

/** Options of {@link QueuedBatchSpanProcessor}. */
export interface QueuedBatchSpanProcessorOptions {
  /** The stock OTLP exporter. */
  exporter: SpanExporter;
  /** The stock batch processor's options (OTEL_BSP_*). */
  batch: Omit<BatchSpanProcessorOptions, 'exporter'>;
  /** The export queue's caps and backoff. */
  queue: ExportQueueLimits;
}

/**
 * The stock BatchSpanProcessor, exporting through a {@link QueuedSpanExporter}: spans are batched
 * as usual, then wait in the export queue until the collector takes them.
 *
 * It exists for `forceFlush()`: the stock processor's flush only exports its own buffer (sdk-trace
 * 3.1, `BatchSpanProcessorBase._flushAll` never calls the exporter's `forceFlush`), which for a
 * queued exporter means "queued", not "sent". This one flushes the batch processor, then the queue,
 * so `tracerProvider.forceFlush()` delivers what can be delivered. `shutdown()` needs no help: the
 * stock processor shuts its exporter down, and the queue flushes before it stops.
 */
export class QueuedBatchSpanProcessor implements SpanProcessor {
  readonly #exporter: QueuedSpanExporter;
  readonly #batcher: BatchSpanProcessor;

  constructor({ exporter, batch, queue }: QueuedBatchSpanProcessorOptions) {
    this.#exporter = new QueuedSpanExporter({ exporter, ...queue });
    this.#batcher = new BatchSpanProcessor({ ...batch, exporter: this.#exporter });
  }

  onStart(span: Span, parentContext: Context): void {
    this.#batcher.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.#batcher.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await this.#batcher.forceFlush();
    await this.#exporter.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#batcher.shutdown();
  }
}
