/**
 * @clicktrace/collector: an OTLP/HTTP trace receiver for development and tests, with an
 * in-memory store and a waterfall viewer. No runtime dependencies.
 *
 * @example
 * import { startCollector } from '@clicktrace/collector';
 * const collector = await startCollector({ port: 0 });
 * // export spans to `${collector.url}/v1/traces`, then:
 * const [latest] = collector.store.traces();
 * await collector.close();
 *
 * @module
 */

export { decodeOtlpJson } from './decode-otlp-json.js';
export { decodeOtlpProtobuf } from './decode-otlp-protobuf.js';
export { OtlpDecodeError } from './otlp-decode-error.js';
export type { RenderTraceHtmlOptions } from './render-trace-html.js';
export { renderTraceHtml } from './render-trace-html.js';
export type { Collector, CollectorOptions } from './start-collector.js';
export { startCollector } from './start-collector.js';
export type {
  OtlpJsonAnyValue,
  OtlpJsonKeyValue,
  OtlpJsonResourceSpans,
  OtlpJsonScopeSpans,
  OtlpJsonSpan,
  OtlpJsonTraceRequest,
} from './to-otlp-json.js';
export { toOtlpJson } from './to-otlp-json.js';
export { DEFAULT_SETTLE_MS, TraceBreaks } from './trace-breaks.js';
export type { SpansListener, TraceStoreOptions } from './trace-store.js';
export { TraceStore } from './trace-store.js';
export type {
  AttributeValue,
  BreakCategory,
  BreakEnd,
  BreakKind,
  SpanKindName,
  StatusCodeName,
  StoredSpan,
  TraceBreak,
  TraceSummary,
} from './types.js';
