import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import {
  type Attributes,
  type Context,
  context,
  diag,
  type Histogram,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  type Link,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata, suppressTracing } from '@opentelemetry/core';
import { addBacklinkHeaders, withBacklinkHeaders } from './backlink-headers.js';
import { ServerSpanCustomization } from './incoming-request-options.js';
import { isCorsPreflight } from './is-cors-preflight.js';
import { isRelayRequest } from './relay/relay-paths.js';
import type { DurationRecord } from './server-request-duration.js';
import { type ServerSpanState, STATE, type Traced } from './server-span-state.js';
import { addAttributes } from './span-attributes.js';

/**
 * Decides the parent of a server span from its request: a Context, or `{ context, links }` (the
 * shape `applyTrustIncoming()` returns, whose links name a caller that was not trusted as parent).
 * It may add to `attributes`, the span's start attributes (what it found in the trace headers).
 */
export type ParentContextHook = (
  request: IncomingMessage,
  attributes: Attributes,
) => Context | { context: Context; links?: Link[] };

export interface ServerSpansConfig {
  tracer: Tracer;
  parentContext: ParentContextHook;
  /** Adds the Server-Timing backlink (and its CORS headers) to traced responses. */
  backlink: boolean;
  /** What the http instrumentation's server options ask for; by default, query redaction only. */
  customization?: ServerSpanCustomization;
  /** `http.server.request.duration`, when a metrics SDK is registered. */
  duration?: Histogram;
  /**
   * Whether the tracer's sampler and span processors may read a span's start attributes. When they
   * are this package's own (startTracing: none of them reads any), `false` lets the attributes go
   * onto the span once it has started, checked once instead of twice (span-attributes.ts).
   */
  startAttributesVisible: boolean;
}

const DEFAULT_CUSTOMIZATION = new ServerSpanCustomization();

// The methods HTTP semconv knows; any other is reported as `_OTHER` (and the span named `HTTP`).
const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
  'QUERY',
]);

type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
type WriteHead = (this: ServerResponse, ...args: unknown[]) => ServerResponse;

/** Shared by every copy of this package in the process: the prototypes are patched only once. */
const INSTALLED = Symbol.for('clicktrace.node.serverSpans');
type Installed = { [INSTALLED]?: { config: ServerSpansConfig | undefined } };

/**
 * SERVER spans for every node:http/https server (so Express, Fastify, Hono on Node, …), by
 * patching `Server.prototype.emit` once: for each `'request'` event it extracts the parent,
 * starts the span and runs the app's listeners inside its context, with no per-request closures.
 * The span ends on the response's `close` (which follows `finish`, or an abort). The response's
 * `writeHead` (which Node also calls for implicit headers) is patched once to add the backlink.
 *
 * This replaces the stock instrumentation-http for incoming requests: that one costs several
 * times more per request (metrics, hooks, old and new semconv attributes, binding both emitters),
 * which is most of what keeps it far below the uninstrumented server's throughput.
 *
 * Returns the function that turns it off again (the patches stay, and pass straight through).
 */
export function instrumentServers(config: ServerSpansConfig): () => void {
  const holder = globalThis as Installed;
  let installed = holder[INSTALLED];
  if (installed === undefined) {
    installed = { config: undefined };
    holder[INSTALLED] = installed;
    patch(installed);
  }
  installed.config = config;
  return () => {
    if (installed.config === config) installed.config = undefined;
  };
}

function patch(installed: { config: ServerSpansConfig | undefined }): void {
  for (const Server of new Set([http.Server, https.Server])) {
    const original = Server.prototype.emit as Emit;
    const emit: Emit = function emit(this: http.Server, event, ...args) {
      const config = installed.config;
      if (event !== 'request' || config === undefined) return original.call(this, event, ...args);
      const request = args[0] as IncomingMessage;
      const response = args[1] as ServerResponse;
      const active = startServerSpan(config, request, response);
      if (active === undefined) return original.call(this, event, ...args);
      return context.with(active, original, this, event, ...args);
    };
    Object.defineProperty(Server.prototype, 'emit', { value: emit, writable: true, configurable: true });
  }

  const original = http.ServerResponse.prototype.writeHead as unknown as WriteHead;
  const patched: WriteHead = function writeHead(this: ServerResponse, ...args) {
    const state = (this as Traced)[STATE];
    if (state === undefined || this.headersSent || !installed.config?.backlink)
      return original.apply(this, args);
    try {
      const reasonGiven = typeof args[1] === 'string';
      const headers = args[reasonGiven ? 2 : 1];
      if (typeof headers !== 'object' || headers === null) {
        addBacklinkHeaders(this, state.span, state.origin);
        return original.apply(this, args);
      }
      if (!Array.isArray(headers)) {
        const merged = withBacklinkHeaders(this, headers as Record<string, string>, state.span, state.origin);
        return reasonGiven
          ? original.call(this, args[0], args[1], merged)
          : original.call(this, args[0], merged);
      }
      // An array of headers (which may repeat a field): applied first, as Node itself applies them
      // once any header was set, so ours merge with the final values.
      applyHeaders(this, headers as unknown[]);
      addBacklinkHeaders(this, state.span, state.origin);
      return reasonGiven ? original.call(this, args[0], args[1]) : original.call(this, args[0]);
    } catch (error) {
      // A header the app passed was invalid: let Node's own writeHead report it as it would have.
      diag.debug('@clicktrace/node: could not add the Server-Timing backlink', error);
      return original.apply(this, args);
    }
  };
  Object.defineProperty(http.ServerResponse.prototype, 'writeHead', {
    value: patched,
    writable: true,
    configurable: true,
  });
}

/**
 * A headers array given to writeHead, applied as Node applies one once a header was set before:
 * pairs `[[k, v], …]` each set; a flat `[k, v, k, v]` list replaces the fields it names and keeps
 * its own repeats (Set-Cookie twice).
 */
function applyHeaders(response: ServerResponse, headers: unknown[]): void {
  if (Array.isArray(headers[0])) {
    for (const [name, value] of headers as unknown[][]) {
      if (name) response.setHeader(String(name), value as string | string[]);
    }
    return;
  }
  if (headers.length % 2 !== 0) throw new TypeError('odd header array');
  for (let i = 0; i < headers.length; i += 2) response.removeHeader(String(headers[i]));
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]) response.appendHeader(String(headers[i]), headers[i + 1] as string | string[]);
  }
}

/** Starts the span of one request; undefined when it is not traced. Never throws. */
function startServerSpan(
  config: ServerSpansConfig,
  request: IncomingMessage,
  response: ServerResponse,
): Context | undefined {
  try {
    // A preflight is the browser asking, not the user's action; the relay's traffic is spans.
    if (isCorsPreflight(request) || isRelayRequest(request)) return undefined;
    const customization = config.customization ?? DEFAULT_CUSTOMIZATION;
    // As the stock instrumentation does: an ignored request runs with tracing suppressed, its body too.
    if (customization.ignores(request)) return bindBody(request, suppressTracing(context.active()));
    const method = request.method ?? 'GET';
    const known = KNOWN_METHODS.has(method);
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const socket = request.socket;
    const headers = request.headers;
    const scheme = (socket as TLSSocket).encrypted ? 'https' : 'http';
    const attributes: Attributes = {
      'http.request.method': known ? method : '_OTHER',
      'url.path': query === -1 ? url : url.slice(0, query),
      'url.scheme': scheme,
      'network.protocol.version': request.httpVersion,
    };
    if (!known) attributes['http.request.method_original'] = method;
    if (query !== -1) attributes['url.query'] = customization.redactQuery(url.slice(query + 1));
    const host = headers.host;
    if (host !== undefined) addServer(attributes, host, (socket as TLSSocket).encrypted === true);
    if (socket.remoteAddress !== undefined) attributes['client.address'] = socket.remoteAddress;
    const userAgent = headers['user-agent'];
    if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
    const decided = config.parentContext(request, attributes);
    const isContext = typeof (decided as Context).getValue === 'function';
    const parent = isContext ? (decided as Context) : (decided as { context: Context }).context;
    const links = isContext ? undefined : (decided as { links?: Link[] }).links;
    if (
      customization.requireParent &&
      !isSpanContextValid(trace.getSpanContext(parent) ?? INVALID_SPAN_CONTEXT)
    ) {
      // As the stock one does: no span, and the work runs under an invalid one, which records nothing.
      return bindBody(request, trace.setSpanContext(parent, INVALID_SPAN_CONTEXT));
    }
    customization.addStartAttributes(request, attributes);

    const methodName = known ? method : 'HTTP';
    const span = config.startAttributesVisible
      ? config.tracer.startSpan(methodName, { kind: SpanKind.SERVER, attributes, links }, parent)
      : config.tracer.startSpan(methodName, { kind: SpanKind.SERVER, links }, parent);
    if (!config.startAttributesVisible && span.isRecording()) addAttributes(span, attributes);
    // The stock instrumentations of Koa, Hapi, Restify and Connect name the server span through
    // this (they set its `route`), as the stock http instrumentation lets them.
    const rpc: { type: RPCType; span: typeof span; route?: string } = { type: RPCType.HTTP, span };
    const state: ServerSpanState = {
      span,
      methodName,
      route: undefined,
      rpc,
      expressRoute: undefined,
      error: undefined,
      origin: headers.origin,
      customization,
      duration: config.duration && {
        histogram: config.duration,
        startedAt: performance.now(),
        attributes: {
          'http.request.method': attributes['http.request.method'],
          'url.scheme': scheme,
          'network.protocol.version': request.httpVersion,
        },
      },
    };
    (request as Traced)[STATE] = state;
    (response as Traced)[STATE] = state;
    response.on('close', endServerSpan);
    customization.started(span, request, response);
    return bindBody(request, setRPCMetadata(trace.setSpan(parent, span), rpc));
  } catch (error) {
    diag.error('@clicktrace/node: could not start the server span; the request is served untraced', error);
    return undefined;
  }
}

/**
 * A body arrives in the socket's callbacks, outside the handler's context: binds the request's
 * listeners (body parsers' 'data'/'end') to `active`. Bodiless requests skip the cost.
 */
function bindBody(request: IncomingMessage, active: Context): Context {
  const headers = request.headers;
  if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) {
    context.bind(active, request);
  }
  return active;
}

/** `server.address`/`server.port` from the Host header, as the semantic conventions ask. */
function addServer(attributes: Attributes, host: string, encrypted: boolean): void {
  const colon = host.lastIndexOf(':');
  // A colon inside brackets belongs to an IPv6 address, not to a port.
  if (colon !== -1 && colon > host.lastIndexOf(']')) {
    attributes['server.address'] = host.slice(0, colon);
    const port = Number(host.slice(colon + 1));
    if (Number.isInteger(port)) attributes['server.port'] = port;
  } else {
    attributes['server.address'] = host;
    attributes['server.port'] = encrypted ? 443 : 80;
  }
}

/** The response's `close` listener: status, route, error, end. Shared by all responses. */
function endServerSpan(this: ServerResponse): void {
  const state = (this as Traced)[STATE];
  if (state === undefined) return;
  (this as Traced)[STATE] = undefined;
  try {
    const { span, error } = state;
    const route = state.route ?? state.rpc.route;
    const status = this.statusCode;
    // Server spans: 5xx is an error, 4xx is the client's (HTTP semantic conventions).
    const failure = status >= 500 ? (errorType(error) ?? String(status)) : undefined;
    const ending: Attributes = { 'http.response.status_code': status };
    if (route !== undefined) {
      ending['http.route'] = route;
      span.updateName(`${state.methodName} ${route}`);
    }
    if (failure !== undefined) {
      ending['error.type'] = failure;
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    if (span.isRecording()) addAttributes(span, ending);
    state.customization.ending(span, this.req, this);
    span.end();
    if (state.duration) recordDuration(state.duration, status, route, failure);
  } catch (error) {
    diag.error('@clicktrace/node: could not end the server span', error);
  }
}

function recordDuration(
  { histogram, startedAt, attributes }: DurationRecord,
  status: number,
  route: string | undefined,
  failure: string | undefined,
): void {
  const recorded: Attributes = { ...attributes, 'http.response.status_code': status };
  if (route !== undefined) recorded['http.route'] = route;
  if (failure !== undefined) recorded['error.type'] = failure;
  histogram.record((performance.now() - startedAt) / 1000, recorded);
}

function errorType(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return error.constructor?.name || error.name || undefined;
}
