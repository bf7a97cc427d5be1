import type { WebTracing, WebTracingOptions } from './web-tracing.js';

/**
 * Options of `startWorkerTracing`: those of `startTracing` that mean something in a worker, with
 * the same defaults (`endpoint`: `/v1/traces` on the worker's origin, which is the page's unless
 * the worker came from elsewhere; `propagateTo`: origins besides the worker's own).
 */
export type WorkerTracingOptions = Pick<
  WebTracingOptions,
  'serviceName' | 'endpoint' | 'propagateTo' | 'headers' | 'resourceAttributes' | 'spanProcessors'
>;

/** The running tracing of a worker, as returned by `startWorkerTracing`. */
export interface WorkerTracing {
  /** Exports every finished span now. Never rejects: export errors go to `diag`. */
  flush(): Promise<void>;
  /**
   * Stops patching and exporting (what has ended is exported first) and unregisters from the
   * OpenTelemetry API. Messages the page wraps are still unwrapped for the worker's handlers.
   */
  shutdown: WebTracing['shutdown'];
}
