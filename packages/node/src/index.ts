/**
 * @module
 * Continue the browser's trace in any Node HTTP server.
 *
 * ```ts
 * import { startTracing } from '@clicktrace/node';
 * const tracing = startTracing({ serviceName: 'shop-api', endpoint: 'http://127.0.0.1:4318/v1/traces' });
 * process.on('SIGTERM', () => tracing.shutdown());
 * ```
 */
export { startTracing } from './start-tracing.js';
export type { NodeTracing, NodeTracingOptions } from './types.js';
