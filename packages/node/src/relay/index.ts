/**
 * @module
 * A same-origin relay for the browser's OTLP exports: the page posts to its own API, which
 * forwards to one fixed collector.
 *
 * ```ts
 * import { otlpRelay } from '@clicktrace/node/relay';
 * app.post('/v1/traces', otlpRelay({ upstream: 'http://otel-collector:4318/v1/traces' }));
 * ```
 */

export type { OtlpRelayOptions, RateLimit } from './otlp-relay.js';
export { otlpRelay } from './otlp-relay.js';
export { isRelayRequest } from './relay-paths.js';
