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

  it("keeps the app's sampler and span processors, and exports through its exporter", async () => {
    await fetch(`${api.url}/api/items/1`);
    const span = await serverSpan('/api/items/1');
    expect(span.attributes).toMatchObject({ 'app.sampler': 'mine', 'app.processor': 'mine' });
    expect(span.resource['service.name']).toBe('shop-api');
  });

  it("carries the http instrumentation's incoming-request hooks over to its server spans", async () => {
    await fetch(`${api.url}/health`);
    await fetch(`${api.url}/api/items/2`);
    const span = await serverSpan('/api/items/2');
    expect(span.attributes).toMatchObject({ 'app.start_hook': 'yes', 'app.request_hook': 'yes' });
    // Requests are served in order: once the next one's span is exported, /health's would be.
    expect(receiver.spans().filter((s) => s.attributes['url.path'] === '/health')).toEqual([]);
  });

  it('applies its own options: trustIncoming "restart" starts a new trace linked to the caller', async () => {
    await fetch(`${api.url}/api/items/3`, { headers: { traceparent: TRACEPARENT } });
    const span = await serverSpan('/api/items/3');
    expect(span.parentSpanId).toBeUndefined();
    expect(span.traceId).not.toBe(CALLER_TRACE_ID);
    expect(span.links).toEqual([{ traceId: CALLER_TRACE_ID, spanId: CALLER_SPAN_ID }]);
  });
});

describe('withClicktrace()', () => {
  it('takes its own options out of the configuration it returns', () => {
    const merged = withClicktrace({ serviceName: 'shop-api', trustIncoming: 'restart', serverTiming: false });
    expect(merged).not.toHaveProperty('trustIncoming');
    expect(merged).not.toHaveProperty('serverTiming');
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
