import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
  type OTLPExporterNodeConfigBase,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  type IExporterMetricsHelper,
  type IExportTraceServiceResponse,
  type ISerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';

/** One ExportTraceServiceRequest, encoded (otlp-protobuf-spans.ts), with its count of spans. */
export interface EncodedRequest {
  readonly bytes: Uint8Array;
  readonly spans: number;
}

/** The request is encoded already (protobuf-batch-span-processor.ts): sent as it is. */
const ENCODED: ISerializer<EncodedRequest, IExportTraceServiceResponse> = {
  serializeRequest: (request) => request.bytes,
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};

/** For the exporter's own metrics (when given a meter provider): spans, not bytes. */
const COUNT_SPANS: IExporterMetricsHelper<EncodedRequest> = {
  name: 'span',
  countItems: (request) => request.spans,
};

/**
 * The stock OTLP/HTTP protobuf trace exporter (exporter-trace-otlp-proto 0.301), given requests
 * already encoded (otlp-protobuf-spans.ts) instead of spans. Everything else is the stock code,
 * assembled as the stock exporter assembles it: the OTEL_EXPORTER_OTLP_* variables, headers,
 * compression, timeout, TLS, its own short retries and the response's partial success.
 */
export class OtlpProtobufRequestExporter extends OTLPExporterBase<EncodedRequest> {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        ENCODED,
        'otlp_http_span_exporter',
        COUNT_SPANS,
        undefined,
      ),
    );
  }
}
