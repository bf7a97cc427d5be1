import type { HrTime, Link, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

/*
 * An OTLP/protobuf ExportTraceServiceRequest, encoded straight from ended SDK spans: the same
 * bytes as the stock ProtobufTraceSerializer of @opentelemetry/otlp-transformer 0.301 (the same
 * fields, in the same order, with the same defaults; a test compares the two byte for byte), in
 * half to a quarter of its time (bench/otlp-encode). The stock one measures every message in a first
 * pass and writes it in a second, and allocates a Uint8Array per id; this one writes each span
 * once into a buffer kept between batches, ids straight from their hex, attributes that repeat
 * from span to span copied from a cache, and computes only the few outer lengths afterwards.
 *
 * Synchronous and not re-entrant: the scratch buffer below is this module's own.
 */

/** Where the writer below writes: the scratch buffer, or a batch's group buffer (`OtlpSpanBatch.add`). */
let buffer: Buffer = Buffer.allocUnsafe(1 << 16);
let view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
let pos = 0;
/** The writer's own buffer, for the resource, scope and schema URL encodings. */
let scratch = buffer;

function ensure(bytes: number): void {
  if (pos + bytes <= buffer.length) return;
  let size = buffer.length * 2;
  while (size < pos + bytes) size *= 2;
  const bigger = Buffer.allocUnsafe(size);
  buffer.copy(bigger, 0, 0, pos);
  buffer = bigger;
  view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
}

function varintSize(value: number): number {
  if (value < 0 || value >= 2 ** 32) return 10; // only ever a bound (int64 attribute values)
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** A varint of any safe integer; negative ones as 64-bit two's complement (ten bytes). */
function writeVarint(value: number): void {
  ensure(10);
  if (value >= 0 && value <= 0xffffffff) {
    let v = value >>> 0;
    while (v > 0x7f) {
      buffer[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buffer[pos++] = v;
    return;
  }
  let low: number;
  let high: number;
  if (value >= 0) {
    low = value >>> 0;
    high = (value / 4294967296) >>> 0;
  } else {
    const abs = Math.abs(value);
    low = ~(abs >>> 0) >>> 0;
    high = ~((abs / 4294967296) >>> 0) >>> 0;
    low = (low + 1) >>> 0;
    if (low === 0) high = (high + 1) >>> 0;
  }
  while (high > 0 || low > 0x7f) {
    buffer[pos++] = (low & 0x7f) | 0x80;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  buffer[pos++] = low & 0x7f;
}

/** A tag whose number and wire type fit one byte (fields 1 to 15). */
function writeByte(byte: number): void {
  ensure(1);
  buffer[pos++] = byte;
}

/**
 * A string as UTF-8 (lone surrogates become U+FFFD, as with the stock serializer's TextEncoder).
 * Written by Buffer's native encoder, which is several times faster than a loop over the
 * characters even for short keys; a string of under 43 characters has at most 126 bytes, so its
 * length takes one byte, filled in after the write.
 */
function writeString(text: string): void {
  const length = text.length;
  if (length < 43) {
    ensure(1 + 3 * length);
    const written = buffer.write(text, pos + 1, 'utf8');
    buffer[pos] = written;
    pos += 1 + written;
    return;
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  writeVarint(bytes);
  ensure(bytes);
  pos += buffer.write(text, pos, bytes, 'utf8');
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

/** Hex ids as bytes (length-delimited), without an intermediate array. */
function writeHexBytes(hex: string): void {
  const length = hex.length >> 1;
  writeVarint(length);
  ensure(length);
  for (let i = 0; i < length; i++) {
    buffer[pos++] = (hexValue(hex.charCodeAt(2 * i)) << 4) | hexValue(hex.charCodeAt(2 * i + 1));
  }
}

function writeFixed32(value: number): void {
  ensure(4);
  view.setUint32(pos, value >>> 0, true);
  pos += 4;
}

/** [seconds, nanoseconds] as fixed64 nanoseconds, exactly (the product passes 2^53). */
function writeHrTime(time: HrTime): void {
  const seconds = time[0];
  const nanos = time[1];
  const fromLow16 = (seconds & 0xffff) * 1e9;
  const fromHigh = ((seconds / 65536) >>> 0) * 1e9;
  const low = (fromLow16 >>> 0) + (((fromHigh & 0xffff) * 65536) >>> 0) + nanos;
  const high = Math.floor(fromLow16 / 4294967296) + ((fromHigh / 65536) >>> 0) + Math.floor(low / 4294967296);
  ensure(8);
  view.setUint32(pos, low >>> 0, true);
  view.setUint32(pos + 4, high >>> 0, true);
  pos += 8;
}

/**
 * Starts a length-delimited message whose length is not known yet: reserves one byte for it
 * (most are shorter than 128 bytes) and returns where the message begins.
 */
function beginMessage(): number {
  ensure(1);
  pos += 1;
  return pos;
}

/** Writes the length before the message begun at `start`, moving it along when it needs more. */
function endMessage(start: number): void {
  const length = pos - start;
  const size = varintSize(length);
  if (size > 1) {
    ensure(size - 1);
    buffer.copyWithin(start + size - 1, start, pos);
    pos += size - 1;
  }
  let at = start - 1;
  let v = length;
  while (v > 0x7f) {
    buffer[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buffer[at] = v;
}

/** Repeated KeyValue under the field whose one-byte tag is `tag`. */
function writeAttributes(tag: number, attributes: Record<string, unknown>): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const value = attributes[key];
    writeByte(tag);
    const cached = cachedKeyValue(key, value);
    if (cached !== undefined) {
      ensure(cached.length);
      buffer.set(cached, pos);
      pos += cached.length;
      continue;
    }
    const keyValue = beginMessage();
    writeKeyValue(key, value);
    endMessage(keyValue);
    rememberKeyValue(key, value, keyValue - 1);
  }
}

/*
 * Most attributes of a server's spans repeat from span to span with the same value (the method,
 * scheme, protocol, server address and port, the client's user agent, the status code, the
 * route), so each such KeyValue is encoded once and copied after that: a span's attributes then
 * cost about a fifth as much. At most 32 values per key and 512 keys (each key and value of at most
 * 64 characters) are kept; a key seen with more
 * values (a path, an id) is marked as varying and always encoded.
 */
const MAX_KEYS = 512;
const MAX_VALUES_PER_KEY = 32;
const MAX_CACHED_TEXT = 64;
const VARYING = new Map<unknown, Uint8Array>();
const keyValues = new Map<string, Map<unknown, Uint8Array>>();

function isCacheable(value: unknown): boolean {
  return (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    (typeof value === 'string' && value.length <= MAX_CACHED_TEXT)
  );
}

/** The KeyValue's bytes with their length before them, when encoded before. */
function cachedKeyValue(key: string, value: unknown): Uint8Array | undefined {
  const values = keyValues.get(key);
  return values === undefined || values === VARYING ? undefined : values.get(value);
}

/** Keeps the KeyValue just written from `start` (its length byte) to `pos`, if it may repeat. */
function rememberKeyValue(key: string, value: unknown, start: number): void {
  if (!isCacheable(value) || key.length > MAX_CACHED_TEXT) return;
  let values = keyValues.get(key);
  if (values === undefined) {
    if (keyValues.size >= MAX_KEYS) return;
    values = new Map();
    keyValues.set(key, values);
  }
  if (values === VARYING) return;
  if (values.size >= MAX_VALUES_PER_KEY) {
    keyValues.set(key, VARYING);
    return;
  }
  values.set(value, new Uint8Array(buffer.subarray(start, pos)));
}

function writeKeyValue(key: string, value: unknown): void {
  writeByte(0x0a);
  writeString(key);
  writeByte(0x12);
  const anyValue = beginMessage();
  writeAnyValue(value);
  endMessage(anyValue);
}

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

function writeAnyValue(value: unknown): void {
  const type = typeof value;
  if (type === 'string') {
    writeByte(0x0a);
    writeString(value as string);
    return;
  }
  if (type === 'boolean') {
    writeByte(0x10);
    writeByte(value ? 1 : 0);
    return;
  }
  if (type === 'number') {
    const number = value as number;
    if (Number.isInteger(number) && number >= MIN_INT64 && number < MAX_INT64) {
      writeByte(0x18);
      writeVarint(number);
    } else {
      writeByte(0x21);
      ensure(8);
      view.setFloat64(pos, number, true);
      pos += 8;
    }
    return;
  }
  // undefined, bigint, symbol, function: an empty AnyValue, as the stock serializer writes.
  if (type !== 'object') return;
  if (value instanceof Uint8Array) {
    writeByte(0x3a);
    writeVarint(value.length);
    ensure(value.length);
    buffer.set(value, pos);
    pos += value.length;
  } else if (Array.isArray(value)) {
    writeByte(0x2a);
    const array = beginMessage();
    for (const item of value) {
      writeByte(0x0a);
      const itemValue = beginMessage();
      writeAnyValue(item);
      endMessage(itemValue);
    }
    endMessage(array);
  } else if (value !== null) {
    writeByte(0x32);
    const list = beginMessage();
    writeAttributes(0x0a, value as Record<string, unknown>);
    endMessage(list);
  }
}

/** Span flags (fixed32): the trace flags, that the parent's remoteness is known, and whether it is. */
function writeFlags(traceFlags: number, isRemote: boolean | undefined): void {
  writeFixed32((traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0));
}

function writeEvent(event: TimedEvent): void {
  writeByte(0x09);
  writeHrTime(event.time);
  writeByte(0x12);
  writeString(event.name);
  if (event.attributes) writeAttributes(0x1a, event.attributes);
  writeByte(0x20);
  writeVarint(event.droppedAttributesCount || 0);
}

function writeLink(link: Link): void {
  const context = link.context;
  writeByte(0x0a);
  writeHexBytes(context.traceId);
  writeByte(0x12);
  writeHexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writeByte(0x1a);
    writeString(traceState);
  }
  if (link.attributes) writeAttributes(0x22, link.attributes);
  writeByte(0x28);
  writeVarint(link.droppedAttributesCount || 0);
  writeByte(0x35);
  writeFlags(context.traceFlags, context.isRemote);
}

function writeStatus(status: SpanStatus): void {
  if (status.message) {
    writeByte(0x12);
    writeString(status.message);
  }
  writeByte(0x18);
  writeVarint(status.code);
}

/** One Span message, without its tag. */
function writeSpan(span: ReadableSpan): void {
  const context = span.spanContext();
  writeByte(0x0a);
  writeHexBytes(context.traceId);
  writeByte(0x12);
  writeHexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writeByte(0x1a);
    writeString(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writeByte(0x22);
    writeHexBytes(parent.spanId);
  }
  writeByte(0x2a);
  writeString(span.name);
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    writeByte(0x30);
    writeVarint(kind);
  }
  writeByte(0x39);
  writeHrTime(span.startTime);
  writeByte(0x41);
  writeHrTime(span.endTime);
  if (span.attributes) writeAttributes(0x4a, span.attributes);
  writeByte(0x50);
  writeVarint(span.droppedAttributesCount);
  for (const event of span.events) {
    writeByte(0x5a);
    const message = beginMessage();
    writeEvent(event);
    endMessage(message);
  }
  writeByte(0x60);
  writeVarint(span.droppedEventsCount);
  for (const link of span.links) {
    writeByte(0x6a);
    const message = beginMessage();
    writeLink(link);
    endMessage(message);
  }
  writeByte(0x70);
  writeVarint(span.droppedLinksCount);
  writeByte(0x7a);
  const status = beginMessage();
  writeStatus(span.status);
  endMessage(status);
  // Field 16 (fixed32) takes a two-byte tag.
  writeByte(0x85);
  writeByte(0x01);
  writeFlags(context.traceFlags, parent?.isRemote);
}

/** Bytes of a message written into the scratch buffer by `write`, copied out. */
function encodeAlone(write: () => void): Buffer {
  buffer = scratch;
  view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
  pos = 0;
  write();
  scratch = buffer;
  return Buffer.from(buffer.subarray(0, pos));
}

// The resource and the scopes are the same objects span after span: each is encoded once.
const resourceBytes = new WeakMap<Resource, Buffer>();
const scopeBytes = new WeakMap<InstrumentationScope, Buffer>();

/** Resource { 1: attributes, 2: dropped_attributes_count = 0 }, with its tag and length. */
function encodedResource(resource: Resource): Buffer {
  let bytes = resourceBytes.get(resource);
  if (bytes !== undefined) return bytes;
  bytes = encodeAlone(() => {
    writeByte(0x0a);
    const message = beginMessage();
    if (resource.attributes) writeAttributes(0x0a, resource.attributes);
    writeByte(0x10);
    writeByte(0);
    endMessage(message);
  });
  // Attributes still being detected are not final: encode again next time.
  if (!resource.asyncAttributesPending) resourceBytes.set(resource, bytes);
  return bytes;
}

/** InstrumentationScope { 1: name, 2: version, 3: attributes, 4: dropped }, with tag and length. */
function encodedScope(scope: InstrumentationScope): Buffer {
  let bytes = scopeBytes.get(scope);
  if (bytes !== undefined) return bytes;
  const withAttributes = scope as InstrumentationScope & {
    attributes?: Record<string, unknown>;
    droppedAttributesCount?: number;
  };
  bytes = encodeAlone(() => {
    writeByte(0x0a);
    const message = beginMessage();
    writeByte(0x0a);
    writeString(scope.name);
    if (scope.version) {
      writeByte(0x12);
      writeString(scope.version);
    }
    if (withAttributes.attributes) writeAttributes(0x1a, withAttributes.attributes);
    if (withAttributes.droppedAttributesCount) {
      writeByte(0x20);
      writeVarint(withAttributes.droppedAttributesCount);
    }
    endMessage(message);
  });
  scopeBytes.set(scope, bytes);
  return bytes;
}

/** A length-delimited string field as its own bytes (the schema URLs). */
function encodedStringField(tag: number, text: string): Buffer {
  return encodeAlone(() => {
    writeByte(tag);
    writeString(text);
  });
}

/** The spans of one (resource, scope) pair, encoded one after the other, each with tag and length. */
interface ScopeGroup {
  scope: InstrumentationScope;
  bytes: Buffer;
  length: number;
}

/**
 * Ended spans encoded one by one (`add`) into one ExportTraceServiceRequest (`take`): the batch
 * holds only their bytes, grouped by resource and then by scope in the order they first appear
 * (as the stock serializer groups them). The groups' buffers are kept for the next batch.
 */
export class OtlpSpanBatch {
  readonly #resources = new Map<Resource, Map<InstrumentationScope, ScopeGroup>>();
  /** Buffers of groups of earlier batches, for the groups of the next. */
  readonly #spare: Buffer[] = [];
  #spans = 0;
  #bytes = 0;

  /** Spans added since the last `take()`. */
  get spanCount(): number {
    return this.#spans;
  }

  /** The size of the request `take()` would make, within a few bytes of lengths. */
  get byteLength(): number {
    return this.#bytes;
  }

  /**
   * Encodes the span into the batch. With `maxBytes`, a span that would take a batch that holds
   * others past that many bytes (its request's size, the resource and scopes included) is not
   * added (false): take() the batch, then add it again.
   */
  add(span: ReadableSpan, maxBytes = Number.POSITIVE_INFINITY): boolean {
    let scopes = this.#resources.get(span.resource);
    const newResource = scopes === undefined;
    let group = scopes?.get(span.instrumentationScope);
    // What a new resource or scope adds around the spans: its encoding, tags and lengths.
    let enclosing = 0;
    if (newResource) enclosing += encodedResource(span.resource).length + 12;
    if (group === undefined) enclosing += encodedScope(span.instrumentationScope).length + 6;
    const bytes = group?.bytes ?? this.#spare.pop() ?? Buffer.allocUnsafe(1 << 16);
    const start = group?.length ?? 0;
    // The writer writes into the group's own buffer (and grows it when it must).
    buffer = bytes;
    view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
    pos = start;
    let added = 0;
    try {
      writeByte(0x12);
      const message = beginMessage();
      writeSpan(span);
      endMessage(message);
      added = pos - start + enclosing;
    } finally {
      if (group === undefined && added === 0) this.#spare.push(buffer); // it threw: nothing kept
    }
    if (this.#spans > 0 && this.#bytes + added > maxBytes) {
      // Left past the group's length (or in a group never made), the span's bytes are gone.
      if (group === undefined) this.#spare.push(buffer);
      else group.bytes = buffer;
      return false;
    }
    if (scopes === undefined) {
      scopes = new Map();
      this.#resources.set(span.resource, scopes);
    }
    if (group === undefined) {
      group = { scope: span.instrumentationScope, bytes: buffer, length: 0 };
      scopes.set(span.instrumentationScope, group);
    }
    group.bytes = buffer;
    group.length = pos;
    this.#spans++;
    this.#bytes += added;
    return true;
  }

  /**
   * The request of every span added so far, as one new array; the batch is empty afterwards.
   * Empty (no bytes) when no span was added, as the stock serializer's is.
   */
  take(): Uint8Array {
    const resources = [...this.#resources].map(([resource, scopes]) => ({
      resource: encodedResource(resource),
      schemaUrl: resource.schemaUrl ? encodedStringField(0x1a, resource.schemaUrl) : undefined,
      scopes: [...scopes.values()].map((group) => ({
        group,
        scope: encodedScope(group.scope),
        schemaUrl: group.scope.schemaUrl ? encodedStringField(0x1a, group.scope.schemaUrl) : undefined,
        length: 0,
      })),
      length: 0,
    }));
    let total = 0;
    for (const resource of resources) {
      resource.length = resource.resource.length + (resource.schemaUrl?.length ?? 0);
      for (const scope of resource.scopes) {
        scope.length = scope.scope.length + scope.group.length + (scope.schemaUrl?.length ?? 0);
        resource.length += 1 + varintSize(scope.length) + scope.length;
      }
      total += 1 + varintSize(resource.length) + resource.length;
    }
    const message = Buffer.allocUnsafe(total);
    let at = 0;
    const put = (bytes: Uint8Array) => {
      message.set(bytes, at);
      at += bytes.length;
    };
    const putLength = (tag: number, length: number) => {
      message[at++] = tag;
      while (length > 0x7f) {
        message[at++] = (length & 0x7f) | 0x80;
        length >>>= 7;
      }
      message[at++] = length;
    };
    for (const resource of resources) {
      putLength(0x0a, resource.length);
      put(resource.resource);
      for (const scope of resource.scopes) {
        putLength(0x12, scope.length);
        put(scope.scope);
        put(scope.group.bytes.subarray(0, scope.group.length));
        if (scope.schemaUrl) put(scope.schemaUrl);
        // At most a few groups' buffers are kept; a buffer grown past 4 MiB is let go.
        if (this.#spare.length < 8 && scope.group.bytes.length <= 1 << 22)
          this.#spare.push(scope.group.bytes);
      }
      if (resource.schemaUrl) put(resource.schemaUrl);
    }
    this.#resources.clear();
    this.#spans = 0;
    this.#bytes = 0;
    return message;
  }
}

/** One request of `spans`, as the stock serializer's `serializeRequest` makes it. */
export function encodeOtlpSpans(spans: readonly ReadableSpan[]): Uint8Array {
  const batch = new OtlpSpanBatch();
  for (const span of spans) batch.add(span);
  return batch.take();
}
