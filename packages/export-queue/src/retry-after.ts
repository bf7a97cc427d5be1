/**
 * The wait a `Retry-After` response header asks for, in milliseconds, or `undefined` when the
 * header is absent or malformed (then the caller's own backoff applies).
 *
 * RFC 9110 §10.2.3 (https://www.rfc-editor.org/rfc/rfc9110#name-retry-after): the value is either
 * `delay-seconds` (a non-negative integer of seconds) or an `HTTP-date`; a date in the past means
 * "now", so it gives 0.
 *
 * @param now the current time in epoch milliseconds, to measure an HTTP-date against.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  // delay-seconds = 1*DIGIT: no sign, no fraction (the stock exporter's parseInt would take "1.5" and "10s").
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Every HTTP-date form (IMF-fixdate and the two obsolete ones) starts with the day's name: that
  // keeps out what Date.parse would also read, such as "-1", "2030-01-01" or "1.5".
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
