import type { IncomingMessage, ServerResponse } from 'node:http';

/** Origins allowed to call the API: exact origins (`'https://shop.example.com'`) or RegExps tested against the origin. */
export type CorsOrigins = ReadonlyArray<string | RegExp>;

/** Options of {@link corsPolicy} and of every CORS adapter. */
export interface CorsOptions {
  /**
   * Who may call. A string is an exact origin (`scheme://host[:port]`); a RegExp is tested against
   * the request's `Origin` only, as the browser SDK's `propagateTo` is, so anchor it
   * (`/^https:\/\/[a-z]+\.example\.com$/`). The opaque origin `null` is never allowed.
   */
  origins: CorsOrigins;
  /** Access-Control-Allow-Methods. Default GET, HEAD, POST, PUT, PATCH, DELETE. */
  methods?: readonly string[];
  /**
   * Request headers the browser may send, besides `traceparent`, `tracestate` and `baggage`,
   * which are always allowed. A fixed list: requested headers are never echoed back.
   * Default `['Content-Type']`.
   */
  allowHeaders?: readonly string[];
  /** Response headers the page may read. Default `['Server-Timing']` (the server span backlink). */
  exposeHeaders?: readonly string[];
  /** Sends `Access-Control-Allow-Credentials: true` (cookies, HTTP auth). Default false. */
  credentials?: boolean;
  /** How long (seconds) the browser may cache a preflight answer. Default 600. */
  maxAge?: number;
}

/** The parts of a request CORS looks at. */
export interface CorsRequest {
  method: string | undefined;
  /** The `Origin` header. */
  origin: string | undefined;
  /** The `Access-Control-Request-Method` header. */
  requestMethod: string | undefined;
}

/**
 * What to answer. `preflight`: reply `204` with `headers` and nothing else (the route is not
 * run). Otherwise serve the request as usual, with `headers` added. `headers` is empty but for
 * `Vary: Origin` when the origin is not allowed: the browser then blocks the page from reading
 * the answer (and a preflight from sending the request).
 */
export interface CorsDecision {
  preflight: boolean;
  headers: Record<string, string>;
}

/** Always allowed: the W3C Trace Context and Baggage headers the browser SDK sends. */
export const TRACE_HEADERS = ['traceparent', 'tracestate', 'baggage'] as const;

const DEFAULT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The CORS decision for one request, over plain values: the adapters below apply it to node:http,
 * Express, Fastify and Hono. Options are checked once, here: a malformed origin throws a TypeError.
 *
 * A preflight is an OPTIONS request with `Access-Control-Request-Method` (the Fetch standard's
 * definition, the same one the server instrumentation uses to make no span for it).
 */
export function corsPolicy(options: CorsOptions): (request: CorsRequest) => CorsDecision {
  const isAllowed = originMatcher(options.origins);
  const allowHeaders = [...TRACE_HEADERS, ...(options.allowHeaders ?? ['Content-Type'])].join(', ');
  const methods = (options.methods ?? DEFAULT_METHODS).join(', ');
  const exposeHeaders = (options.exposeHeaders ?? ['Server-Timing']).join(', ');
  const maxAge = String(options.maxAge ?? 600);
  return function decide({ method, origin, requestMethod }) {
    const preflight = method === 'OPTIONS' && requestMethod !== undefined;
    // The answer depends on Origin, so caches must keep one copy per origin.
    const headers: Record<string, string> = { vary: 'Origin' };
    if (origin === undefined || !isAllowed(origin)) return { preflight, headers };
    headers['access-control-allow-origin'] = origin;
    if (options.credentials) headers['access-control-allow-credentials'] = 'true';
    if (preflight) {
      headers['access-control-allow-methods'] = methods;
      headers['access-control-allow-headers'] = allowHeaders;
      headers['access-control-max-age'] = maxAge;
    } else if (exposeHeaders) headers['access-control-expose-headers'] = exposeHeaders;
    return { preflight, headers };
  };
}

function originMatcher(origins: CorsOrigins): (origin: string) => boolean {
  if (!Array.isArray(origins)) throw new TypeError('@clicktrace/node cors: origins must be an array');
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  origins.forEach((entry: unknown, index) => {
    if (entry instanceof RegExp) patterns.push(new RegExp(entry.source, entry.flags.replace(/[gy]/g, '')));
    else if (typeof entry === 'string') exact.add(parseOrigin(entry, index));
    else throw new TypeError(`@clicktrace/node cors: origins[${index}] must be an origin string or a RegExp`);
  });
  return (origin) => origin !== 'null' && (exact.has(origin) || patterns.some((p) => p.test(origin)));
}

function parseOrigin(entry: string, index: number): string {
  let url: URL | undefined;
  try {
    url = new URL(entry);
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.href !== `${url.origin}/`) {
    throw new TypeError(
      `@clicktrace/node cors: origins[${index}] '${entry}' must be an http(s) origin only, like 'https://shop.example.com'`,
    );
  }
  return url.origin;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The {@link CorsRequest} of a node:http request. */
export function corsRequestOf(request: IncomingMessage): CorsRequest {
  return {
    method: request.method,
    origin: header(request, 'origin'),
    requestMethod: header(request, 'access-control-request-method'),
  };
}

/** Adds `Origin` to a Vary value, keeping what is there. */
export function varyWithOrigin(current: unknown): string {
  const value = Array.isArray(current) ? current.join(', ') : typeof current === 'string' ? current : '';
  if (value === '') return 'Origin';
  return /(^|,)\s*(origin|\*)\s*(,|$)/i.test(value) ? value : `${value}, Origin`;
}

/**
 * CORS for a node:http (or Connect/Express) handler. Returns `true` when it answered a preflight
 * (204, response ended): the handler must stop. Otherwise the headers are set and it returns
 * `false`.
 *
 * @example
 * const handleCors = cors({ origins: ['https://shop.example.com'] });
 * createServer((req, res) => { if (handleCors(req, res)) return; ... });
 */
export function cors(options: CorsOptions): (request: IncomingMessage, response: ServerResponse) => boolean {
  const decide = corsPolicy(options);
  return function handleCors(request, response) {
    const { preflight, headers } = decide(corsRequestOf(request));
    for (const [name, value] of Object.entries(headers)) {
      response.setHeader(name, name === 'vary' ? varyWithOrigin(response.getHeader('vary')) : value);
    }
    if (preflight) response.writeHead(204, { 'content-length': '0' }).end();
    return preflight;
  };
}

/**
 * Express (4 and 5) / Connect middleware: `app.use(corsMiddleware({ origins }))`, before the routes.
 * Answers preflights for every path, routed or not.
 */
export function corsMiddleware(
  options: CorsOptions,
): (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void {
  const handleCors = cors(options);
  return function clicktraceCors(request, response, next) {
    if (!handleCors(request, response)) next();
  };
}
