/**
 * Field conversions both decoders share, so a span decoded from JSON and the same span
 * decoded from protobuf are equal to the last field.
 */
import type { AttributeValue, SpanKindName, StatusCodeName } from './types.js';

/** Index = OTLP `SpanKind` number. */
export const SPAN_KIND_NAMES: readonly SpanKindName[] = [
  'UNSPECIFIED',
  'INTERNAL',
  'SERVER',
  'CLIENT',
  'PRODUCER',
  'CONSUMER',
];

/** Index = OTLP `Status.StatusCode` number. */
export const STATUS_CODE_NAMES: readonly StatusCodeName[] = ['UNSET', 'OK', 'ERROR'];

/** Resource attribute that names the service (semantic conventions). */
export const SERVICE_NAME_KEY = 'service.name';

/** What the OpenTelemetry SDKs report when no service name was configured. */
export const UNKNOWN_SERVICE = 'unknown_service';

export function serviceNameOf(resource: Record<string, AttributeValue>): string {
  const name = resource[SERVICE_NAME_KEY];
  return typeof name === 'string' && name !== '' ? name : UNKNOWN_SERVICE;
}

/** OTLP marks a root span with an empty or all-zero parent id; both mean "no parent". */
export function isAbsentId(hex: string): boolean {
  return /^0*$/.test(hex);
}

/** int64 as a number when that is exact, else as a decimal string (never rounded). */
export function int64ToAttribute(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Sets an attribute as an own property, so a key such as `__proto__` from the wire is
 * stored like any other key instead of replacing the object's prototype.
 */
export function setAttribute(
  target: Record<string, AttributeValue>,
  key: string,
  value: AttributeValue,
): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
