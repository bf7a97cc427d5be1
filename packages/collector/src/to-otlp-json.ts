/**
 * Stored spans back to OTLP/JSON, the format every OpenTelemetry tool reads:
 * https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 *
 * `decodeOtlpJson(toOtlpJson(spans))` gives the spans back, field for field (grouped by
 * resource and scope, so spans given interleaved come back in that order).
 */
import {
  SERVICE_NAME_KEY,
  SPAN_KIND_NAMES,
  STATUS_CODE_NAMES,
  serviceNameOf,
  UNKNOWN_SERVICE,
} from './span-fields.js';
import type { AttributeValue, StoredSpan } from './types.js';

/** An OTLP/JSON `ExportTraceServiceRequest`. */
export interface OtlpJsonTraceRequest {
  resourceSpans: OtlpJsonResourceSpans[];
}

export interface OtlpJsonResourceSpans {
  resource: { attributes: OtlpJsonKeyValue[] };
  scopeSpans: OtlpJsonScopeSpans[];
}

export interface OtlpJsonScopeSpans {
  scope: { name: string; version?: string };
  spans: OtlpJsonSpan[];
}

export interface OtlpJsonSpan {
  /** Hex, as OTLP/JSON writes ids (not base64). */
  traceId: string;
  spanId: string;
  traceState?: string;
  /** Absent for a root. */
  parentSpanId?: string;
  name: string;
  /** `SpanKind` number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Decimal nanoseconds. */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpJsonKeyValue[];
  events: { timeUnixNano: string; name: string; attributes: OtlpJsonKeyValue[] }[];
  links: { traceId: string; spanId: string; attributes: OtlpJsonKeyValue[] }[];
  /** `code`: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
}

export interface OtlpJsonKeyValue {
  key: string;
  value: OtlpJsonAnyValue;
}

/** One of the fields, or none for a null value. */
export interface OtlpJsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string. */
  intValue?: string;
  /** A number, or `'NaN'`, `'Infinity'`, `'-Infinity'`. */
  doubleValue?: number | string;
  arrayValue?: { values: OtlpJsonAnyValue[] };
  kvlistValue?: { values: OtlpJsonKeyValue[] };
}

/**
 * Encodes spans as an OTLP/JSON trace export request: one `resourceSpans` per distinct
 * resource and, in it, one `scopeSpans` per instrumentation scope, each in the order first
 * seen; spans keep their order within a scope.
 *
 * Stored attribute values map back as: strings to `stringValue`, safe integers to `intValue`,
 * other numbers to `doubleValue`, booleans, arrays and objects to `boolValue`, `arrayValue` and
 * `kvlistValue`, null to an empty value. (int64 beyond 2^53 and bytes are stored as strings, so
 * they go out as `stringValue`.)
 */
export function toOtlpJson(spans: readonly StoredSpan[]): OtlpJsonTraceRequest {
  const resources = new Map<
    string,
    { attributes: OtlpJsonKeyValue[]; scopes: Map<string, OtlpJsonScopeSpans> }
  >();
  for (const span of spans) {
    const resource = resourceOf(span);
    const resourceKey = canonicalKey(resource);
    let group = resources.get(resourceKey);
    if (!group) {
      group = { attributes: keyValuesOf(resource), scopes: new Map() };
      resources.set(resourceKey, group);
    }
    const scopeKey = canonicalKey([span.scope.name, span.scope.version ?? null]);
    let scopeSpans = group.scopes.get(scopeKey);
    if (!scopeSpans) {
      const { name, version } = span.scope;
      scopeSpans = { scope: version === undefined ? { name } : { name, version }, spans: [] };
      group.scopes.set(scopeKey, scopeSpans);
    }
    scopeSpans.spans.push(spanOf(span));
  }
  return {
    resourceSpans: [...resources.values()].map(({ attributes, scopes }) => ({
      resource: { attributes },
      scopeSpans: [...scopes.values()],
    })),
  };
}

/** The span's resource, with `service.name` filled in from `serviceName` when it has none. */
function resourceOf(span: StoredSpan): Record<string, AttributeValue> {
  if (serviceNameOf(span.resource) !== UNKNOWN_SERVICE || span.serviceName === UNKNOWN_SERVICE) {
    return span.resource;
  }
  // Spread defines own properties, so a `__proto__` attribute stays an attribute.
  return { ...span.resource, [SERVICE_NAME_KEY]: span.serviceName };
}

function spanOf(span: StoredSpan): OtlpJsonSpan {
  const code = Math.max(STATUS_CODE_NAMES.indexOf(span.status.code), 0);
  // In the proto's field order, which makes the JSON easy to read next to the spec.
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.traceState ? { traceState: span.traceState } : {}),
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: Math.max(SPAN_KIND_NAMES.indexOf(span.kind), 0),
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    attributes: keyValuesOf(span.attributes),
    events: span.events.map((event) => ({
      timeUnixNano: event.timeUnixNano,
      name: event.name,
      attributes: keyValuesOf(event.attributes),
    })),
    links: span.links.map((link) => ({
      traceId: link.traceId,
      spanId: link.spanId,
      attributes: keyValuesOf(link.attributes),
    })),
    status: span.status.message ? { code, message: span.status.message } : { code },
  };
}

function keyValuesOf(record: Record<string, AttributeValue>): OtlpJsonKeyValue[] {
  return Object.keys(record).map((key) => ({ key, value: anyValueOf(record[key] as AttributeValue) }));
}

function anyValueOf(value: AttributeValue): OtlpJsonAnyValue {
  if (value === null || value === undefined) return {};
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return { intValue: String(value) };
    // proto3 JSON has no NaN or Infinity literal: they are written as strings.
    return { doubleValue: Number.isFinite(value) ? value : String(value) };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValueOf) } };
  return { kvlistValue: { values: keyValuesOf(value) } };
}

/** Equal for equal values whatever their key order; a number never equals a string. */
function canonicalKey(value: AttributeValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalKey(value[key] as AttributeValue)}`);
    return `{${entries.join(',')}}`;
  }
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}
