// The floor: the least that tracing a server request can cost, written only as a yardstick for
// clicktrace (never a code path of the product). Loaded with `node --import ./floor-tracer.mjs`.
// Per request it does what any tracer of this kind must do and nothing else:
// - parse the caller's `traceparent` (W3C Trace Context, version 00);
// - make a span id (and a trace id when there is no caller) from pooled random bytes;
// - run the request's listeners in AsyncLocalStorage.run() with the span as the store;
// - eight attributes at the start, the status code at the end;
// - add the Server-Timing backlink when the response writes its head;
// - encode ended spans as OTLP protobuf by hand (no intermediate objects) and POST them in batches
//   of up to 512 (or every second) to OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces over keep-alive.
// It has no sampler, no span limits, no error handling, no retries and no options.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';
import http from 'node:http';

const storage = new AsyncLocalStorage();
const url = new URL(`${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const SPAN = Symbol('floor.span');
const BATCH = 512;

// ---- ids: one random pool, refilled when used up ----
const pool = Buffer.allocUnsafe(8192);
let poolAt = pool.length;
function randomHex(bytes) {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return hex;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

// ---- clock: epoch ms at start + performance.now(), as nanoseconds at encode time ----
const originMs = performance.timeOrigin;

// ---- spans ----
const ended = [];

function startSpan(request) {
  const match = TRACEPARENT.exec(request.headers.traceparent ?? '');
  const valid = match !== null && match[1] !== ZERO_TRACE && match[2] !== ZERO_SPAN;
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  const host = request.headers.host ?? '';
  const colon = host.lastIndexOf(':');
  return {
    traceId: valid ? match[1] : randomHex(16),
    spanId: randomHex(8),
    parentId: valid ? match[2] : undefined,
    name: request.method,
    start: performance.now(),
    end: 0,
    attributes: [
      ['http.request.method', request.method],
      ['url.path', query === -1 ? url : url.slice(0, query)],
      ['url.scheme', 'http'],
      ['network.protocol.version', request.httpVersion],
      ['server.address', colon === -1 ? host : host.slice(0, colon)],
      ['server.port', colon === -1 ? 80 : Number(host.slice(colon + 1))],
      ['client.address', request.socket.remoteAddress ?? ''],
      ['user_agent.original', request.headers['user-agent'] ?? ''],
    ],
  };
}

// FLOOR_EXPORT=0: spans end and are dropped (the request-cpu benchmark's parts).
const EXPORTING = process.env.FLOOR_EXPORT !== '0';

function endSpan() {
  const span = this[SPAN];
  span.end = performance.now();
  span.attributes.push(['http.response.status_code', this.statusCode]);
  if (!EXPORTING) return;
  ended.push(span);
  if (ended.length >= BATCH) exportSpans();
}

const originalEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function emit(event, ...args) {
  if (event !== 'request') return originalEmit.call(this, event, ...args);
  const [request, response] = args;
  const span = startSpan(request);
  response[SPAN] = span;
  response.on('close', endSpan);
  return storage.run(span, Reflect.apply, originalEmit, this, [event, ...args]);
};

const originalWriteHead = http.ServerResponse.prototype.writeHead;
http.ServerResponse.prototype.writeHead = function writeHead(...args) {
  const span = this[SPAN];
  if (span !== undefined && !this.headersSent) {
    this.setHeader('server-timing', `traceparent;desc="00-${span.traceId}-${span.spanId}-01"`);
  }
  return originalWriteHead.apply(this, args);
};

// ---- OTLP protobuf, by hand ----
// ExportTraceServiceRequest { 1: ResourceSpans { 1: Resource, 2: ScopeSpans { 1: Scope, 2: Span* } } }
let out = Buffer.allocUnsafe(1 << 20);
let at = 0;

function ensure(bytes) {
  if (at + bytes <= out.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + bytes));
  out.copy(bigger, 0, 0, at);
  out = bigger;
}
function varint(value) {
  while (value > 0x7f) {
    out[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[at++] = value;
}
const varintSize = (value) => (value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4);
function stringField(tag, text) {
  const length = Buffer.byteLength(text);
  out[at++] = tag;
  varint(length);
  at += out.write(text, at, 'utf8');
}
function hexField(tag, hex) {
  out[at++] = tag;
  out[at++] = hex.length >> 1;
  at += out.write(hex, at, 'hex');
}
function fixed64Nanos(tag, ms) {
  out[at++] = tag;
  const nanos =
    BigInt(Math.floor(originMs + ms)) * 1_000_000n + BigInt(Math.round(((originMs + ms) % 1) * 1e6));
  out.writeBigUInt64LE(nanos, at);
  at += 8;
}
/** One KeyValue { 1: key, 2: AnyValue { 1: string_value | 3: int_value } }. */
function attribute(key, value) {
  const keyLength = Buffer.byteLength(key);
  let valueLength;
  if (typeof value === 'number') valueLength = 1 + varintSize(value);
  else {
    const textLength = Buffer.byteLength(value);
    valueLength = 1 + varintSize(textLength) + textLength;
  }
  const length = 1 + varintSize(keyLength) + keyLength + 1 + varintSize(valueLength) + valueLength;
  out[at++] = 0x4a; // Span.attributes = 9, length-delimited
  varint(length);
  stringField(0x0a, key);
  out[at++] = 0x12;
  varint(valueLength);
  if (typeof value === 'number') {
    out[at++] = 0x18;
    varint(value);
  } else stringField(0x0a, value);
}

const resource = encodeOnce((write) =>
  write.stringKeyValue('service.name', process.env.OTEL_SERVICE_NAME ?? 'floor'),
);
const scope = encodeOnce((write) => write.string(0x0a, 'floor-tracer'));

/** Bytes encoded once at start (the resource and the scope), each as its own message body. */
function encodeOnce(body) {
  const parts = [];
  body({
    string: (tag, text) => parts.push(Buffer.from([tag, Buffer.byteLength(text)]), Buffer.from(text)),
    stringKeyValue: (key, value) => {
      const kv = Buffer.concat([
        Buffer.from([0x0a, key.length]),
        Buffer.from(key),
        Buffer.from([0x12, value.length + 2, 0x0a, value.length]),
        Buffer.from(value),
      ]);
      parts.push(Buffer.from([0x0a, kv.length]), kv);
    },
  });
  return Buffer.concat(parts);
}

function encodeSpan(span) {
  // A span is at most a few hundred bytes: reserve two bytes for its length and move it if needed.
  ensure(4096);
  out[at++] = 0x12; // ScopeSpans.spans = 2
  const lengthAt = at;
  at += 2;
  const bodyAt = at;
  hexField(0x0a, span.traceId);
  hexField(0x12, span.spanId);
  if (span.parentId !== undefined) hexField(0x22, span.parentId);
  stringField(0x2a, span.name);
  out[at++] = 0x30; // kind = SERVER
  out[at++] = 2;
  fixed64Nanos(0x39, span.start);
  fixed64Nanos(0x41, span.end);
  for (const [key, value] of span.attributes) attribute(key, value);
  const length = at - bodyAt;
  if (length < 0x80) {
    out[lengthAt] = length;
    out.copy(out, lengthAt + 1, bodyAt, at);
    at -= 1;
  } else {
    out[lengthAt] = (length & 0x7f) | 0x80;
    out[lengthAt + 1] = length >> 7;
  }
}

function exportSpans() {
  if (ended.length === 0) return;
  const spans = ended.splice(0);
  at = 0;
  for (const span of spans) encodeSpan(span);
  const spansBytes = at;
  const scopeSpansLength = 1 + varintSize(scope.length) + scope.length + spansBytes;
  const resourceSpansLength =
    1 + varintSize(resource.length) + resource.length + 1 + varintSize(scopeSpansLength) + scopeSpansLength;
  const head = Buffer.allocUnsafe(32 + resource.length + scope.length);
  const body = out;
  out = head;
  at = 0;
  out[at++] = 0x0a; // ExportTraceServiceRequest.resource_spans = 1
  varint(resourceSpansLength);
  out[at++] = 0x0a; // ResourceSpans.resource = 1
  varint(resource.length);
  at += resource.copy(out, at);
  out[at++] = 0x12; // ResourceSpans.scope_spans = 2
  varint(scopeSpansLength);
  out[at++] = 0x0a; // ScopeSpans.scope = 1
  varint(scope.length);
  at += scope.copy(out, at);
  const message = Buffer.concat([head.subarray(0, at), body.subarray(0, spansBytes)]);
  out = body;
  at = 0;
  const post = http.request(url, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/x-protobuf', 'content-length': message.length },
  });
  post.on('response', (response) => response.resume());
  post.on('error', () => {});
  post.end(message);
}

setInterval(exportSpans, 1000).unref();
// The server closes on SIGTERM; what is still buffered goes before the process ends.
process.on('beforeExit', exportSpans);
