/**
 * Which request URLs get a `traceparent` header.
 *
 * Our `propagateTo` speaks in origins: a string is an exact origin, a RegExp is tested against
 * the request's origin (never its path, so `/\.example\.com$/` cannot be satisfied by
 * `https://evil.com/?x=.example.com`). The page's own origin is always allowed.
 */
export type PropagateTo = ReadonlyArray<string | RegExp>;

/** Decides, for one request URL (absolute or relative to the page), whether it may carry trace headers. */
export type OriginMatcher = (url: string) => boolean;

/**
 * Checks `propagateTo` and returns it normalised: strings become bare origins (`http://host:port`),
 * RegExps lose the `g`/`y` flags (a stateful `lastIndex` would make every other test fail).
 * Throws a TypeError naming the bad entry.
 */
export function normalizePropagateTo(propagateTo: unknown): Array<string | RegExp> {
  if (propagateTo === undefined) return [];
  if (!Array.isArray(propagateTo)) {
    throw new TypeError('clicktrace: propagateTo must be an array of origins (strings) or RegExps');
  }
  return propagateTo.map((entry: unknown, index) => {
    if (entry instanceof RegExp) return new RegExp(entry.source, entry.flags.replace(/[gy]/g, ''));
    if (typeof entry === 'string') return parseOrigin(entry, index);
    throw new TypeError(
      `clicktrace: propagateTo[${index}] must be an origin string like 'https://api.example.com' or a RegExp`,
    );
  });
}

function parseOrigin(entry: string, index: number): string {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new TypeError(`clicktrace: propagateTo[${index}] '${entry}' is not an absolute http(s) origin`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`clicktrace: propagateTo[${index}] '${entry}' must use http: or https:`);
  }
  // Only "scheme://host[:port]" with an optional trailing slash: a path would suggest that
  // matching is per path, which it is not.
  if (
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new TypeError(
      `clicktrace: propagateTo[${index}] '${entry}' must be an origin only (no path, query, hash or credentials); use '${url.origin}'`,
    );
  }
  return url.origin;
}

/**
 * Builds the matcher. `propagateTo` must already be normalised (see `normalizePropagateTo`);
 * unknown entries are ignored here rather than thrown, because this runs on every request.
 */
export function createOriginMatcher(propagateTo: PropagateTo, pageOrigin: string): OriginMatcher {
  const origins = new Set(propagateTo.filter((entry): entry is string => typeof entry === 'string'));
  const patterns = propagateTo.filter((entry): entry is RegExp => entry instanceof RegExp);
  return function matchesAllowedOrigin(url: string): boolean {
    const origin = originOf(url, pageOrigin);
    // Opaque origins ('null': data:, blob: of opaque, file:) are never a destination we vouch for.
    if (origin === undefined || origin === 'null') return false;
    if (origin === pageOrigin || origins.has(origin)) return true;
    return patterns.some((pattern) => {
      pattern.lastIndex = 0;
      return pattern.test(origin);
    });
  };
}

function originOf(url: string, pageOrigin: string): string | undefined {
  try {
    const parsed = new URL(url, pageOrigin);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    return parsed.origin;
  } catch {
    return undefined;
  }
}
