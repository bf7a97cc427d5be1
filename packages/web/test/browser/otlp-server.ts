import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeOtlpJson, type ExportedSpan } from './otlp-capture.js';

/** One export request the collector received. */
export interface ReceivedExport {
  headers: IncomingHttpHeaders;
  spans: ExportedSpan[];
  /** `Date.now()` when its body had arrived. */
  receivedAt: number;
}

/** A running {@link startOtlpServer}. */
export interface OtlpServer {
  /** Its traces URL: `http://127.0.0.1:<port>/v1/traces`. */
  url: string;
  exports: ReceivedExport[];
  /** The `Access-Control-Request-Headers` of each CORS preflight, as the browser sent it. */
  preflights: string[];
  /** Every span received so far. */
  spans(): ExportedSpan[];
  close(): Promise<void>;
}

/**
 * A real OTLP/HTTP (JSON) collector on an ephemeral loopback port: another origin than the test
 * pages, so the browser applies CORS to exports (preflights included) as it does with a real
 * collector, and requests that outlive the page (keepalive) still arrive. Like a collector
 * configured with `cors.allowed_headers: ['*']`, its preflight answer allows any request header.
 */
export async function startOtlpServer(): Promise<OtlpServer> {
  const exports: ReceivedExport[] = [];
  const preflights: string[] = [];
  const server = createServer((request, response) => {
    response.setHeader('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS') {
      const asked = request.headers['access-control-request-headers'] ?? '';
      preflights.push(asked);
      response.setHeader('access-control-allow-headers', asked);
      response.setHeader('access-control-allow-methods', 'POST');
      response.writeHead(204).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let spans: ExportedSpan[] = [];
      try {
        spans = decodeOtlpJson(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        response.writeHead(400).end();
        return;
      }
      exports.push({ headers: request.headers, spans, receivedAt: Date.now() });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    exports,
    preflights,
    spans: () => exports.flatMap((received) => received.spans),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
