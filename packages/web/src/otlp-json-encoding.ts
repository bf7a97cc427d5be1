import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/**
 * Encodes finished spans as an OTLP/JSON `ExportTraceServiceRequest` body.
 *
 * The OTLP specification's JSON encoding is the proto3 JSON mapping with three deviations: trace
 * and span ids are hex strings, enums are integers, and keys are lowerCamelCase. Hence 64-bit
 * integers (timestamps, `intValue`) are decimal strings and non-finite doubles are the strings
 * "NaN" / "Infinity" / "-Infinity". Spans are grouped by resource (by identity, as the SDK shares
 * one Resource object per provider) and then by instrumentation scope, like the stock
 * `JsonTraceSerializer` from @opentelemetry/otlp-transformer, whose output this matches except
 * for those two number encodings (the stock one writes `intValue` as a JSON number and NaN as null).
 */
export function encodeOtlpJson(spans: readonly ReadableSpan[]): string {
  const byResource = new Map<ReadableSpan['resource'], Map<string, ReadableSpan[]>>();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (!byScope) {
      byScope = new Map();
      byResource.set(span.resource, byScope);
    }
    const { name, version = '', schemaUrl = '' } = span.instrumentationScope;
    const key = `${name}@${version}:${schemaUrl}`;
    const group = byScope.get(key);
    if (group) group.push(span);
    else byScope.set(key, [span]);
  }
  return JSON.stringify({
    resourceSpans: [...byResource].map(([resource, byScope]) => ({
      resource: { attributes: keyValues(resource.attributes), droppedAttributesCount: 0 },
      scopeSpans: [...byScope.values()].map((group) => {
        const scope = (group[0] as ReadableSpan).instrumentationScope;
        return {
          scope: { name: scope.name, version: scope.version },
          spans: group.map(spanJson),
          schemaUrl: scope.schemaUrl,
        };
      }),
      // An empty string is proto3's default: leave the key out as the stock serializer does.
      schemaUrl: resource.schemaUrl || undefined,
    })),
  });
}

function spanJson(span: ReadableSpan): object {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: parent?.spanId || undefined,
    traceState: context.traceState?.serialize(),
    name: span.name,
    // OTLP's SpanKind has UNSPECIFIED = 0 in front of the API's values.
    kind: span.kind + 1,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
    attributes: keyValues(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((event) => ({
      timeUnixNano: nanos(event.time),
      name: event.name,
      attributes: keyValues(event.attributes),
      droppedAttributesCount: event.droppedAttributesCount || 0,
    })),
    droppedEventsCount: span.droppedEventsCount,
    // The API's SpanStatusCode and OTLP's StatusCode share their numbers.
    status: { code: span.status.code, message: span.status.message },
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      traceState: link.context.traceState?.serialize(),
      attributes: keyValues(link.attributes),
      droppedAttributesCount: link.droppedAttributesCount || 0,
      flags: flags(link.context.traceFlags, link.context.isRemote),
    })),
    droppedLinksCount: span.droppedLinksCount,
    flags: flags(context.traceFlags, parent?.isRemote),
  };
}

/** OTLP span flags: the W3C trace flags in bits 0-7, "is-remote is known" (bit 8) and is-remote (bit 9). */
function flags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

/** HrTime (seconds, nanoseconds) as a decimal string of nanoseconds: past 2^53, a JSON number would lose digits. */
function nanos(time: HrTime): string {
  return String(BigInt(Math.trunc(time[0])) * 1_000_000_000n + BigInt(Math.trunc(time[1])));
}

function keyValues(attributes: Attributes | undefined): Array<{ key: string; value: object }> {
  return Object.keys(attributes ?? {}).map((key) => ({ key, value: anyValue(attributes?.[key]) }));
}

function anyValue(value: AttributeValue | unknown): object {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    // BigInt keeps large integers in positional notation (String(1e21) is "1e+21").
    if (Number.isInteger(value)) return { intValue: String(BigInt(value)) };
    return { doubleValue: Number.isFinite(value) ? value : String(value) };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  if (value instanceof Uint8Array) {
    return { bytesValue: btoa(Array.from(value, (byte) => String.fromCharCode(byte)).join('')) };
  }
  if (typeof value === 'object' && value !== null) {
    // The API's attribute types have no maps, but a processor may put one there; OTLP can carry it.
    return { kvlistValue: { values: keyValues(value as Attributes) } };
  }
  // null, undefined (holes in arrays): OTLP's empty AnyValue.
  return {};
}
