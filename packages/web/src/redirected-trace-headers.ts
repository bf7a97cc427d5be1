import { diag, type Span } from '@opentelemetry/api';
import { ATTR_TRACE_HEADERS_REDIRECTED_TO } from './interaction-attributes.js';

/** Origins already warned about: one diag warning per origin and page. */
const warned = new Set<string>();

/**
 * Records a redirect that carried our trace headers where they do not belong.
 *
 * A browser copies a request's headers onto the request a redirect makes, to any origin, and a
 * page has no way to stop it: fetch's `redirect: 'manual'` hides the target, XHR cannot be told
 * at all. So a request to an allowed origin answered with a redirect to another origin sends
 * `traceparent` there too. When the final URL is readable (same-origin, or a cross-origin answer
 * CORS lets the page read, which it must be for the headers to have been sent cross-origin: they
 * make the redirected request preflighted), the span gets `clicktrace.trace_headers.redirected_to`
 * (the origin) and `diag` warns once per origin. Hops between the first and the last are not
 * visible to a page.
 */
export function recordRedirectedTraceHeaders(
  span: Span,
  finalUrl: string,
  shouldPropagate: (url: string) => boolean,
): void {
  if (!finalUrl || shouldPropagate(finalUrl)) return;
  let origin: string;
  try {
    origin = new URL(finalUrl).origin;
  } catch {
    return;
  }
  span.setAttribute(ATTR_TRACE_HEADERS_REDIRECTED_TO, origin);
  if (warned.has(origin)) return;
  warned.add(origin);
  diag.warn(`clicktrace: a redirect sent trace headers to ${origin} (not in propagateTo)`);
}
