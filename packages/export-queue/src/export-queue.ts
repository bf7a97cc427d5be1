import { diag } from '@opentelemetry/api';
import { backoffDelay } from './backoff.js';
import {
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_RETRY_AFTER_MS,
  type ExportQueueOptions,
  type QueueSize,
} from './export-queue-options.js';
import type { SendOutcome } from './send-outcome.js';
import { startTimer } from './start-timer.js';

const LOG_PREFIX = '@clicktrace export queue:';

/** How many spans the queue has dropped so far, by reason. */
export interface DroppedSpans {
  /** The oldest, pushed out by newer spans when the queue was full. */
  readonly overflow: number;
  /** Refused by the collector for good (a non-retryable answer such as HTTP 400). */
  readonly refused: number;
  /** In a batch bigger than the queue's caps on its own. */
  readonly oversized: number;
  /** Pushed after `shutdown()`. */
  readonly afterShutdown: number;
}

/** A waiting batch, with its size computed once. `seq` orders batches for `flush()`. */
interface Entry<Batch> extends QueueSize {
  readonly batch: Batch;
  readonly seq: number;
}

/** How one attempt ended for the queue: the head was delivered, dropped, or stays for a retry. */
type AttemptResult = 'delivered' | 'dropped' | 'retry' | 'empty';

/**
 * Holds span batches while the collector is unreachable and delivers them, oldest first, when it
 * is back: a bounded queue in front of an exporter that makes one attempt per batch.
 *
 * - Batches go out in order, one at a time. After a success the next one goes at once and the
 *   backoff starts over.
 * - After a retryable failure the batch stays at the head and the next attempt waits
 *   max(`Retry-After` capped at `maxRetryAfterMs`, exponential backoff with jitter): no export storm.
 * - After a non-retryable failure (the collector refused the batch itself) the batch is dropped.
 * - The queue never holds more than `maxSpans` spans and `maxBytes` bytes, except while the
 *   batch in flight has to wait for its answer: pushing past a cap drops the oldest waiting
 *   batches (the one in flight goes too if its attempt fails and the queue is still over). A
 *   batch bigger than a cap on its own is dropped at once.
 * - Every drop is counted in {@link dropped} and told through `diag.warn`, one message per event
 *   (a push, an answer), never one per span.
 *
 * Nothing here throws into the caller or rejects: tracing must never break the host app.
 */
export class ExportQueue<Batch> {
  readonly #send: (batch: Batch) => Promise<SendOutcome>;
  readonly #sizeOf: (batch: Batch) => QueueSize;
  readonly #maxSpans: number;
  readonly #maxBytes: number;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #setTimer: (callback: () => void, ms: number) => () => void;
  readonly #random: () => number;

  /** Oldest first. While an attempt is in flight, its batch is `#entries[0]` and nothing removes it. */
  readonly #entries: Entry<Batch>[] = [];
  #spans = 0;
  #bytes = 0;
  #nextSeq = 0;
  #attempt: Promise<AttemptResult> | undefined;
  /** Set while waiting out a backoff: cancels the timer of the next attempt. */
  #cancelRetry: (() => void) | undefined;
  /** Retryable failures in a row; 0 after a success. */
  #failures = 0;
  #dropped = { overflow: 0, refused: 0, oversized: 0, afterShutdown: 0 };
  /** Set when `shutdown()` is called: pushes are refused from then on. */
  #shutdown: Promise<void> | undefined;
  /** Set when `shutdown()` is done: no more attempts. */
  #stopped = false;

  constructor(options: ExportQueueOptions<Batch>) {
    this.#send = options.send;
    this.#sizeOf = options.sizeOf;
    this.#maxSpans = options.maxSpans;
    this.#maxBytes = options.maxBytes;
    this.#initialBackoffMs = options.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.#maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    this.#setTimer = options.setTimer ?? startTimer;
    this.#random = options.random ?? Math.random;
  }

  /** Everything not yet delivered, the batch in flight included. */
  get waiting(): { batches: number; spans: number; bytes: number } {
    return { batches: this.#entries.length, spans: this.#spans, bytes: this.#bytes };
  }

  /** Spans dropped since the queue was made, by reason. */
  get dropped(): DroppedSpans {
    return { ...this.#dropped };
  }

  /**
   * Queues a batch behind the others and starts sending, unless the queue is waiting out a
   * backoff. Drops the oldest batches if the queue is now over a cap.
   */
  push(batch: Batch): void {
    try {
      const { spans, bytes } = this.#sizeOf(batch);
      if (spans <= 0) return;
      if (this.#shutdown !== undefined) {
        this.#dropped.afterShutdown += spans;
        diag.warn(`${LOG_PREFIX} dropped ${spans} spans ended after shutdown`);
        return;
      }
      if (spans > this.#maxSpans || bytes > this.#maxBytes) {
        this.#dropped.oversized += spans;
        diag.warn(`${LOG_PREFIX} dropped a batch of ${spans} spans larger than the queue's caps`);
        return;
      }
      this.#entries.push({ batch, spans, bytes, seq: this.#nextSeq++ });
      this.#spans += spans;
      this.#bytes += bytes;
      this.#dropOverflow();
      this.#sendNext();
    } catch (error) {
      diag.error(`${LOG_PREFIX} could not queue a batch; its spans are lost`, error);
    }
  }

  /**
   * Sends now, without waiting out the current backoff, every batch that was waiting when called.
   * Resolves when they are all delivered or dropped, or as soon as one attempt fails: it never
   * waits for a backoff, so it takes at most as long as the attempts it makes. Never rejects.
   */
  async flush(): Promise<void> {
    try {
      const last = this.#entries.at(-1)?.seq;
      if (last === undefined) return;
      this.#stopRetryTimer();
      for (;;) {
        const head = this.#entries[0];
        if (head === undefined || head.seq > last) return;
        if ((await this.#attemptHead()) === 'retry') return;
      }
    } catch (error) {
      diag.error(`${LOG_PREFIX} flush failed`, error);
    } finally {
      // A batch pushed while flush's own attempt was in flight found the queue busy: send it now
      // (unless a backoff runs, which then sends it).
      this.#sendNext();
    }
  }

  /**
   * Refuses later pushes, flushes, then stops: no timer is left behind. What could not be
   * delivered is counted in a warning. Later calls return the same promise. Never rejects.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#flushAndStop();
    return this.#shutdown;
  }

  /**
   * Removes and returns every waiting batch, oldest first, to be sent some other way (the browser
   * hands them to `sendBeacon` or a keepalive fetch when the page goes away). The batch in flight
   * stays: its attempt is already on its way.
   */
  takeAll(): Batch[] {
    const taken = this.#entries.splice(this.#attempt === undefined ? 0 : 1);
    for (const entry of taken) this.#forget(entry);
    if (this.#entries.length === 0) this.#stopRetryTimer();
    return taken.map((entry) => entry.batch);
  }

  async #flushAndStop(): Promise<void> {
    await this.flush();
    this.#stopped = true;
    this.#stopRetryTimer();
    if (this.#spans > 0) {
      diag.warn(
        `${LOG_PREFIX} shut down with ${this.#spans} spans undelivered: the collector could not be reached`,
      );
    }
  }

  /** Starts the next attempt, unless one is in flight, a backoff runs, or there is nothing to send. */
  #sendNext(): void {
    if (this.#attempt !== undefined || this.#cancelRetry !== undefined || this.#stopped) return;
    if (this.#entries.length === 0) return;
    void this.#attemptHead().then((result) => {
      if (result === 'delivered' || result === 'dropped') this.#sendNext();
    });
  }

  /** One attempt at the head batch, or the attempt already in flight. Never rejects. */
  #attemptHead(): Promise<AttemptResult> {
    if (this.#attempt !== undefined) return this.#attempt;
    const head = this.#entries[0];
    if (head === undefined) return Promise.resolve('empty');
    const attempt = this.#sendSafely(head.batch)
      .then((outcome) => this.#settle(head, outcome))
      // Only a throwing diag logger or setTimer gets here. The batch stays; the next push or
      // flush tries again. Nothing is logged: the logger may be what threw.
      .catch((): AttemptResult => {
        this.#attempt = undefined;
        return 'retry';
      });
    this.#attempt = attempt;
    return attempt;
  }

  async #sendSafely(batch: Batch): Promise<SendOutcome> {
    try {
      return await this.#send(batch);
    } catch (error) {
      return { ok: false, retryable: true, error };
    }
  }

  #settle(head: Entry<Batch>, outcome: SendOutcome): AttemptResult {
    this.#attempt = undefined;
    if (outcome.ok) {
      this.#remove(head);
      if (this.#failures > 0) {
        diag.info(`${LOG_PREFIX} the collector is back after ${this.#failures} failed attempts`);
      }
      this.#failures = 0;
      return 'delivered';
    }
    if (!outcome.retryable) {
      this.#remove(head);
      this.#dropped.refused += head.spans;
      // It answered, so it is up: no reason to wait before the next batch.
      this.#failures = 0;
      diag.warn(`${LOG_PREFIX} the collector refused ${head.spans} spans; dropped them`, outcome.error);
      return 'dropped';
    }
    this.#failures++;
    // The head may be dropped now that its attempt is over, if newer batches filled the queue meanwhile.
    this.#dropOverflow();
    if (this.#stopped) return 'retry';
    const delay = this.#retryDelay(outcome.retryAfterMs);
    this.#stopRetryTimer();
    this.#cancelRetry = this.#setTimer(() => {
      this.#cancelRetry = undefined;
      this.#sendNext();
    }, delay);
    const message =
      `${LOG_PREFIX} export failed (${this.#failures} in a row); ${this.#spans} spans wait, ` +
      `next attempt in ${Math.round(delay)} ms`;
    // Warn when the collector is first lost, not at every retry while it stays away.
    if (this.#failures === 1) diag.warn(message, outcome.error);
    else diag.debug(message, outcome.error);
    return 'retry';
  }

  #retryDelay(retryAfterMs: number | undefined): number {
    const backoff = backoffDelay(this.#failures, {
      initialMs: this.#initialBackoffMs,
      maxMs: this.#maxBackoffMs,
      random: this.#random,
    });
    const asked = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? retryAfterMs : 0;
    return Math.max(Math.min(Math.max(asked, 0), this.#maxRetryAfterMs), backoff);
  }

  /**
   * Drops the oldest batches until the queue is within its caps. Never the batch in flight, and
   * never the newest (it fits on its own: push checked), so the queue may stay over a cap by the
   * batch in flight until its attempt ends.
   */
  #dropOverflow(): void {
    const first = this.#attempt === undefined ? 0 : 1;
    let spans = 0;
    let batches = 0;
    while (
      (this.#spans > this.#maxSpans || this.#bytes > this.#maxBytes) &&
      this.#entries.length - first > 1
    ) {
      const [oldest] = this.#entries.splice(first, 1) as [Entry<Batch>];
      this.#forget(oldest);
      spans += oldest.spans;
      batches++;
    }
    if (batches === 0) return;
    this.#dropped.overflow += spans;
    diag.warn(
      `${LOG_PREFIX} dropped the oldest ${spans} spans (${batches} batches) waiting for the collector: ` +
        `the queue holds at most ${this.#maxSpans} spans and ${this.#maxBytes} bytes ` +
        `(${this.#dropped.overflow} dropped so far)`,
    );
  }

  #remove(entry: Entry<Batch>): void {
    const index = this.#entries.indexOf(entry);
    if (index === -1) return;
    this.#entries.splice(index, 1);
    this.#forget(entry);
  }

  #forget(entry: Entry<Batch>): void {
    this.#spans -= entry.spans;
    this.#bytes -= entry.bytes;
  }

  #stopRetryTimer(): void {
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
  }
}
