import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
  type OTLPExporterNodeConfigBase,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  type IExportTraceServiceResponse,
  type ISerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { encodeOtlpSpans } from './otlp-protobuf-spans.js';

const SERIALIZER: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest: encodeOtlpSpans,
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};

/**
 * The stock OTLP/HTTP protobuf trace exporter (exporter-trace-otlp-proto 0.301) with one part
 * changed: the request body is encoded by {@link encodeOtlpSpans} (the same bytes, about a sixth of
 * the CPU). Everything else is the stock code, assembled as the stock exporter assembles it: the
 * OTEL_EXPORTER_OTLP_* variables, headers, compression, timeout, TLS, retries and the response's
 * partial success.
 */
export class OtlpProtobufSpanExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        SERIALIZER,
        'otlp_http_span_exporter',
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}
