import { diag } from '@opentelemetry/api';

/** A header name: an RFC 9110 token (section 5.6.2), as `Headers` requires. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What `Headers` accepts as a value: no NUL, CR or LF, and no character above U+00FF. */
const HEADER_VALUE = /^[^\0\r\n\u0100-\uffff]*$/;

/**
 * Forbidden request-header names (Fetch standard, "forbidden request-header"): fetch drops them
 * without a word, so a collector would never see them.
 */
const FORBIDDEN =
  /^(?:accept-charset|accept-encoding|access-control-request-(?:headers|method)|connection|content-length|cookie2?|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|proxy-.*|sec-.*)$/;

/**
 * Checks the entries of `startTracing`'s `headers` and returns them with lower-case names. Anything
 * fetch would refuse or silently drop is a TypeError here, at start, rather than a failed export
 * later. `content-type` is the exporter's own (`application/json`): a value given here is ignored,
 * as the stock OTLP exporter ignores it, with a `diag` warning.
 */
export function resolveHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw new TypeError(`clicktrace: headers: '${name}' is not a valid header name`);
    const key = name.toLowerCase();
    if (FORBIDDEN.test(key)) {
      throw new TypeError(`clicktrace: headers: browsers do not let a page set '${name}'`);
    }
    if (key in resolved) {
      throw new TypeError(`clicktrace: headers: '${name}' is given twice (header names ignore case)`);
    }
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw new TypeError(
        `clicktrace: headers['${name}'] must be a string without line breaks or characters above U+00FF`,
      );
    }
    if (key === 'content-type') {
      diag.warn(`clicktrace: headers['${name}'] is ignored: exports are sent as application/json`);
      continue;
    }
    resolved[key] = value;
  }
  return resolved;
}
