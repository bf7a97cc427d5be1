// The stock OpenTelemetry setup, as its Node.js getting-started docs show it: NodeTracerProvider,
// BatchSpanProcessor (stock defaults) with the OTLP/protobuf exporter, HttpInstrumentation, and
// for the Express app ExpressInstrumentation (the stock setup).
// Loaded with `node --import ./stock-otel.mjs server-express.mjs`; reads OTEL_* like clicktrace.
import { createRequire } from 'node:module';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { detectResources, envDetector } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const express = process.env.BENCH_APP === 'express';
const provider = new NodeTracerProvider({
  resource: detectResources({ detectors: [envDetector] }), // OTEL_SERVICE_NAME
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
provider.register();
registerInstrumentations({
  instrumentations: [new HttpInstrumentation(), ...(express ? [new ExpressInstrumentation()] : [])],
});
// The instrumentations patch a module when it is require()d; the ESM server imports them, and an
// ESM import of a CommonJS module shares require's cache, so requiring them once here patches the
// copies the server gets (the docs' alternative is the import-in-the-middle loader hook).
const require = createRequire(import.meta.url);
require('node:http');
if (express) require('express');

process.once('SIGTERM', () => void provider.shutdown());
