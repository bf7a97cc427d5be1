import { once } from 'node:events';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentServers } from '../src/server-spans.js';

// The backlink merged into the headers an app gives writeHead, through the patched writeHead of a
// real node:http server in this process: Node's own header handling decides what is sent.

let stop: () => void;
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  stop = instrumentServers({
    tracer: new TracerProvider().getTracer('test'),
    parentContext: () => ROOT_CONTEXT,
    backlink: true,
    startAttributesVisible: true,
  });
});
afterAll(() => {
  stop();
  context.disable();
});

/** Serves one request with `handler` and returns the raw header lines the client received. */
async function headersSent(
  handler: (response: ServerResponse) => void,
  requestHeaders: Record<string, string> = {},
): Promise<string[]> {
  const server = createServer((_request: IncomingMessage, response) => {
    handler(response);
    response.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers: requestHeaders });
    await response.text();
    const lines: string[] = [];
    response.headers.forEach((value, name) => {
      lines.push(`${name}: ${value}`);
    });
    return lines;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const BACKLINK =
  /traceparent;desc="00-[0-9a-f]{32}-[0-9a-f]{16}-01", trace;desc=00-[0-9a-f]{32}-[0-9a-f]{16}-01/;

describe('the backlink in writeHead', () => {
  it.each<[string, (response: ServerResponse) => void]>([
    ['an object naming Server-Timing in any case', (r) => r.writeHead(200, { 'Server-Timing': 'db;dur=5' })],
    ['an object, after setHeader', (r) => r.setHeader('server-timing', 'db;dur=5') && r.writeHead(200, {})],
    ['a reason phrase and an object', (r) => r.writeHead(200, 'Fine', { 'SERVER-TIMING': 'db;dur=5' })],
    ['a flat array', (r) => r.writeHead(200, ['Server-Timing', 'db;dur=5'])],
    ['pairs', (r) => r.writeHead(200, [['server-timing', 'db;dur=5']])],
  ])("merges it with the app's own Server-Timing: %s", async (_name, handler) => {
    const lines = await headersSent(handler);
    const timing = lines.filter((line) => line.startsWith('server-timing:'));
    expect(timing).toHaveLength(1);
    expect(timing[0]).toMatch(/^server-timing: db;dur=5, traceparent;desc=/);
    expect(timing[0]).toMatch(BACKLINK);
  });

  it('leaves a headers object of the app unchanged, and sends each header once', async () => {
    const headers: OutgoingHttpHeaders = { 'content-type': 'text/plain', 'x-app': '1' };
    const lines = await headersSent((response) => {
      response.setHeader('Content-Type', 'application/json');
      response.writeHead(200, headers);
    });
    expect(headers).toEqual({ 'content-type': 'text/plain', 'x-app': '1' });
    expect(lines.filter((line) => line.startsWith('content-type:'))).toEqual(['content-type: text/plain']);
    expect(lines.some((line) => BACKLINK.test(line))).toBe(true);
  });

  it('replaces a header set before with the one a flat array names, as Node does', async () => {
    const lines = await headersSent((response) => {
      response.setHeader('Content-Type', 'text/plain');
      response.writeHead(200, ['Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
    });
    expect(lines.filter((line) => line.startsWith('content-type:'))).toEqual([
      'content-type: application/json',
    ]);
    expect(lines.filter((line) => line.startsWith('set-cookie:'))).toEqual([
      'set-cookie: a=1',
      'set-cookie: b=2',
    ]);
  });

  it("adds the CORS headers a cross-origin page needs to read it, merged with the app's", async () => {
    const lines = await headersSent(
      (response) => response.writeHead(200, { 'Access-Control-Expose-Headers': 'X-Total' }),
      { origin: 'http://127.0.0.1:5173' },
    );
    expect(lines).toContain('access-control-expose-headers: X-Total, Server-Timing');
    expect(lines).toContain('timing-allow-origin: http://127.0.0.1:5173');
  });
});
