import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the echo API received, with every trace header line as sent. */
export interface EchoedRequest {
  method: string;
  path: string;
  /** Each `traceparent` header line (two entries if the client sent it twice). */
  traceparents: string[];
  tracestates: string[];
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A cross-origin API that lets the page send any header and records each request with its body.
 * `/status/<code>` answers that code; `/slow` answers after two seconds; anything else echoes.
 */
export async function startEchoApi(): Promise<{
  origin: string;
  seen: EchoedRequest[];
  close(): Promise<void>;
}> {
  const seen: EchoedRequest[] = [];
  const server = createServer((request, response) => {
    response.setHeader('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS') {
      response.setHeader(
        'access-control-allow-headers',
        request.headers['access-control-request-headers'] ?? '',
      );
      response.setHeader(
        'access-control-allow-methods',
        request.headers['access-control-request-method'] ?? '',
      );
      response.writeHead(204).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const lines = (name: string) =>
        request.rawHeaders.filter((_, i) => i % 2 === 1 && request.rawHeaders[i - 1]?.toLowerCase() === name);
      const body = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '';
      seen.push({
        method: request.method ?? '',
        path,
        traceparents: lines('traceparent'),
        tracestates: lines('tracestate'),
        headers: request.headers,
        body,
      });
      const status = Number(/^\/status\/(\d{3})$/.exec(path)?.[1] ?? 200);
      const answer = () =>
        response.writeHead(status, { 'content-type': 'text/plain' }).end(`${request.method} ${body}`);
      if (path === '/slow') setTimeout(answer, 2000);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on 127.0.0.1 where nothing listens: requests to it fail with a network error. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/closed`;
}
