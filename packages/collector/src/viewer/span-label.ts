/**
 * What a row calls a span. HTTP spans are often named by their method alone (the semantic
 * conventions name a span `{method}` when no low-cardinality route is known), so a checkout
 * would read POST, POST, POST: beside a name that is just a method the row shows the route,
 * else the URL path.
 */
import type { AttributeValue, StoredSpan } from '../types.js';

/** The HTTP methods of the semantic conventions, and `_OTHER` for any other. */
const METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  '_OTHER',
]);

/**
 * The route or path to show after a span name that is just an HTTP method: `http.route`,
 * else `url.path`, else the path of `url.full` (or of the older `http.url`), else the older
 * `http.target` without its query. Undefined for any other name, or when none is known.
 */
export function routeBeside(span: StoredSpan): string | undefined {
  if (!METHODS.has(span.name)) return undefined;
  const { attributes } = span;
  return (
    text(attributes['http.route']) ??
    text(attributes['url.path']) ??
    pathOf(text(attributes['url.full'])) ??
    pathOf(text(attributes['http.url'])) ??
    text(attributes['http.target'])?.split('?')[0]
  );
}

/** The name with the route beside it, as one line: `POST /api/checkout`. */
export function spanLabel(span: StoredSpan): string {
  const route = routeBeside(span);
  return route ? `${span.name} ${route}` : span.name;
}

function text(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function pathOf(url: string | undefined): string | undefined {
  if (url === undefined || !URL.canParse(url)) return undefined;
  return new URL(url).pathname;
}
