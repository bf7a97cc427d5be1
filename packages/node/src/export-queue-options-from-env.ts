import { diag } from '@opentelemetry/api';
import { getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';

/** The caps and backoff of the export queue (see queued-span-exporter.ts). */
export interface ExportQueueLimits {
  /** The most spans that wait for the collector at once; past it the oldest are dropped. */
  maxSpans: number;
  /** The most bytes (estimated: estimate-span-bytes.ts) that wait at once; past it the oldest are dropped. */
  maxBytes: number;
  /** Default: the export queue's own (1 s). */
  initialBackoffMs?: number;
  /** Default: the export queue's own (30 s). */
  maxBackoffMs?: number;
}

/**
 * The export queue's byte cap for a server, where CLICKTRACE_EXPORT_QUEUE_MAX_BYTES is unset. (The
 * span cap defaults to the batch processor's own buffer size: see exportQueueOptionsFromEnv.)
 *
 * - 32 MiB estimated, about 40 MB of heap: a typical server span (a dozen HTTP attributes)
 *   estimates at about 840 bytes and takes about 1.05 kB of heap (measured with Node 24), so for
 *   such spans the span cap binds first (about 27 MiB); spans that carry kilobytes each (SQL
 *   statements, long URLs) meet the byte cap first, which keeps the heap they take near 40 MB.
 */
export const DEFAULT_MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/**
 * The export queue's options: the caps from CLICKTRACE_EXPORT_QUEUE_MAX_SPANS and
 * CLICKTRACE_EXPORT_QUEUE_MAX_BYTES (positive integers). Unset, the span cap is `batchQueueSize`,
 * what the batch processor's own buffer holds (OTEL_BSP_MAX_QUEUE_SIZE, 32768 by default): that
 * buffer now empties into this queue at once, so the two together hold about what the batch
 * processor alone held before (a 30 s outage at 1000 spans a second, by default). The byte cap is
 * {@link DEFAULT_MAX_QUEUED_BYTES}.
 *
 * CLICKTRACE_TEST_EXPORT_BACKOFF_MS (`initial,max`, e.g. `50,200`) is for this package's own tests
 * only, which must see several retries in a few seconds; it is not documented for users, whose
 * collectors are better served by the queue's defaults (1 s doubling to 30 s).
 */
export function exportQueueOptionsFromEnv(batchQueueSize: number): ExportQueueLimits {
  return {
    // At least one span: OTEL_BSP_MAX_QUEUE_SIZE=0 is the batch processor's business, not a cap of 0.
    maxSpans: positiveInteger('CLICKTRACE_EXPORT_QUEUE_MAX_SPANS') ?? Math.max(1, batchQueueSize),
    maxBytes: positiveInteger('CLICKTRACE_EXPORT_QUEUE_MAX_BYTES') ?? DEFAULT_MAX_QUEUED_BYTES,
    ...testBackoff(),
  };
}

function positiveInteger(name: string): number | undefined {
  const value = getNumberFromEnv(name);
  if (value === undefined) return undefined;
  if (Number.isInteger(value) && value > 0) return value;
  diag.warn(`@clicktrace/node: ${name}=${value} is not a positive integer, using the default`);
  return undefined;
}

function testBackoff(): Pick<ExportQueueLimits, 'initialBackoffMs' | 'maxBackoffMs'> {
  const [initialBackoffMs, maxBackoffMs] = (getStringFromEnv('CLICKTRACE_TEST_EXPORT_BACKOFF_MS') ?? '')
    .split(',')
    .map(Number);
  if (!(Number(initialBackoffMs) > 0 && Number(maxBackoffMs) >= Number(initialBackoffMs))) return {};
  return { initialBackoffMs, maxBackoffMs };
}
