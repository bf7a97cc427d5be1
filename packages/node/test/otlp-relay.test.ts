import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type HttpBindings, serve } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { isRelayRequest, type OtlpRelayOptions, otlpRelay } from '../src/relay/index.js';
import { type Recorder, startRecorder, waitFor } from './recorder.js';
import { registerEsm, spawnApp } from './spawn-app.js';

const OTLP_JSON = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'click' }] }] }] });
const JSON_HEADERS = { 'content-type': 'application/json' };

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((close) => close()));
  cleanup = [];
});

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function upstream(): Promise<Recorder> {
  const it = await startRecorder();
  cleanup.push(() => it.close());
  return it;
}

/** An API whose every request goes to the relay, as `app.post('/v1/traces', relay)` would. */
async function relayAt(options: OtlpRelayOptions): Promise<string> {
  const relay = otlpRelay(options);
  return listen(createServer((req, res) => relay(req, res)));
}

/** A raw request, so that Host and a chunked body can be what the test says. */
function send(
  url: string,
  {
    method = 'POST',
    headers = {},
    chunks = [],
  }: { method?: string; headers?: Record<string, string>; chunks?: Buffer[] },
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (chunk: Buffer) => parts.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(parts).toString('utf8'),
        }),
      );
    });
    outgoing.on('error', reject);
    for (const chunk of chunks) outgoing.write(chunk);
    outgoing.end();
  });
}

describe('otlpRelay()', () => {
  it('forwards the exact body to upstream only, whatever the path, Host and X-Forwarded-* say', async () => {
    const collector = await upstream();
    const decoy = await upstream();
    const relay = await relayAt({
      upstream: `${collector.url}/v1/traces`,
      headers: { 'x-api-key': 'secret' },
    });

    const response = await send(`${relay}/v1/traces/../../admin?redirect=${decoy.url}`, {
      headers: {
        ...JSON_HEADERS,
        host: new URL(decoy.url).host,
        'x-forwarded-host': new URL(decoy.url).host,
        'x-forwarded-proto': 'https',
        cookie: 'session=1',
        authorization: 'Bearer browser',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
      chunks: [Buffer.from(OTLP_JSON)],
    });

    expect(response).toMatchObject({ status: 200, body: '{}' });
    expect(decoy.requests).toEqual([]);
    expect(collector.requests).toHaveLength(1);
    const [received] = collector.requests;
    expect(received?.method).toBe('POST');
    expect(received?.path).toBe('/v1/traces');
    expect(received?.body.toString('utf8')).toBe(OTLP_JSON);
    expect(received?.headers).toMatchObject({ 'content-type': 'application/json', 'x-api-key': 'secret' });
    // None of the browser's own headers go on: no cookies, credentials or trace context.
    for (const name of ['cookie', 'authorization', 'traceparent', 'x-forwarded-host', 'x-forwarded-proto']) {
      expect(received?.headers[name], name).toBeUndefined();
    }
    expect(received?.headers.host).toBe(new URL(collector.url).host);
  });

  it('passes gzip-compressed protobuf through byte for byte', async () => {
    const collector = await upstream();
    const relay = await relayAt({ upstream: `${collector.url}/v1/traces` });
    const body = gzipSync(Buffer.from([0x0a, 0x02, 0x08, 0x01, 0xff, 0x00]));

    const response = await fetch(relay, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body,
    });

    expect(response.status).toBe(200);
    expect(collector.requests[0]?.headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
      'content-length': String(body.length),
    });
    expect(collector.requests[0]?.body.equals(body)).toBe(true);
  });

  it('answers 405 with Allow to anything but POST', async () => {
    const collector = await upstream();
    const relay = await relayAt({ upstream: `${collector.url}/v1/traces` });
    for (const method of ['GET', 'PUT', 'OPTIONS']) {
      const response = await send(relay, { method, headers: JSON_HEADERS });
      expect(response.status, method).toBe(405);
      expect(response.headers.allow).toBe('POST');
    }
    expect(collector.requests).toEqual([]);
  });

  it('answers 415 to other content types and encodings', async () => {
    const collector = await upstream();
    const relay = await relayAt({ upstream: `${collector.url}/v1/traces` });
    const cases: Record<string, string>[] = [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      {},
      { 'content-type': 'application/json', 'content-encoding': 'br' },
    ];
    for (const headers of cases) {
      const response = await send(relay, { headers, chunks: [Buffer.from(OTLP_JSON)] });
      expect(response.status, JSON.stringify(headers)).toBe(415);
    }
    // Parameters are fine.
    const withCharset = await send(relay, {
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
      chunks: [Buffer.from(OTLP_JSON)],
    });
    expect(withCharset.status).toBe(200);
    expect(collector.requests).toHaveLength(1);
  });

  it('answers 413 past maxBodyBytes, from Content-Length or while a chunked body streams in', async () => {
    const collector = await upstream();
    const relay = await relayAt({ upstream: `${collector.url}/v1/traces`, maxBodyBytes: 1000 });

    const declared = await fetch(relay, { method: 'POST', headers: JSON_HEADERS, body: 'x'.repeat(1001) });
    expect(declared.status).toBe(413);
    const streamed = await send(relay, {
      headers: { ...JSON_HEADERS, 'transfer-encoding': 'chunked' },
      chunks: [Buffer.alloc(600, 0x20), Buffer.alloc(600, 0x20)],
    });
    expect(streamed.status).toBe(413);
    const exact = await fetch(relay, { method: 'POST', headers: JSON_HEADERS, body: ' '.repeat(1000) });
    expect(exact.status).toBe(200);
    expect(collector.requests.map((r) => r.body.length)).toEqual([1000]);
  });

  it('answers 429 with Retry-After past the rate limit, per client address', async () => {
    const collector = await upstream();
    const relay = await relayAt({
      upstream: `${collector.url}/v1/traces`,
      rateLimit: { requests: 2, perMs: 60_000 },
      clientAddress: (req) => String(req.headers['x-test-client']),
    });
    const post = (client: string) =>
      fetch(relay, {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'x-test-client': client },
        body: OTLP_JSON,
      });

    expect([(await post('a')).status, (await post('a')).status]).toEqual([200, 200]);
    const limited = await post('a');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect((await post('b')).status).toBe(200);
    expect(collector.requests).toHaveLength(3);
  });

  it('answers 502 when upstream is unreachable and 504 when it is too slow', async () => {
    const closed = createServer();
    const closedUrl = await listen(closed);
    closed.close();
    await once(closed, 'close');
    const unreachable = await relayAt({ upstream: `${closedUrl}/v1/traces` });
    expect(
      (await fetch(unreachable, { method: 'POST', headers: JSON_HEADERS, body: OTLP_JSON })).status,
    ).toBe(502);

    const silent = await listen(createServer(() => {})); // never answers
    const slow = await relayAt({ upstream: `${silent}/v1/traces`, timeoutMs: 100 });
    expect((await fetch(slow, { method: 'POST', headers: JSON_HEADERS, body: OTLP_JSON })).status).toBe(504);
  });

  it("passes upstream's own status back, such as 400 for a malformed export", async () => {
    const rejecting = await listen(
      createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(400, JSON_HEADERS).end('{"code":3}'));
      }),
    );
    const relay = await relayAt({ upstream: `${rejecting}/v1/traces` });
    const response = await fetch(relay, { method: 'POST', headers: JSON_HEADERS, body: '{' });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('{"code":3}');
  });

  it('accepts only an http(s) upstream, at creation', () => {
    for (const bad of ['/v1/traces', 'not a url', 'file:///etc/passwd', 'ftp://collector/v1/traces']) {
      expect(() => otlpRelay({ upstream: bad }), bad).toThrow(TypeError);
    }
  });
});

describe('otlpRelay() mounted as its doc comment says', () => {
  type Mount = (relay: ReturnType<typeof otlpRelay>) => Promise<string>;
  const mounts: Record<string, Mount> = {
    'express, before express.json()': (relay) => {
      const app = express();
      app.post('/v1/traces', relay);
      app.use(express.json());
      return listen(createServer(app));
    },
    'fastify, in an onRequest hook': async (relay) => {
      const app = Fastify();
      app.addHook('onRequest', (req, reply, done) => {
        if (!isRelayRequest(req.raw)) return done();
        reply.hijack();
        relay(req.raw, reply.raw);
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      cleanup.push(() => app.close());
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    },
    'hono on @hono/node-server': async (relay) => {
      const app = new Hono<{ Bindings: HttpBindings }>();
      app.post('/v1/traces', (c) => {
        relay(c.env.incoming, c.env.outgoing);
        return RESPONSE_ALREADY_SENT;
      });
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
      await once(server, 'listening');
      cleanup.push(() => new Promise((resolve) => server.close(resolve)));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  };

  it.each(Object.entries(mounts))('%s: forwards the exact body', async (_name, mount) => {
    const collector = await upstream();
    const api = await mount(otlpRelay({ upstream: `${collector.url}/v1/traces` }));
    const response = await fetch(`${api}/v1/traces`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: OTLP_JSON,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{}');
    expect(collector.requests.map((r) => r.body.toString('utf8'))).toEqual([OTLP_JSON]);
  });

  it('answers 500 (and forwards nothing) when a body parser ran first', async () => {
    const collector = await upstream();
    const app = express();
    app.use(express.json());
    app.post('/v1/traces', otlpRelay({ upstream: `${collector.url}/v1/traces` }));
    const api = await listen(createServer(app));
    const response = await fetch(`${api}/v1/traces`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: OTLP_JSON,
    });
    expect(response.status).toBe(500);
    expect(collector.requests).toEqual([]);
  });
});

describe('isRelayRequest()', () => {
  const incoming = (method: string, url: string) => ({ method, url }) as IncomingMessage;

  it('recognises a POST to a path a relay was created for, query ignored', () => {
    otlpRelay({ upstream: 'http://127.0.0.1:9/v1/traces' });
    otlpRelay({ upstream: 'http://127.0.0.1:9/v1/traces', path: '/telemetry/traces' });
    expect(isRelayRequest(incoming('POST', '/v1/traces'))).toBe(true);
    expect(isRelayRequest(incoming('POST', '/v1/traces?x=1'))).toBe(true);
    expect(isRelayRequest(incoming('POST', '/telemetry/traces'))).toBe(true);
    expect(isRelayRequest(incoming('GET', '/v1/traces'))).toBe(false);
    expect(isRelayRequest(incoming('POST', '/v1/traces/more'))).toBe(false);
    expect(isRelayRequest(incoming('POST', '/api/checkout'))).toBe(false);
  });
});

describe('otlpRelay() under node --import @clicktrace/node/register', () => {
  async function start() {
    const [receiver, collector] = [await upstream(), await upstream()];
    const api = await spawnApp(['--import', registerEsm], 'relay-server.mjs', {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      UPSTREAM_URL: collector.url,
    });
    cleanup.push(() => api.stop());
    const response = await fetch(`${api.url}/v1/traces`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      body: OTLP_JSON,
    });
    expect(response.status).toBe(200);
    await fetch(`${api.url}/after`);
    await waitFor(
      () => receiver.spans().find((s) => s.attributes['url.path'] === '/after'),
      'the span of the request after the relayed one',
    );
    await api.stop();
    return { receiver, collector };
  }

  it('forwards with no CLIENT span and no trace context sent upstream', async () => {
    const { receiver, collector } = await start();
    expect(collector.requests).toHaveLength(1);
    expect(collector.requests[0]?.body.toString('utf8')).toBe(OTLP_JSON);
    expect(collector.requests[0]?.headers.traceparent).toBeUndefined();
    expect(receiver.spans().filter((s) => s.kind === 3)).toEqual([]);
  });

  // Needs the server spans to skip what isRelayRequest() recognises (server-spans.ts).
  it('makes no SERVER span for the relayed POST itself', async () => {
    const { receiver } = await start();
    expect(receiver.spans().map((s) => s.attributes['url.path'])).toEqual(['/after']);
  });
});
