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
  /** How many breaks the trace takes part in (`GET /api/breaks`); absent when none. */
  breakCount?: number;
}

/**
 * Why two traces that belong together came apart (see diagnose-breaks.ts for how each is found):
 *
 * - `not-injected`: the request left without trace headers (origin not in `propagateTo`, or an
 *   uninstrumented client), and its server started a trace of its own;
 * - `header-stripped`: the client sent trace headers and the server received none (or received
 *   them altered past parsing);
 * - `propagator-mismatch`: the server received trace headers in a format it does not extract;
 * - `not-extracted`: the server received a valid header in a format it knows and still started a
 *   new trace, not by policy;
 * - `cors-refused`: the browser refused the cross-origin request because its preflight did not
 *   allow the trace headers;
 * - `server-not-traced`: the request carried trace headers and was answered, but no span of that
 *   server arrived;
 * - `context-lost`: inside one service, a span that should have had a parent there started a new
 *   trace (`where` says which side);
 * - `restarted-by-policy`: not a fault: the server restarted on purpose (`trustIncoming:
 *   'restart'`) and linked the caller.
 */
export type BreakKind =
  | 'not-injected'
  | 'header-stripped'
  | 'propagator-mismatch'
  | 'not-extracted'
  | 'cors-refused'
  | 'server-not-traced'
  | 'context-lost'
  | 'restarted-by-policy';

/** `propagation` between services, `context` within one, `policy` on purpose. */
export type BreakCategory = 'propagation' | 'context' | 'policy';

/** One span at either end of a break. */
export interface BreakEnd {
  traceId: string;
  spanId: string;
  name: string;
  serviceName: string;
}

/** One place where a trace broke, and why. */
export interface TraceBreak {
  /** Stable for the same break: the kind and the span ids of its two ends. */
  id: string;
  kind: BreakKind;
  category: BreakCategory;
  /** For `context-lost`: the service side where the context was lost. */
  where?: 'browser' | 'server';
  /**
   * The span the trace should have continued from: the request span (propagation, policy) or the
   * span that was open when the context was lost (context).
   */
  from: BreakEnd;
  /**
   * The span that started the other trace instead: the server span (propagation, policy) or the
   * new root (context). Absent when no span arrived on that side (`cors-refused`,
   * `server-not-traced`).
   */
  to?: BreakEnd;
  /** When the break happened: the start of `to`, else of `from`; decimal nanoseconds. */
  timeUnixNano: string;
  /** One sentence: what happened. */
  summary: string;
  /** What to change so the trace holds, e.g. `add http://127.0.0.1:3001 to propagateTo`. */
  fix: string;
}
