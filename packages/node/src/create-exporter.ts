import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { OtlpProtobufSpanExporter } from './otlp-protobuf-exporter.js';
import type { OtlpProtocol } from './types.js';

/**
 * The OTLP/HTTP exporter for the protocol: the stock JSON one, or the stock protobuf one with our
 * encoder (otlp-protobuf-exporter.ts). With `url` undefined the exporter reads
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT (+ `/v1/traces`) itself,
 * and the headers, timeout and compression variables too, so none of that is repeated here.
 * Its requests run with tracing suppressed (BatchSpanProcessor wraps export in
 * `suppressTracing`), so exporting never makes spans of its own.
 */
export function createExporter(protocol: OtlpProtocol, url: string | undefined): SpanExporter {
  const config = url === undefined ? {} : { url };
  return protocol === 'http/json' ? new OtlpJsonExporter(config) : new OtlpProtobufSpanExporter(config);
}
