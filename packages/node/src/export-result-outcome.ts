import { RETRYABLE_STATUSES, type SendOutcome } from '@clicktrace/export-queue';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';

/**
 * The network errors the stock Node transport retries itself (otlp-exporter-base 0.301,
 * `isHttpTransportNetworkErrorRetryable` in platform/node/transport/http-transport-utils.ts): the
 * collector is down, restarting, or out of reach. Other codes (a TLS certificate the collector
 * does not accept, say) are set-up errors that no retry mends.
 */
const RETRYABLE_NETWORK_CODES: ReadonlySet<unknown> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/**
 * Plain errors of the stock exporter that mean "not now" rather than "never": its request timer
 * (`sendWithHttp`) and its cap of 30 exports in flight (`OTLPExportDelegate.export`). They have
 * no code, so their messages are all there is to tell them by.
 */
const RETRYABLE_MESSAGES: ReadonlySet<string> = new Set([
  'Request timed out',
  'Concurrent export limit reached',
]);

/**
 * What one stock export came to, for the export queue.
 *
 * The stock exporter's ExportResult says only SUCCESS or FAILED with an error, after its own
 * retries, and the error is one of:
 * - an `OTLPExporterError` with `code` = the HTTP status and `data` = the response body: a status
 *   it does not retry (400, 401, 413, …), so the collector refused the batch itself. Not retryable.
 * - an `OTLPExporterError` with no `code` ("Export failed with retryable status"): it got 429,
 *   502, 503 or 504 until it ran out of attempts or time. Retryable.
 * - a Node network error with its `code` (ECONNREFUSED, …): retryable for the codes it retries.
 * - a plain Error for its own request timeout or concurrency cap: retryable.
 * Anything else (a serializer error, a bad header) would fail again the same way: not retryable,
 * so it cannot hold up the batches behind it.
 *
 * @param retryAfterMs the `Retry-After` of the collector's last answer in this export, if any
 *   (the stock error does not carry it: see retry-after-watch.ts).
 */
export function sendOutcomeOf(result: ExportResult, retryAfterMs: number | undefined): SendOutcome {
  if (result.code === ExportResultCode.SUCCESS) return { ok: true };
  const error = result.error;
  const retryable = isRetryable(error);
  // The collector's Retry-After counts only when its answer is what failed the export: after a
  // 503 and then a refused connection, the wait it asked for is stale.
  const statusFailure = (error as { name?: unknown } | undefined)?.name === 'OTLPExporterError';
  return retryable && statusFailure && retryAfterMs !== undefined
    ? { ok: false, retryable, retryAfterMs, error }
    : { ok: false, retryable, error };
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as { code?: unknown }).code;
  // By name, not instanceof: a second copy of otlp-exporter-base in the process has its own class.
  // The statuses the stock exporter retries itself (otlp-exporter-base 0.301, isExportHTTPErrorRetryable).
  if (error.name === 'OTLPExporterError') return code === undefined || RETRYABLE_STATUSES.has(code as number);
  if (typeof code === 'string') return RETRYABLE_NETWORK_CODES.has(code);
  return RETRYABLE_MESSAGES.has(error.message);
}
