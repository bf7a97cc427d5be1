import type { IncomingMessage } from 'node:http';

/**
 * A CORS preflight is the browser asking permission, not the user's action: tracing it would add
 * a second, parentless trace beside every cross-origin click. The Fetch standard defines it as an
 * OPTIONS request carrying Access-Control-Request-Method
 * (https://fetch.spec.whatwg.org/#cors-preflight-fetch); other OPTIONS requests are still traced.
 */
export function isCorsPreflight(request: IncomingMessage): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
}
