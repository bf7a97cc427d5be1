import type { IncomingMessage } from 'node:http';
import {
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createPropagator } from '../src/propagators.js';
import {
  applyTrustIncoming,
  createTrustAwareSampler,
  defaultTrustIncoming,
  resolveTrustIncoming,
  type TrustIncoming,
  trustAwareSampler,
} from '../src/trust-incoming.js';
import { captureWarnings } from './capture-warnings.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const propagator = createPropagator(['tracecontext', 'baggage']);
const request = { headers: {}, socket: { remoteAddress: '203.0.113.7' } } as unknown as IncomingMessage;

/** A provider as the wiring will make it: ParentBased(root), trust-aware, spans kept in memory. */
function setup(root: Sampler) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: trustAwareSampler(new ParentBasedSampler({ root }), root),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('test');
  /** Serves one request as the http instrumentation will: extract, apply trust, SERVER span, a CLIENT child. */
  const serve = (headers: Record<string, string>, trust: TrustIncoming) => {
    const extracted = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const parent = applyTrustIncoming(extracted, request, trust);
    const server = tracer.startSpan('GET', { kind: SpanKind.SERVER, links: parent.links }, parent.context);
    const inHandler: Context = trace.setSpan(parent.context, server);
    const client = tracer.startSpan('GET', { kind: SpanKind.CLIENT }, inHandler);
    const outgoing: Record<string, string> = {};
    propagation.inject(trace.setSpan(inHandler, client), outgoing, defaultTextMapSetter);
    propagator.inject(trace.setSpan(inHandler, client), outgoing, defaultTextMapSetter);
    client.end();
    server.end();
    return { server, client, outgoing, parent, inHandler };
  };
  return { exporter, serve };
}

const sampled = (span: { spanContext(): { traceFlags: number } }) =>
  (span.spanContext().traceFlags & 1) === 1;

afterEach(() => {
  delete process.env.OTEL_TRACES_SAMPLER;
  delete process.env.OTEL_TRACES_SAMPLER_ARG;
});

describe("trustIncoming: 'always'", () => {
  it('continues the trace and lets the caller decide sampling, both ways', () => {
    const never = setup(new AlwaysOffSampler());
    const forced = never.serve({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }, 'always');
    expect(forced.server.spanContext().traceId).toBe(TRACE_ID);
    expect(sampled(forced.server)).toBe(true); // the caller forced it
    expect(never.exporter.getFinishedSpans()).toHaveLength(2);

    const ever = setup(new AlwaysOnSampler());
    const suppressed = ever.serve({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` }, 'always');
    expect(sampled(suppressed.server)).toBe(false); // the caller suppressed it
    expect(ever.exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe("trustIncoming: 'ids-only'", () => {
  it('keeps the trace id and parent, but a caller cannot force sampling', () => {
    const { exporter, serve } = setup(new AlwaysOffSampler());
    const { server, client } = serve({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }, 'ids-only');
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(sampled(server)).toBe(false);
    expect(sampled(client)).toBe(false); // children follow our decision, not the caller's
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('nor suppress it', () => {
    const { exporter, serve } = setup(new AlwaysOnSampler());
    const { server, outgoing } = serve(
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-02`, tracestate: 'congo=t61rcWkgMzE', baggage: 'k=v' },
      'ids-only',
    );
    expect(sampled(server)).toBe(true);
    const [client, exported] = exporter.getFinishedSpans();
    expect(exported).toMatchObject({ parentSpanContext: { traceId: TRACE_ID, spanId: SPAN_ID } });
    expect(client?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    // The caller's random flag, tracestate and baggage are kept; the sampled flag is ours.
    expect(outgoing.traceparent).toBe(`00-${TRACE_ID}-${client?.spanContext().spanId}-03`);
    expect(outgoing.tracestate).toBe('congo=t61rcWkgMzE');
    expect(outgoing.baggage).toBe('k=v');
  });

  it('samples by the root sampler of OTEL_TRACES_SAMPLER, whatever the flags say', () => {
    process.env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '0';
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      sampler: createTrustAwareSampler(),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('test');
    const start = (trust: TrustIncoming) => {
      const extracted = propagator.extract(
        ROOT_CONTEXT,
        { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` },
        defaultTextMapGetter,
      );
      return tracer.startSpan(
        'GET',
        { kind: SpanKind.SERVER },
        applyTrustIncoming(extracted, request, trust).context,
      );
    };
    expect(sampled(start('ids-only'))).toBe(false); // ratio 0 wins over the caller's 01
    expect(sampled(start('always'))).toBe(true); // ParentBased follows the caller
  });

  it('clears the caller’s sampled flag, so even a sampler that is not trust-aware cannot be forced', () => {
    const extracted = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-03` },
      defaultTextMapGetter,
    );
    const { context } = applyTrustIncoming(extracted, request, 'ids-only');
    expect(trace.getSpanContext(context)).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 2,
    });
  });
});

describe("trustIncoming: 'restart'", () => {
  it('starts a new trace with a link to the caller, and keeps nothing else of it', () => {
    const { exporter, serve } = setup(new AlwaysOnSampler());
    const { server, outgoing } = serve(
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-00`, tracestate: 'congo=t61rcWkgMzE', baggage: 'k=v' },
      'restart',
    );
    expect(server.spanContext().traceId).not.toBe(TRACE_ID);
    expect(sampled(server)).toBe(true); // the caller's 00 did not suppress it
    const exported = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
    expect(exported?.parentSpanContext).toBeUndefined();
    // The link names the caller's span; its tracestate (caller-controlled text) is not exported.
    expect(exported?.links).toEqual([
      { context: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0, isRemote: true } },
    ]);
    expect(outgoing.traceparent).toMatch(new RegExp(`^00-${server.spanContext().traceId}-[0-9a-f]{16}-03$`));
    expect(outgoing).not.toHaveProperty('tracestate');
    expect(outgoing).not.toHaveProperty('baggage');
  });

  it('makes no link when there was no valid caller', () => {
    const { parent } = setup(new AlwaysOnSampler()).serve({ traceparent: 'garbage' }, 'restart');
    expect(parent.links).toEqual([]);
    expect(parent.context).toBe(ROOT_CONTEXT);
  });
});

describe('trustIncoming: a function of the request', () => {
  it('picks the mode per request', () => {
    const internalOnly: TrustIncoming = (req) =>
      req.socket.remoteAddress?.startsWith('10.') ? 'always' : 'restart';
    const { serve } = setup(new AlwaysOnSampler());
    expect(serve({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }, internalOnly).parent.mode).toBe('restart');
  });

  it("falls back to 'ids-only', warning once, when it throws or returns junk", () => {
    const warnings = captureWarnings();
    const throwing: TrustIncoming = () => {
      throw new Error('boom');
    };
    const junk = (() => 'yes') as unknown as TrustIncoming;
    const extracted = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` },
      defaultTextMapGetter,
    );
    expect(applyTrustIncoming(extracted, request, throwing).mode).toBe('ids-only');
    expect(applyTrustIncoming(extracted, request, junk).mode).toBe('ids-only');
    expect(warnings).toHaveLength(1);
  });
});

describe('defaults', () => {
  it("is 'always' in development, tests or with NODE_ENV unset, 'ids-only' in production", () => {
    expect(defaultTrustIncoming(undefined)).toBe('always');
    expect(defaultTrustIncoming('development')).toBe('always');
    expect(defaultTrustIncoming('test')).toBe('always');
    expect(defaultTrustIncoming('production')).toBe('ids-only');
  });

  it('resolveTrustIncoming() keeps valid options and replaces invalid ones with the default', () => {
    const fn: TrustIncoming = () => 'always';
    expect(resolveTrustIncoming('restart')).toBe('restart');
    expect(resolveTrustIncoming(fn)).toBe(fn);
    expect(resolveTrustIncoming('sometimes')).toBe(defaultTrustIncoming());
    expect(resolveTrustIncoming(undefined)).toBe(defaultTrustIncoming());
  });
});
