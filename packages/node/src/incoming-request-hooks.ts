import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Attributes, diag, type Span } from '@opentelemetry/api';

/**
 * The options of the stock http instrumentation that shape SERVER spans, as its config names them.
 * `withClicktrace` turns the incoming half of a user's HttpInstrumentation off (clicktrace's own
 * server spans take over) and hands these on, so the user's configuration keeps working: an ignored
 * health check stays ignored, custom attributes still land on the span.
 */
export interface IncomingRequestHooks {
  /** `true`: no span, and the request runs with tracing suppressed (as the stock one does). */
  ignoreIncomingRequestHook?: (request: IncomingMessage) => boolean;
  /** Attributes added when the span starts (so samplers see them). */
  startIncomingSpanHook?: (request: IncomingMessage) => Attributes;
  /** Called with the span and the request once the span has started. */
  requestHook?: (span: Span, request: IncomingMessage) => void;
  /** Called with the span and the response once the span has started. */
  responseHook?: (span: Span, response: ServerResponse) => void;
}

const HOOK_NAMES = [
  'ignoreIncomingRequestHook',
  'startIncomingSpanHook',
  'requestHook',
  'responseHook',
] as const satisfies readonly (keyof IncomingRequestHooks)[];

/** The incoming-request hooks of an http instrumentation config, if it has any. */
export function incomingRequestHooks(config: Record<string, unknown>): IncomingRequestHooks | undefined {
  const hooks: Record<string, unknown> = {};
  for (const name of HOOK_NAMES) if (typeof config[name] === 'function') hooks[name] = config[name];
  return Object.keys(hooks).length > 0 ? (hooks as IncomingRequestHooks) : undefined;
}

/** Runs a user's hook: what it throws is reported through `diag`, never thrown into the request. */
export function runHook<T>(hook: () => T): T | undefined {
  try {
    return hook();
  } catch (error) {
    diag.error('@clicktrace/node: an incoming-request hook of the http instrumentation threw', error);
    return undefined;
  }
}
