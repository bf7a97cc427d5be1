// The same app, wired by hand from the stock OpenTelemetry JS 3 packages, as their docs show it:
// sdk-trace 3 (TracerProvider, BatchSpanProcessor; no provider.register(), the globals are set
// through the API), context-zone-peer-dep's ZoneContextManager on zone.js, the W3C trace-context
// propagator, instrumentation-user-interaction and instrumentation-fetch, exporter-trace-otlp-http.
// instrumentation-user-interaction 0.67 is still built on the 2.x SDK (sdk-trace-web, core 2,
// instrumentation 0.223): whatever of it reaches the bundle is part of what a stock user ships.
import 'zone.js';
import { context, propagation, trace } from '@opentelemetry/api';
import { ZoneContextManager } from '@opentelemetry/context-zone-peer-dep';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { UserInteractionInstrumentation } from '@opentelemetry/instrumentation-user-interaction';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'bench-web' }),
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: '/v1/traces' }) })],
});
context.setGlobalContextManager(new ZoneContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(provider);
registerInstrumentations({
  instrumentations: [new UserInteractionInstrumentation(), new FetchInstrumentation()],
});

// The benchmarks flush through this, as they do through clicktrace's own test hook.
Object.assign(globalThis, { [Symbol.for('clicktrace.web')]: { flush: () => provider.forceFlush() } });

document.querySelector('button')?.addEventListener('click', () => {
  // The app reads the response, as real apps do.
  void fetch('/api/items').then((response) => response.json());
});

// A listener that starts no work, as most clicks meet one (a framework's root listener, a toggle).
document.getElementById('toggle')?.addEventListener('click', () => {
  document.body.classList.toggle('toggled');
});
