import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { createRateLimiter, type RateLimit } from './rate-limiter.js';
import { addRelayPath } from './relay-paths.js';

export type { RateLimit } from './rate-limiter.js';

/** Options of {@link otlpRelay}. */
export interface OtlpRelayOptions {
  /**
   * The one OTLP/HTTP traces URL every accepted request is forwarded to (`…/v1/traces`), fixed
   * here: nothing in a request (path, Host, X-Forwarded-*) changes where it goes. http(s) only.
   */
  upstream: string | URL;
  /**
   * The path the relay is mounted at. Requests to it make no server span (the server
   * instrumentation asks {@link isRelayRequest}). Default `/v1/traces`, the browser SDK's default
   * endpoint on the page's own origin.
   */
  path?: string;
  /** Largest body accepted, in bytes as sent (compressed, if gzip). Default 1 MiB; larger is answered 413. */
  maxBodyBytes?: number;
  /** Per client address (a token bucket). Default 100 requests per minute; `false` turns it off. */
  rateLimit?: RateLimit | false;
  /** The client address the rate limit counts by. Default the socket's peer address; behind a proxy, read X-Forwarded-For yourself. */
  clientAddress?: (request: IncomingMessage) => string | undefined;
  /** Headers added to every forwarded request, such as a vendor's API key. */
  headers?: Record<string, string>;
  /** How long to wait for upstream, in ms, before answering 504. Default 10 000. */
  timeoutMs?: number;
}

/** The content types OTLP/HTTP defines (https://opentelemetry.io/docs/specs/otlp/#otlphttp). */
const CONTENT_TYPES = new Set(['application/json', 'application/x-protobuf']);
/** The browser's own headers are not forwarded: only these, and the configured ones. */
const FORWARDED = ['content-type', 'content-encoding'] as const;

/**
 * A node:http request handler that accepts OTLP/HTTP trace exports from browsers (on the API's
 * own origin, so no CORS is involved) and forwards them to one fixed `upstream`: the browser
 * SDK's `endpoint` can stay at its default `/v1/traces`, and the collector need not be public.
 *
 * Answers 405 to anything but POST, 415 unless Content-Type is `application/json` or
 * `application/x-protobuf` (and Content-Encoding none, `identity` or `gzip`, passed through
 * unchanged), 413 past `maxBodyBytes` (counted as the body streams in; the rest is not read), 429
 * with Retry-After past the rate limit, 502 when upstream cannot be reached and 504 when it is
 * too slow. Otherwise upstream's status and body go back to the browser.
 *
 * Its requests make no spans: the forward runs with tracing suppressed (no CLIENT span, no
 * traceparent sent upstream), and the incoming POST is skipped through {@link isRelayRequest}.
 * Throws a TypeError at creation for an upstream that is not an http(s) URL.
 *
 * It reads the raw body, so mount it where no body parser has run:
 * - node:http: `createServer((req, res) => (isRelayRequest(req) ? relay(req, res) : app(req, res)))`
 * - Express: `app.post('/v1/traces', relay)`, before `app.use(express.json())`
 * - Fastify (parses bodies before handlers, so in a hook):
 *   `app.addHook('onRequest', (req, reply, done) => { if (!isRelayRequest(req.raw)) return done(); reply.hijack(); relay(req.raw, reply.raw); })`
 * - Hono on @hono/node-server:
 *   `app.post('/v1/traces', (c) => { relay(c.env.incoming, c.env.outgoing); return RESPONSE_ALREADY_SENT; })`
 *   (`RESPONSE_ALREADY_SENT` from `@hono/node-server/utils/response`)
 *
 * @example
 * const relay = otlpRelay({ upstream: 'http://otel-collector:4318/v1/traces' });
 */
export function otlpRelay(
  options: OtlpRelayOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const upstream = checkUpstream(options.upstream);
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const extraHeaders = { ...options.headers };
  const clientAddress = options.clientAddress ?? ((request) => request.socket.remoteAddress);
  const limiter = options.rateLimit === false ? undefined : createRateLimiter(options.rateLimit);
  addRelayPath(options.path ?? '/v1/traces');

  function answer(request: IncomingMessage, response: ServerResponse, status: number, headers = {}): void {
    if (response.writableEnded) return; // already answered (a timeout, then the error it causes)
    if (response.headersSent) {
      response.destroy(); // upstream failed mid-answer
      return;
    }
    // Unread body: close the connection rather than read (or keep alive behind) the rest.
    const close = request.readableEnded ? {} : { connection: 'close' };
    response.writeHead(status, { ...headers, ...close, 'content-length': '0' }).end();
    if (!request.readableEnded) request.resume();
  }

  function forward(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
    const headers: Record<string, string> = { ...extraHeaders, 'content-length': String(body.length) };
    for (const name of FORWARDED) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    context.with(suppressTracing(context.active()), () => {
      const outgoing = send(upstream, { method: 'POST', headers, timeout: timeoutMs }, (reply) => {
        const passed: Record<string, string> = {};
        for (const name of ['content-type', 'content-encoding', 'retry-after']) {
          const value = reply.headers[name];
          if (typeof value === 'string') passed[name] = value;
        }
        response.writeHead(reply.statusCode ?? 502, passed);
        reply.pipe(response);
        reply.on('error', () => response.destroy());
      });
      outgoing.on('timeout', () => {
        answer(request, response, 504);
        outgoing.destroy();
      });
      outgoing.on('error', () => answer(request, response, 502));
      outgoing.end(body);
    });
  }

  return function relayOtlp(request, response) {
    if (request.method !== 'POST') return answer(request, response, 405, { allow: 'POST' });
    if (request.readableEnded) {
      // A body parser ran first: the bytes to forward are gone.
      diag.error(
        '@clicktrace/node otlpRelay: the request body was already read; mount the relay before body parsers',
      );
      return answer(request, response, 500);
    }
    const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
    const encoding = request.headers['content-encoding']?.trim().toLowerCase() ?? 'identity';
    if (!CONTENT_TYPES.has(type) || (encoding !== 'identity' && encoding !== 'gzip')) {
      return answer(request, response, 415);
    }
    if (Number(request.headers['content-length']) > maxBodyBytes) return answer(request, response, 413);
    const wait = limiter?.take(clientAddress(request) ?? '');
    if (wait) return answer(request, response, 429, { 'retry-after': String(Math.ceil(wait / 1000)) });
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (refused) return;
      if (size > maxBodyBytes) {
        refused = true;
        chunks.length = 0;
        answer(request, response, 413);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!refused) forward(request, response, Buffer.concat(chunks, size));
    });
    request.on('error', () => response.destroy());
  };
}

function checkUpstream(upstream: string | URL): URL {
  let url: URL | undefined;
  try {
    url = new URL(upstream);
  } catch {
    // reported below
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new TypeError(`@clicktrace/node otlpRelay: upstream '${String(upstream)}' must be an http(s) URL`);
  }
  return url;
}
