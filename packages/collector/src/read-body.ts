/**
 * Reads a request body with a size limit, gunzipping it when the sender compressed it.
 * The limit applies both on the wire and after decompression, so neither a huge upload
 * nor a small gzip bomb can exhaust memory.
 */
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';

/** A body that cannot be accepted; `status` is the HTTP status to answer with. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'gzip' && encoding !== 'identity') {
    throw new BodyError(415, `Content-Encoding ${encoding} is not supported (use gzip or none)`);
  }
  const declared = Number(request.headers['content-length']);
  if (declared > limitBytes) throw tooLarge(limitBytes);

  const raw = await collect(request, limitBytes);
  return encoding === 'gzip' ? gunzipWithin(raw, limitBytes) : raw;
}

/**
 * Listens to 'data' rather than iterating the stream: leaving a `for await` early destroys
 * the request, and with it the socket the 413 answer has to go out on.
 */
function collect(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received > limitBytes) {
        chunks.length = 0;
        reject(tooLarge(limitBytes));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    // After 'end' this is a no-op; before it, the sender went away mid-body.
    request.on('close', () =>
      reject(new BodyError(400, 'the connection closed before the body was complete')),
    );
  });
}

function gunzipWithin(compressed: Buffer, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(compressed, { maxOutputLength: limitBytes }, (error, result) => {
      if (!error) resolve(result);
      else if (error instanceof RangeError) reject(tooLarge(limitBytes));
      else reject(new BodyError(400, `the body is not valid gzip: ${error.message}`));
    });
  });
}

function tooLarge(limitBytes: number): BodyError {
  return new BodyError(413, `the body is larger than ${limitBytes} bytes`);
}
