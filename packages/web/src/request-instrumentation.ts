import { type Context, propagation, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { httpClientSpanStart } from './http-client-span.js';
import type { OpenRequestSpans } from './open-request-spans.js';

/** The parent a request span gets, and where it was found. */
export interface RequestParent {
  context: Context;
  source: 'context' | 'interaction-scope' | 'none';
}

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
}

/** A request span as it starts: the span, the context to run the request in, and the propagation verdict. */
export interface StartedRequest {
  span: Span;
  context: Context;
  propagate: boolean;
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
  const { name, attributes } = httpClientSpanStart(method, url, parent.source);
  const span = options.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent.context);
  options.open.add(span);
  return { span, context: trace.setSpan(parent.context, span), propagate };
}

/** The trace headers (`traceparent`, `tracestate`) the global propagator makes for `context`. */
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
