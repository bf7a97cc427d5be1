import { decodeOtlpProtobuf } from '@clicktrace/collector';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExportedSpan, type Recorder, startRecorder, waitFor } from './recorder.js';
import { type App, fixturePath, registerCjs, registerEsm, spawnApp } from './spawn-app.js';

const SERVER = 2;
const CLIENT = 3;
const CALLER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;

let started: { close?: () => Promise<void>; stop?: () => Promise<unknown> }[] = [];

afterEach(async () => {
  await Promise.all(started.map((it) => (it.stop ? it.stop() : it.close?.())));
  started = [];
});

async function recorder(): Promise<Recorder> {
  const it = await startRecorder();
  started.push(it);
  return it;
}

async function app(nodeArgs: string[], fixture: string, env: Record<string, string>): Promise<App> {
  const it = await spawnApp(nodeArgs, fixture, env);
  started.push(it);
  return it;
}

/** The env every run shares: JSON export to the receiver, batches sent after 50 ms. */
function otlpEnv(receiver: Recorder, downstream: Recorder): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    DOWNSTREAM_URL: downstream.url,
  };
}

function serverSpan(receiver: Recorder, path: string): () => ExportedSpan | undefined {
  return () => receiver.spans().find((s) => s.kind === SERVER && s.attributes['url.path'] === path);
}

describe('node --import @clicktrace/node/register (ESM app, named imports from node:http)', () => {
  it('continues the incoming traceparent in a SERVER span named by method, with stable HTTP attributes', async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app(['--import', registerEsm], 'server.mjs', {
      ...otlpEnv(receiver, downstream),
      OTEL_SERVICE_NAME: 'shop-api',
    });

    const response = await fetch(`${api.url}/api/checkout`, {
      method: 'POST',
      headers: { traceparent: TRACEPARENT },
    });
    expect(response.status).toBe(200);

    const span = await waitFor(serverSpan(receiver, '/api/checkout'), 'the server span');
    expect(span).toMatchObject({
      name: 'POST',
      kind: SERVER,
      traceId: CALLER_TRACE_ID,
      parentSpanId: CALLER_SPAN_ID,
      resource: { 'service.name': 'shop-api' },
      attributes: { 'http.request.method': 'POST', 'url.path': '/api/checkout', 'url.scheme': 'http' },
    });
    expect(Number(span.attributes['http.response.status_code'])).toBe(200);
  });

  it('makes outgoing fetch and http.request CLIENT children that carry the trace downstream', async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app(['--import', registerEsm], 'server.mjs', otlpEnv(receiver, downstream));

    await fetch(`${api.url}/api/checkout`, { method: 'POST', headers: { traceparent: TRACEPARENT } });

    const server = await waitFor(serverSpan(receiver, '/api/checkout'), 'the server span');
    const clients = await waitFor(() => {
      const found = receiver.spans().filter((s) => s.kind === CLIENT);
      return found.length >= 2 ? found : undefined;
    }, 'two client spans');
    const fetchSpan = clients.find((s) => s.attributes['url.full'] === `${downstream.url}/fetch`);
    const httpSpan = clients.find((s) => s.attributes['url.full'] === `${downstream.url}/http`);
    for (const client of [fetchSpan, httpSpan]) {
      expect(client).toMatchObject({ name: 'GET', traceId: CALLER_TRACE_ID, parentSpanId: server.spanId });
      expect(client?.attributes['http.request.method']).toBe('GET');
    }

    const received = (path: string) => downstream.requests.find((r) => r.path === path)?.headers.traceparent;
    expect(received('/fetch')).toBe(`00-${CALLER_TRACE_ID}-${fetchSpan?.spanId}-01`);
    expect(received('/http')).toBe(`00-${CALLER_TRACE_ID}-${httpSpan?.spanId}-01`);
    // The exporter's own POSTs to the receiver are not traced (it runs with tracing suppressed).
    expect(receiver.spans().filter((s) => String(s.attributes['url.full']).startsWith(receiver.url))).toEqual(
      [],
    );
  });

  it('makes no span for a CORS preflight', async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app(['--import', registerEsm], 'server.mjs', otlpEnv(receiver, downstream));

    const preflight = await fetch(`${api.url}/api/preflighted`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    // Requests are handled in order, so once the next request's span is exported the preflight's would be too.
    await fetch(`${api.url}/after`);
    await waitFor(serverSpan(receiver, '/after'), 'the span of the request after the preflight');
    await api.stop();

    expect(receiver.spans().filter((s) => s.attributes['http.request.method'] === 'OPTIONS')).toEqual([]);
  });

  it('restarts the trace on an invalid traceparent and still answers 200', async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app(['--import', registerEsm], 'server.mjs', otlpEnv(receiver, downstream));

    const response = await fetch(`${api.url}/bad`, { headers: { traceparent: '00-not-a-trace-id-01' } });
    expect(response.status).toBe(200);

    const span = await waitFor(serverSpan(receiver, '/bad'), 'the server span');
    expect(span.parentSpanId).toBeUndefined();
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.traceId).not.toBe('0'.repeat(32));
  });

  it('exports with http/protobuf by default, after warning about an unsupported protocol', async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const { OTEL_EXPORTER_OTLP_PROTOCOL: _json, ...env } = otlpEnv(receiver, downstream);
    const api = await app(['--import', registerEsm], 'server.mjs', {
      ...env,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      OTEL_LOG_LEVEL: 'warn',
    });

    await fetch(`${api.url}/proto`);

    const exported = await waitFor(() => receiver.requests.find((r) => r.path === '/v1/traces'), 'an export');
    expect(exported.method).toBe('POST');
    expect(exported.headers['content-type']).toBe('application/x-protobuf');
    // Our encoder's bytes (otlp-protobuf-spans.ts), read back by an OTLP/protobuf decoder.
    const [span] = decodeOtlpProtobuf(exported.body).filter((s) => s.attributes['url.path'] === '/proto');
    expect(span).toMatchObject({ kind: 'SERVER', name: 'GET' });
    expect(span?.attributes['http.response.status_code']).toBe(200);
    expect(api.stderr()).toContain('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="grpc" is not supported');
  });

  it.each([
    ['none', false],
    ['otlp', true],
  ])('OTEL_TRACES_EXPORTER=%s: spans still made, exported only by otlp', async (exporter, exported) => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app(['--import', registerEsm], 'server.mjs', {
      ...otlpEnv(receiver, downstream),
      OTEL_TRACES_EXPORTER: exporter,
    });

    const response = await fetch(`${api.url}/quiet`, { headers: { traceparent: TRACEPARENT } });
    expect(response.status).toBe(200);
    // The server span exists either way: the response names it.
    expect(response.headers.get('server-timing')).toContain(CALLER_TRACE_ID);
    await api.stop(); // flushes whatever processor there is
    expect(serverSpan(receiver, '/quiet')() !== undefined).toBe(exported);
  });

  it('flushes on SIGTERM, then ends the process by that signal as Node would have', async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app(['--import', registerEsm], 'server.mjs', {
      ...otlpEnv(receiver, downstream),
      OTEL_BSP_SCHEDULE_DELAY: '600000', // only the shutdown can export it
    });

    await fetch(`${api.url}/last`);
    const exit = await api.stop();

    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(serverSpan(receiver, '/last')()).toBeDefined();
  });

  it("flushes on SIGTERM but leaves exiting to the app's own handler", async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app(['--import', registerEsm], 'own-signal-handler.mjs', {
      ...otlpEnv(receiver, downstream),
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });

    await fetch(`${api.url}/last`);
    const exit = await api.stop();

    expect(exit).toEqual({ code: 0, signal: null });
    expect(api.stderr()).toContain('app: closing on SIGTERM');
    expect(serverSpan(receiver, '/last')()).toBeDefined();
  });

  it("steps aside, saying so on stderr, when the app's own SDK started first", async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app(['--import', fixturePath('own-sdk.mjs'), '--import', registerEsm], 'server.mjs', {
      ...otlpEnv(receiver, downstream),
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });

    const response = await fetch(`${api.url}/api/checkout`, {
      method: 'POST',
      headers: { traceparent: TRACEPARENT },
    });
    expect(response.status).toBe(200);
    await api.stop(); // the running SDK flushes here

    expect(api.stderr()).toContain('ClicktraceWarning: another OpenTelemetry SDK is already registered');
    expect(api.stderr()).toContain('withClicktrace(config)');
    // No second set of server spans: the app's SDK (no instrumentations) traces nothing here.
    expect(receiver.spans()).toEqual([]);
  });

  it('does nothing with OTEL_SDK_DISABLED=true', async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app(['--import', registerEsm], 'server.mjs', {
      ...otlpEnv(receiver, downstream),
      OTEL_SDK_DISABLED: 'true',
    });

    const response = await fetch(`${api.url}/api/checkout`, {
      method: 'POST',
      headers: { traceparent: TRACEPARENT },
    });
    expect(response.status).toBe(200);
    await api.stop(); // a running SDK would flush here

    expect(receiver.requests).toEqual([]);
    expect(downstream.requests.map((r) => r.headers.traceparent)).toEqual([undefined, undefined]);
  });
});

describe('node --require @clicktrace/node/register (CommonJS app)', () => {
  it('traces the server and its outgoing http.get', async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app(['--require', registerCjs], 'server.cjs', otlpEnv(receiver, downstream));

    await fetch(`${api.url}/cjs-in`, { headers: { traceparent: TRACEPARENT } });

    const server = await waitFor(serverSpan(receiver, '/cjs-in'), 'the server span');
    expect(server).toMatchObject({ kind: SERVER, traceId: CALLER_TRACE_ID, parentSpanId: CALLER_SPAN_ID });
    const client = await waitFor(() => receiver.spans().find((s) => s.kind === CLIENT), 'the client span');
    expect(client.parentSpanId).toBe(server.spanId);
    expect(downstream.requests[0]?.headers.traceparent).toBe(`00-${CALLER_TRACE_ID}-${client.spanId}-01`);
  });
});

describe('startTracing({ serviceName, endpoint }) in code', () => {
  it('wins over the environment and instruments node:http imported before it ran', async () => {
    const [receiver, downstream] = [await recorder(), await recorder()];
    const api = await app([], 'in-code.mjs', {
      DOWNSTREAM_URL: downstream.url,
      TEST_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces', // must lose to the code
      OTEL_SERVICE_NAME: 'from-env', // must lose to the code
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });

    await fetch(`${api.url}/api/checkout`, { method: 'POST', headers: { traceparent: TRACEPARENT } });

    const server = await waitFor(serverSpan(receiver, '/api/checkout'), 'the server span');
    expect(server).toMatchObject({ traceId: CALLER_TRACE_ID, resource: { 'service.name': 'in-code-api' } });
    const clients = await waitFor(() => {
      const found = receiver.spans().filter((s) => s.kind === CLIENT && s.parentSpanId === server.spanId);
      return found.length === 2 ? found : undefined;
    }, 'the fetch and http.request client spans');
    expect(clients.map((s) => s.attributes['url.full']).sort()).toEqual([
      `${downstream.url}/fetch`,
      `${downstream.url}/http`,
    ]);
  });
});
