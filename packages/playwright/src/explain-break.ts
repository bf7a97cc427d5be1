import type { StoredSpan } from '@clicktrace/collector';
import { describeQuery, type SpanQuery, spanMatches } from './span-query.js';
import type { Trace } from './trace.js';

/** How far apart browser and server clocks may put a request and its server span (same machine). */
const CLOCK_SLACK_NS = 1_000_000_000n;

/**
 * Why the trace does not reach the span `step`, in words, from the page's request spans that
 * should have led there: for each CLIENT span of the trace that has no SERVER child and whose
 * request `step` could be (same method and path), where the server's span for it went.
 * `others` are the traces that arrived during the test but are not the page's: a server span
 * that started a trace of its own is there.
 */
export function explainMissingStep(trace: Trace, step: SpanQuery, others: readonly Trace[]): string[] {
  const reasons: string[] = [];
  for (const client of trace.spans) {
    if (client.kind !== 'CLIENT' || trace.children(client).some((child) => child.kind === 'SERVER')) continue;
    const request = requestOf(client);
    if (request === undefined) continue;
    const serverQuery = { name: `${request.method} ${request.path}`, kind: 'SERVER' as const };
    if (!couldBe(step, request)) continue;
    const server = closestServerSpan(client, serverQuery, others);
    reasons.push(explainOne(trace, client, request, server));
  }
  if (reasons.length === 0) {
    reasons.push(
      `no request span of this trace leads to ${describeQuery(step)}: did the click send that request, ` +
        `and is the page traced with @clicktrace/web?`,
    );
  }
  return reasons;
}

interface RequestFacts {
  method: string;
  path: string;
  origin: string;
  url: string;
}

function requestOf(span: StoredSpan): RequestFacts | undefined {
  const method = span.attributes['http.request.method'] ?? span.attributes['http.method'];
  const url = span.attributes['url.full'] ?? span.attributes['http.url'];
  if (typeof method !== 'string' || typeof url !== 'string') return undefined;
  try {
    const parsed = new URL(url);
    return {
      method,
      path: parsed.pathname,
      origin: parsed.origin,
      url: `${parsed.origin}${parsed.pathname}`,
    };
  } catch {
    return undefined;
  }
}

/** Whether `step` may name the server span of this request (same method and path, if it says). */
function couldBe(step: SpanQuery, request: RequestFacts): boolean {
  const probe = {
    name: `${request.method} ${request.path}`,
    attributes: { 'http.request.method': request.method, 'url.path': request.path },
  } as unknown as StoredSpan;
  const query = typeof step === 'string' || step instanceof RegExp ? step : step.name;
  if (query === undefined) return true;
  if (typeof query === 'string' && routeMatches(query, request)) return true;
  return spanMatches({ ...probe, kind: 'SERVER' }, query);
}

/** `'GET /api/items/:id'` (a route template, as `http.route` names it) against a request's path. */
function routeMatches(step: string, request: RequestFacts): boolean {
  const [method, route] = step.split(' ');
  if (method !== request.method || route === undefined || !/[:*]/.test(route)) return false;
  const pattern = route
    .split('/')
    .map((part) =>
      part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${pattern}$`).test(request.path);
}

function closestServerSpan(
  client: StoredSpan,
  query: SpanQuery,
  others: readonly Trace[],
): { span: StoredSpan; trace: Trace } | undefined {
  const start = BigInt(client.startTimeUnixNano) - CLOCK_SLACK_NS;
  const end = BigInt(client.endTimeUnixNano) + CLOCK_SLACK_NS;
  let best: { span: StoredSpan; trace: Trace; distance: bigint } | undefined;
  for (const trace of others) {
    for (const span of trace.filter(query)) {
      // A server span whose parent is in its own trace was reached from a traced caller of that
      // trace (another test's page, say): not where this request went.
      if (trace.parent(span) !== undefined) continue;
      const at = BigInt(span.startTimeUnixNano);
      if (at < start || at > end) continue;
      const distance =
        at > BigInt(client.startTimeUnixNano)
          ? at - BigInt(client.startTimeUnixNano)
          : BigInt(client.startTimeUnixNano) - at;
      if (best === undefined || distance < best.distance) best = { span, trace, distance };
    }
  }
  return best;
}

function explainOne(
  trace: Trace,
  client: StoredSpan,
  request: RequestFacts,
  server: { span: StoredSpan; trace: Trace } | undefined,
): string {
  const label = `${request.method} ${request.url}`;
  if (server === undefined) {
    const status = client.attributes['http.response.status_code'];
    const answered = typeof status === 'number' && status > 0;
    return answered
      ? `the request ${label} was answered (${status}) but no server span for it arrived: is the server ` +
          'started with @clicktrace/node (node --import @clicktrace/node/register) and exporting to the ' +
          "test's collector (OTEL_EXPORTER_OTLP_ENDPOINT, which defineConfig sets for its webServer commands)?"
      : `the request ${label} got no answer the page could read (network error or CORS?), and no server ` +
          'span for it arrived';
  }
  const { span } = server;
  const name = `\`${span.name}\``;
  const theirs = `${span.traceId.slice(0, 4)}…`;
  const ours = `${trace.traceId.slice(0, 4)}…`;
  if (span.links.some((link) => link.spanId === client.spanId)) {
    return (
      `the server span ${name} started trace ${theirs} with a link to the request span instead of ` +
      `continuing ${ours}: the server does not trust the caller as parent (trustIncoming: 'restart')`
    );
  }
  if (span.parentSpanId === undefined) {
    return (
      `the server span ${name} started trace ${theirs} instead of continuing ${ours}: the request reached ` +
      `the server without a traceparent — is ${request.origin} in propagateTo?`
    );
  }
  return (
    `the server span ${name} continued trace ${theirs} from span ${span.parentSpanId}, not the request span ` +
    `${client.spanId} of ${ours}: the request carried another traceparent than the page's (set by the app, ` +
    'a proxy or a service worker?)'
  );
}
