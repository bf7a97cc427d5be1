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

export type { CorsDecision, CorsOptions, CorsOrigins, CorsRequest } from './cors.js';
// CORS that lets browsers send trace headers and read the Server-Timing backlink.
export { cors, corsMiddleware, corsPolicy, TRACE_HEADERS } from './cors.js';
export type { CorsFastifyPlugin } from './cors-fastify.js';
export { corsFastify } from './cors-fastify.js';
export { corsHono } from './cors-hono.js';
// Route names for Hono, which has no global hook to read them from.
export { type HonoContextLike, honoRoutes } from './framework-routes.js';
export type { OtlpRelayOptions, RateLimit } from './otlp-relay.js';
// A same-origin relay for the browser's OTLP exports.
export { otlpRelay } from './otlp-relay.js';
export type { PropagatorName } from './propagators.js';
export { startTracing } from './start-tracing.js';
export type { TrustIncoming, TrustMode } from './trust-incoming.js';
export type { NodeTracing, NodeTracingOptions } from './types.js';
