/**
 * @clicktrace/web/worker: tracing inside a dedicated Web Worker, so that the work a click hands
 * over with `worker.postMessage` (and the worker's fetch) stays in the click's trace. The page
 * side needs no code: `startTracing` on the page does its half.
 *
 * @example
 * // worker.ts (its first lines)
 * import { startWorkerTracing } from '@clicktrace/web/worker';
 * startWorkerTracing({ serviceName: 'shop-worker', propagateTo: ['https://api.example.com'] });
 *
 * @module
 */

// zone.js carries the context of a message through the worker's timers and promises: imported here
// (this entry's one side effect), before the worker's own code schedules anything.
import 'zone.js';

export { startWorkerTracing } from './start-worker-tracing.js';
export type { WorkerTracing, WorkerTracingOptions } from './worker-tracing.js';
