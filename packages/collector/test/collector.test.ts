import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Collector, type StoredSpan, startCollector } from '../src/index.js';
import { createExporter, type Encoding, emitSampleTrace, expectSampleTrace } from './sample-trace.js';

let collector: Collector;

beforeEach(async () => {
  collector = await startCollector({ port: 0 });
});
afterEach(async () => {
  await collector.close();
});

/** Waits until the store holds `count` spans, via onSpans (no polling). */
function spansArrived(count: number): Promise<StoredSpan[]> {
  return new Promise((resolve) => {
    const check = () => {
      if (collector.store.size < count) return;
      stop();
      resolve(collector.store.spans());
    };
    const stop = collector.store.onSpans(check);
    check();
  });
}

/** A raw request, so tests control every header and byte. */
function send(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Uint8Array | string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${collector.url}${path}`, { method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('startCollector', () => {
  it('listens on a free port of 127.0.0.1 when asked for port 0', () => {
    expect(collector.port).toBeGreaterThan(0);
    expect(collector.url).toBe(`http://127.0.0.1:${collector.port}`);
  });

  it('rejects with EADDRINUSE when the port is taken', async () => {
    await expect(startCollector({ port: collector.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('can be closed twice', async () => {
    const other = await startCollector({ port: 0 });
    await other.close();
    await other.close();
  });

  it('passes maxSpans to its store', async () => {
    const small = await startCollector({ port: 0, maxSpans: 7 });
    expect(small.store.maxSpans).toBe(7);
    await small.close();
  });
});

describe('POST /v1/traces from the stock exporters', () => {
  const cases: [Encoding, boolean][] = [
    ['json', false],
    ['json', true],
    ['protobuf', false],
    ['protobuf', true],
  ];
  it.each(cases)('stores a trace sent as %s (gzip: %s)', async (encoding, gzip) => {
    const exporter = createExporter({ url: `${collector.url}/v1/traces`, encoding, gzip });
    const sdkSpans = await emitSampleTrace(exporter);
    expectSampleTrace(await spansArrived(3), sdkSpans);
    const [summary] = collector.store.traces();
    expect(summary).toMatchObject({
      rootName: 'POST /api/checkout',
      serviceNames: ['checkout-api'],
      spanCount: 3,
    });
  });

  it('keeps the services of one trace apart', async () => {
    const url = `${collector.url}/v1/traces`;
    await emitSampleTrace(createExporter({ url, encoding: 'json' }), 'shop-web');
    await emitSampleTrace(createExporter({ url, encoding: 'protobuf' }), 'shop-api');
    const spans = await spansArrived(6);
    expect(new Set(spans.map((span) => span.serviceName))).toEqual(new Set(['shop-web', 'shop-api']));
    expect(collector.store.traces()).toHaveLength(2);
  });
});

describe('POST /v1/traces replies', () => {
  it('answers JSON with an empty partialSuccess and protobuf with an empty body', async () => {
    const json = await send('POST', '/v1/traces', {
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: '{"resourceSpans":[]}',
    });
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body)).toEqual({ partialSuccess: {} });
    const proto = await send('POST', '/v1/traces', {
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: '',
    });
    expect(proto.status).toBe(200);
    expect(proto.headers['content-type']).toBe('application/x-protobuf');
    expect(proto.body).toBe('');
  });

  it.each([
    ['garbage protobuf', 'application/x-protobuf', {}, Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02]), 400],
    ['truncated protobuf', 'application/x-protobuf', {}, Buffer.from([0x0a, 0x10, 0x12, 0x0e]), 400],
    ['bad JSON', 'application/json', {}, '{"resourceSpans": [', 400],
    ['JSON that is not OTLP', 'application/json', {}, '{"resourceSpans": [{"scopeSpans": 3}]}', 400],
    [
      'truncated gzip',
      'application/json',
      { 'Content-Encoding': 'gzip' },
      gzipSync('{}').subarray(0, 8),
      400,
    ],
    ['gzip that is not gzip', 'application/json', { 'Content-Encoding': 'gzip' }, 'plain text', 400],
    ['an unknown encoding', 'application/json', { 'Content-Encoding': 'br' }, '{}', 415],
    ['a wrong content type', 'text/plain', {}, 'hello', 415],
  ])('rejects %s with a reason and keeps serving', async (_, contentType, headers, body, status) => {
    const response = await send('POST', '/v1/traces', {
      headers: { 'Content-Type': contentType, ...headers },
      body,
    });
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body).error).toEqual(expect.any(String));
    expect((await send('GET', '/health')).body).toBe('ok');
    expect(collector.store.size).toBe(0);
  });

  it('names the bad field in the reason', async () => {
    const response = await send('POST', '/v1/traces', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'x', spanId: 'y' }] }] }] }),
    });
    expect(JSON.parse(response.body).error).toMatch(
      /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId/,
    );
  });

  it('answers 413 to a body over the limit (a gzip bomb included)', async () => {
    const bomb = gzipSync(Buffer.alloc(17 * 1024 * 1024, 0x20));
    const response = await send('POST', '/v1/traces', {
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: bomb,
    });
    expect(response.status).toBe(413);
    expect((await send('GET', '/health')).status).toBe(200);
  });

  it('answers 405 to GET /v1/traces', async () => {
    expect((await send('GET', '/v1/traces')).status).toBe(405);
  });
});

describe('CORS', () => {
  it('answers a preflight with the origin, methods and requested headers', async () => {
    const response = await send('OPTIONS', '/v1/traces', {
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-custom',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(response.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    expect(response.headers['access-control-allow-headers']).toBe('content-type,x-custom');
    expect(response.headers['access-control-allow-credentials']).toBe('true');
  });

  it('adds the origin to OTLP answers, and * without one', async () => {
    const withOrigin = await send('POST', '/v1/traces', {
      headers: { Origin: 'http://localhost:5173', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(withOrigin.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const without = await send('POST', '/v1/traces', {
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(without.headers['access-control-allow-origin']).toBe('*');
  });

  it('lets no other origin read the API or clear the traces', async () => {
    const origin = { Origin: 'http://evil.example' };
    for (const path of ['/api/traces', '/api/breaks', '/']) {
      expect(
        (await send('GET', path, { headers: origin })).headers['access-control-allow-origin'],
      ).toBeUndefined();
    }
    const preflight = await send('OPTIONS', '/api/traces', {
      headers: { ...origin, 'Access-Control-Request-Method': 'DELETE' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
  });
});

describe('JSON API and viewer', () => {
  it('lists, returns, and clears traces', async () => {
    await emitSampleTrace(createExporter({ url: `${collector.url}/v1/traces`, encoding: 'json' }));
    const [stored] = await spansArrived(3);
    const traceId = stored?.traceId as string;

    const list = await send('GET', '/api/traces');
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body).traces).toEqual(collector.store.traces());

    const one = await send('GET', `/api/traces/${traceId.toUpperCase()}`);
    expect(one.status).toBe(200);
    expect(JSON.parse(one.body)).toEqual({ traceId, spans: collector.store.trace(traceId), breaks: [] });

    expect((await send('GET', `/api/traces/${'0'.repeat(31)}1`)).status).toBe(404);
    expect((await send('GET', '/api/traces/not-an-id')).status).toBe(404);

    expect((await send('DELETE', '/api/traces')).status).toBe(204);
    expect(collector.store.size).toBe(0);
    expect(JSON.parse((await send('GET', '/api/traces')).body)).toEqual({ traces: [] });
  });

  it('serves health and the viewer page, and 404 elsewhere', async () => {
    const health = await send('GET', '/health');
    expect([health.status, health.body]).toEqual([200, 'ok']);
    const page = await send('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>clicktrace collector</title>');
    expect((await send('GET', '/nope')).status).toBe(404);
  });
});
