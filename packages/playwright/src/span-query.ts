import type { StoredSpan } from '@clicktrace/collector';

/** A text to match: a string is compared whole, a RegExp is searched. */
export type TextMatcher = string | RegExp;

/**
 * Which span to look for. A plain string or RegExp matches the span's name or, for HTTP spans,
 * `METHOD path` (so `'POST /api/checkout'` finds the server span whatever the instrumentation
 * named it). Object fields must all match.
 */
export type SpanQuery =
  | TextMatcher
  | {
      name?: TextMatcher;
      kind?: StoredSpan['kind'];
      service?: TextMatcher;
      attributes?: Record<string, string | number | boolean>;
    };

export function spanMatches(span: StoredSpan, query: SpanQuery): boolean {
  if (typeof query === 'string' || query instanceof RegExp)
    return spanLabels(span).some((l) => textMatches(l, query));
  if (query.name !== undefined && !spanLabels(span).some((l) => textMatches(l, query.name as TextMatcher))) {
    return false;
  }
  if (query.kind !== undefined && span.kind !== query.kind) return false;
  if (query.service !== undefined && !textMatches(span.serviceName, query.service)) return false;
  for (const [key, expected] of Object.entries(query.attributes ?? {})) {
    if (span.attributes[key] !== expected) return false;
  }
  return true;
}

export function textMatches(text: string, matcher: TextMatcher): boolean {
  return typeof matcher === 'string'
    ? text === matcher
    : new RegExp(matcher.source, matcher.flags).test(text);
}

export function describeQuery(query: SpanQuery): string {
  if (typeof query === 'string') return JSON.stringify(query);
  if (query instanceof RegExp) return String(query);
  return JSON.stringify(query, (_key, value: unknown) => (value instanceof RegExp ? String(value) : value));
}

/** The names a span answers to: its own, and `METHOD path` / `METHOD route` for HTTP spans. */
function spanLabels(span: StoredSpan): string[] {
  const labels = [span.name];
  const method = span.attributes['http.request.method'] ?? span.attributes['http.method'];
  if (typeof method !== 'string') return labels;
  for (const key of ['http.route', 'url.path', 'http.target']) {
    const path = span.attributes[key];
    if (typeof path === 'string') labels.push(`${method} ${path.split('?')[0]}`);
  }
  const full = span.attributes['url.full'] ?? span.attributes['http.url'];
  if (typeof full === 'string') {
    try {
      labels.push(`${method} ${new URL(full).pathname}`);
    } catch {
      // Not a URL: the name and the other labels still count.
    }
  }
  return labels;
}
