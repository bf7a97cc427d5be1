/**
 * The collector's HTTP surface: the OTLP/HTTP traces endpoint, a small JSON API over the
 * store and the viewer page. A bad request never takes the server down: every failure
 * becomes a 4xx/5xx answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { addCorsHeaders, answerPreflight } from './cors.js';
import { decodeOtlpJson } from './decode-otlp-json.js';
import { decodeOtlpProtobuf } from './decode-otlp-protobuf.js';
import { OtlpDecodeError } from './otlp-decode-error.js';
import { BodyError, readBody } from './read-body.js';
import type { TraceBreaks } from './trace-breaks.js';
import type { TraceOwners } from './trace-owners.js';
import type { TraceStore } from './trace-store.js';
import type { TraceSummary } from './types.js';
import { VIEWER_PAGE } from './viewer-page.js';

/** Path of the OTLP/HTTP traces endpoint, as the OTLP specification fixes it. */
export const OTLP_TRACES_PATH = '/v1/traces';

/** Largest accepted body, before and after gunzip. Browser batches are far below this. */
export const BODY_LIMIT_BYTES = 16 * 1024 * 1024;

const TRACE_PATH = /^\/api\/traces\/([0-9a-fA-F]{32})$/;

/** What the HTTP surface serves from. */
export interface CollectorState {
  store: TraceStore;
  breaks: TraceBreaks;
  owners: TraceOwners;
}

export function createHttpServer(state: CollectorState): Server {
  return createServer((request, response) => {
    handle(state, request, response).catch((error: unknown) => {
      // A bug of ours, or a listener of the store that threw: answer instead of crashing.
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) sendJson(response, 500, { error: message });
      else response.destroy();
    });
  });
}

async function handle(
  state: CollectorState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { store, breaks, owners } = state;
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://collector');
  const path = url.pathname;
  const owner = url.searchParams.get('owner') ?? undefined;
  // CORS on the OTLP endpoint only: pages on other origins export here, but no website a
  // developer happens to visit may read the traces or clear them.
  const otlp = path === OTLP_TRACES_PATH;
  if (method === 'OPTIONS') {
    request.resume();
    if (otlp) return answerPreflight(request, response);
    response.writeHead(204, { Allow: 'GET, DELETE, OPTIONS' }).end();
    return;
  }
  if (otlp) addCorsHeaders(request, response);

  if (path === OTLP_TRACES_PATH) {
    if (method !== 'POST') return notAllowed(request, response, 'POST, OPTIONS');
    return receiveTraces(state, owner, request, response);
  }
  if (path === '/api/traces') {
    if (method === 'GET') {
      return sendJson(response, 200, {
        traces: tracesWithBreakCounts(store, breaks, owner === undefined ? undefined : owners.of(owner)),
      });
    }
    if (method === 'DELETE') {
      store.clear();
      owners.clear();
      response.writeHead(204).end();
      return;
    }
    return notAllowed(request, response, 'GET, DELETE, OPTIONS');
  }
  const traceMatch = TRACE_PATH.exec(path);
  if (traceMatch || path.startsWith('/api/traces/')) {
    if (method !== 'GET') return notAllowed(request, response, 'GET, OPTIONS');
    const traceId = traceMatch?.[1]?.toLowerCase();
    const spans = traceId ? store.trace(traceId) : undefined;
    if (!traceId || !spans) return sendJson(response, 404, { error: `trace ${path.slice(12)} not found` });
    return sendJson(response, 200, { traceId, spans, breaks: breaks.of(traceId) });
  }
  if (path === '/api/breaks') {
    if (method !== 'GET') return notAllowed(request, response, 'GET, OPTIONS');
    return sendJson(response, 200, { breaks: breaks.all() });
  }
  if (path === '/health' && (method === 'GET' || method === 'HEAD')) {
    response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
    return;
  }
  if (path === '/' && (method === 'GET' || method === 'HEAD')) {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    response.end(VIEWER_PAGE);
    return;
  }
  request.resume();
  sendJson(response, 404, { error: `no route for ${method} ${path}` });
}

/** POST /v1/traces: https://opentelemetry.io/docs/specs/otlp/#otlphttp */
async function receiveTraces(
  { store, owners }: CollectorState,
  owner: string | undefined,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const isJson = contentType === 'application/json';
  const isProtobuf = contentType === 'application/x-protobuf' || contentType === 'application/protobuf';
  if (!isJson && !isProtobuf) {
    return rejectBody(
      request,
      response,
      415,
      `Content-Type ${contentType || '(none)'} is not supported (use application/json or application/x-protobuf)`,
    );
  }
  let body: Buffer;
  try {
    body = await readBody(request, BODY_LIMIT_BYTES);
  } catch (error) {
    if (error instanceof BodyError) return rejectBody(request, response, error.status, error.message);
    throw error;
  }
  let spans: ReturnType<typeof decodeOtlpJson>;
  try {
    spans = isJson ? decodeOtlpJson(parseJson(body)) : decodeOtlpProtobuf(body);
  } catch (error) {
    if (error instanceof OtlpDecodeError) return sendJson(response, 400, { error: error.message });
    throw error;
  }
  // Owned before they are stored: a test that sees them in the store finds them its own too.
  if (owner !== undefined) owners.add(owner, new Set(spans.map((span) => span.traceId)));
  store.add(spans);
  if (isJson) return sendJson(response, 200, { partialSuccess: {} });
  // An empty ExportTraceServiceResponse: every field at its default, nothing rejected.
  response.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': '0' }).end();
}

/** The trace list, of one owner's traces when `owned` is given. */
function tracesWithBreakCounts(
  store: TraceStore,
  breaks: TraceBreaks,
  owned: ReadonlySet<string> | undefined,
): TraceSummary[] {
  const counts = breaks.countByTrace();
  const summaries = owned === undefined ? store.traces() : store.traces().filter((s) => owned.has(s.traceId));
  return summaries.map((summary) => {
    const breakCount = counts.get(summary.traceId);
    return breakCount === undefined ? summary : { ...summary, breakCount };
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new OtlpDecodeError(`the body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Answers before the body was read. The connection is closed afterwards so an unread
 * (possibly huge) body is not drained into the next request on a keep-alive socket.
 */
function rejectBody(request: IncomingMessage, response: ServerResponse, status: number, error: string): void {
  response.setHeader('Connection', 'close');
  sendJson(response, status, { error });
  request.resume();
}

function notAllowed(request: IncomingMessage, response: ServerResponse, allow: string): void {
  request.resume();
  response.setHeader('Allow', allow);
  sendJson(response, 405, { error: `${request.method} is not allowed here (allowed: ${allow})` });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
