import type { Span } from '@opentelemetry/api';
import type { ServerSpanCustomization } from './incoming-request-options.js';
import type { DurationRecord } from './server-request-duration.js';

/**
 * What a traced request carries from its start to its end, on the request and the response
 * under one symbol (a property read, cheaper than a WeakMap lookup on every request).
 */
export interface ServerSpanState {
  readonly span: Span;
  /** `http.request.method` as the span names it: the method, or `HTTP` for an unknown one. */
  readonly methodName: string;
  /** The route template once a framework has matched one (`/api/items/:id`). */
  route: string | undefined;
  /** The RPC metadata in the request's context, whose `route` other instrumentations may set. */
  readonly rpc: { route?: string };
  /**
   * What Express assigned to `req.route` (its Route object), kept here rather than on the request:
   * Express re-prototypes every request, and adding a property to such an object cost about 2 µs
   * per request on this machine (a CPU profile's single hottest line of ours).
   */
  expressRoute: unknown;
  /** An exception the framework caught and turned into a response. */
  error: unknown;
  /** The request's `Origin`, for the CORS half of the backlink headers. */
  readonly origin: string | undefined;
  /** What the user's http instrumentation config asks of the span's end. */
  readonly customization: ServerSpanCustomization;
  /** For `http.server.request.duration`, when a metrics SDK is registered. */
  readonly duration: DurationRecord | undefined;
}

export const STATE = Symbol.for('clicktrace.node.serverSpan');

export type Traced = { [STATE]?: ServerSpanState | undefined };

/** The state of the traced request (or response) `message`, if it is one. */
export function stateOf(message: object | null | undefined): ServerSpanState | undefined {
  return (message as Traced | null | undefined)?.[STATE];
}

/**
 * Records the route template a framework matched. The span is named `METHOD route` and gets
 * `http.route` when it ends, so a later (deeper) match wins over an earlier one.
 */
export function recordRoute(message: object | null | undefined, route: string): void {
  const state = stateOf(message);
  if (state !== undefined && route !== '') state.route = route;
}

/** Records an exception the framework caught; it becomes `error.type` and an `exception` event. */
export function recordError(message: object | null | undefined, error: unknown): void {
  const state = stateOf(message);
  // Once per exception, where two see it (Hono's route hook and honoRoutes() in one app).
  if (state === undefined || error === undefined || error === null || state.error === error) return;
  state.error = error;
  state.span.recordException(error instanceof Error ? error : String(error));
}
