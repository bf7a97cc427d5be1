// The stock OpenTelemetry JS 3 setup, as the sdk-trace 3 README shows it for Node.js: a
// TracerProvider with a BatchSpanProcessor and the OTLP/protobuf exporter, the globals set through
// the API (SDK 3 has no provider.register()): AsyncLocalStorageContextManager, the W3C trace-context
// and baggage propagators; HttpInstrumentation, and for the Express app ExpressInstrumentation (the
// issue's stock setup).
// Loaded with `node --import ./stock-otel.mjs server-express.mjs`; reads OTEL_* like clicktrace:
// OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (resource detectors), OTEL_EXPORTER_OTLP_* (the
// exporter reads them itself) and OTEL_BSP_*. SDK 3's BatchSpanProcessor reads no environment, so
// OTEL_BSP_* are read here as NodeSDK 0.301 reads them (a value <= 0 is ignored); unset, they are
// the stock defaults: queue 2048, batch 512, delay 5000 ms, timeout 30000 ms. (clicktrace reads
// the same variables, with defaults of its own for a server: queue 32768, batch 4096.)
import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  getNumberFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  detectResources,
  resourceAttributesEnvDetector,
  serviceNameEnvDetector,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/** As NodeSDK's getNonNegativeNumberFromEnv: unset, or not above 0, leaves the SDK's default. */
function positiveFromEnv(name) {
  const value = getNumberFromEnv(name);
  return value !== undefined && value > 0 ? value : undefined;
}

const express = process.env.BENCH_APP === 'express';
// OTEL_TRACES_EXPORTER=none and OTEL_TRACES_SAMPLER=always_off, as NodeSDK reads them (the
// request-cpu benchmark leaves parts out with them); unset, the SDK's defaults.
const exporting = process.env.OTEL_TRACES_EXPORTER !== 'none';
const provider = new TracerProvider({
  resource: detectResources({ detectors: [resourceAttributesEnvDetector, serviceNameEnvDetector] }),
  sampler:
    process.env.OTEL_TRACES_SAMPLER === 'always_off'
      ? new AlwaysOffSampler()
      : new ParentBasedSampler({ root: new AlwaysOnSampler() }),
  spanProcessors: exporting
    ? [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter(),
          maxQueueSize: positiveFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
          maxExportBatchSize: positiveFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
          scheduledDelayMillis: positiveFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
          exportTimeoutMillis: positiveFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
        }),
      ]
    : [],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(
  new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  }),
);
trace.setGlobalTracerProvider(provider);
registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [new HttpInstrumentation(), ...(express ? [new ExpressInstrumentation()] : [])],
});
// The instrumentations patch a module when it is require()d; the ESM server imports them, and an
// ESM import of a CommonJS module shares require's cache, so requiring them once here patches the
// copies the server gets (the docs' alternative is the import-in-the-middle loader hook).
const require = createRequire(import.meta.url);
require('node:http');
if (express) require('express');

process.once('SIGTERM', () => void provider.shutdown());
