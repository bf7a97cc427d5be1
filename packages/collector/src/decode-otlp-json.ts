/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest`, as the stock OTLP/HTTP JSON exporters
 * send it: https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 *
 * The OTLP/JSON mapping differs from plain proto3 JSON in ways senders rely on: trace and
 * span ids are hex strings (not base64), enums may be integers, and int64/fixed64 may be
 * numbers or decimal strings. Unknown fields are ignored, as the spec requires.
 */
import { OtlpDecodeError } from './otlp-decode-error.js';
import {
  int64ToAttribute,
  isAbsentId,
  SPAN_KIND_NAMES,
  STATUS_CODE_NAMES,
  serviceNameOf,
  setAttribute,
} from './span-fields.js';
import type { AttributeValue, SpanKindName, StatusCodeName, StoredSpan } from './types.js';

type JsonObject = Record<string, unknown>;

/**
 * Turns a parsed OTLP/JSON trace export body into stored spans.
 *
 * @throws OtlpDecodeError naming the offending field when the body is not a valid request.
 */
export function decodeOtlpJson(body: unknown): StoredSpan[] {
  const request = asObject(body, 'request body');
  const spans: StoredSpan[] = [];
  for (const [r, resourceSpans] of arrayAt(request, 'resourceSpans', 'resourceSpans').entries()) {
    const path = `resourceSpans[${r}]`;
    const resourceSpansObject = asObject(resourceSpans, path);
    const resourceObject = optionalObject(resourceSpansObject.resource, `${path}.resource`);
    const resource = resourceObject ? attributesOf(resourceObject, `${path}.resource`) : {};
    const serviceName = serviceNameOf(resource);
    for (const [s, scopeSpans] of arrayAt(
      resourceSpansObject,
      'scopeSpans',
      `${path}.scopeSpans`,
    ).entries()) {
      const scopePath = `${path}.scopeSpans[${s}]`;
      const scopeSpansObject = asObject(scopeSpans, scopePath);
      const scope = scopeOf(scopeSpansObject.scope, `${scopePath}.scope`);
      for (const [i, span] of arrayAt(scopeSpansObject, 'spans', `${scopePath}.spans`).entries()) {
        spans.push({ ...spanOf(span, `${scopePath}.spans[${i}]`), serviceName, resource, scope });
      }
    }
  }
  return spans;
}

type SpanOwnFields = Omit<StoredSpan, 'serviceName' | 'resource' | 'scope'>;

function spanOf(value: unknown, path: string): SpanOwnFields {
  const span = asObject(value, path);
  const parentSpanId = optionalString(span.parentSpanId, `${path}.parentSpanId`) ?? '';
  const traceState = optionalString(span.traceState, `${path}.traceState`);
  const result: SpanOwnFields = {
    traceId: hexId(span.traceId, 16, `${path}.traceId`),
    spanId: hexId(span.spanId, 8, `${path}.spanId`),
    name: optionalString(span.name, `${path}.name`) ?? '',
    kind: kindOf(span.kind, `${path}.kind`),
    startTimeUnixNano: uint64Of(span.startTimeUnixNano, `${path}.startTimeUnixNano`),
    endTimeUnixNano: uint64Of(span.endTimeUnixNano, `${path}.endTimeUnixNano`),
    attributes: attributesOf(span, path),
    status: statusOf(span.status, `${path}.status`),
    events: arrayAt(span, 'events', `${path}.events`).map((event, e) => {
      const eventPath = `${path}.events[${e}]`;
      const eventObject = asObject(event, eventPath);
      return {
        name: optionalString(eventObject.name, `${eventPath}.name`) ?? '',
        timeUnixNano: uint64Of(eventObject.timeUnixNano, `${eventPath}.timeUnixNano`),
        attributes: attributesOf(eventObject, eventPath),
      };
    }),
    links: arrayAt(span, 'links', `${path}.links`).map((link, l) => {
      const linkPath = `${path}.links[${l}]`;
      const linkObject = asObject(link, linkPath);
      return {
        traceId: hexId(linkObject.traceId, 16, `${linkPath}.traceId`),
        spanId: hexId(linkObject.spanId, 8, `${linkPath}.spanId`),
        attributes: attributesOf(linkObject, linkPath),
      };
    }),
  };
  // Roots carry an empty (or all-zero) parent id; the stored shape leaves the key out.
  if (!isAbsentId(parentSpanId)) result.parentSpanId = hexId(parentSpanId, 8, `${path}.parentSpanId`);
  if (traceState) result.traceState = traceState;
  return result;
}

function scopeOf(value: unknown, path: string): StoredSpan['scope'] {
  const scope = optionalObject(value, path);
  const name = optionalString(scope?.name, `${path}.name`) ?? '';
  const version = optionalString(scope?.version, `${path}.version`);
  return version ? { name, version } : { name };
}

function statusOf(value: unknown, path: string): StoredSpan['status'] {
  const status = optionalObject(value, path);
  const code = enumOf(status?.code, STATUS_CODE_NAMES, 'STATUS_CODE_', `${path}.code`) as StatusCodeName;
  const message = optionalString(status?.message, `${path}.message`);
  return message ? { code, message } : { code };
}

function kindOf(value: unknown, path: string): SpanKindName {
  return enumOf(value, SPAN_KIND_NAMES, 'SPAN_KIND_', path) as SpanKindName;
}

/** An enum as its number or its proto name (`SPAN_KIND_SERVER`); absent means the zero value. */
function enumOf(value: unknown, names: readonly string[], prefix: string, path: string): string {
  if (value === undefined || value === null) return names[0] as string;
  if (typeof value === 'number' && Number.isInteger(value) && names[value] !== undefined) {
    return names[value] as string;
  }
  if (typeof value === 'string') {
    const name = value.startsWith(prefix) ? value.slice(prefix.length) : value;
    if (names.includes(name)) return name;
  }
  throw new OtlpDecodeError(`${path}: unknown value ${JSON.stringify(value)}`);
}

/** Ids are hex in OTLP/JSON (not base64 as in plain proto3 JSON). */
function hexId(value: unknown, byteLength: number, path: string): string {
  if (typeof value !== 'string' || value.length !== byteLength * 2 || !/^[0-9a-fA-F]*$/.test(value)) {
    throw new OtlpDecodeError(`${path}: expected ${byteLength * 2} hex characters, got ${describe(value)}`);
  }
  return value.toLowerCase();
}

/** fixed64 timestamps: decimal string, JS number, or the `{ low, high }` long-bits form. */
function uint64Of(value: unknown, path: string): string {
  if (value === undefined || value === null) return '0';
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value).toString();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const { low, high } = value as JsonObject;
    if (typeof low === 'number' && typeof high === 'number') {
      return ((BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)).toString();
    }
  }
  throw new OtlpDecodeError(`${path}: expected an unsigned integer, got ${describe(value)}`);
}

/** Reads the `attributes` KeyValue list of an OTLP message into a plain object. */
function attributesOf(owner: JsonObject, ownerPath: string): Record<string, AttributeValue> {
  return keyValuesOf(arrayAt(owner, 'attributes', `${ownerPath}.attributes`), `${ownerPath}.attributes`);
}

function keyValuesOf(list: unknown[], path: string): Record<string, AttributeValue> {
  const result: Record<string, AttributeValue> = {};
  for (const [i, entry] of list.entries()) {
    const entryPath = `${path}[${i}]`;
    const keyValue = asObject(entry, entryPath);
    if (typeof keyValue.key !== 'string') {
      throw new OtlpDecodeError(`${entryPath}.key: expected a string, got ${describe(keyValue.key)}`);
    }
    setAttribute(result, keyValue.key, anyValueOf(keyValue.value, `${entryPath}.value`));
  }
  return result;
}

function anyValueOf(value: unknown, path: string): AttributeValue {
  // An empty AnyValue is legal OTLP: it stands for "no value".
  const anyValue = optionalObject(value, path);
  if (!anyValue) return null;
  if ('stringValue' in anyValue) return stringAt(anyValue.stringValue, `${path}.stringValue`);
  if ('boolValue' in anyValue) {
    if (typeof anyValue.boolValue !== 'boolean') {
      throw new OtlpDecodeError(`${path}.boolValue: expected a boolean, got ${describe(anyValue.boolValue)}`);
    }
    return anyValue.boolValue;
  }
  if ('intValue' in anyValue) return int64Of(anyValue.intValue, `${path}.intValue`);
  if ('doubleValue' in anyValue) return doubleOf(anyValue.doubleValue, `${path}.doubleValue`);
  if ('arrayValue' in anyValue) {
    const array = asObject(anyValue.arrayValue, `${path}.arrayValue`);
    return arrayAt(array, 'values', `${path}.arrayValue.values`).map((item, i) =>
      anyValueOf(item, `${path}.arrayValue.values[${i}]`),
    );
  }
  if ('kvlistValue' in anyValue) {
    const kvlist = asObject(anyValue.kvlistValue, `${path}.kvlistValue`);
    return keyValuesOf(arrayAt(kvlist, 'values', `${path}.kvlistValue.values`), `${path}.kvlistValue.values`);
  }
  if ('bytesValue' in anyValue) {
    // proto3 JSON carries bytes as base64; it is kept as such (AttributeValue has no bytes).
    return stringAt(anyValue.bytesValue, `${path}.bytesValue`);
  }
  return null;
}

function int64Of(value: unknown, path: string): number | string {
  // Past 2^53 a JSON number is already rounded; it becomes a string like the protobuf path makes.
  if (typeof value === 'number' && Number.isInteger(value)) return int64ToAttribute(BigInt(value));
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return int64ToAttribute(BigInt(value));
  throw new OtlpDecodeError(`${path}: expected an integer, got ${describe(value)}`);
}

/** proto3 JSON writes non-finite doubles as the strings "NaN", "Infinity", "-Infinity". */
function doubleOf(value: unknown, path: string): number | string {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  throw new OtlpDecodeError(`${path}: expected a number, got ${describe(value)}`);
}

function asObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OtlpDecodeError(`${path}: expected an object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

function optionalObject(value: unknown, path: string): JsonObject | undefined {
  return value === undefined || value === null ? undefined : asObject(value, path);
}

/** A repeated field: absent or null means empty, as in proto3. */
function arrayAt(owner: JsonObject, key: string, path: string): unknown[] {
  const value = owner[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${path}: expected an array, got ${describe(value)}`);
  return value;
}

function stringAt(value: unknown, path: string): string {
  if (typeof value !== 'string')
    throw new OtlpDecodeError(`${path}: expected a string, got ${describe(value)}`);
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : stringAt(value, path);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return JSON.stringify(value).slice(0, 60);
  return 'an object';
}
