import { diag, type TracerProvider } from '@opentelemetry/api';

/**
 * What `startTracing` needs of an OpenTelemetry instrumentation: the methods of the `Instrumentation`
 * interface of @opentelemetry/instrumentation it calls, typed here structurally. Importing that
 * package would bundle its base class, which reads `logs` from the API at construction, and
 * @opentelemetry/api 1.9 (a peer we support) has no `logs`.
 */
export interface Instrumentation {
  /** E.g. `@opentelemetry/instrumentation-document-load`: names it in diagnostics. */
  readonly instrumentationName?: string;
  setTracerProvider(tracerProvider: TracerProvider): void;
  enable(): void;
  disable(): void;
  /** The stock base class enables an instrumentation when it is made, unless this says `enabled: false`. */
  getConfig?(): { enabled?: boolean };
}

/**
 * Hands each instrumentation the tracer provider and enables it, as `registerInstrumentations`
 * of @opentelemetry/instrumentation does: one whose config says `enabled` already enabled itself
 * when it was made (the stock base class does), and is not enabled twice: some would patch twice,
 * and the document-load instrumentation, made after the page's load event, would report the load
 * twice. An instrumentation that throws is reported through `diag`; the others go on.
 * Returns the function that disables them all.
 */
export function registerInstrumentations(
  instrumentations: readonly Instrumentation[],
  tracerProvider: TracerProvider,
): () => void {
  for (const instrumentation of instrumentations) {
    try {
      instrumentation.setTracerProvider(tracerProvider);
      if (!instrumentation.getConfig?.().enabled) instrumentation.enable();
    } catch (error) {
      diag.error(`clicktrace: instrumentation ${nameOf(instrumentation)} failed to start`, error);
    }
  }
  return function disableInstrumentations() {
    for (const instrumentation of instrumentations) {
      try {
        instrumentation.disable();
      } catch (error) {
        diag.error(`clicktrace: instrumentation ${nameOf(instrumentation)} failed to stop`, error);
      }
    }
  };
}

function nameOf(instrumentation: Instrumentation): string {
  return String(
    instrumentation.instrumentationName ?? instrumentation.constructor?.name ?? 'instrumentation',
  );
}
