/**
 * Thrown by `decodeOtlpJson` and `decodeOtlpProtobuf` when a payload is not a valid OTLP
 * trace export request. The message is meant for the sender: the HTTP server returns it
 * as the reason of its 400 response.
 */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}
