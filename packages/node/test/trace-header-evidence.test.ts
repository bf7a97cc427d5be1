import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Context,
  propagation,
  type TextMapGetter,
  type TextMapPropagator,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { type ReadableSpan, type Sampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClicktraceInstrumentation } from '../src/clicktrace-instrumentation.js';
import { createPropagator, type PropagatorName } from '../src/propagators.js';
import { createTrustAwareSampler, type TrustMode } from '../src/trust-incoming.js';

// A real node:http server on 127.0.0.1 in this process, under the instrumentation as startTracing
// and withClicktrace enable it; each request's SERVER span is taken as it ends.
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;
const B3_TRACE_ID = '80f198ee56343ba864fe8b2a57d3eff7';
const B3_SPAN_ID = 'e457b5a2e4d86bd1';
const B3_SHORT_TRACE_ID = '64fe8b2a57d3eff7';
const W3C_FIELDS = ['traceparent', 'tracestate', 'baggage'];
const B3_MULTI = ['x-b3-traceid', 'x-b3-spanid', 'x-b3-flags', 'x-b3-sampled', 'x-b3-parentspanid'];

const ended = new Map<string, (span: ReadableSpan) => void>();
const all: ReadableSpan[] = [];
// As startTracing makes it (an 'ids-only' caller's sampled flag is left to our root sampler), and
// noting the outcome each span's sampler was shown.
const trustAware = createTrustAwareSampler();
const outcomeSampled = new Map<string, unknown>();
const sampler: Sampler = {
  shouldSample(context, traceId, name, kind, attributes, links) {
    outcomeSampled.set(attributes['url.path'] as string, attributes['clicktrace.trace_headers.outcome']);
    return trustAware.shouldSample(context, traceId, name, kind, attributes, links);
  },
};
const provider = new TracerProvider({
  sampler,
  spanProcessors: [
    {
      onStart() {},
      onEnd(span) {
        all.push(span);
        ended.get(span.attributes['url.path'] as string)?.(span);
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    },
  ],
});
// The mode each test asks for, read per request as a trustIncoming function reads it.
let trust: TrustMode = 'always';
const instrumentation = new ClicktraceInstrumentation({ trustIncoming: () => trust, serverTiming: false });
let server: Server;
let url: string;
let requests = 0;

function usePropagator(propagator: TextMapPropagator): void {
  propagation.disable();
  propagation.setGlobalPropagator(propagator);
}

const use = (names: PropagatorName[]) => usePropagator(createPropagator(names));

/** Serves one request with `headers` and gives back its SERVER span. */
async function serve(headers: Record<string, string>): Promise<ReadableSpan> {
  const path = `/r${++requests}`;
  const span = new Promise<ReadableSpan>((resolve) => ended.set(path, resolve));
  const response = await fetch(`${url}${path}`, { headers });
  await response.text();
  return span;
}

/** The trace-header attributes of `span`, by their short names. */
function evidence(span: ReadableSpan): Record<string, unknown> {
  const prefix = 'clicktrace.trace_headers.';
  return Object.fromEntries(
    Object.entries(span.attributes)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
}

beforeAll(async () => {
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  server = createServer((_request, response) => {
    response.writeHead(204).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  instrumentation.disable();
  propagation.disable();
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});
afterEach(() => {
  trust = 'always';
});

describe('the trace-header attributes of a server span, as the default propagator reads', () => {
  beforeAll(() => use(['tracecontext', 'baggage']));

  it('records an empty list and "started" when no trace header arrived', async () => {
    const span = await serve({ baggage: 'k=v', 'x-request-id': 'r-1' });
    expect(evidence(span)).toEqual({ received: [], extracts: W3C_FIELDS, outcome: 'started' });
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('records "continued" and the tracecontext format for a valid traceparent', async () => {
    const span = await serve({ traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' });
    expect(evidence(span)).toEqual({
      received: ['traceparent', 'tracestate'],
      extracts: W3C_FIELDS,
      propagator: 'tracecontext',
      outcome: 'continued',
    });
    expect(span.parentSpanContext?.spanId).toBe(SPAN_ID);
  });

  it('are on the span as it starts, so its sampler sees them', async () => {
    const span = await serve({ traceparent: TRACEPARENT });
    expect(outcomeSampled.get(span.attributes['url.path'] as string)).toBe('continued');
  });

  it('records "continued" under ids-only, whose parent is the caller with our sampled flag', async () => {
    trust = 'ids-only';
    const span = await serve({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` });
    expect(evidence(span)).toMatchObject({ outcome: 'continued', propagator: 'tracecontext' });
    expect(span.parentSpanContext?.spanId).toBe(SPAN_ID);
  });

  it('records "restarted-invalid", and no caller ids, for a malformed traceparent', async () => {
    for (const traceparent of [
      'garbage',
      `00-${TRACE_ID}-${SPAN_ID}`, // no flags
      `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`, // the spec's hex is lowercase
      `00-${'0'.repeat(32)}-${SPAN_ID}-01`, // the all-zero trace id is invalid
      `ff-${TRACE_ID}-${SPAN_ID}-01`, // "Version ff is invalid"
    ]) {
      const span = await serve({ traceparent });
      expect(evidence(span), traceparent).toEqual({
        received: ['traceparent'],
        extracts: W3C_FIELDS,
        outcome: 'restarted-invalid',
      });
    }
  });

  it('records "restarted-by-policy" and the caller ids when trustIncoming says restart', async () => {
    trust = 'restart';
    const span = await serve({ traceparent: TRACEPARENT });
    expect(evidence(span)).toEqual({
      received: ['traceparent'],
      extracts: W3C_FIELDS,
      propagator: 'tracecontext',
      outcome: 'restarted-by-policy',
      caller_trace_id: TRACE_ID,
      caller_span_id: SPAN_ID,
    });
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.links.map((link) => link.context.spanId)).toEqual([SPAN_ID]);
  });

  it('records "started" and the B3 caller ids for a b3 header this server does not read', async () => {
    const single = await serve({ b3: `${B3_SHORT_TRACE_ID}-${B3_SPAN_ID}-1` });
    expect(evidence(single)).toEqual({
      received: ['b3'],
      extracts: W3C_FIELDS,
      outcome: 'started',
      // Padded to 32 digits, as a B3 propagator reads a 64-bit trace id.
      caller_trace_id: `0000000000000000${B3_SHORT_TRACE_ID}`,
      caller_span_id: B3_SPAN_ID,
    });
    const multi = await serve({
      'x-b3-traceid': B3_TRACE_ID,
      'x-b3-spanid': B3_SPAN_ID,
      'x-b3-sampled': '1',
    });
    expect(evidence(multi)).toEqual({
      received: ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'],
      extracts: W3C_FIELDS,
      outcome: 'started',
      caller_trace_id: B3_TRACE_ID,
      caller_span_id: B3_SPAN_ID,
    });
  });

  it('names only the known trace headers that arrived, never what else came', async () => {
    const span = await serve({
      'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:1`,
      'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793',
      'sentry-trace': `${TRACE_ID}-${SPAN_ID}-1`,
      authorization: 'Bearer secret',
    });
    expect(evidence(span)).toEqual({
      received: ['uber-trace-id', 'x-amzn-trace-id', 'sentry-trace'],
      extracts: W3C_FIELDS,
      outcome: 'started',
    });
  });

  it('still makes no span for a CORS preflight, whatever headers it carries', async () => {
    const preflight = await fetch(`${url}/preflight`, {
      method: 'OPTIONS',
      headers: { traceparent: TRACEPARENT, 'access-control-request-method': 'POST' },
    });
    await preflight.text();
    // Requests are served in order: once the next one's span has ended, the preflight's would have.
    expect(evidence(await serve({})).outcome).toBe('started');
    expect(all.filter((span) => span.attributes['url.path'] === '/preflight')).toEqual([]);
  });
});

describe('the trace-header attributes of a server span that reads B3 only (OTEL_PROPAGATORS=b3)', () => {
  it('records "started", what the server reads and the caller ids of a traceparent', async () => {
    use(['b3']);
    const span = await serve({ traceparent: TRACEPARENT });
    expect(evidence(span)).toEqual({
      received: ['traceparent'],
      extracts: ['b3'],
      outcome: 'started',
      caller_trace_id: TRACE_ID,
      caller_span_id: SPAN_ID,
    });
    expect(span.spanContext().traceId).not.toBe(TRACE_ID);
  });

  it('records "continued" and the b3 format for a b3 header, 128- or 64-bit', async () => {
    use(['b3']);
    const long = await serve({ b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1` });
    expect(evidence(long)).toEqual({
      received: ['b3'],
      extracts: ['b3'],
      propagator: 'b3',
      outcome: 'continued',
    });
    const short = await serve({ b3: `${B3_SHORT_TRACE_ID}-${B3_SPAN_ID}-1` });
    expect(evidence(short)).toMatchObject({ propagator: 'b3', outcome: 'continued' });
    expect(short.spanContext().traceId).toBe(`0000000000000000${B3_SHORT_TRACE_ID}`);
  });

  it('records "continued" and the b3multi format for x-b3-* headers', async () => {
    use(['b3multi']);
    const span = await serve({ 'x-b3-traceid': B3_TRACE_ID, 'x-b3-spanid': B3_SPAN_ID, 'x-b3-sampled': '1' });
    expect(evidence(span)).toEqual({
      received: ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'],
      extracts: B3_MULTI,
      propagator: 'b3multi',
      outcome: 'continued',
    });
  });

  it('records "continued" for x-b3-* headers at a b3 server, whose fields() name only b3', async () => {
    use(['b3']);
    const span = await serve({ 'x-b3-traceid': B3_TRACE_ID, 'x-b3-spanid': B3_SPAN_ID, 'x-b3-sampled': '1' });
    expect(evidence(span)).toMatchObject({ extracts: ['b3'], propagator: 'b3multi', outcome: 'continued' });
  });

  it('names the format that carried the caller when a request has both', async () => {
    use(['tracecontext', 'b3']);
    // The last propagator that finds a valid header wins: b3 here, whose trace id is not the traceparent's.
    const span = await serve({ traceparent: TRACEPARENT, b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1` });
    expect(evidence(span)).toMatchObject({ propagator: 'b3', outcome: 'continued' });
    expect(span.spanContext().traceId).toBe(B3_TRACE_ID);
  });
});

/** A format of a user's own, read from `x-my-trace: <trace id>.<span id>`, as a NodeSDK may be given. */
class MyPropagator implements TextMapPropagator {
  inject(): void {}

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const [traceId, spanId] = String(getter.get(carrier, 'x-my-trace') ?? '').split('.');
    if (traceId === undefined || spanId === undefined) return context;
    return trace.setSpanContext(context, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  }

  fields(): string[] {
    return ['X-My-Trace'];
  }
}

describe("the trace-header attributes under a user's own propagator", () => {
  it('follows a propagator registered after the instrumentation started, as NodeSDK.start() does', async () => {
    usePropagator(new MyPropagator());
    const span = await serve({ 'x-my-trace': `${TRACE_ID}.${SPAN_ID}` });
    expect(evidence(span)).toEqual({
      received: [],
      extracts: ['x-my-trace'],
      propagator: 'unknown',
      outcome: 'continued',
    });
    const invalid = await serve({ 'x-my-trace': 'nonsense' });
    expect(evidence(invalid)).toMatchObject({ outcome: 'restarted-invalid' });
    // Back to the default: the attributes follow again.
    use(['tracecontext', 'baggage']);
    expect(evidence(await serve({ traceparent: TRACEPARENT })).extracts).toEqual(W3C_FIELDS);
  });

  it('names jaeger when the caller came in uber-trace-id, its leading zeros left out', async () => {
    usePropagator({
      inject() {},
      extract: (context, carrier, getter) => {
        const [traceId = ''] = String(getter.get(carrier, 'uber-trace-id')).split(':');
        return trace.setSpanContext(context, {
          traceId: traceId.padStart(32, '0'),
          spanId: SPAN_ID,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        });
      },
      fields: () => ['uber-trace-id'],
    });
    const span = await serve({ 'uber-trace-id': `${B3_SHORT_TRACE_ID.slice(3)}:${SPAN_ID}:0:1` });
    expect(evidence(span)).toEqual({
      received: ['uber-trace-id'],
      extracts: ['uber-trace-id'],
      propagator: 'jaeger',
      outcome: 'continued',
    });
  });
});
