import type { OriginMatcher } from './propagation-allowlist.js';

/**
 * Adapts an `OriginMatcher` to the fetch/XHR instrumentations' `propagateTraceHeaderCorsUrls`.
 *
 * Those instrumentations call `urlMatches(url, entry)` from @opentelemetry/core, which compares a
 * string entry with the WHOLE URL and otherwise runs `url.match(entry)`. String.prototype.match
 * delegates to `entry[Symbol.match]`, so a RegExp whose `[Symbol.match]` (and `test`, for any
 * other caller) consults our matcher gives the instrumentations our origin semantics without
 * forking them. The underlying pattern `(?!)` never matches, so a code path that bypasses these
 * overrides (e.g. calls `exec`) fails closed: no header rather than a leaked one.
 */
export class OriginMatcherRegExp extends RegExp {
  readonly #matches: OriginMatcher;

  constructor(matches: OriginMatcher) {
    super('(?!)');
    this.#matches = matches;
  }

  override test(url: string): boolean {
    return this.#matches(String(url));
  }

  override [Symbol.match](url: string): RegExpMatchArray | null {
    const text = String(url);
    return this.#matches(text)
      ? (Object.assign([text], { index: 0, input: text }) as RegExpMatchArray)
      : null;
  }
}
