/**
 * The shapes the collector stores and serves. They are plain JSON (ids as lowercase hex,
 * nanosecond timestamps as decimal strings) so a span reads the same whether it came from
 * `TraceStore`, from `GET /api/traces/:traceId` or from a test report.
 */

/** OTLP `Span.SpanKind` without the `SPAN_KIND_` prefix. */
export type SpanKindName = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';

/**
 * An OTLP `AnyValue` as JSON. int64 values outside the safe-integer range stay decimal
 * strings so they are never rounded; `bytesValue` becomes a base64 string.
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | AttributeValue[]
  | { [k: string]: AttributeValue }
  | null;

/** OTLP `Status.StatusCode` without the `STATUS_CODE_` prefix. */
export type StatusCodeName = 'UNSET' | 'OK' | 'ERROR';

/** One received span, with its resource and instrumentation scope folded in. */
export interface StoredSpan {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  /** Absent for roots: OTLP sends an empty or all-zero id for those. */
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: SpanKindName;
  /** Decimal nanoseconds since the Unix epoch, exact (fixed64 does not fit a JS number). */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** The resource's `service.name`, or `'unknown_service'` when the sender set none. */
  serviceName: string;
  resource: Record<string, AttributeValue>;
  scope: { name: string; version?: string };
  attributes: Record<string, AttributeValue>;
  status: { code: StatusCodeName; message?: string };
  events: { name: string; timeUnixNano: string; attributes: Record<string, AttributeValue> }[];
  links: { traceId: string; spanId: string; attributes: Record<string, AttributeValue> }[];
}

/** One line of the trace list: what the viewer and `GET /api/traces` show per trace. */
export interface TraceSummary {
  traceId: string;
  /** Name of the earliest span without a parent; absent while the root has not arrived. */
  rootName?: string;
  /** Services in the order their first span started. */
  serviceNames: string[];
  spanCount: number;
  /** Earliest span start, decimal nanoseconds. */
  startTimeUnixNano: string;
  /** From the earliest start to the latest end. */
  durationMs: number;
}
