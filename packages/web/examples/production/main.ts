// main.ts, in production: the options beside the quick start's three
import { startTracing } from '@clicktrace/web';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';

startTracing({
  serviceName: 'shop-web',
  endpoint: 'https://otlp.example.com/v1/traces',
  propagateTo: ['https://api.example.com'],
  headers: { 'x-ingest-key': 'browser-ingest-key' }, // on every export request
  resourceAttributes: { 'deployment.environment.name': 'production' }, // on every span
  instrumentations: [new DocumentLoadInstrumentation()], // your own OpenTelemetry instrumentations
  spanProcessors: [], // your own span processors, called after clicktrace's
});
