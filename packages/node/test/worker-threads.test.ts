import { context, propagation, ROOT_CONTEXT, type TextMapPropagator, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inTraceContext, withTraceContext } from '../src/worker-threads/index.js';
import { type ExportedSpan, type Recorder, startRecorder, waitFor } from './recorder.js';
import { type App, fixturePath, registerEsm, spawnApp } from './spawn-app.js';

const SERVER = 2;
const CLIENT = 3;

const SETUPS = [
  { setup: 'register', preload: registerEsm },
  { setup: 'withClicktrace', preload: fixturePath('with-clicktrace-sdk.mjs') },
] as const;

// A real app on loopback hands work to real Worker threads that fetch from a second real server;
// every span comes back through OTLP, from the app's thread and from each Worker's own SDK.
describe.each(SETUPS)('worker_threads ($setup)', ({ preload }) => {
  let receiver: Recorder;
  let app: App;

  beforeAll(async () => {
    receiver = await startRecorder();
    app = await spawnApp(['--import', preload], 'worker-threads-server.mjs', {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  const span = (find: (span: ExportedSpan) => boolean, what: string): Promise<ExportedSpan> =>
    waitFor(() => receiver.spans().find(find), what);
  const requestSpan = (path: string, query?: string): Promise<ExportedSpan> =>
    span(
      (s) => s.kind === SERVER && s.attributes['url.path'] === path && s.attributes['url.query'] === query,
      `the SERVER span of ${path}`,
    );
  const fetchSpan = (path: string): Promise<ExportedSpan> =>
    span((s) => s.kind === CLIENT && String(s.attributes['url.full']).endsWith(path), `the fetch of ${path}`);

  const get = async (path: string): Promise<unknown> => {
    const response = await fetch(`${app.url}${path}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { body: unknown }).body;
  };

  /** SERVER (the request) → CLIENT (the Worker's fetch) → SERVER (downstream): one trace. */
  async function expectOneTrace(request: ExportedSpan, downstreamPath: string): Promise<void> {
    const client = await fetchSpan(downstreamPath);
    const downstream = await requestSpan(downstreamPath);
    expect(client.traceId).toBe(request.traceId);
    expect(client.parentSpanId).toBe(request.spanId);
    expect(downstream.traceId).toBe(request.traceId);
    expect(downstream.parentSpanId).toBe(client.spanId);
  }

  it.each(['mjs', 'cjs'])(
    'a Worker (.%s file) constructed in a request continues its trace, and exports its spans as it ends',
    async (type) => {
      expect(await get(`/per-task?type=${type}`)).toBe(`/from-${type}`);
      await expectOneTrace(await requestSpan('/per-task', `type=${type}`), `/from-${type}`);
    },
  );

  it('a long-lived Worker continues the trace of a task posted with withTraceContext()', async () => {
    expect(await get('/pool')).toBe('/from-pool');
    await expectOneTrace(await requestSpan('/pool'), '/from-pool');
  });

  it('a task posted to it without withTraceContext() starts its own trace, as before', async () => {
    expect(await get('/pool-untraced')).toBe('/from-pool-untraced');
    const request = await requestSpan('/pool-untraced');
    const client = await fetchSpan('/from-pool-untraced');
    expect(client.parentSpanId).toBeUndefined();
    expect(client.traceId).not.toBe(request.traceId);
  });

  it('a Worker started outside any request, after requests were served, starts no trace of theirs', async () => {
    expect(await get('/per-task?type=mjs')).toBe('/from-mjs');
    const served = await requestSpan('/per-task', 'type=mjs');
    app.child.kill('SIGUSR2');
    const client = await fetchSpan('/outside');
    const downstream = await requestSpan('/outside');
    expect(client.parentSpanId).toBeUndefined();
    expect(downstream.parentSpanId).toBe(client.spanId);
    const requests = receiver
      .spans()
      .filter((s) => s.kind === SERVER && s.attributes['url.path'] !== '/outside');
    expect(requests.map((s) => s.traceId)).toContain(served.traceId);
    expect(requests.map((s) => s.traceId)).not.toContain(client.traceId);
  });

  it('a Worker without clicktrace (execArgv: []) works as before: its fetch carries no trace', async () => {
    expect(await get('/no-sdk')).toBe('/from-no-sdk');
    const request = await requestSpan('/no-sdk');
    const downstream = await requestSpan('/from-no-sdk');
    expect(downstream.parentSpanId).toBeUndefined();
    expect(downstream.traceId).not.toBe(request.traceId);
  });
});

describe('withTraceContext() and inTraceContext()', () => {
  const manager = new AsyncLocalStorageContextManager();
  const SPAN_CONTEXT = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  };

  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => {
    context.disable();
    propagation.disable();
  });
  afterEach(() => {
    propagation.disable();
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });

  const inSpan = <T>(fn: () => T): T => context.with(trace.setSpanContext(ROOT_CONTEXT, SPAN_CONTEXT), fn);

  it("runs the handler in the sender's context, on a structured clone of the message", async () => {
    const message = structuredClone(inSpan(() => withTraceContext({ n: 1 })));
    const seen = inTraceContext((task: { n: number }) => ({
      task,
      span: trace.getSpanContext(context.active()),
    }))(message);
    expect(seen.task).toEqual({ n: 1 });
    expect(seen.span).toMatchObject({
      traceId: SPAN_CONTEXT.traceId,
      spanId: SPAN_CONTEXT.spanId,
      isRemote: true,
    });
  });

  it('runs a message sent outside any trace outside any trace, even inside one', () => {
    const message = withTraceContext('task');
    const span = inSpan(() => inTraceContext(() => trace.getSpanContext(context.active()))(message));
    expect(span).toBeUndefined();
  });

  it("passes any other message, `this` and further arguments through, and the handler's result and error back", async () => {
    const receiver = { name: 'port' };
    const handler = inTraceContext(function (this: unknown, message: string, extra: number) {
      if (message === 'boom') throw new Error('boom');
      return { self: this, message, extra };
    });
    expect(handler.call(receiver, 'plain', 7)).toEqual({ self: receiver, message: 'plain', extra: 7 });
    expect(() => handler(withTraceContext('boom'), 0)).toThrow('boom');
    await expect(
      inTraceContext(async () => Promise.reject(new Error('async')))(withTraceContext(1)),
    ).rejects.toThrow('async');
  });

  it('never throws when the propagator does', () => {
    const throwing: TextMapPropagator = {
      inject: () => {
        throw new Error('inject');
      },
      extract: () => {
        throw new Error('extract');
      },
      fields: () => [],
    };
    const message = inSpan(() => withTraceContext('task'));
    propagation.disable();
    propagation.setGlobalPropagator(throwing);
    const envelope = inSpan(() => withTraceContext('x'));
    expect(envelope.message).toBe('x');
    expect(inTraceContext((m: string) => m)(message)).toBe('task');
  });
});
