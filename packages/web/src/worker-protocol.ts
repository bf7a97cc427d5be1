/**
 * The messages between a page running `startTracing` and a dedicated worker running
 * `startWorkerTracing` (@clicktrace/web/worker). Plain objects with string keys: structured clone
 * keeps nothing else (symbols, classes).
 *
 * 1. The worker posts `{ [HELLO_KEY]: 1 }` once, as it starts tracing. The page's SDK takes it
 *    before any listener of the page sees it (worker-hand-off.ts).
 * 2. From then on the page posts each message to that worker as `{ [ENVELOPE_KEY]: carrier, data }`:
 *    `carrier` holds the trace headers (`traceparent`, `tracestate`) of the sender's context, `data`
 *    the message as the app posted it. The worker's SDK unwraps it before any handler of the worker
 *    sees it (worker-message-context.ts). A worker that never said hello only ever gets the app's
 *    messages, untouched.
 */

/** Key of the worker's hello. */
export const HELLO_KEY = '__clicktrace_worker';

/** Key of an envelope's carrier. */
export const ENVELOPE_KEY = '__clicktrace_context';

/** A message the page wrapped: the trace headers, and the app's message. */
export interface Envelope {
  [ENVELOPE_KEY]: Record<string, string>;
  data: unknown;
}

/** Whether a message a worker posted is its hello. */
export function isHello(data: unknown): boolean {
  return (data as Record<string, unknown> | null)?.[HELLO_KEY] === 1;
}

/** The envelope, when a message a worker received is one. */
export function envelopeOf(data: unknown): Envelope | undefined {
  const carrier = (data as Partial<Envelope> | null)?.[ENVELOPE_KEY];
  return typeof carrier === 'object' && carrier !== null ? (data as Envelope) : undefined;
}
