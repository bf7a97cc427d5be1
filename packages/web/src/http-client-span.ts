import { type Attributes, isSpanContextValid, type Span, SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import { ATTR_PARENT_SOURCE } from './interaction-attributes.js';
import { redactUrl } from './redact-url.js';

/** RFC 9110 methods, PATCH and QUERY: the HTTP conventions' "known" methods. */
const KNOWN_METHODS = [
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
];

/** The methods fetch and XHR upper-case before sending (Fetch standard, "normalize a method"). */
const NORMALIZED_METHODS = /^(delete|get|head|options|post|put)$/i;

/**
 * Name and start attributes of an HTTP client span, by the stable HTTP semantic conventions:
 * named after the method (`HTTP` when unknown), with the method, the URL and the server.
 * Set at start rather than at the end, as the conventions ask, so samplers can see them.
 */
export function httpClientSpanStart(
  method: string,
  url: URL,
  parentSource: string,
): { name: string; attributes: Attributes } {
  const sent = NORMALIZED_METHODS.test(method) ? method.toUpperCase() : method;
  const known = KNOWN_METHODS.includes(sent);
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: known ? sent : '_OTHER',
    [ATTR_URL_FULL]: redactUrl(url),
    [ATTR_SERVER_ADDRESS]: url.hostname,
    [ATTR_PARENT_SOURCE]: parentSource,
  };
  if (attributes[ATTR_HTTP_REQUEST_METHOD] !== method) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = method;
  const port = Number(url.port) || { 'http:': 80, 'https:': 443 }[url.protocol];
  if (port) attributes[ATTR_SERVER_PORT] = port;
  return { name: known ? sent : 'HTTP', attributes };
}

/**
 * Ends an HTTP client span. `status` 0 means no response (network error, abort, opaque
 * response) and sets no status code. A client span is an error for any status >= 400
 * (`error.type` is the code) and for any failure, whose `errorType` is given.
 */
export function endHttpClientSpan(span: Span, status: number, errorType?: string, message?: string): void {
  if (status > 0) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  const error = errorType ?? (status >= 400 ? String(status) : undefined);
  if (error) {
    span.setAttribute(ATTR_ERROR_TYPE, error);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

/** `error.type` of a thrown value: its class name (`TypeError`, `AbortError`), else `_OTHER`. */
export function errorTypeOf(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name ? name : '_OTHER';
}

/**
 * The server span named in a `Server-Timing` response header: `traceparent;desc="00-…"`, or the
 * draft's `trace;desc=00-…`. Version 00 only, lower-case hex, quoted or bare but not half-quoted.
 */
const SERVER_TIMING_TRACE =
  /(?:^|,)\s*trace(?:parent)?\s*(?:;[^,;]*)*?;\s*desc\s*=\s*("?)00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})\1\s*(?:[;,]|$)/;

/**
 * Links a client span to the server span that answered it, as named by the response's
 * `Server-Timing` header (null when absent, or cross-origin without Access-Control-Expose-Headers).
 * A link, not attributes: it is the OpenTelemetry way to point at another span, backends draw it
 * and follow it, and it still connects the two when the request carried no traceparent and the
 * server started a trace of its own. Malformed or all-zero ids are ignored.
 */
export function linkServerSpan(span: Span, serverTiming: string | null | undefined): void {
  const match = serverTiming ? SERVER_TIMING_TRACE.exec(serverTiming) : null;
  if (!match) return;
  const context = {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: Number.parseInt(match[4] as string, 16),
    isRemote: true,
  };
  // addLink is API 1.9+: an older API's non-recording span lacks it.
  if (isSpanContextValid(context)) span.addLink?.({ context });
}
