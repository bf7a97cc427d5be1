import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Span, serverSpan, spans } from './exported-spans.js';
import { type Recorder, startRecorder, waitFor } from './recorder.js';
import { type App, fixturePath, registerEsm, spawnApp } from './spawn-app.js';

// Each framework's app runs in a real child process on 127.0.0.1, set up both ways users set it up
// (zero code, `node --import @clicktrace/node/register`; and the user's own NodeSDK 0.301 with the
// auto-instrumentations, through withClicktrace), and is driven over loopback with fetch.
const SERVER = 2;
const CLIENT = 3;
const STATUS_ERROR = 2;
const CALLER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;
const ORIGIN = 'http://127.0.0.1:5173';

/**
 * Whether `span` is below `ancestor`: a child, or deeper where the app's own instrumentations add
 * spans in between (the auto-instrumentations' Express router layers).
 */
function descendsFrom(span: Span, ancestor: Span, all: Span[]): boolean {
  for (let parent = span.parentSpanId; parent !== undefined; ) {
    if (parent === ancestor.spanId) return true;
    parent = all.find((s) => s.spanId === parent)?.parentSpanId;
  }
  return false;
}

/** The `traceparent` named by `Server-Timing: traceparent;desc="…"`, and the draft's `trace;desc=…`. */
function backlinks(serverTiming: string | null): { traceparent?: string; trace?: string } {
  const value = serverTiming ?? '';
  return {
    traceparent: /(?:^|,)\s*traceparent;desc="([^"]+)"/.exec(value)?.[1],
    trace: /(?:^|,)\s*trace;desc=([0-9a-f-]+)/.exec(value)?.[1],
  };
}

const FRAMEWORKS = [
  // errorType: the exception's class where the framework hands the exception over, else the status.
  { name: 'Express 5', fixture: 'frameworks-express.mjs', routes: true, errorType: '500' },
  { name: 'Fastify 5', fixture: 'frameworks-fastify.mjs', routes: true, errorType: 'TypeError' },
  { name: 'Hono on @hono/node-server', fixture: 'frameworks-hono.mjs', routes: true, errorType: 'TypeError' },
  { name: 'node:http', fixture: 'frameworks-http.mjs', routes: false, errorType: '500' },
] as const;

const SETUPS = [
  { setup: '--import @clicktrace/node/register', preload: registerEsm },
  // Its metrics and logs exporters are turned off: only traces are received here.
  {
    setup: 'NodeSDK 0.301 + getNodeAutoInstrumentations(), through withClicktrace',
    preload: fixturePath('with-clicktrace-sdk.mjs'),
    env: { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
  },
] as const;

const CASES = SETUPS.flatMap((setup) => FRAMEWORKS.map((framework) => ({ ...setup, ...framework })));

describe.each(CASES)('$name ($setup)', ({ fixture, routes, errorType, preload, ...setup }) => {
  let receiver: Recorder;
  let downstream: Recorder;
  let api: App;

  beforeAll(async () => {
    [receiver, downstream] = [await startRecorder(), await startRecorder()];
    api = await spawnApp(['--import', preload], fixture, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      DOWNSTREAM_URL: downstream.url,
      ...('env' in setup ? setup.env : {}),
    });
  });
  afterAll(async () => {
    await Promise.all([receiver?.close(), downstream?.close()]);
  });

  it('continues the incoming traceparent in a SERVER span named by method and route', async () => {
    const response = await fetch(`${api.url}/api/checkout`, {
      method: 'POST',
      headers: { traceparent: TRACEPARENT, 'content-type': 'application/json' },
      body: JSON.stringify({ cart: ['a', 'b'] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, cart: ['a', 'b'] });

    const span = await serverSpan(receiver, '/api/checkout');
    expect(span).toMatchObject({
      name: routes ? 'POST /api/checkout' : 'POST',
      traceId: CALLER_TRACE_ID,
      parentSpanId: CALLER_SPAN_ID,
      attributes: {
        'http.request.method': 'POST',
        'url.path': '/api/checkout',
        'url.scheme': 'http',
        'server.address': '127.0.0.1',
        'network.protocol.version': '1.1',
        'client.address': '127.0.0.1',
      },
    });
    expect(span.attributes['http.route']).toBe(routes ? '/api/checkout' : undefined);
    expect(Number(span.attributes['http.response.status_code'])).toBe(200);
    // One SERVER span per request, also beside the stock http instrumentation.
    expect(
      spans(receiver).filter((s) => s.kind === SERVER && s.attributes['url.path'] === '/api/checkout'),
    ).toHaveLength(1);
    expect(Number(span.attributes['server.port'])).toBe(Number(new URL(api.url).port));
    expect(span.status.code ?? 0).toBe(0);
  });

  it('sends exactly one traceparent downstream, its own, from fetch and http.request (after reading the body)', async () => {
    const server = await serverSpan(receiver, '/api/checkout');
    const clients = await waitFor(() => {
      const all = spans(receiver);
      const found = all.filter((s) => s.kind === CLIENT && descendsFrom(s, server, all));
      return found.length === 2 ? found : undefined;
    }, 'the fetch and http.request CLIENT spans, under the server span');
    for (const path of ['/fetch', '/http']) {
      const received = downstream.requests.find((r) => r.path === path);
      const client = clients.find((s) => String(s.attributes['url.full']).endsWith(path));
      // Node joins repeated headers with ', ': a second traceparent would show up here.
      expect(received?.headers.traceparent, path).toBe(`00-${CALLER_TRACE_ID}-${client?.spanId}-01`);
    }
  });

  it(`names GET ${routes ? '/api/items/:id' : 'by method'} and sends the backlink headers`, async () => {
    const response = await fetch(`${api.url}/api/items/42?color=red`, {
      headers: { traceparent: TRACEPARENT, origin: ORIGIN },
    });
    expect(response.status).toBe(200);

    const span = await serverSpan(receiver, '/api/items/42');
    expect(span.name).toBe(routes ? 'GET /api/items/:id' : 'GET');
    expect(span.attributes['http.route']).toBe(routes ? '/api/items/:id' : undefined);
    expect(span.attributes['url.query']).toBe('color=red');
    if (fixture === 'frameworks-express.mjs') expect(response.headers.get('x-route')).toBe('/items/:id');

    const serverTiming = response.headers.get('server-timing');
    const expected = `00-${CALLER_TRACE_ID}-${span.spanId}-01`;
    expect(backlinks(serverTiming)).toEqual({ traceparent: expected, trace: expected });
    expect(serverTiming, "the app's own metric is kept").toMatch(/^app;dur=1, /);
    // The app's exposed headers are kept, Server-Timing added; Resource Timing may read it.
    expect(response.headers.get('access-control-expose-headers')).toBe('X-Request-Id, Server-Timing');
    expect(response.headers.get('timing-allow-origin')).toBe(ORIGIN);
  });

  it('redacts the query keys the semantic conventions call sensitive (the stock default list)', async () => {
    await fetch(`${api.url}/api/items/9?sig=abc&color=red&X-Amz-Signature=def`);
    const span = await serverSpan(receiver, '/api/items/9');
    expect(span.attributes['url.query']).toBe('sig=REDACTED&color=red&X-Amz-Signature=REDACTED');
  });

  it('adds no CORS headers of its own to a request without Origin', async () => {
    const response = await fetch(`${api.url}/api/items/7`);
    expect(backlinks(response.headers.get('server-timing')).traceparent).toMatch(
      /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/,
    );
    expect(response.headers.get('access-control-expose-headers')).toBe('X-Request-Id');
    expect(response.headers.get('timing-allow-origin')).toBeNull();
  });

  it('marks a 500 as an error with error.type', async () => {
    const response = await fetch(`${api.url}/api/fail`, { headers: { traceparent: TRACEPARENT } });
    expect(response.status).toBe(500);

    const span = await serverSpan(receiver, '/api/fail');
    expect(span.name).toBe(routes ? 'GET /api/fail' : 'GET');
    expect(Number(span.attributes['http.response.status_code'])).toBe(500);
    expect(span.status.code).toBe(STATUS_ERROR);
    expect(span.attributes['error.type']).toBe(errorType);
    if (errorType === 'TypeError') {
      expect(span.events).toContainEqual({
        name: 'exception',
        attributes: expect.objectContaining({
          'exception.type': 'TypeError',
          'exception.message': 'checkout exploded',
        }),
      });
    }
  });

  it('makes no span for a CORS preflight', async () => {
    const preflight = await fetch(`${api.url}/api/checkout`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(backlinks(preflight.headers.get('server-timing'))).toEqual({});
    // Requests are handled in order: once the next one's span is exported, the preflight's would be.
    await fetch(`${api.url}/api/items/after-preflight`);
    await serverSpan(receiver, '/api/items/after-preflight');
    expect(spans(receiver).filter((s) => s.attributes['http.request.method'] === 'OPTIONS')).toEqual([]);
  });

  it('exported one SERVER span per request, counted once the app has flushed and exited', async () => {
    await api.stop(); // both setups flush their spans on SIGTERM
    const servers = spans(receiver).filter((s) => s.kind === SERVER);
    const keys = servers.map((s) => `${s.traceId} ${s.attributes['url.path']}`);
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
  });
});
