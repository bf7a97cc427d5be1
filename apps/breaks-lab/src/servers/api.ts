// The lab's traced API (@clicktrace/node, started in code). One process listens on several ports,
// each a role the page calls (PORTS, e.g. {"listed":3101,"strict":3102}):
// - `listed` and `unlisted`: a healthy API whose CORS allows the trace headers (the page may send
//   them to `listed` only);
// - `strict`: CORS that allows the page's origin but not `traceparent`: the browser refuses;
// - `restart`: `trustIncoming: 'restart'` for requests on this port;
// - `b3`: the same API, run with OTEL_PROPAGATORS=b3 (a B3-only service).
import { AsyncResource } from 'node:async_hooks';
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import { startTracing } from '@clicktrace/node';
import { cors } from '@clicktrace/node/cors';

const ports = JSON.parse(process.env.PORTS ?? '{}') as Record<string, number>;

startTracing({
  trustIncoming: (request) => (request.socket.localPort === ports.restart ? 'restart' : 'always'),
});

const allowTraceHeaders = cors({ origins: [/^http:\/\/127\.0\.0\.1:\d+$/] });

/** CORS that lets the page's origin in but allows no trace header: every traced request is refused. */
function strictCors(request: IncomingMessage, response: ServerResponse): boolean {
  response.setHeader('access-control-allow-origin', request.headers.origin ?? '*');
  if (request.method !== 'OPTIONS') return false;
  response.writeHead(204, {
    'access-control-allow-methods': 'GET, POST',
    'access-control-allow-headers': 'content-type',
  });
  response.end();
  return true;
}

/**
 * A job runner bound once, at start-up, as some pools and queues bind their callbacks: every job
 * it runs is in the start-up context, not in the request that handed it over. That loses the
 * request's AsyncLocalStorage, and with it the trace.
 */
const runDetached = AsyncResource.bind((job: () => void) => job());

/** Requests to /api/pair wait here until a second one arrives, so two clicks overlap. */
const waitingForPair: ServerResponse[] = [];

function handle(role: string, request: IncomingMessage, response: ServerResponse): void {
  if ((role === 'strict' ? strictCors : allowTraceHeaders)(request, response)) return;
  const path = new URL(request.url ?? '/', 'http://lab').pathname;
  const ok = (): void => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  };
  switch (path) {
    case '/api/ok':
    case '/api/after-await':
      ok();
      break;
    case '/api/pair':
      waitingForPair.push(response);
      if (waitingForPair.length >= 2) {
        for (const held of waitingForPair.splice(0)) held.end('{"paired":true}');
      }
      break;
    case '/api/lost-context':
      // The outgoing call runs in the detached job: it starts a trace of its own.
      runDetached(() => {
        get(`http://127.0.0.1:${ports.listed}/api/ok`, (downstream) => {
          downstream.resume();
          downstream.on('end', ok);
        });
      });
      break;
    default:
      response.writeHead(404).end();
  }
}

for (const [role, port] of Object.entries(ports)) {
  createServer((request, response) => handle(role, request, response)).listen(port, '127.0.0.1');
}
