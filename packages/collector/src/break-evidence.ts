/**
 * What the diagnosis reads from a span: the HTTP request it stands for (semantic conventions,
 * stable and old names) and the evidence @clicktrace/web and @clicktrace/node record under
 * `clicktrace.*` (documented in their READMEs). Spans from other SDKs carry no evidence; every
 * reader here then answers `undefined`, and the diagnosis falls back to what timing can tell.
 */
import type { AttributeValue, StoredSpan } from './types.js';

/** The request a CLIENT or SERVER span stands for. */
export interface HttpRequestFacts {
  method: string;
  /** The path without the query, e.g. `/api/checkout`. */
  path: string;
  /** `scheme://host:port` of the URL a client called; absent on server spans. */
  origin?: string;
  /** HTTP status of the answer; absent when there was none (network error, CORS). */
  status?: number;
  /** The port called (client) or listened on (server, `server.port`), when known. */
  port?: number;
}

/** Evidence of a browser request span (@clicktrace/web). */
export interface ClientEvidence {
  /** Whether trace headers went out with the request; undefined when the client did not say. */
  sent?: boolean;
  /** The trace headers sent, e.g. `['traceparent']`. */
  names: string[];
  /** Why none were sent: `origin-not-allowed`, `suppressed`. */
  notSentReason?: string;
  /** Set on failed requests only: cross-origin, headers sent, and no response. */
  corsRefusalLikely?: boolean;
}

/** Evidence of a server span (@clicktrace/node). */
export interface ServerEvidence {
  /** Trace-context headers that arrived (names only). */
  received: string[];
  /** Headers the server's propagator reads. */
  extracts: string[];
  /** `continued`, `restarted-by-policy`, `restarted-invalid` or `started`. */
  outcome?: string;
  /** The ids a well-formed caller header carried, when the server did not continue it. */
  callerTraceId?: string;
  callerSpanId?: string;
}

export function httpRequestOf(span: StoredSpan): HttpRequestFacts | undefined {
  const { attributes } = span;
  const method = text(attributes['http.request.method']) ?? text(attributes['http.method']);
  if (method === undefined) return undefined;
  const status = attributes['http.response.status_code'] ?? attributes['http.status_code'];
  const facts: HttpRequestFacts = { method, path: '' };
  if (typeof status === 'number' && status > 0) facts.status = status;
  const url = text(attributes['url.full']) ?? text(attributes['http.url']);
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      facts.path = parsed.pathname;
      facts.origin = parsed.origin;
      facts.port = Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
      return facts;
    } catch {
      return undefined;
    }
  }
  const path = text(attributes['url.path']) ?? text(attributes['http.target'])?.split('?')[0];
  if (path === undefined) return undefined;
  facts.path = path;
  const port = attributes['server.port'];
  if (typeof port === 'number') facts.port = port;
  return facts;
}

export function clientEvidenceOf(span: StoredSpan): ClientEvidence {
  const { attributes } = span;
  const sent = attributes['clicktrace.trace_headers.sent'];
  const refusal = attributes['clicktrace.cors.refusal_likely'];
  const evidence: ClientEvidence = { names: texts(attributes['clicktrace.trace_headers.names']) };
  if (typeof sent === 'boolean') evidence.sent = sent;
  const reason = text(attributes['clicktrace.trace_headers.not_sent_reason']);
  if (reason !== undefined) evidence.notSentReason = reason;
  if (typeof refusal === 'boolean') evidence.corsRefusalLikely = refusal;
  return evidence;
}

/** Undefined when the server recorded no evidence (not @clicktrace/node). */
export function serverEvidenceOf(span: StoredSpan): ServerEvidence | undefined {
  const { attributes } = span;
  const received = attributes['clicktrace.trace_headers.received'];
  if (!Array.isArray(received)) return undefined;
  const evidence: ServerEvidence = {
    received: texts(received),
    extracts: texts(attributes['clicktrace.trace_headers.extracts']),
  };
  const outcome = text(attributes['clicktrace.trace_headers.outcome']);
  if (outcome !== undefined) evidence.outcome = outcome;
  const callerTraceId = text(attributes['clicktrace.trace_headers.caller_trace_id']);
  const callerSpanId = text(attributes['clicktrace.trace_headers.caller_span_id']);
  if (callerTraceId !== undefined) evidence.callerTraceId = callerTraceId.toLowerCase();
  if (callerSpanId !== undefined) evidence.callerSpanId = callerSpanId.toLowerCase();
  return evidence;
}

/**
 * On a browser request span without a parent: how many interactions were open when it started
 * (@clicktrace/web). 0 is a background request; more means its context was lost.
 */
export function openInteractionsOf(span: StoredSpan): number | undefined {
  const open = span.attributes['clicktrace.parent.open_interactions'];
  return typeof open === 'number' ? open : undefined;
}

/** A click or submit span of @clicktrace/web: a root that starts a trace on purpose. */
export function isInteraction(span: StoredSpan): boolean {
  return typeof span.attributes['clicktrace.event.type'] === 'string';
}

/** Whether the span comes from a browser (OpenTelemetry's web SDKs say `webjs`). */
export function isBrowserSpan(span: StoredSpan): boolean {
  return (
    span.resource['telemetry.sdk.language'] === 'webjs' ||
    span.attributes['clicktrace.parent.source'] !== undefined ||
    isInteraction(span)
  );
}

/** The OTEL_PROPAGATORS name that reads a trace header, for the fix of a mismatch. */
export function propagatorForHeader(header: string): string | undefined {
  if (header === 'traceparent' || header === 'tracestate') return 'tracecontext';
  if (header === 'b3') return 'b3';
  if (header.startsWith('x-b3-')) return 'b3multi';
  if (header === 'uber-trace-id') return 'jaeger';
  if (header === 'x-amzn-trace-id') return 'xray';
  if (header.startsWith('ot-tracer-')) return 'ottrace';
  return undefined;
}

function text(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function texts(value: AttributeValue | undefined): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string').map((item) => item.toLowerCase())
    : [];
}
