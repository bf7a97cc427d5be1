/** At most `requests` per `perMs` milliseconds, per client; short bursts up to `requests` are fine. */
export interface RateLimit {
  requests: number;
  perMs: number;
}

const DEFAULT_RATE_LIMIT: RateLimit = { requests: 100, perMs: 60_000 };
/** Past this many tracked clients, the full (idle) buckets are dropped, then all: memory stays bounded. */
const MAX_TRACKED = 10_000;

/**
 * A token bucket per key. `take(key)` spends one token and returns 0, or, when the bucket is
 * empty, the milliseconds until the next token (nothing spent).
 */
export function createRateLimiter(limit: RateLimit = DEFAULT_RATE_LIMIT): { take(key: string): number } {
  const { requests, perMs } = limit;
  if (!(requests >= 1 && perMs > 0)) {
    throw new TypeError('@clicktrace/node: rateLimit needs requests >= 1 and perMs > 0');
  }
  const perToken = perMs / requests;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const tokensAt = (bucket: { tokens: number; at: number }, now: number) =>
    Math.min(requests, bucket.tokens + (now - bucket.at) / perToken);
  return {
    take(key) {
      const now = Date.now();
      if (buckets.size >= MAX_TRACKED) {
        for (const [k, b] of buckets) if (tokensAt(b, now) >= requests) buckets.delete(k);
        // Still full (many clients at once, or address rotation): forget them all rather than grow.
        if (buckets.size >= MAX_TRACKED) buckets.clear();
      }
      const bucket = buckets.get(key) ?? { tokens: requests, at: now };
      const tokens = tokensAt(bucket, now);
      if (tokens < 1) return Math.ceil((1 - tokens) * perToken);
      buckets.set(key, { tokens: tokens - 1, at: now });
      return 0;
    },
  };
}
