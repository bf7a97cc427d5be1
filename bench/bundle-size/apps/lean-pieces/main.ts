// The minimal app with clicktrace's lean pieces wired by hand: our OTLP/JSON exporter and fetch/XHR
// instrumentations instead of exporter-trace-otlp-http, instrumentation-fetch,
// instrumentation-xml-http-request and the instrumentation base. No interaction spans: this app
// measures the request and export path (compare with the stock pieces in the same shape).
import { context } from '@opentelemetry/api';
import { ZoneContextManager } from '@opentelemetry/context-zone';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { instrumentFetch } from '../../../../packages/web/src/fetch-instrumentation.js';
import { OtlpJsonExporter } from '../../../../packages/web/src/otlp-json-exporter.js';
import { instrumentXhr } from '../../../../packages/web/src/xhr-instrumentation.js';

const endpoint = new URL('/v1/traces', location.href).href;
const provider = new WebTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'bench-web' }),
  spanProcessors: [new BatchSpanProcessor(new OtlpJsonExporter({ url: endpoint, fetch: globalThis.fetch }))],
});
provider.register({ contextManager: new ZoneContextManager() });
const options = {
  tracer: provider.getTracer('bench-web'),
  shouldPropagate: (url: string) => new URL(url).origin === location.origin,
  ignore: (url: string) => url === endpoint,
  parent: () => ({ context: context.active(), source: 'context' as const }),
};
instrumentFetch(options);
instrumentXhr(options);

document.querySelector('button')?.addEventListener('click', () => {
  void fetch('/api/items');
});
