/**
 * The HTTP statuses with which an OTLP/HTTP collector asks to be sent the same request again later
 * (honouring its `Retry-After`); any other error status refuses the batch itself.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * What one attempt to deliver one batch came to.
 *
 * - `{ ok: true }`: the collector took the batch.
 * - `retryable: true`: the collector could not be reached or asked to be tried again later (network
 *   error, timeout, HTTP 429, 502, 503, 504). The batch stays at the head of the queue.
 *   `retryAfterMs` is the wait the collector asked for (its `Retry-After`), if it said.
 * - `retryable: false`: the collector refused the batch itself (HTTP 400, 413, …): sending it again
 *   would be refused again, so it is dropped.
 */
export type SendOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly retryAfterMs?: number;
      readonly error: unknown;
    };
