import { type Context, context, createContextKey, diag, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Carrier } from './carrier-key.js';

/** The envelope's key for the carrier: a plain string, so the envelope survives structured clone. */
const TRACE_CONTEXT = '@clicktrace/trace-context';

/** A message with the sender's trace context, as {@link withTraceContext} wraps it. */
export interface TracedMessage<T> {
  readonly [TRACE_CONTEXT]: Carrier;
  readonly message: T;
}

/**
 * An empty context that is not the root context: a Worker that was handed a context at
 * construction treats the root context as "none given" and falls back to it; a message sent
 * outside any trace must not.
 */
const NO_TRACE = ROOT_CONTEXT.setValue(createContextKey('@clicktrace/node: no trace'), true);

/**
 * Wraps a message for a long-lived Worker (a pool) with the trace context active here, so that
 * the Worker's handler, wrapped in {@link inTraceContext}, continues this trace. The result is a
 * plain object (`{ '@clicktrace/trace-context': { traceparent, … }, message }`) that
 * `postMessage` and any pool library clone as they would the message. Never throws; with no
 * tracing running, the carrier is empty.
 *
 * @example
 * worker.postMessage(withTraceContext({ imageId }));
 * await pool.run(withTraceContext({ imageId })); // piscina
 */
export function withTraceContext<T>(message: T): TracedMessage<T> {
  const carrier: Carrier = {};
  try {
    propagation.inject(context.active(), carrier);
  } catch (error) {
    diag.debug('@clicktrace/node: could not put the trace context into a message', error);
  }
  return { [TRACE_CONTEXT]: carrier, message };
}

/**
 * Wraps a Worker's message handler: given a message from {@link withTraceContext}, it calls
 * `handler` with the original message, inside the sender's trace context (or, when the sender had
 * none, outside any trace); given any other message, it calls `handler` with it unchanged, as
 * before. Whatever `handler` returns or throws comes back unchanged. Works without tracing
 * running in the Worker (the message is unwrapped and nothing else happens).
 *
 * @example
 * parentPort.on('message', inTraceContext(async ({ imageId }) => { await fetch(…); }));
 * export default inTraceContext(async ({ imageId }) => { … }); // a piscina task
 */
export function inTraceContext<M, R, A extends unknown[] = []>(
  handler: (message: M, ...rest: A) => R,
): (message: M | TracedMessage<M>, ...rest: A) => R {
  return function inTraceContext(this: unknown, message, ...rest) {
    if (!isTracedMessage<M>(message)) return handler.call(this, message, ...rest);
    return context.with(senderContext(message), handler, this, message.message, ...rest);
  };
}

function isTracedMessage<M>(message: unknown): message is TracedMessage<M> {
  return (
    typeof message === 'object' &&
    message !== null &&
    Object.hasOwn(message, TRACE_CONTEXT) &&
    Object.hasOwn(message, 'message')
  );
}

/** The sender's context, or {@link NO_TRACE}. Never throws. */
function senderContext(message: TracedMessage<unknown>): Context {
  try {
    const carrier = message[TRACE_CONTEXT];
    if (typeof carrier !== 'object' || carrier === null) return NO_TRACE;
    const extracted = propagation.extract(ROOT_CONTEXT, carrier);
    return extracted === ROOT_CONTEXT ? NO_TRACE : extracted;
  } catch (error) {
    diag.debug('@clicktrace/node: could not read the trace context of a message', error);
    return NO_TRACE;
  }
}
