/**
 * A minimal reader for the protobuf wire format: https://protobuf.dev/programming-guides/encoding/
 *
 * Hand-written because the collector has no runtime dependencies, and the stock
 * `@opentelemetry/otlp-transformer` only encodes requests (it decodes nothing but the
 * export response). OTLP traces need just varints, fixed64, doubles and
 * length-delimited fields, so this stays small. Every read is bounds-checked and
 * throws `OtlpDecodeError`, never reads past its message.
 */
import { OtlpDecodeError } from './otlp-decode-error.js';

export const WireType = {
  VARINT: 0,
  I64: 1,
  LEN: 2,
  SGROUP: 3,
  EGROUP: 4,
  I32: 5,
} as const;

/** Deeper nesting than this is hostile input (AnyValue can nest without limit). */
const MAX_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class ProtobufReader {
  private readonly _bytes: Uint8Array;
  private readonly _view: DataView;
  private readonly _end: number;
  private readonly _depth: number;
  private _pos: number;

  constructor(bytes: Uint8Array, depth = 0) {
    if (depth > MAX_DEPTH) throw new OtlpDecodeError(`protobuf: messages nested deeper than ${MAX_DEPTH}`);
    this._bytes = bytes;
    this._view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this._end = bytes.byteLength;
    this._depth = depth;
    this._pos = 0;
  }

  get done(): boolean {
    return this._pos >= this._end;
  }

  /** Reads a field key; returns its field number and wire type. */
  tag(): { field: number; wireType: number } {
    const key = this._varint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) throw new OtlpDecodeError(`protobuf: invalid field number 0 at byte ${this._pos}`);
    return { field, wireType };
  }

  /** uint32 / enum / bool / length: any varint that fits a JS number. */
  uint32(wireType: number): number {
    this._expect(wireType, WireType.VARINT);
    return Number(BigInt.asUintN(32, this._varint()));
  }

  int64(wireType: number): bigint {
    this._expect(wireType, WireType.VARINT);
    return BigInt.asIntN(64, this._varint());
  }

  bool(wireType: number): boolean {
    this._expect(wireType, WireType.VARINT);
    return this._varint() !== 0n;
  }

  fixed64(wireType: number): bigint {
    this._expect(wireType, WireType.I64);
    const value = this._view.getBigUint64(this._take(8), true);
    return value;
  }

  double(wireType: number): number {
    this._expect(wireType, WireType.I64);
    return this._view.getFloat64(this._take(8), true);
  }

  bytes(wireType: number): Uint8Array {
    this._expect(wireType, WireType.LEN);
    const length = this._length();
    const start = this._take(length);
    return this._bytes.subarray(start, start + length);
  }

  string(wireType: number): string {
    const bytes = this.bytes(wireType);
    try {
      return utf8.decode(bytes);
    } catch {
      throw new OtlpDecodeError('protobuf: a string field is not valid UTF-8');
    }
  }

  /** A reader over an embedded message, bounded to its own bytes. */
  message(wireType: number): ProtobufReader {
    return new ProtobufReader(this.bytes(wireType), this._depth + 1);
  }

  /** Skips a field this decoder does not know, so newer senders keep working. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this._varint();
        return;
      case WireType.I64:
        this._take(8);
        return;
      case WireType.LEN:
        this._take(this._length());
        return;
      case WireType.I32:
        this._take(4);
        return;
      default:
        // Groups are deprecated and never appear in OTLP.
        throw new OtlpDecodeError(`protobuf: unsupported wire type ${wireType} at byte ${this._pos}`);
    }
  }

  private _expect(actual: number, expected: number): void {
    if (actual !== expected) {
      throw new OtlpDecodeError(
        `protobuf: wire type ${actual} where ${expected} was expected at byte ${this._pos}`,
      );
    }
  }

  private _length(): number {
    const length = this._varint();
    if (length > BigInt(this._end - this._pos)) {
      throw new OtlpDecodeError(
        `protobuf: truncated message (field of ${length} bytes at byte ${this._pos})`,
      );
    }
    return Number(length);
  }

  /** Advances past `count` bytes and returns where they start. */
  private _take(count: number): number {
    if (this._pos + count > this._end) {
      throw new OtlpDecodeError(`protobuf: truncated message at byte ${this._pos}`);
    }
    const start = this._pos;
    this._pos += count;
    return start;
  }

  private _varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this._pos >= this._end)
        throw new OtlpDecodeError(`protobuf: truncated varint at byte ${this._pos}`);
      const byte = this._bytes[this._pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
    throw new OtlpDecodeError(`protobuf: varint longer than 10 bytes at byte ${this._pos}`);
  }
}
