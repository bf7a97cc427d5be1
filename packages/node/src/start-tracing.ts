import { context, diag, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { getBooleanFromEnv } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { buildResource } from './build-resource.js';
import { ClicktraceInstrumentation } from './clicktrace-instrumentation.js';
import { createOtlpSpanProcessor } from './create-otlp-span-processor.js';
import { diagFromEnv } from './diag-from-env.js';
import { exportQueueOptionsFromEnv } from './export-queue-options-from-env.js';
import { createLibraryInstrumentations } from './library-instrumentations.js';
import { resolveOptions } from './options-from-env.js';
import { createHttpInstrumentation, createUndiciInstrumentation } from './outgoing-instrumentations.js';
import { markOwnTracerProvider } from './own-tracer-providers.js';
import { createPropagator } from './propagators.js';
import { batchOptionsFromEnv, spanLimitsFromEnv } from './sdk-options-from-env.js';
import { tracesExportersFromEnv } from './traces-exporters-from-env.js';
import { createTrustAwareSampler } from './trust-incoming.js';
import type { NodeTracing, NodeTracingOptions } from './types.js';

/**
 * Kept on globalThis, not in a module variable, so that two copies of this package in one
 * process (say `--import @clicktrace/node/register` plus a bundled copy calling startTracing)
 * still share one SDK instead of instrumenting http twice.
 */
const INSTANCE = Symbol.for('clicktrace.node.tracing');
type WithInstance = { [INSTANCE]?: NodeTracing };

/**
 * Starts OpenTelemetry tracing for this process: incoming node:http/https requests continue the
 * caller's W3C `traceparent`, outgoing http and `fetch` calls become child spans that carry it on,
 * and spans are batched to an OTLP/HTTP endpoint. While that endpoint is down or overloaded, they
 * wait in a bounded queue (32768 spans, 32 MiB by default; the oldest go first) and are retried
 * with backoff.
 *
 * Never throws: bad input warns through `diag` and falls back to the default; a second call warns
 * and returns the first instance. With `OTEL_SDK_DISABLED=true` it returns a no-op instance.
 *
 * @example
 * startTracing({ serviceName: 'shop-api', endpoint: 'http://127.0.0.1:4318/v1/traces' });
 */
export function startTracing(options: NodeTracingOptions = {}): NodeTracing {
  const holder = globalThis as WithInstance;
  const running = holder[INSTANCE];
  if (running) {
    diag.warn('@clicktrace/node: startTracing() was already called; returning the first instance');
    return running;
  }
  const tracing = createTracing(options ?? {});
  holder[INSTANCE] = tracing;
  return tracing;
}

function createTracing(options: NodeTracingOptions): NodeTracing {
  try {
    diagFromEnv();
    // The spec: OTEL_SDK_DISABLED=true makes every signal a no-op.
    if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return noopTracing();
    const { serviceName, endpoint, protocol } = resolveOptions(options);
    const batch = batchOptionsFromEnv(protocol);
    // SDK 3 reads no environment itself: span limits and OTEL_BSP_* are read here, as NodeSDK does.
    const tracerProvider = new TracerProvider({
      resource: buildResource(serviceName),
      // OTEL_TRACES_SAMPLER(_ARG) as the stock SDK reads them, but a caller trusted for ids only
      // cannot decide for us whether a request is recorded.
      sampler: createTrustAwareSampler(),
      spanLimits: spanLimitsFromEnv(),
      // OTLP: batches wait in a bounded queue while the collector is down, and are retried with
      // backoff. OTEL_TRACES_EXPORTER may add the console, or say `none`.
      spanProcessors: tracesExportersFromEnv().map((name) =>
        name === 'console'
          ? new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })
          : createOtlpSpanProcessor(protocol, endpoint, batch, exportQueueOptionsFromEnv(batch.maxQueueSize)),
      ),
    });
    markOwnTracerProvider(tracerProvider);
    // One SDK per process: when the app already registered its own (a NodeSDK started first),
    // ours would be ignored by the API while patching the same servers. Step aside and say how to
    // join that SDK instead.
    if (!trace.setGlobalTracerProvider(tracerProvider)) {
      warnAtStart(
        'another OpenTelemetry SDK is already registered in this process, so clicktrace does not start ' +
          'a second one. To add clicktrace to your own NodeSDK (OpenTelemetry JS 3 or 2), pass its ' +
          'configuration through withClicktrace(config) from @clicktrace/node instead.',
      );
      void tracerProvider.shutdown();
      return noopTracing();
    }
    // AsyncLocalStorage context; our W3C propagator and the others OTEL_PROPAGATORS names.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(
      createPropagator(options.propagators, { extractOnly: options.extractOnlyPropagators }),
    );
    // Incoming requests: our own lean SERVER spans, named by route, each continuing the caller's
    // trace as far as `trustIncoming` allows; outgoing ones: the stock http (outgoing half) and
    // undici instrumentations; the database and queue clients the app has, by the stock contrib
    // instrumentations (library-instrumentations.ts).
    const unregister = registerInstrumentations({
      tracerProvider,
      instrumentations: [
        createHttpInstrumentation(),
        createUndiciInstrumentation(),
        new ClicktraceInstrumentation({
          trustIncoming: options.trustIncoming,
          serverTiming: options.serverTiming,
        }),
        ...createLibraryInstrumentations(new Set(), options.libraries),
      ],
    });
    let stopped: Promise<void> | undefined;
    return {
      tracerProvider,
      flush: () => quietly('flush', () => tracerProvider.forceFlush()),
      shutdown: () => {
        stopped ??= quietly('shutdown', async () => {
          unregister();
          await tracerProvider.shutdown();
        });
        return stopped;
      },
    };
  } catch (error) {
    diag.error('@clicktrace/node: could not start tracing; the app runs untraced', error);
    return noopTracing();
  }
}

function noopTracing(): NodeTracing {
  return { tracerProvider: trace.getTracerProvider(), flush: async () => {}, shutdown: async () => {} };
}

/**
 * A set-up mistake the user must see even without a diag logger (OpenTelemetry's is silent unless
 * OTEL_LOG_LEVEL is set): also a Node process warning, printed once to stderr like Node's own.
 */
function warnAtStart(message: string): void {
  diag.warn(`@clicktrace/node: ${message}`);
  process.emitWarning(message, { type: 'ClicktraceWarning', code: 'CLICKTRACE_SECOND_SDK' });
}

/** A failed export must not reject into the host app's shutdown path. */
async function quietly(what: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    diag.warn(`@clicktrace/node: ${what} failed`, error);
  }
}
