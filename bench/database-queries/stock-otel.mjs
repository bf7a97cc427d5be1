// The stock OpenTelemetry JS 3 setup for the database app: bench/node-throughput/stock-otel.mjs
// (sdk-trace 3 TracerProvider with a BatchSpanProcessor and the OTLP/protobuf exporter,
// AsyncLocalStorageContextManager, the W3C trace-context and baggage propagators,
// HttpInstrumentation) plus PgInstrumentation and IORedisInstrumentation with their defaults,
// given to registerInstrumentations as their READMEs show (pg's `requireParentSpan` is false by
// default, ioredis's true).
// Loaded with `node --import ./stock-otel.mjs server.mjs`; reads OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_* and OTEL_BSP_* as the throughput setup does.
//
// The app is an ES module. By default the setup require()s node:http, pg and ioredis once, after
// registering the instrumentations: an ESM import of a CommonJS module shares require's cache, so
// the app gets the patched copies, with no loader hook (the stock setup's cheapest way, as in the
// throughput benchmark). BENCH_STOCK_ESM_HOOK=1 instead registers the loader hook the
// instrumentation README gives for ES module apps (@opentelemetry/instrumentation/hook.mjs,
// through module.register, as `--experimental-loader` would), which wraps every module the app
// imports; run.mjs times start-up that way too.
import { createRequire, register } from 'node:module';
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
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import {
  detectResources,
  resourceAttributesEnvDetector,
  serviceNameEnvDetector,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const esmHook = process.env.BENCH_STOCK_ESM_HOOK === '1';
if (esmHook) register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

/** As NodeSDK's getNonNegativeNumberFromEnv: unset, or not above 0, leaves the SDK's default. */
function positiveFromEnv(name) {
  const value = getNumberFromEnv(name);
  return value !== undefined && value > 0 ? value : undefined;
}

const provider = new TracerProvider({
  resource: detectResources({ detectors: [resourceAttributesEnvDetector, serviceNameEnvDetector] }),
  spanProcessors: [
    new BatchSpanProcessor({
      exporter: new OTLPTraceExporter(),
      maxQueueSize: positiveFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
      maxExportBatchSize: positiveFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
      scheduledDelayMillis: positiveFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
      exportTimeoutMillis: positiveFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
    }),
  ],
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
  instrumentations: [new HttpInstrumentation(), new PgInstrumentation(), new IORedisInstrumentation()],
});
if (!esmHook) {
  const require = createRequire(import.meta.url);
  require('node:http');
  require('pg');
  require('ioredis');
}

process.once('SIGTERM', () => void provider.shutdown());
