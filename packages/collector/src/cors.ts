/**
 * CORS for browsers that export straight to the collector from another origin (the app on
 * :5173, the collector on :4318). OTLP export is a JSON POST, so browsers preflight it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_METHODS = 'POST, OPTIONS';
const DEFAULT_ALLOWED_HEADERS = 'Content-Type, Content-Encoding';

/**
 * Adds the CORS headers an OTLP answer needs (the JSON API and the viewer get none). The request's Origin is echoed rather than
 * `*` because `navigator.sendBeacon` (which the OTLP browser exporter uses on page hide)
 * sends credentials, and browsers reject `*` together with credentials.
 */
export function addCorsHeaders(request: IncomingMessage, response: ServerResponse): void {
  const origin = request.headers.origin;
  if (origin) {
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Vary', 'Origin');
  } else {
    response.setHeader('Access-Control-Allow-Origin', '*');
  }
}

/** Answers a preflight of the OTLP endpoint: any origin, POST, whatever headers were asked for. */
export function answerPreflight(request: IncomingMessage, response: ServerResponse): void {
  addCorsHeaders(request, response);
  response.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
  response.setHeader(
    'Access-Control-Allow-Headers',
    request.headers['access-control-request-headers'] ?? DEFAULT_ALLOWED_HEADERS,
  );
  // Chrome's Private Network Access: a public page posting to 127.0.0.1 asks for this.
  if (request.headers['access-control-request-private-network'] === 'true') {
    response.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  response.setHeader('Access-Control-Max-Age', '600');
  response.writeHead(204).end();
}
