import type { ServerResponse } from 'node:http';
import { type Span, TraceFlags } from '@opentelemetry/api';

/**
 * The backlink: every traced response names its server span, so the browser (or a test) that
 * made the request can find the trace it continued.
 *
 * - `Server-Timing: traceparent;desc="00-<trace>-<span>-<flags>"`, the form browser RUM agents
 *   read from `PerformanceResourceTiming.serverTiming`, and `trace;desc=00-…`, the W3C Trace Context
 *   draft's `trace` metric (w3c/trace-context pull request 560).
 *   Both are appended to whatever Server-Timing metrics the app sends.
 * - Cross-origin requests (those with an `Origin`) also need, for the browser to let the page
 *   see it: `Access-Control-Expose-Headers: Server-Timing` to read it from `fetch`'s Response
 *   (merged into the app's list), and `Timing-Allow-Origin: <origin>` to read it from Resource
 *   Timing (left alone when the app already allows that origin or `*`).
 */
export function backlinkValue(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  const traceparent = `00-${traceId}-${spanId}-${traceFlags & TraceFlags.SAMPLED ? '01' : '00'}`;
  return `traceparent;desc="${traceparent}", trace;desc=${traceparent}`;
}

type HeaderValue = number | string | string[] | undefined;

/** Merges the backlink headers into the headers `response` is about to send. */
export function addBacklinkHeaders(response: ServerResponse, span: Span, origin: string | undefined): void {
  mergeBacklink(
    (name) => response.getHeader(name),
    (name, value) => response.setHeader(name, value),
    span,
    origin,
  );
}

/**
 * The headers object an app passed to `writeHead`, copied with the backlink merged in: where the
 * app set no header before, Node sends such an object as it is, without checking each header
 * again through `setHeader`, and this keeps it so. A header the object names (in any case) is
 * merged with ours under its own name; one it does not name is merged with what was set before.
 */
export function withBacklinkHeaders(
  response: ServerResponse,
  headers: Readonly<Record<string, HeaderValue>>,
  span: Span,
  origin: string | undefined,
): Record<string, HeaderValue> {
  const copy = { ...headers };
  const keyOf = (name: string): string | undefined => {
    for (const key in copy) if (key.length === name.length && key.toLowerCase() === name) return key;
    return undefined;
  };
  mergeBacklink(
    (name) => {
      const key = keyOf(name);
      return key === undefined ? response.getHeader(name) : copy[key];
    },
    (name, value) => {
      copy[keyOf(name) ?? name] = value;
    },
    span,
    origin,
  );
  return copy;
}

function mergeBacklink(
  get: (name: string) => HeaderValue,
  set: (name: string, value: string) => void,
  span: Span,
  origin: string | undefined,
): void {
  const timing = joined(get('server-timing'));
  const backlink = backlinkValue(span);
  set('server-timing', timing === '' ? backlink : `${timing}, ${backlink}`);
  if (origin === undefined) return;
  const exposed = joined(get('access-control-expose-headers'));
  if (!listHas(exposed, 'server-timing')) {
    set('access-control-expose-headers', exposed === '' ? 'Server-Timing' : `${exposed}, Server-Timing`);
  }
  const allowed = joined(get('timing-allow-origin'));
  if (!listHas(allowed, '*') && !listHas(allowed, origin.toLowerCase())) {
    set('timing-allow-origin', allowed === '' ? origin : `${allowed}, ${origin}`);
  }
}

function joined(value: number | string | string[] | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function listHas(list: string, lowerCaseItem: string): boolean {
  if (list === '') return false;
  return list.split(',').some((item) => item.trim().toLowerCase() === lowerCaseItem);
}
