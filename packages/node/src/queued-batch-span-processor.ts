import {
  BatchSpanProcessor,
  type BatchSpanProcessorOptions,
  type SpanExporter,
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
 * The stock BatchSpanProcessor (subclassed: every span passes through its onStart and onEnd, with
 * no wrapper call in between), exporting through a {@link QueuedSpanExporter}: spans are batched
 * as usual, then wait in the export queue until the collector takes them.
 *
 * It exists for `forceFlush()`: the stock processor's flush only exports its own buffer (sdk-trace
 * 3.1, `BatchSpanProcessorBase._flushAll` never calls the exporter's `forceFlush`), which for a
 * queued exporter means "queued", not "sent". This one flushes the batch processor, then the queue,
 * so `tracerProvider.forceFlush()` delivers what can be delivered. `shutdown()` needs no help: the
 * stock processor shuts its exporter down, and the queue flushes before it stops.
 */
export class QueuedBatchSpanProcessor extends BatchSpanProcessor {
  readonly #exporter: QueuedSpanExporter;

  constructor({ exporter, batch, queue }: QueuedBatchSpanProcessorOptions) {
    const queued = new QueuedSpanExporter({ exporter, ...queue });
    super({ ...batch, exporter: queued });
    this.#exporter = queued;
  }

  override async forceFlush(): Promise<void> {
    await super.forceFlush();
    await this.#exporter.forceFlush();
  }
}
