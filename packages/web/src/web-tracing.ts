import type { Instrumentation } from './register-instrumentations.js';
import type { SpanProcessor } from './span-processor.js';

/** Options of `startTracing`. */
export interface WebTracingOptions {
  /** `service.name` of every span: the name of this front end, e.g. `shop-web`. Required. */
  serviceName: string;
  /**
   * OTLP/HTTP traces URL the spans are posted to (JSON). Relative URLs resolve against the page.
   * Default: `/v1/traces` on the page's origin.
   */
  endpoint?: string;
  /**
   * Origins, besides the page's own, whose requests carry `traceparent`: exact origin strings
   * (`'https://api.example.com'`) or RegExps tested against the request's origin
   * (`/\.example\.com$/`). Requests anywhere else never get trace headers.
   */
  propagateTo?: ReadonlyArray<string | RegExp>;
  /**
   * Export interactions that started no work: a click whose listeners (and the timers, promises
   * and requests they started) made no span. Default: `false`, such clicks are dropped, so a
   * trace backend holds the clicks that did something.
   */
  keepEmptyInteractions?: boolean;
  /**
   * Request headers sent with every export request, e.g. a vendor's ingest key:
   * `{ 'x-honeycomb-team': '…' }`. Default: none. Names must be HTTP header names the browser lets
   * a script set, values strings. `content-type` is the exporter's own (`application/json`).
   *
   * Custom headers make cross-origin exports preflighted: the collector must list them in
   * `Access-Control-Allow-Headers`. sendBeacon cannot carry headers, so with headers set the
   * exporter never uses it (see the README, "Export").
   */
  headers?: Readonly<Record<string, string>>;
  /**
   * Attributes of the resource every span carries, e.g.
   * `{ 'deployment.environment.name': 'production', 'service.version': '1.4.2' }`. Default: none.
   * They take precedence over the defaults (`user_agent.original`, `telemetry.sdk.*`), but
   * `service.name` is always `serviceName`. As for any OpenTelemetry resource, values are strings,
   * numbers, booleans or arrays of one of those; others are dropped with a `diag` warning.
   */
  resourceAttributes?: Readonly<Record<string, ResourceAttributeValue | undefined>>;
  /**
   * OpenTelemetry instrumentations of your own, e.g. `new DocumentLoadInstrumentation()` from
   * `@opentelemetry/instrumentation-document-load` (an array in the list is flattened, as
   * `registerInstrumentations` does). Default: none. Each gets this tracer provider, so its spans
   * go through the same processors and exporter, and is enabled (unless it enabled itself when it
   * was made, as the stock ones do); `shutdown()` disables them. Not needed for fetch, XHR and
   * clicks: clicktrace traces those itself, and the stock instrumentations would trace them twice.
   */
  instrumentations?: ReadonlyArray<Instrumentation | ReadonlyArray<Instrumentation>>;
  /**
   * Span processors of your own, called for every span after clicktrace's own (which exports),
   * including the interaction spans clicktrace drops as empty (see `keepEmptyInteractions`).
   * Default: none. Their `forceFlush` runs on `flush()`, their `shutdown` on `shutdown()`. A
   * processor that throws or rejects is reported through `diag`, never to the page.
   */
  spanProcessors?: readonly SpanProcessor[];
}

/**
 * A resource attribute value, as an OpenTelemetry resource keeps it: a string, number or boolean,
 * or an array of one of those.
 */
export type ResourceAttributeValue =
  | string
  | number
  | boolean
  | ReadonlyArray<string | null | undefined>
  | ReadonlyArray<number | null | undefined>
  | ReadonlyArray<boolean | null | undefined>;

/** The running tracing of a page, as returned by `startTracing`. */
export interface WebTracing {
  /**
   * Exports every finished span now. With `idle`, it first waits, up to that many milliseconds,
   * until no interaction is open, so a click that is still at work is exported with its span.
   * Never rejects: export errors go to `diag`.
   */
  flush(options?: FlushOptions): Promise<void>;
  /**
   * Stops listening and patching, disables the `instrumentations`, exports what is left (the
   * `spanProcessors` are shut down too), and unregisters from the OpenTelemetry API.
   */
  shutdown(): Promise<void>;
}

/** Options of `WebTracing.flush`. */
export interface FlushOptions {
  /** Wait up to this many milliseconds for the open interactions to end before exporting. */
  idle?: number;
}
