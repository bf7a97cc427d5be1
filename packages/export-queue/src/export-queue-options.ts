import type { SendOutcome } from './send-outcome.js';

/** How much a batch, or the whole queue, holds. */
export interface QueueSize {
  readonly spans: number;
  /** An estimate is fine: it bounds memory, it is not a wire size. */
  readonly bytes: number;
}

/** Options of {@link ExportQueue}. */
export interface ExportQueueOptions<Batch> {
  /**
   * One attempt to deliver one batch. The queue retries; `send` must not (a transport's own short
   * retries within one attempt are fine). It should resolve, never reject: a rejection counts as a
   * retryable failure.
   */
  send(batch: Batch): Promise<SendOutcome>;
  /** The size of a batch, computed once when it is pushed. Must be cheap. */
  sizeOf(batch: Batch): QueueSize;
  /** The most spans that may wait (not yet delivered) at once. Past it, the oldest batches are dropped. */
  maxSpans: number;
  /** The most bytes (as `sizeOf` counts them) that may wait at once. Past it, the oldest batches are dropped. */
  maxBytes: number;
  /** Backoff after the first failed attempt, before jitter. Default {@link DEFAULT_INITIAL_BACKOFF_MS}. */
  initialBackoffMs?: number;
  /** The most the backoff doubles to, before jitter. Default {@link DEFAULT_MAX_BACKOFF_MS}. */
  maxBackoffMs?: number;
  /** The longest `Retry-After` honoured; a longer one waits this long. Default {@link DEFAULT_MAX_RETRY_AFTER_MS}. */
  maxRetryAfterMs?: number;
  /**
   * Runs `callback` once after `ms`; returns a function that cancels it. Default: `setTimeout`,
   * `unref()`'d where the handle has it. The browser SDK passes one that runs outside any zone.js
   * zone, so a retry never counts as a task of the click that happened to be active.
   */
  setTimer?(callback: () => void, ms: number): () => void;
  /** A number in [0, 1) for the jitter. Default `Math.random`. */
  random?(): number;
}

/**
 * One second: the first retry comes soon, for the blip (a collector restarting) that is over in
 * a moment. In Node each attempt already includes the stock exporter's own retries.
 */
export const DEFAULT_INITIAL_BACKOFF_MS = 1000;

/**
 * Thirty seconds: the longest a recovered collector waits for the first span after it comes
 * back. Doubling from 1 s reaches it after five failures (about a minute down); past it, a
 * process sends two requests a minute to a dead collector.
 */
export const DEFAULT_MAX_BACKOFF_MS = 30_000;

/**
 * One minute: an overloaded collector's `Retry-After` is honoured up to here. A longer one (a
 * proxy's maintenance page asking for an hour) would only let the queue overflow and drop its
 * oldest spans before a single retry.
 */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
