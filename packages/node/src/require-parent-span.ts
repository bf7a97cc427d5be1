import {
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/**
 * Makes `instrumentation` start spans only under a span (a request's), for the ones whose
 * `requireParentSpan` is missing (mysql2) or not applied everywhere (redis's connect): its tracer
 * is wrapped, so that outside any span it gets a non-recording span, as the API's no-op tracer
 * gives, and nothing is exported. Start-up chatter (a pool warming up, a client connecting) makes
 * no root spans.
 */
export function requireParentSpan<I extends Instrumentation>(instrumentation: I): I {
  const setTracerProvider = instrumentation.setTracerProvider.bind(instrumentation);
  instrumentation.setTracerProvider = (provider) => setTracerProvider(parentRequired(provider));
  // The tracer it took from the global provider when it was made, until it is given one.
  instrumentation.setTracerProvider(trace.getTracerProvider());
  return instrumentation;
}

function parentRequired(provider: TracerProvider): TracerProvider {
  return {
    getTracer(...args: Parameters<TracerProvider['getTracer']>): Tracer {
      const tracer = provider.getTracer(...args);
      return {
        startSpan(name: string, options?: SpanOptions, parent: Context = context.active()) {
          if (trace.getSpan(parent) === undefined) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
          return tracer.startSpan(name, options, parent);
        },
        startActiveSpan: tracer.startActiveSpan.bind(tracer) as Tracer['startActiveSpan'],
      };
    },
  };
}
