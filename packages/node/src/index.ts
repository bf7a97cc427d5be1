/**
 * @module
 * Continue the browser's trace in any Node HTTP server.
 *
 * ```ts
 * import { startTracing } from '@clicktrace/node';
 * const tracing = startTracing({ serviceName: 'shop-api', endpoint: 'http://127.0.0.1:4318/v1/traces' });
 * process.on('SIGTERM', () => tracing.shutdown());
 * ```
 *
 * With your own NodeSDK: `new NodeSDK(withClicktrace({ serviceName: 'shop-api', ... })).start()`.
 * Secondary entry points: `@clicktrace/node/register` (zero-code start), `/cors`, `/relay`, `/hono`.
 */

export type { LibrariesOption, LibraryName } from './library-instrumentations.js';
export type { PropagatorName } from './propagators.js';
export { startTracing } from './start-tracing.js';
export type { TrustIncoming, TrustMode } from './trust-incoming.js';
export type { NodeTracing, NodeTracingOptions } from './types.js';
export type { ClicktraceSdkOptions, InstrumentationLike, NodeSdkConfigLike } from './with-clicktrace.js';
export { withClicktrace } from './with-clicktrace.js';
