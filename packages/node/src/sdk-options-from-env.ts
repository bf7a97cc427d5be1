import { getNumberFromEnv } from '@opentelemetry/core';
import type { BatchSpanProcessorOptions, SpanLimits } from '@opentelemetry/sdk-trace';
import type { OtlpProtocol } from './types.js';

/**
 * Batching defaults for a server, used where the OTEL_BSP_* variable is unset. The spec's
 * (queue 2048, batch 512) drop spans once a busy server ends more than ~2048 spans while one
 * export is in flight, which happens from a few thousand requests per second on. A bigger queue
 * and batch keep every span at 10k+ requests per second with fewer, larger exports; memory is
 * bounded by the queue (ended spans, about 1 kB each).
 */
const BATCH_DEFAULTS = { maxQueueSize: 32_768, maxExportBatchSize: 4096 } as const;

/**
 * The batch size where OTEL_BSP_MAX_EXPORT_BATCH_SIZE is unset and spans go out as OTLP/protobuf
 * through our own processor (protobuf-batch-span-processor.ts): its batches are requests, not the
 * processor's buffer (the queue holds 32768 spans either way), and requests of 512 spans cost a
 * server a third less CPU per request than requests of 4096 (Node 22 and 24, bench/request-cpu).
 */
const PROTOBUF_BATCH_SIZE = 512;

/**
 * The span limits of the OTEL_SPAN_* / OTEL_ATTRIBUTE_* variables. SDK 3 no longer reads them in
 * the TracerProvider (only NodeSDK does, from its own start-up code), so a standalone setup reads
 * them here, with the same names and precedence as NodeSDK 0.301:
 * https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/#span-limits
 */
export function spanLimitsFromEnv(): SpanLimits {
  return {
    attributeCountLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      getNumberFromEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: getNumberFromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT'),
    attributePerEventCountLimit: getNumberFromEnv('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT'),
    attributePerLinkCountLimit: getNumberFromEnv('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT'),
  };
}

/**
 * The batch processor's OTEL_BSP_* variables (SDK 3's BatchSpanProcessor takes them as options
 * only), with this package's server defaults for the queue and batch sizes. Negative values are
 * ignored, as NodeSDK ignores them.
 */
export function batchOptionsFromEnv(protocol: OtlpProtocol): Omit<BatchSpanProcessorOptions, 'exporter'> & {
  maxQueueSize: number;
} {
  return {
    maxQueueSize: nonNegative('OTEL_BSP_MAX_QUEUE_SIZE') ?? BATCH_DEFAULTS.maxQueueSize,
    maxExportBatchSize:
      nonNegative('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ??
      (protocol === 'http/protobuf' ? PROTOBUF_BATCH_SIZE : BATCH_DEFAULTS.maxExportBatchSize),
    scheduledDelayMillis: nonNegative('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: nonNegative('OTEL_BSP_EXPORT_TIMEOUT'),
  };
}

function nonNegative(name: string): number | undefined {
  const value = getNumberFromEnv(name);
  return value !== undefined && value >= 0 ? value : undefined;
}
