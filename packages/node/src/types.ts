import type { TracerProvider } from '@opentelemetry/api';

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
