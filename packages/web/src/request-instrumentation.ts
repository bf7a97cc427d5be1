import { type Context, propagation, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { httpClientSpanStart } from './http-client-span.js';
import {
  ATTR_PARENT_OPEN_INTERACTIONS,
  ATTR_REQUEST_CROSS_ORIGIN,
  ATTR_TRACE_HEADERS_NAMES,
  ATTR_TRACE_HEADERS_NOT_SENT_REASON,
  ATTR_TRACE_HEADERS_SENT,
} from './interaction-attributes.js';
import type { OpenRequestSpans } from './open-request-spans.js';

/** The parent a request span gets, and where it was found. */
export interface RequestParent {
  context: Context;
  source: 'context' | 'interaction-scope' | 'none';
  /** With `none`: how many interactions were open (0, or 2 and more: none could be chosen). */
  open?: number;
}

/**
 * Why a request went without trace headers (`clicktrace.trace_headers.not_sent_reason`):
 * - `origin-not-allowed`: its origin is neither the page's nor in `propagateTo`;
 * - `suppressed`: allowed, but the propagator made no header (propagation disabled, or an invalid
 *   span context);
 * - `no-cors`: a fetch with `mode: 'no-cors'`, whose headers the browser would drop but for the
 *   CORS-safelisted ones (silently: so none are added);
 * - `error`: adding them threw (reported through `diag`).
 */
export type NotSentReason = 'origin-not-allowed' | 'suppressed' | 'no-cors' | 'error';

/** Options of `instrumentFetch` and `instrumentXhr`. */
export interface RequestInstrumentationOptions {
  tracer: Tracer;
  /** Whether a request to this absolute URL may carry `traceparent` / `tracestate`. */
  shouldPropagate(url: string): boolean;
  /** Whether a request to this absolute URL is left alone entirely (no span, no headers). */
  ignore(url: string): boolean;
  /** The parent of the next request span; called once per request, as it starts. */
  parent(): RequestParent;
  /** Where request spans in flight are kept; every request span is ended through it. */
  open: OpenRequestSpans;
  /** The page's origin (`location.origin`): requests elsewhere are cross-origin. */
  pageOrigin: string;
}

/** A request span as it starts: the span, the context to run the request in, and the propagation verdict. */
export interface StartedRequest {
  span: Span;
  context: Context;
  /** Whether the URL may carry trace headers (when it may not, the span already says so). */
  propagate: boolean;
  crossOrigin: boolean;
}

/**
 * Starts the CLIENT span of one request, or returns undefined when the request is not to be
 * traced: tracing is suppressed (the exporter's own requests) or the URL is ignored.
 */
export function startRequestSpan(
  options: RequestInstrumentationOptions,
  method: string,
  url: URL,
): StartedRequest | undefined {
  if (options.ignore(url.href)) return undefined;
  // The parent is derived from the active context and keeps its values, suppression included
  // (the exporter's own requests run under suppressTracing): one lookup of the active context.
  const parent = options.parent();
  if (isTracingSuppressed(parent.context)) return undefined;
  // Everything that may throw comes before startSpan: a span, once started, must be ended.
  const propagate = options.shouldPropagate(url.href);
  const crossOrigin = url.origin !== options.pageOrigin;
  const { name, attributes } = httpClientSpanStart(method, url, parent.source);
  attributes[ATTR_REQUEST_CROSS_ORIGIN] = crossOrigin;
  if (parent.open !== undefined) attributes[ATTR_PARENT_OPEN_INTERACTIONS] = parent.open;
  const span = options.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent.context);
  options.open.add(span);
  if (!propagate) recordTraceHeaders(span, 'origin-not-allowed');
  return { span, context: trace.setSpan(parent.context, span), propagate, crossOrigin };
}

/**
 * Records on a request span whether trace headers went with it: the names of those added
 * (lower-case, never none), or why none were.
 */
export function recordTraceHeaders(span: Span, added: string[] | NotSentReason): void {
  const sent = typeof added !== 'string';
  span.setAttribute(ATTR_TRACE_HEADERS_SENT, sent);
  span.setAttribute(sent ? ATTR_TRACE_HEADERS_NAMES : ATTR_TRACE_HEADERS_NOT_SENT_REASON, added);
}

/**
 * The trace headers for a request whose URL may carry them, or undefined when the propagator
 * makes none; either way recorded on its span. Throws what the propagator throws.
 */
export function addTraceHeaders(
  options: RequestInstrumentationOptions,
  started: StartedRequest,
): Record<string, string> | undefined {
  const headers = traceHeaders(started.context);
  const names = Object.keys(headers);
  if (names.length === 0) {
    recordTraceHeaders(started.span, 'suppressed');
    return undefined;
  }
  recordTraceHeaders(started.span, names);
  if (started.crossOrigin) options.open.preflighted(started.span);
  return headers;
}

/**
 * The trace headers (`traceparent`, `tracestate`) the global propagator makes for `context`. Their
 * names are lower-case: the W3C propagator's are, and so are those of every propagator OpenTelemetry ships.
 */
export function traceHeaders(context: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context, headers);
  return headers;
}

/** Whether `name` is a header the global propagator sets: the caller's copy is replaced by ours. */
export function isTraceHeader(name: string): boolean {
  return propagation.fields().includes(name.toLowerCase());
}

/** The base that relative request URLs resolve against, as fetch and XHR resolve them. */
export function requestBaseUrl(): string | undefined {
  return globalThis.document?.baseURI ?? globalThis.location?.href;
}
