/**
 * Decodes a binary OTLP `ExportTraceServiceRequest` (Content-Type application/x-protobuf).
 * Field numbers are those of opentelemetry-proto:
 *   opentelemetry/proto/collector/trace/v1/trace_service.proto
 *   opentelemetry/proto/trace/v1/trace.proto
 *   opentelemetry/proto/common/v1/common.proto, opentelemetry/proto/resource/v1/resource.proto
 * Fields not listed (dropped counts, flags, schema URLs, entity refs) are skipped by wire type.
 */
import { OtlpDecodeError } from './otlp-decode-error.js';
import { ProtobufReader } from './protobuf-reader.js';
import {
  bytesToBase64,
  bytesToHex,
  int64ToAttribute,
  isAbsentId,
  SPAN_KIND_NAMES,
  STATUS_CODE_NAMES,
  serviceNameOf,
  setAttribute,
} from './span-fields.js';
import type { AttributeValue, StoredSpan } from './types.js';

type Attributes = Record<string, AttributeValue>;
type SpanOwnFields = Omit<StoredSpan, 'serviceName' | 'resource' | 'scope'>;

/**
 * Turns the bytes of a protobuf trace export request into stored spans.
 *
 * @throws OtlpDecodeError when the bytes are not a valid request (truncated, wrong wire
 *   types, ids of the wrong length, invalid UTF-8).
 */
export function decodeOtlpProtobuf(bytes: Uint8Array): StoredSpan[] {
  const request = new ProtobufReader(bytes);
  const spans: StoredSpan[] = [];
  while (!request.done) {
    const { field, wireType } = request.tag();
    // ExportTraceServiceRequest.resource_spans = 1
    if (field === 1) spans.push(...resourceSpansOf(request.message(wireType)));
    else request.skip(wireType);
  }
  return spans;
}

function resourceSpansOf(reader: ProtobufReader): StoredSpan[] {
  let resource: Attributes = {};
  const scopeSpans: ProtobufReader[] = [];
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) resource = resourceOf(reader.message(wireType));
    else if (field === 2) scopeSpans.push(reader.message(wireType));
    else reader.skip(wireType);
  }
  // The resource may come after the spans on the wire; decode spans once it is known.
  const serviceName = serviceNameOf(resource);
  return scopeSpans.flatMap((scopeReader) =>
    scopeSpansOf(scopeReader).map((span) => ({ ...span, serviceName, resource })),
  );
}

function resourceOf(reader: ProtobufReader): Attributes {
  const attributes: Attributes = {};
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    // Resource.attributes = 1
    if (field === 1) addKeyValue(attributes, reader.message(wireType));
    else reader.skip(wireType);
  }
  return attributes;
}

function scopeSpansOf(reader: ProtobufReader): Omit<StoredSpan, 'serviceName' | 'resource'>[] {
  let scope: StoredSpan['scope'] = { name: '' };
  const spans: SpanOwnFields[] = [];
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) scope = scopeOf(reader.message(wireType));
    else if (field === 2) spans.push(spanOf(reader.message(wireType)));
    else reader.skip(wireType);
  }
  return spans.map((span) => ({ ...span, scope }));
}

function scopeOf(reader: ProtobufReader): StoredSpan['scope'] {
  let name = '';
  let version = '';
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) name = reader.string(wireType);
    else if (field === 2) version = reader.string(wireType);
    else reader.skip(wireType);
  }
  return version ? { name, version } : { name };
}

function spanOf(reader: ProtobufReader): SpanOwnFields {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let traceState = '';
  let name = '';
  let kind = 0;
  let start = 0n;
  let end = 0n;
  const attributes: Attributes = {};
  const events: StoredSpan['events'] = [];
  const links: StoredSpan['links'] = [];
  let status: StoredSpan['status'] = { code: 'UNSET' };
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    switch (field) {
      case 1:
        traceId = idOf(reader.bytes(wireType), 16, 'span trace_id');
        break;
      case 2:
        spanId = idOf(reader.bytes(wireType), 8, 'span span_id');
        break;
      case 3:
        traceState = reader.string(wireType);
        break;
      case 4:
        parentSpanId = bytesToHex(reader.bytes(wireType));
        break;
      case 5:
        name = reader.string(wireType);
        break;
      case 6:
        kind = reader.uint32(wireType);
        break;
      case 7:
        start = reader.fixed64(wireType);
        break;
      case 8:
        end = reader.fixed64(wireType);
        break;
      case 9:
        addKeyValue(attributes, reader.message(wireType));
        break;
      case 11:
        events.push(eventOf(reader.message(wireType)));
        break;
      case 13:
        links.push(linkOf(reader.message(wireType)));
        break;
      case 15:
        status = statusOf(reader.message(wireType));
        break;
      default:
        reader.skip(wireType);
    }
  }
  if (!traceId) throw new OtlpDecodeError('protobuf: a span has no trace_id');
  if (!spanId) throw new OtlpDecodeError('protobuf: a span has no span_id');
  const kindName = SPAN_KIND_NAMES[kind];
  if (!kindName) throw new OtlpDecodeError(`protobuf: span kind ${kind} is unknown`);
  const span: SpanOwnFields = {
    traceId,
    spanId,
    name,
    kind: kindName,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    attributes,
    status,
    events,
    links,
  };
  // Roots carry an empty (or all-zero) parent id; the stored shape leaves the key out.
  if (!isAbsentId(parentSpanId)) {
    if (parentSpanId.length !== 16) {
      throw new OtlpDecodeError(
        `protobuf: span parent_span_id has ${parentSpanId.length / 2} bytes, expected 8`,
      );
    }
    span.parentSpanId = parentSpanId;
  }
  if (traceState) span.traceState = traceState;
  return span;
}

function eventOf(reader: ProtobufReader): StoredSpan['events'][number] {
  let time = 0n;
  let name = '';
  const attributes: Attributes = {};
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) time = reader.fixed64(wireType);
    else if (field === 2) name = reader.string(wireType);
    else if (field === 3) addKeyValue(attributes, reader.message(wireType));
    else reader.skip(wireType);
  }
  return { name, timeUnixNano: time.toString(), attributes };
}

function linkOf(reader: ProtobufReader): StoredSpan['links'][number] {
  let traceId = '';
  let spanId = '';
  const attributes: Attributes = {};
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) traceId = idOf(reader.bytes(wireType), 16, 'link trace_id');
    else if (field === 2) spanId = idOf(reader.bytes(wireType), 8, 'link span_id');
    else if (field === 4) addKeyValue(attributes, reader.message(wireType));
    else reader.skip(wireType);
  }
  if (!traceId || !spanId) throw new OtlpDecodeError('protobuf: a link has no trace_id or span_id');
  return { traceId, spanId, attributes };
}

function statusOf(reader: ProtobufReader): StoredSpan['status'] {
  let message = '';
  let code = 0;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    // Status.message = 2, Status.code = 3 (field 1 is the retired deprecated_code).
    if (field === 2) message = reader.string(wireType);
    else if (field === 3) code = reader.uint32(wireType);
    else reader.skip(wireType);
  }
  const codeName = STATUS_CODE_NAMES[code];
  if (!codeName) throw new OtlpDecodeError(`protobuf: status code ${code} is unknown`);
  return message ? { code: codeName, message } : { code: codeName };
}

/** Decodes one KeyValue message into `target` (KeyValue.key = 1, KeyValue.value = 2). */
function addKeyValue(target: Attributes, reader: ProtobufReader): void {
  let key = '';
  let value: AttributeValue = null;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) key = reader.string(wireType);
    else if (field === 2) value = anyValueOf(reader.message(wireType));
    else reader.skip(wireType);
  }
  setAttribute(target, key, value);
}

/** AnyValue is a oneof; an empty one means "no value" (null). */
function anyValueOf(reader: ProtobufReader): AttributeValue {
  let value: AttributeValue = null;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    switch (field) {
      case 1:
        value = reader.string(wireType);
        break;
      case 2:
        value = reader.bool(wireType);
        break;
      case 3:
        value = int64ToAttribute(reader.int64(wireType));
        break;
      case 4: {
        // Non-finite doubles become the strings proto3 JSON uses, so they survive JSON.stringify.
        const double = reader.double(wireType);
        value = Number.isFinite(double) ? double : String(double);
        break;
      }
      case 5:
        value = arrayValueOf(reader.message(wireType));
        break;
      case 6:
        value = keyValueListOf(reader.message(wireType));
        break;
      case 7:
        // Kept as base64, as OTLP/JSON writes bytes, so both encodings store the same value.
        value = bytesToBase64(reader.bytes(wireType));
        break;
      default:
        reader.skip(wireType);
    }
  }
  return value;
}

function arrayValueOf(reader: ProtobufReader): AttributeValue[] {
  const values: AttributeValue[] = [];
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) values.push(anyValueOf(reader.message(wireType)));
    else reader.skip(wireType);
  }
  return values;
}

function keyValueListOf(reader: ProtobufReader): Attributes {
  const values: Attributes = {};
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1) addKeyValue(values, reader.message(wireType));
    else reader.skip(wireType);
  }
  return values;
}

function idOf(bytes: Uint8Array, byteLength: number, what: string): string {
  if (bytes.byteLength !== byteLength) {
    throw new OtlpDecodeError(`protobuf: ${what} has ${bytes.byteLength} bytes, expected ${byteLength}`);
  }
  return bytesToHex(bytes);
}
