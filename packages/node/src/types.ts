import type { TracerProvider } from '@opentelemetry/api';
import type { LibrariesOption } from './library-instrumentations.js';
import type { PropagatorName } from './propagators.js';
import type { TrustIncoming } from './trust-incoming.js';

/** OTLP/HTTP wire formats the stock exporters speak; the names are the OTEL_EXPORTER_OTLP_PROTOCOL values. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/**
 * Options of {@link startTracing}. Every option is optional and falls back to the standard
 * OpenTelemetry environment variable named beside it, then to the specification's default.
 */
export interface NodeTracingOptions {
  /** `service.name` of every span. Env: `OTEL_SERVICE_NAME`. Default `unknown_service:node`. */
  serviceName?: string;
  /**
   * Full OTLP/HTTP traces URL, as in the browser SDK (`…/v1/traces`).
   * Env: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (as is), else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`.
   * Default `http://localhost:4318/v1/traces`.
   */
  endpoint?: string;
  /** Env: `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`. Default `http/protobuf`. */
  protocol?: OtlpProtocol;
  /**
   * Adds the backlink to every traced response: `Server-Timing: traceparent;desc="00-…",
   * trace;desc=00-…` naming the server span, plus `Access-Control-Expose-Headers: Server-Timing`
   * and `Timing-Allow-Origin` for cross-origin requests so the page may read it. Default `true`:
   * the ids are already in the request's own `traceparent`, so it discloses nothing new to the
   * caller, and it lets the browser (or a test) find the trace a response belongs to.
   */
  serverTiming?: boolean;
  /**
   * Which database and queue clients to trace, each by its stock instrumentation when the app has
   * it: `true` all of `pg`, `mysql2`, `ioredis`, `redis`, `mongodb`, `amqplib` (default), `false`
   * none, or a list of those names. Env, as the stock auto-instrumentations read them:
   * `OTEL_NODE_ENABLED_INSTRUMENTATIONS` keeps only those listed, `OTEL_NODE_DISABLED_INSTRUMENTATIONS`
   * leaves out those listed (`OTEL_NODE_DISABLED_INSTRUMENTATIONS=amqplib`).
   */
  libraries?: LibrariesOption;
  /**
   * Trace header formats, as `OTEL_PROPAGATORS` names them: `tracecontext` (W3C, to the letter),
   * `baggage`, `b3` (single header), `b3multi`, `none`. Each is accepted on incoming requests and
   * sent on outgoing ones. Env: `OTEL_PROPAGATORS`. Default `['tracecontext', 'baggage']`.
   */
  propagators?: readonly PropagatorName[];
  /**
   * Formats accepted on incoming requests but never sent: `['b3']` lets a service take B3 from an
   * older caller while it emits W3C `traceparent` only (which wins when a request carries both).
   */
  extractOnlyPropagators?: readonly PropagatorName[];
  /**
   * How far to trust a caller's `traceparent`. `'always'`: continue its trace and follow its
   * sampling decision. `'ids-only'`: keep its trace and parent ids, but this service's sampler
   * decides (a caller can neither force nor suppress recording). `'restart'`: a new trace, with a
   * span link to the caller's span. Or a function of the request, e.g. `'always'` for your own
   * front end's origin and `'restart'` for the rest. Default: `'always'`, but `'ids-only'` when
   * `NODE_ENV=production`. See the README for when to choose which.
   */
  trustIncoming?: TrustIncoming;
}

/** What {@link startTracing} returns. `flush` and `shutdown` never reject. */
export interface NodeTracing {
  /** The registered provider; the global no-op one when the SDK is disabled. */
  readonly tracerProvider: TracerProvider;
  /** Exports every ended span now. */
  flush(): Promise<void>;
  /** Exports what is left, then stops tracing. Later calls do nothing. */
  shutdown(): Promise<void>;
}
