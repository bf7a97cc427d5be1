/**
 * Query parameters whose values are credentials (signed-URL signatures, SAS tokens): the HTTP
 * semantic conventions list them as "SHOULD be redacted by default" in `url.full`.
 */
const SENSITIVE_QUERY_KEYS = new Set([
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'X-Amz-Signature',
  'X-Goog-Signature',
]);

/**
 * The URL as the `url.full` attribute may show it: user and password become `REDACTED:REDACTED`
 * (the conventions' MUST NOT / SHOULD), as do the values of known credential query parameters.
 * The rest of the query and the fragment are kept.
 */
export function redactUrl(url: URL): string {
  if (!url.username && !url.password && !url.search) return url.href;
  const redacted = new URL(url.href);
  if (redacted.username || redacted.password) {
    redacted.username = 'REDACTED';
    redacted.password = 'REDACTED';
  }
  // Edited as text, not through searchParams, which would re-encode every other parameter.
  redacted.search = redacted.search
    .slice(1)
    .split('&')
    .map((pair) => {
      const key = pair.split('=', 1)[0] ?? '';
      return pair.includes('=') && SENSITIVE_QUERY_KEYS.has(key) ? `${key}=REDACTED` : pair;
    })
    .join('&');
  return redacted.href;
}
