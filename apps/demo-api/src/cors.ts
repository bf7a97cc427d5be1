import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for the SPA, which runs on another origin. Browsers preflight every cross-origin request
 * that carries `traceparent`, so the trace headers must be allowed here.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (origin) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'origin');
  }
  if (req.method !== 'OPTIONS') return false;
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
  res.setHeader('access-control-allow-headers', 'content-type, traceparent, tracestate, baggage');
  res.setHeader('access-control-max-age', '600');
  res.writeHead(204).end();
  return true;
}
