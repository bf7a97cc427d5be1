import { ExportQueue } from '@clicktrace/export-queue';
import { type Context, diag, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ExportQueueLimits } from './export-queue-options-from-env.js';
import type { EncodedRequest, OtlpProtobufRequestExporter } from './otlp-protobuf-exporter.js';
import { OtlpSpanBatch } from './otlp-protobuf-spans.js';
import { attemptExport } from './queued-span-exporter.js';
import { RetryAfterWatch } from './retry-after-watch.js';

/** Options of {@link ProtobufBatchSpanProcessor}. */
export interface ProtobufBatchSpanProcessorOptions {
  /** Sends one encoded request per attempt: the stock OTLP/HTTP transport. */
  exporter: OtlpProtobufRequestExporter;
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE and OTEL_BSP_SCHEDULE_DELAY, as the stock processor reads them. */
  batch: { maxExportBatchSize?: number; scheduledDelayMillis?: number };
  /** The export queue's caps and backoff. */
  queue: ExportQueueLimits;
}

/** A request is cut at this size even with fewer spans than a batch: collectors cap request bodies. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/**
 * The batch span processor of startTracing() for OTLP/protobuf. Like the stock BatchSpanProcessor
 * it keeps sampled spans until a batch is full (OTEL_BSP_MAX_EXPORT_BATCH_SIZE) or due
 * (OTEL_BSP_SCHEDULE_DELAY); then it encodes the batch (otlp-protobuf-spans.ts) and lets the span
 * objects go: what waits in the export queue for the collector, and is retried with backoff while
 * it is down, is bytes, capped in spans and, exactly, in bytes (no estimate), the oldest dropped
 * first. A 32768-span queue of a server's spans is then about 20 MB of buffers the garbage
 * collector never walks, instead of as many span objects it walks at every full collection.
 *
 * Encoding a batch at once, not each span as it ends: measured both ways on Node 24
 * (bench/request-cpu), the encoder run span by span inside each request cost as much or more than
 * the shorter lives of the span objects saved.
 *
 * No request is larger than the queue may hold (its span cap) or than 4 MiB (collectors cap request
 * bodies): a batch past either is cut into several requests.
 *
 * It is a SpanProcessor like any other: every span stays an SDK span that other processors see.
 */
export class ProtobufBatchSpanProcessor implements SpanProcessor {
  readonly #exporter: OtlpProtobufRequestExporter;
  readonly #batch = new OtlpSpanBatch();
  readonly #queue: ExportQueue<EncodedRequest>;
  readonly #retryAfter = new RetryAfterWatch();
  readonly #maxBatchSpans: number;
  readonly #maxBatchBytes: number;
  readonly #delayMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Ended spans of the batch being gathered. */
  #held: ReadableSpan[] = [];
  #stopped = false;
  #warnedUnencodable = false;

  constructor({ exporter, batch, queue }: ProtobufBatchSpanProcessorOptions) {
    this.#exporter = exporter;
    // The stock processor's default where unset; no request bigger than the queue may hold (it
    // would be dropped whole); at least one span.
    this.#maxBatchSpans = Math.max(1, Math.min(batch.maxExportBatchSize ?? 512, queue.maxSpans));
    this.#maxBatchBytes = Math.min(MAX_REQUEST_BYTES, queue.maxBytes);
    this.#delayMs = batch.scheduledDelayMillis ?? 5000;
    this.#queue = new ExportQueue<EncodedRequest>({
      ...queue,
      send: (request) => attemptExport(this.#exporter, request, this.#retryAfter),
      sizeOf: (request) => ({ spans: request.spans, bytes: request.bytes.length }),
    });
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.#held.push(span);
    if (this.#held.length >= this.#maxBatchSpans) {
      this.#cut();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#cut(), this.#delayMs);
      this.#timer.unref?.();
    }
  }

  async forceFlush(): Promise<void> {
    await this.#cutWhenReady();
    await this.#queue.flush();
  }

  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    await this.#cutWhenReady();
    this.#stopped = true;
    await this.#queue.shutdown();
    await this.#exporter.shutdown();
  }

  /** The spans held so far, encoded into requests for the queue. */
  #cut(resourcesReady = false): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#held.length === 0) return;
    // A resource still detecting attributes (the host id is read asynchronously) is waited for, as
    // the stock processor waits, so no request goes out without them.
    if (!resourcesReady && this.#held.some((span) => span.resource.asyncAttributesPending)) {
      void this.#cutWhenReady();
      return;
    }
    for (const span of this.#held.splice(0)) {
      try {
        this.#batch.add(span);
      } catch (error) {
        // A span the encoder cannot read (a processor upstream changed it into something else):
        // lost, and said once, rather than thrown into the code that ended it.
        if (!this.#warnedUnencodable)
          diag.error('@clicktrace/node: a span could not be encoded; dropped', error);
        this.#warnedUnencodable = true;
      }
      if (this.#batch.byteLength >= this.#maxBatchBytes) this.#push();
    }
    this.#push();
  }

  #push(): void {
    const spans = this.#batch.spanCount;
    if (spans > 0) this.#queue.push({ spans, bytes: this.#batch.take() });
  }

  async #cutWhenReady(): Promise<void> {
    for (const resource of new Set(this.#held.map((span) => span.resource))) {
      try {
        if (resource.asyncAttributesPending) await resource.waitForAsyncAttributes?.();
      } catch (error) {
        diag.debug('@clicktrace/node: a resource detector failed; exporting without its attributes', error);
      }
    }
    this.#cut(true);
  }
}
