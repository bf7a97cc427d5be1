import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClicktrace } from '../src/with-clicktrace.js';
import { captureWarnings } from './capture-warnings.js';
import { type ExportedSpan, type Recorder, startRecorder, waitFor } from './recorder.js';
import { type App, fixturePath, spawnApp } from './spawn-app.js';

const SERVER = 2;
const CALLER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;

// The setup every framework runs under is in frameworks.test.ts; here, what a team's own
// configuration keeps once merged, in a real child process on loopback.
describe('withClicktrace() in a NodeSDK configured by the app', () => {
  let receiver: Recorder;
  let api: App;

  beforeAll(async () => {
    receiver = await startRecorder();
    api = await spawnApp(['--import', fixturePath('with-clicktrace-custom.mjs')], 'frameworks-http.mjs', {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      // NodeSDK's own metrics exporter, from the environment, to the same receiver.
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.url}/v1/metrics`,
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '100',
      OTEL_LOGS_EXPORTER: 'none',
    });
  });
  afterAll(async () => {
    await api?.stop();
    await receiver?.close();
  });

  const serverSpan = (path: string): Promise<ExportedSpan> =>
    waitFor(
      () => receiver.spans().find((s) => s.kind === SERVER && s.attributes['url.path'] === path),
      `the SERVER span of ${path}`,
    );

  it("keeps the app's sampler and span processors, and exports through its exporter", async () => {
    await fetch(`${api.url}/api/items/1`);
    const span = await serverSpan('/api/items/1');
    expect(span.attributes).toMatchObject({ 'app.sampler': 'mine', 'app.processor': 'mine' });
    expect(span.resource['service.name']).toBe('shop-api');
  });

  it("carries the http instrumentation's server options over to its server spans", async () => {
    await fetch(`${api.url}/health`);
    await fetch(`${api.url}/api/items/2?token=abc&sig=xyz`, { headers: { 'x-tenant': 'acme' } });
    const span = await serverSpan('/api/items/2');
    expect(span.attributes).toMatchObject({
      'app.start_hook': 'yes',
      'app.request_hook': 'yes',
      'app.status_seen': 200,
      // OTLP/JSON's array values, as received.
      'http.request.header.x-tenant': { values: [{ stringValue: 'acme' }] },
      'http.response.header.x-request-id': { values: [{ stringValue: 'r-1' }] },
      // The app's own list replaces the default one, as in the stock instrumentation.
      'url.query': 'token=REDACTED&sig=xyz',
    });
    // Requests are served in order: once the next one's span is exported, /health's would be.
    expect(receiver.spans().filter((s) => s.attributes['url.path'] === '/health')).toEqual([]);
  });

  it("records http.server.request.duration through the app's metrics SDK, as the stock incoming half did", async () => {
    await fetch(`${api.url}/api/items/4`);
    const points = await waitFor(() => {
      const found = durationPoints(receiver);
      return found.some((point) => Number(point.count) > 0) ? found : undefined;
    }, 'an http.server.request.duration data point');
    expect(points[0]?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'http.response.status_code': 200,
    });
  });

  it('applies its own options: trustIncoming "restart" starts a new trace linked to the caller', async () => {
    await fetch(`${api.url}/api/items/3`, { headers: { traceparent: TRACEPARENT } });
    const span = await serverSpan('/api/items/3');
    expect(span.parentSpanId).toBeUndefined();
    expect(span.traceId).not.toBe(CALLER_TRACE_ID);
    expect(span.links).toEqual([{ traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID }]);
  });
});

describe('withClicktrace() beside the stock Koa instrumentation', () => {
  let receiver: Recorder;
  let api: App;

  beforeAll(async () => {
    receiver = await startRecorder();
    api = await spawnApp(['--import', fixturePath('with-clicktrace-sdk.mjs')], 'frameworks-koa.cjs', {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
  });
  afterAll(async () => {
    await api?.stop();
    await receiver?.close();
  });

  it('names the server span by the route the Koa instrumentation reports', async () => {
    await fetch(`${api.url}/api/items/42`);
    const span = await waitFor(
      () => receiver.spans().find((s) => s.kind === SERVER && s.attributes['url.path'] === '/api/items/42'),
      'the SERVER span of /api/items/42',
    );
    expect(span.name).toBe('GET /api/items/:id');
    expect(span.attributes['http.route']).toBe('/api/items/:id');
  });
});

describe("withClicktrace() with the app's own propagator", () => {
  let receiver: Recorder;
  let api: App;

  beforeAll(async () => {
    receiver = await startRecorder();
    api = await spawnApp(['--import', fixturePath('with-clicktrace-propagator.mjs')], 'frameworks-http.mjs', {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
  });
  afterAll(async () => {
    await api?.stop();
    await receiver?.close();
  });

  const serverSpan = (path: string): Promise<ExportedSpan> =>
    waitFor(
      () => receiver.spans().find((s) => s.kind === SERVER && s.attributes['url.path'] === path),
      `the SERVER span of ${path}`,
    );
  const B3_HEADERS = ['x-b3-traceid', 'x-b3-spanid', 'x-b3-flags', 'x-b3-sampled', 'x-b3-parentspanid'];
  // OTLP/JSON's array values, as received.
  const list = (names: string[]) => ({ values: names.map((stringValue) => ({ stringValue })) });

  it('records on its server spans that the server reads what that propagator reads', async () => {
    await fetch(`${api.url}/api/items/5`, { headers: { traceparent: TRACEPARENT } });
    const span = await serverSpan('/api/items/5');
    expect(span.traceId).not.toBe(CALLER_TRACE_ID);
    expect(span.attributes).toMatchObject({
      'clicktrace.trace_headers.received': list(['traceparent']),
      'clicktrace.trace_headers.extracts': list(B3_HEADERS),
      'clicktrace.trace_headers.outcome': 'started',
      'clicktrace.trace_headers.caller_trace_id': CALLER_TRACE_ID,
      'clicktrace.trace_headers.caller_span_id': CALLER_SPAN_ID,
    });

    await fetch(`${api.url}/api/items/6`, {
      headers: { 'x-b3-traceid': CALLER_TRACE_ID, 'x-b3-spanid': CALLER_SPAN_ID, 'x-b3-sampled': '1' },
    });
    const continued = await serverSpan('/api/items/6');
    expect(continued.parentSpanId).toBe(CALLER_SPAN_ID);
    expect(continued.attributes).toMatchObject({
      'clicktrace.trace_headers.extracts': list(B3_HEADERS),
      'clicktrace.trace_headers.propagator': 'b3multi',
      'clicktrace.trace_headers.outcome': 'continued',
    });
  });
});

describe('withClicktrace()', () => {
  it('returns the configuration as NodeSDK takes it, its own options staying apart', () => {
    const merged = withClicktrace(
      { serviceName: 'shop-api' },
      { trustIncoming: 'restart', serverTiming: false },
    );
    expect(Object.keys(merged).sort()).toEqual([
      'instrumentations',
      'sampler',
      'serviceName',
      'textMapPropagator',
    ]);
    expect(merged.serviceName).toBe('shop-api');
  });

  it("keeps the app's textMapPropagator, null included", () => {
    const propagator = { inject() {}, extract: (context: never) => context, fields: () => [] };
    expect(withClicktrace({ textMapPropagator: propagator }).textMapPropagator).toBe(propagator);
    expect(withClicktrace({ textMapPropagator: null }).textMapPropagator).toBeNull();
  });

  it('adds outgoing http and fetch instrumentations when the configuration has none', () => {
    const names = (withClicktrace({}).instrumentations ?? []).flat().map((it) => it.instrumentationName);
    expect(names).toEqual([
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-undici',
      '@clicktrace/node',
    ]);
  });

  it('warns and changes nothing when given a configuration it already merged into', () => {
    const once = withClicktrace({});
    const warnings = captureWarnings();
    const twice = withClicktrace(once);
    expect(twice.instrumentations).toEqual(once.instrumentations);
    expect(warnings.join('\n')).toContain('already merged');
  });

  it("puts the http instrumentation's config back when taking over its server spans fails", () => {
    // As the stock base class: setConfig replaces the config, and this one fails to patch again.
    let config: Record<string, unknown> = { enabled: true, requestHook: () => {} };
    let enabled = true;
    const http = {
      instrumentationName: '@opentelemetry/instrumentation-http',
      getConfig: () => config,
      setConfig(next: Record<string, unknown>) {
        config = next;
      },
      enable() {
        if (config.disableIncomingRequestInstrumentation) throw new Error('cannot re-patch');
        enabled = true;
      },
      disable() {
        enabled = false;
      },
    };
    const warnings = captureWarnings();
    const user = { serviceName: 'shop-api', instrumentations: [http] };
    expect(withClicktrace(user)).toBe(user);
    expect(config.disableIncomingRequestInstrumentation).toBeFalsy();
    expect(enabled).toBe(true);
    expect(warnings.join('\n')).toContain('could not take over');
  });

  it('never throws into the app: a broken instrumentation leaves the configuration as it was', () => {
    const broken = {
      instrumentationName: '@opentelemetry/instrumentation-http',
      getConfig: () => {
        throw new Error('boom');
      },
      setConfig() {},
      enable() {},
      disable() {},
    };
    const warnings = captureWarnings();
    const config = { serviceName: 'shop-api', instrumentations: [broken] };
    expect(withClicktrace(config)).toEqual(config);
    expect(warnings.join('\n')).toContain('could not merge');
  });
});

interface OtlpJsonMetrics {
  resourceMetrics: {
    scopeMetrics: {
      metrics: {
        name: string;
        histogram?: {
          dataPoints: {
            count: string | number;
            attributes: { key: string; value: Record<string, unknown> }[];
          }[];
        };
      }[];
    }[];
  }[];
}

/** The data points of http.server.request.duration in every OTLP/JSON metrics export received. */
function durationPoints(receiver: Recorder) {
  return receiver.requests
    .filter((r) => r.path === '/v1/metrics')
    .flatMap((r) => (JSON.parse(r.body.toString('utf8')) as OtlpJsonMetrics).resourceMetrics)
    .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
    .filter((metric) => metric.name === 'http.server.request.duration')
    .flatMap((metric) => metric.histogram?.dataPoints ?? [])
    .map((point) => ({
      count: point.count,
      attributes: Object.fromEntries(
        point.attributes.map(({ key, value }) => [key, Object.values(value)[0]]),
      ),
    }));
}
