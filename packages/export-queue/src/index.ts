/**
 * @module
 * The bounded retry queue between a batch span processor and an OTLP exporter, shared by
 * @clicktrace/web and @clicktrace/node. Private: bundled into both, never published, so it may
 * import nothing but `@opentelemetry/api` (for `diag`) and must run in browsers and Node alike.
 */

export type { BackoffPolicy } from './backoff.js';
export { backoffDelay } from './backoff.js';
export type { DroppedSpans } from './export-queue.js';
export { ExportQueue } from './export-queue.js';
export type { ExportQueueOptions, QueueSize } from './export-queue-options.js';
export {
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_RETRY_AFTER_MS,
} from './export-queue-options.js';
export { parseRetryAfter } from './retry-after.js';
export type { SendOutcome } from './send-outcome.js';
export { RETRYABLE_STATUSES } from './send-outcome.js';
