import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { BatchSpanProcessorOptions, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ExportQueueLimits } from './export-queue-options-from-env.js';
import { OtlpProtobufRequestExporter } from './otlp-protobuf-exporter.js';
import { ProtobufBatchSpanProcessor } from './protobuf-batch-span-processor.js';
import { QueuedBatchSpanProcessor } from './queued-batch-span-processor.js';
import type { OtlpProtocol } from './types.js';

/**
 * The span processor that exports over OTLP/HTTP, its batches waiting in the bounded export queue
 * while the collector is down:
 * - `http/protobuf` (the default): spans encoded as they end, then sent by the stock transport
 *   (protobuf-batch-span-processor.ts);
 * - `http/json`: the stock BatchSpanProcessor and JSON exporter, behind the queue
 *   (queued-batch-span-processor.ts).
 *
 * With `url` undefined the stock transport reads OTEL_EXPORTER_OTLP_TRACES_ENDPOINT /
 * OTEL_EXPORTER_OTLP_ENDPOINT (+ `/v1/traces`) itself, and the headers, timeout and compression
 * variables too, so none of that is repeated here. Exports run with tracing suppressed, so
 * exporting never makes spans of its own.
 */
export function createOtlpSpanProcessor(
  protocol: OtlpProtocol,
  url: string | undefined,
  batch: Omit<BatchSpanProcessorOptions, 'exporter'>,
  queue: ExportQueueLimits,
): SpanProcessor {
  const config = url === undefined ? {} : { url };
  if (protocol === 'http/json') {
    return new QueuedBatchSpanProcessor({ exporter: new OtlpJsonExporter(config), batch, queue });
  }
  return new ProtobufBatchSpanProcessor({ exporter: new OtlpProtobufRequestExporter(config), batch, queue });
}
