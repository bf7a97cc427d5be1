import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CorsOptions,
  cors,
  corsFastify,
  corsHono,
  corsMiddleware,
  corsPolicy,
} from '../src/cors/index.js';
import { startRecorder, waitFor } from './recorder.js';
import { registerEsm, spawnApp } from './spawn-app.js';

const PAGE = 'http://127.0.0.1:5173';
const OPTIONS: CorsOptions = { origins: [PAGE, /^https:\/\/[a-z]+\.example\.com$/] };

describe('corsPolicy()', () => {
  const decide = corsPolicy(OPTIONS);
  const preflight = (origin: string) => decide({ method: 'OPTIONS', origin, requestMethod: 'POST' });

  it('answers a preflight from an allowed origin with the trace headers always allowed', () => {
    expect(preflight(PAGE)).toEqual({
      preflight: true,
      headers: {
        vary: 'Origin',
        'access-control-allow-origin': PAGE,
        'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'traceparent, tracestate, baggage, Content-Type',
        'access-control-max-age': '600',
      },
    });
  });

  it('exposes Server-Timing on actual requests, and adds credentials only when asked', () => {
    expect(decide({ method: 'GET', origin: PAGE, requestMethod: undefined })).toEqual({
      preflight: false,
      headers: {
        vary: 'Origin',
        'access-control-allow-origin': PAGE,
        'access-control-expose-headers': 'Server-Timing',
      },
    });
    const custom = corsPolicy({
      origins: [PAGE],
      credentials: true,
      allowHeaders: ['Authorization'],
      exposeHeaders: [],
      methods: ['GET'],
      maxAge: 5,
    });
    expect(custom({ method: 'OPTIONS', origin: PAGE, requestMethod: 'GET' }).headers).toMatchObject({
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'traceparent, tracestate, baggage, Authorization',
      'access-control-allow-methods': 'GET',
      'access-control-max-age': '5',
    });
    expect(custom({ method: 'GET', origin: PAGE, requestMethod: undefined }).headers).toEqual({
      vary: 'Origin',
      'access-control-allow-origin': PAGE,
      'access-control-allow-credentials': 'true',
    });
  });

  it('matches RegExps against the whole origin, like propagateTo', () => {
    expect(preflight('https://shop.example.com').headers['access-control-allow-origin']).toBe(
      'https://shop.example.com',
    );
    for (const origin of ['https://shop.example.com.evil.com', 'http://shop.example.com', 'null']) {
      expect(preflight(origin), origin).toEqual({ preflight: true, headers: { vary: 'Origin' } });
    }
  });

  it('gives a disallowed or missing origin no CORS headers, only Vary', () => {
    expect(decide({ method: 'GET', origin: 'https://evil.com', requestMethod: undefined })).toEqual({
      preflight: false,
      headers: { vary: 'Origin' },
    });
    expect(decide({ method: 'GET', origin: undefined, requestMethod: undefined }).headers).toEqual({
      vary: 'Origin',
    });
  });

  it('treats OPTIONS without Access-Control-Request-Method as an ordinary request', () => {
    expect(decide({ method: 'OPTIONS', origin: PAGE, requestMethod: undefined }).preflight).toBe(false);
  });

  it('normalises origin strings and rejects anything but an http(s) origin', () => {
    expect(corsPolicy({ origins: ['HTTP://127.0.0.1:5173/'] })(preflightOf(PAGE)).headers).toHaveProperty(
      'access-control-allow-origin',
    );
    for (const bad of ['https://a.com/path', 'a.com', 'ftp://a.com', 'https://u:p@a.com', '*']) {
      expect(() => corsPolicy({ origins: [bad] }), bad).toThrow(TypeError);
    }
  });
});

function preflightOf(origin: string) {
  return { method: 'OPTIONS', origin, requestMethod: 'POST' };
}

interface Running {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Running> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Each framework with the adapter mounted, one GET /api/items route and nothing else. */
const frameworks: Record<string, () => Promise<Running>> = {
  'node:http': () => {
    const handleCors = cors(OPTIONS);
    return listen(
      createServer((req, res) => {
        if (handleCors(req, res)) return;
        res.appendHeader('vary', 'Accept-Encoding'); // setHeader would replace cors()'s Vary: Origin
        res.end(req.url === '/api/items' ? 'items' : 'other');
      }),
    );
  },
  express: () => {
    const app = express();
    app.use(corsMiddleware(OPTIONS));
    app.get('/api/items', (_req, res) => {
      res.vary('Accept-Encoding').send('items');
    });
    return listen(createServer(app));
  },
  fastify: async () => {
    const app = Fastify();
    await app.register(corsFastify(OPTIONS));
    app.get('/api/items', async (_request, reply) => reply.header('vary', 'Accept-Encoding').send('items'));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
      close: () => app.close(),
    };
  },
  hono: async () => {
    const app = new Hono();
    app.use(corsHono(OPTIONS));
    app.get('/api/items', (c) => {
      c.header('vary', 'Accept-Encoding');
      return c.text('items');
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await once(server, 'listening');
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
};

describe.each(Object.entries(frameworks))('%s adapter, over loopback', (_name, start) => {
  let app: Running;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app.close());

  const preflight = (path: string, origin: string) =>
    fetch(`${app.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'traceparent, content-type',
      },
    });

  it('answers a preflight 204 for an allowed origin, on a path with no route', async () => {
    const response = await preflight('/api/no-such-route', PAGE);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'traceparent, tracestate, baggage, Content-Type',
    );
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('answers a preflight from a disallowed origin 204 without allow headers', async () => {
    const response = await preflight('/api/items', 'https://evil.com');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('adds Allow-Origin and Expose-Headers: Server-Timing to the route, keeping its Vary', async () => {
    const response = await fetch(`${app.url}/api/items`, { headers: { origin: 'https://shop.example.com' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('items');
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(response.headers.get('access-control-expose-headers')).toBe('Server-Timing');
    expect(response.headers.get('vary')?.split(/,\s*/).sort()).toEqual(['Accept-Encoding', 'Origin']);
  });

  it('still serves a request from a disallowed origin, without CORS headers', async () => {
    const response = await fetch(`${app.url}/api/items`, { headers: { origin: 'https://evil.com' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('items');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-expose-headers')).toBeNull();
  });
});

describe('a preflight answered by cors(), under node --import @clicktrace/node/register', () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  it('makes no span, while the request after it does', async () => {
    const receiver = await startRecorder();
    stops.push(() => receiver.close());
    const api = await spawnApp(['--import', registerEsm], 'cors-server.mjs', {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    stops.push(() => api.stop());

    const preflight = await fetch(`${api.url}/api/checkout`, {
      method: 'OPTIONS',
      headers: {
        origin: PAGE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'traceparent',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('traceparent');
    const after = await fetch(`${api.url}/api/checkout`, { headers: { origin: PAGE } });
    expect(after.headers.get('access-control-allow-origin')).toBe(PAGE);
    await waitFor(
      () => receiver.spans().find((s) => s.attributes['url.path'] === '/api/checkout'),
      'the span of the request after the preflight',
    );
    await api.stop(); // flushes whatever else there was

    expect(receiver.spans().map((s) => s.attributes['http.request.method'])).toEqual(['GET']);
  });
});
