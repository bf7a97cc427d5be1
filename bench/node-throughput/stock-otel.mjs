// The stock OpenTelemetry setup, as its Node.js getting-started docs show it: NodeTracerProvider,
// BatchSpanProcessor (stock defaults) with the OTLP/protobuf exporter, and HttpInstrumentation.
// Loaded with `node --import ./stock-otel.mjs server.mjs`; reads OTEL_* like clicktrace does.
import { createRequire } from 'node:module';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { detectResources, envDetector } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const provider = new NodeTracerProvider({
  resource: detectResources({ detectors: [envDetector] }), // OTEL_SERVICE_NAME
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
provider.register();
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
// The instrumentation patches node:http when it is require()d; the ESM server imports it, so
// require it once here (the docs' alternative is the import-in-the-middle loader hook).
createRequire(import.meta.url)('node:http');

process.once('SIGTERM', () => void provider.shutdown());
