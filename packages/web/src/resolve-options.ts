import { normalizePropagateTo } from './propagation-allowlist.js';

export interface ResolvedOptions {
  serviceName: string;
  /** Absolute http(s) URL. */
  endpoint: string;
  /** Normalised: origins and flag-free RegExps. */
  propagateTo: Array<string | RegExp>;
  keepEmptyInteractions: boolean;
}

const DEFAULT_ENDPOINT = '/v1/traces';

/**
 * Checks `startTracing`'s options and fills in defaults. Bad options are a programming error
 * the developer should see at once, so this is the one place that throws (TypeError).
 */
export function resolveOptions(options: unknown, pageHref: string): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError("clicktrace: startTracing needs an options object, e.g. { serviceName: 'shop-web' }");
  }
  const { serviceName, endpoint, propagateTo, keepEmptyInteractions } = options as Record<string, unknown>;
  if (typeof serviceName !== 'string' || serviceName.trim() === '') {
    throw new TypeError('clicktrace: serviceName must be a non-empty string');
  }
  return {
    serviceName,
    endpoint: resolveEndpoint(endpoint, pageHref),
    propagateTo: normalizePropagateTo(propagateTo),
    keepEmptyInteractions: resolveKeepEmptyInteractions(keepEmptyInteractions),
  };
}

function resolveKeepEmptyInteractions(keepEmptyInteractions: unknown): boolean {
  if (keepEmptyInteractions === undefined) return false;
  if (typeof keepEmptyInteractions !== 'boolean') {
    throw new TypeError('clicktrace: keepEmptyInteractions must be a boolean (true or false)');
  }
  return keepEmptyInteractions;
}

function resolveEndpoint(endpoint: unknown, pageHref: string): string {
  if (endpoint === undefined) return new URL(DEFAULT_ENDPOINT, pageHref).href;
  // Any string resolves as a relative URL, so whitespace is the sign of something that was never
  // meant as one ('undefined', a sentence, an env var that was not substituted).
  if (typeof endpoint !== 'string' || endpoint.trim() === '' || /\s/.test(endpoint)) {
    throw new TypeError('clicktrace: endpoint must be a URL string, e.g. http://127.0.0.1:4318/v1/traces');
  }
  let url: URL;
  try {
    url = new URL(endpoint, pageHref);
  } catch {
    throw new TypeError(`clicktrace: endpoint '${endpoint}' is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`clicktrace: endpoint '${endpoint}' must be an http(s) URL`);
  }
  return url.href;
}
