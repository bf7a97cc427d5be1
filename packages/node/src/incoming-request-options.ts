import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Attributes, diag, type Span } from '@opentelemetry/api';
import { createQueryRedactor } from './redact-query.js';

/**
 * The options of the stock http instrumentation (0.30x, and 0.2xx) that shape SERVER spans, as
 * its config names them. `withClicktrace` turns the incoming half of a user's HttpInstrumentation
 * off (clicktrace's own server spans take over) and hands these on, so the user's configuration
 * keeps working: an ignored health check stays ignored, a secret in a query stays redacted, custom
 * attributes and captured headers still land on the span.
 */
export interface HttpServerConfig {
  /** `true`: no span, and the request runs with tracing suppressed (as the stock one does). */
  ignoreIncomingRequestHook?: (request: IncomingMessage) => boolean;
  /** Attributes added when the span starts (so samplers see them). */
  startIncomingSpanHook?: (request: IncomingMessage) => Attributes;
  /** Called with the span and the request once the span has started. */
  requestHook?: (span: Span, request: IncomingMessage) => void;
  /** Called with the span and the response once the span has started. */
  responseHook?: (span: Span, response: ServerResponse) => void;
  /** Called with the span, request and response just before the span ends. */
  applyCustomAttributesOnSpan?: (span: Span, request: IncomingMessage, response: ServerResponse) => void;
  /** No span for a request that carries no parent (its work runs under an invalid, unrecorded span). */
  requireParentforIncomingSpans?: boolean;
  /** Headers recorded as `http.request.header.<name>` / `http.response.header.<name>`. */
  headersToSpanAttributes?: { server?: { requestHeaders?: string[]; responseHeaders?: string[] } };
  /** Query keys whose values are replaced with `REDACTED`; default the stock list, `[]` for none. */
  redactedQueryParamsServer?: string[];
  /** Adds `user_agent.synthetic.type` (`test`, `bot`) from the user agent. */
  enableSyntheticSourceDetection?: boolean;
}

const KEYS = [
  'ignoreIncomingRequestHook',
  'startIncomingSpanHook',
  'requestHook',
  'responseHook',
  'applyCustomAttributesOnSpan',
  'requireParentforIncomingSpans',
  'headersToSpanAttributes',
  'redactedQueryParamsServer',
  'enableSyntheticSourceDetection',
] as const satisfies readonly (keyof HttpServerConfig)[];

/** The server options of an http instrumentation's config (the rest is the client half's). */
export function httpServerConfig(config: object): HttpServerConfig {
  const picked: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = (config as Record<string, unknown>)[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked as HttpServerConfig;
}

// As the stock instrumentation names synthetic sources.
const SYNTHETIC_TEST = ['alwayson'];
const SYNTHETIC_BOT = ['googlebot', 'bingbot'];

/**
 * An {@link HttpServerConfig} made ready for the hot path: the server spans ask it at each step
 * and it does nothing it was not configured to do (but redact the default query keys).
 */
export class ServerSpanCustomization {
  readonly requireParent: boolean;
  readonly redactQuery: (query: string) => string;
  readonly #config: HttpServerConfig;
  readonly #requestHeaders: readonly string[];
  readonly #responseHeaders: readonly string[];

  constructor(config: HttpServerConfig = {}) {
    this.#config = config;
    this.requireParent = config.requireParentforIncomingSpans === true;
    this.redactQuery = createQueryRedactor(stringList(config.redactedQueryParamsServer));
    this.#requestHeaders = lowerCase(config.headersToSpanAttributes?.server?.requestHeaders);
    this.#responseHeaders = lowerCase(config.headersToSpanAttributes?.server?.responseHeaders);
  }

  /** Whether the user's `ignoreIncomingRequestHook` ignores this request. */
  ignores(request: IncomingMessage): boolean {
    const hook = this.#config.ignoreIncomingRequestHook;
    return hook !== undefined && run(() => hook(request)) === true;
  }

  /** Adds the start attributes the config asks for. */
  addStartAttributes(request: IncomingMessage, attributes: Attributes): void {
    const { startIncomingSpanHook, enableSyntheticSourceDetection } = this.#config;
    for (const name of this.#requestHeaders)
      addHeader(attributes, `http.request.header.${name}`, request.headers[name]);
    if (enableSyntheticSourceDetection) {
      const agent = String(request.headers['user-agent'] ?? '').toLowerCase();
      if (SYNTHETIC_TEST.some((name) => agent.includes(name)))
        attributes['user_agent.synthetic.type'] = 'test';
      else if (SYNTHETIC_BOT.some((name) => agent.includes(name)))
        attributes['user_agent.synthetic.type'] = 'bot';
    }
    if (startIncomingSpanHook)
      Object.assign(
        attributes,
        run(() => startIncomingSpanHook(request)),
      );
  }

  /** Runs the hooks for a span that has just started. */
  started(span: Span, request: IncomingMessage, response: ServerResponse): void {
    const { requestHook, responseHook } = this.#config;
    if (requestHook) run(() => requestHook(span, request));
    if (responseHook) run(() => responseHook(span, response));
  }

  /** Adds what the config asks for to a span about to end. */
  ending(span: Span, request: IncomingMessage, response: ServerResponse): void {
    for (const name of this.#responseHeaders) {
      const value = response.getHeader(name);
      const attribute = `http.response.header.${name}`;
      if (value !== undefined) span.setAttribute(attribute, Array.isArray(value) ? value : [String(value)]);
    }
    const custom = this.#config.applyCustomAttributesOnSpan;
    if (custom) run(() => custom(span, request, response));
  }
}

function addHeader(attributes: Attributes, key: string, value: string | string[] | undefined): void {
  if (value !== undefined) attributes[key] = Array.isArray(value) ? value : [value];
}

function lowerCase(names: unknown): string[] {
  return (stringList(names) ?? []).map((name) => name.toLowerCase());
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

/** Runs a user's function: what it throws is reported through `diag`, never thrown into the request. */
function run<T>(hook: () => T): T | undefined {
  try {
    return hook();
  } catch (error) {
    diag.error('@clicktrace/node: a hook of the http instrumentation config threw', error);
    return undefined;
  }
}
