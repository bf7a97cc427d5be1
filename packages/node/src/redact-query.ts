/**
 * The query keys whose values the stock http instrumentation (0.30x) redacts by default, for the
 * semantic conventions' "sensitive content provided in query string SHOULD be scrubbed":
 * https://opentelemetry.io/docs/specs/semconv/registry/attributes/url/#url-query
 */
export const DEFAULT_REDACTED_QUERY_KEYS: readonly string[] = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
];

const REDACTED = 'REDACTED';

/**
 * A function that replaces the values of `keys` in a query string with `REDACTED`, as the stock
 * instrumentation does. A query without any of the keys (nearly every one) is returned as it came,
 * after one regular-expression test: only a query that has one is parsed and written again.
 */
export function createQueryRedactor(
  keys: readonly string[] = DEFAULT_REDACTED_QUERY_KEYS,
): (query: string) => string {
  if (keys.length === 0) return (query) => query;
  const escaped = keys.map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const mayHaveKey = new RegExp(`(?:^|&)(?:${escaped.join('|')})(?:=|&|$)`);
  return function redactQuery(query) {
    if (!mayHaveKey.test(query)) return query;
    const params = new URLSearchParams(query);
    for (const key of keys) if (params.has(key)) params.set(key, REDACTED);
    return params.toString();
  };
}
