// Two untraced loopback servers in one process (PORTS, e.g. {"proxy":3201,"untraced":3202}):
// - `proxy` forwards every request to UPSTREAM and drops the trace headers on the way, as a
//   misconfigured gateway does;
// - `untraced` answers like the API, CORS included, but records no span at all.
import { createServer, request as forward } from 'node:http';

const ports = JSON.parse(process.env.PORTS ?? '{}') as Record<string, number>;
const upstream = new URL(process.env.UPSTREAM ?? 'http://127.0.0.1:1');
const STRIPPED = new Set(['traceparent', 'tracestate']);

createServer((request, response) => {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !STRIPPED.has(name)));
  const outgoing = forward(
    { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  outgoing.on('error', () => response.writeHead(502).end());
  request.pipe(outgoing);
}).listen(ports.proxy, '127.0.0.1');

createServer((request, response) => {
  response.setHeader('access-control-allow-origin', request.headers.origin ?? '*');
  if (request.method === 'OPTIONS') {
    response
      .writeHead(204, { 'access-control-allow-headers': 'traceparent, tracestate, content-type' })
      .end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
}).listen(ports.untraced, '127.0.0.1');
