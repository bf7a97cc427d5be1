import { type Attributes, type Span, SpanStatusCode } from '@opentelemetry/api';
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
