// The same app, wired by hand from the stock OpenTelemetry packages, as their docs show.
import { ZoneContextManager } from '@opentelemetry/context-zone';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { UserInteractionInstrumentation } from '@opentelemetry/instrumentation-user-interaction';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, WebTracerProvider } from '@opentelemetry/sdk-trace-web';

const provider = new WebTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'bench-web' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: '/v1/traces' }))],
});
provider.register({ contextManager: new ZoneContextManager() });
registerInstrumentations({
  instrumentations: [new UserInteractionInstrumentation(), new FetchInstrumentation()],
});

// The benchmarks flush through this, as they do through clicktrace's own test hook.
Object.assign(globalThis, { [Symbol.for('clicktrace.web')]: { flush: () => provider.forceFlush() } });

document.querySelector('button')?.addEventListener('click', () => {
  void fetch('/api/items');
});
