/**
 * @module
 * CORS that lets browsers send trace headers (`traceparent`, `tracestate`, `baggage`) to your API
 * and read its Server-Timing backlink: for node:http, Express, Fastify and Hono.
 *
 * ```ts
 * import { corsMiddleware } from '@clicktrace/node/cors';
 * app.use(corsMiddleware({ origins: ['https://shop.example.com'] }));
 * ```
 */

export type { CorsDecision, CorsOptions, CorsOrigins, CorsRequest } from './cors.js';
export { cors, corsMiddleware, corsPolicy, TRACE_HEADERS } from './cors.js';
export type { CorsFastifyPlugin } from './cors-fastify.js';
export { corsFastify } from './cors-fastify.js';
export { corsHono } from './cors-hono.js';
