/**
 * @module
 * Trace context across `postMessage` to a long-lived Worker (a pool). A Worker constructed during a
 * request needs none of this: it continues the request's trace by itself (see
 * docs/worker-threads.md).
 *
 * ```ts
 * import { inTraceContext, withTraceContext } from '@clicktrace/node/worker-threads';
 * worker.postMessage(withTraceContext(task));                          // in the request
 * parentPort.on('message', inTraceContext((task) => handle(task)));    // in the Worker
 * ```
 */

export type { TracedMessage } from './trace-messages.js';
export { inTraceContext, withTraceContext } from './trace-messages.js';
