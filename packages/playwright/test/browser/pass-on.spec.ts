import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '../../src/index.js';
import { exportBody, span } from '../spans.js';

// `clicktracePassOnExports: true`: the page's export still reaches the app's own OTLP endpoint
// (a real server on loopback here, which also serves the page), and a copy reaches the test's
// collector.
test.use({ clicktracePassOnExports: true });

let upstream: Server;
let upstreamUrl: string;
const received: { method: string; url: string; body: string }[] = [];

test.beforeAll(async () => {
  upstream = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (request.method === 'GET') {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<title>app</title>');
        return;
      }
      received.push({ method: request.method ?? '', url: request.url ?? '', body });
      response.writeHead(request.method === 'OPTIONS' ? 204 : 200, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type',
        'content-type': 'application/json',
      });
      response.end(request.method === 'OPTIONS' ? undefined : '{"from":"upstream"}');
    });
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  upstream.closeAllConnections();
  upstream.close();
  await once(upstream, 'close');
});

test("the page's export goes on to the app's endpoint, and the test still sees the trace", async ({
  page,
  traces,
}) => {
  // The page is served by the app's server, as a real app's would be (Chromium keeps a page from
  // elsewhere, such as a data: URL, from reaching loopback on its own).
  await page.goto(upstreamUrl);
  const traceId = crypto.randomUUID().replaceAll('-', '');
  const body = exportBody([span({ traceId, spanId: 'eeeeeeeeeeeeeee1', name: 'click button "Pass on"' })]);
  const answer = await page.evaluate(
    async ([url, json]) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: json,
      });
      return response.text();
    },
    [`${upstreamUrl}/v1/traces`, body] as const,
  );

  expect(answer, 'the page got the upstream answer').toBe('{"from":"upstream"}');
  expect(received.filter((r) => r.method === 'POST')).toEqual([{ method: 'POST', url: '/v1/traces', body }]);
  expect((await traces.all()).map((trace) => trace.traceId)).toEqual([traceId]);
});
