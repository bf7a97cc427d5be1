import {
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  type TextMapPropagator,
  trace,
} from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createPropagator, propagatorNamesFromEnv } from '../src/propagators.js';
import { captureWarnings } from './capture-warnings.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const B3_TRACE_ID = '80f198ee56343ba864fe8b2a57d3eff7';
const B3_SPAN_ID = 'e457b5a2e4d86bd1';

const tracer = new TracerProvider().getTracer('test');

/** What `propagator` sends from a fresh root span. */
function injected(propagator: TextMapPropagator, context: Context = ROOT_CONTEXT): Record<string, string> {
  const span = tracer.startSpan('root', {}, context);
  const withBaggage = propagation.setBaggage(
    trace.setSpan(context, span),
    propagation.createBaggage({ user: { value: 'u1' } }),
  );
  const carrier: Record<string, string> = {};
  propagator.inject(withBaggage, carrier, defaultTextMapSetter);
  return carrier;
}

function extracted(propagator: TextMapPropagator, headers: Record<string, string>) {
  return trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
}

afterEach(() => {
  delete process.env.OTEL_PROPAGATORS;
});

describe('createPropagator()', () => {
  it('defaults to tracecontext,baggage, the specification default', () => {
    expect(Object.keys(injected(createPropagator())).sort()).toEqual(['baggage', 'traceparent']);
    expect(createPropagator().fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
  });

  it('reads OTEL_PROPAGATORS when no names are given in code, and code wins over it', () => {
    process.env.OTEL_PROPAGATORS = ' b3multi , tracecontext ';
    expect(propagatorNamesFromEnv()).toEqual(['b3multi', 'tracecontext']);
    expect(Object.keys(injected(createPropagator())).sort()).toEqual([
      'traceparent',
      'x-b3-sampled',
      'x-b3-spanid',
      'x-b3-traceid',
    ]);
    expect(Object.keys(injected(createPropagator(['b3'])))).toEqual(['b3']);
  });

  it('treats a blank OTEL_PROPAGATORS as unset', () => {
    process.env.OTEL_PROPAGATORS = ' ';
    expect(propagatorNamesFromEnv()).toBeUndefined();
    expect(Object.keys(injected(createPropagator())).sort()).toEqual(['baggage', 'traceparent']);
  });

  it('uses our W3C propagator for tracecontext (random flag on a trace started here)', () => {
    expect(injected(createPropagator(['tracecontext'])).traceparent).toMatch(/-03$/);
  });

  it('propagates nothing for "none", and warns when other names come with it', () => {
    const warnings = captureWarnings();
    expect(injected(createPropagator(['none']))).toEqual({});
    expect(warnings).toEqual([]);
    expect(injected(createPropagator(['tracecontext', 'none']))).toEqual({});
    expect(warnings.join('\n')).toContain('"none" with other propagators');
    process.env.OTEL_PROPAGATORS = 'none';
    expect(injected(createPropagator())).toEqual({});
  });

  it('skips unknown names with a warning, and duplicates silently', () => {
    const warnings = captureWarnings();
    const propagator = createPropagator(['xray', 'tracecontext', 'tracecontext', 'jaeger']);
    expect(Object.keys(injected(propagator))).toEqual(['traceparent']);
    expect(warnings).toEqual([
      '@clicktrace/node: unknown propagator "xray" in propagators, skipping it',
      '@clicktrace/node: unknown propagator "jaeger" in propagators, skipping it',
    ]);
  });

  it('extracts every listed format: W3C, b3 single header, b3 multi headers', () => {
    const both = createPropagator(['tracecontext', 'b3']);
    expect(extracted(both, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` })?.traceId).toBe(TRACE_ID);
    expect(extracted(both, { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1` })?.traceId).toBe(B3_TRACE_ID);
    expect(
      extracted(both, { 'x-b3-traceid': B3_TRACE_ID, 'x-b3-spanid': B3_SPAN_ID, 'x-b3-sampled': '1' })
        ?.traceId,
    ).toBe(B3_TRACE_ID);
  });

  it('accepts B3 from an older caller while emitting only W3C, with extractOnly', () => {
    const propagator = createPropagator(['tracecontext', 'baggage'], { extractOnly: ['b3'] });
    const fromB3 = propagator.extract(
      ROOT_CONTEXT,
      { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1` },
      defaultTextMapGetter,
    );
    expect(trace.getSpanContext(fromB3)?.traceId).toBe(B3_TRACE_ID);

    const server = tracer.startSpan('server', {}, fromB3);
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(fromB3, server), carrier, defaultTextMapSetter);
    // W3C only, and no random flag: B3 made no claim about how the trace id was made.
    expect(carrier).toEqual({ traceparent: `00-${B3_TRACE_ID}-${server.spanContext().spanId}-01` });
    // fields() still names b3, so a CORS layer built on it allows the header in.
    expect(propagator.fields()).toContain('b3');
  });

  it('lets traceparent win over an extract-only b3 header when a request carries both', () => {
    const propagator = createPropagator(['tracecontext'], { extractOnly: ['b3'] });
    const both = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1` };
    expect(extracted(propagator, both)?.traceId).toBe(TRACE_ID);
  });

  it('does not claim the random flag for a trace id that came in over b3 and goes out as W3C', () => {
    const propagator = createPropagator(['b3', 'tracecontext']);
    const fromB3 = propagator.extract(
      ROOT_CONTEXT,
      { b3: `${B3_TRACE_ID}-${B3_SPAN_ID}-1` },
      defaultTextMapGetter,
    );
    const server = tracer.startSpan('server', {}, fromB3);
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(fromB3, server), carrier, defaultTextMapSetter);
    expect(carrier.traceparent).toMatch(/-01$/);
    expect(carrier.b3).toMatch(new RegExp(`^${B3_TRACE_ID}-`));
  });

  it('never throws on junk names', () => {
    const warnings = captureWarnings();
    expect(() => createPropagator(['', ' ', 'TRACECONTEXT'] as string[])).not.toThrow();
    expect(() => createPropagator(42 as unknown as string[])).not.toThrow();
    expect(warnings.length).toBeGreaterThan(0);
  });
});
