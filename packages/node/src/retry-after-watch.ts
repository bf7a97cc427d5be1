import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { parseRetryAfter, RETRYABLE_STATUSES } from '@clicktrace/export-queue';

/** Node publishes every node:http(s) client response here: https://nodejs.org/api/diagnostics_channel.html#http */
const RESPONSE_FINISH = 'http.client.response.finish';

/** What the stock Node transport puts in its `User-Agent` (otlp-exporter-base 0.301, http-transport-utils.ts). */
const STOCK_USER_AGENT = 'OTel-OTLP-Exporter-JavaScript/';

/**
 * Reads the `Retry-After` that the collector sent the stock exporter during one export.
 *
 * The stock exporter honours `Retry-After` between its own attempts, but only within its timeout
 * (10 s by default): a longer wait makes it give up at once, and its final error does not say
 * how long the collector asked for ("Export failed with retryable status", nothing else). Node
 * publishes every client response on a diagnostics channel, so while an export is in flight this
 * listens there for the stock exporter's own requests (told by their User-Agent) and keeps what
 * the last answer asked for. Between `start()` and `stop()` only: nothing is read otherwise.
 *
 * If another OTLP exporter of the process (metrics, logs) talks to a collector at the same moment,
 * its answer may be read too. That collector asked for the same patience, so honouring it is no
 * harm.
 */
export class RetryAfterWatch {
  #retryAfterMs: number | undefined;
  readonly #onResponse = (message: unknown): void => {
    // Node rethrows a subscriber's error as an uncaught exception: nothing may escape from here.
    try {
      const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
      if (!String(request.getHeader('user-agent') ?? '').includes(STOCK_USER_AGENT)) return;
      // Each answer replaces the one before: the last attempt's is the one that counts.
      this.#retryAfterMs =
        response.statusCode !== undefined && RETRYABLE_STATUSES.has(response.statusCode)
          ? parseRetryAfter(response.headers['retry-after'], Date.now())
          : undefined;
    } catch {
      // Not the message shape Node documents for this channel: nothing to read.
    }
  };

  /** Starts listening, forgetting what an earlier export was told. */
  start(): void {
    this.#retryAfterMs = undefined;
    subscribe(RESPONSE_FINISH, this.#onResponse);
  }

  /** Stops listening; the wait the last retryable answer asked for, if it asked. */
  stop(): number | undefined {
    unsubscribe(RESPONSE_FINISH, this.#onResponse);
    return this.#retryAfterMs;
  }
}
