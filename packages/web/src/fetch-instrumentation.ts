import { context as contextApi, diag, propagation } from '@opentelemetry/api';
import { errorTypeOf, linkServerSpan } from './http-client-span.js';
import { recordRedirectedTraceHeaders } from './redirected-trace-headers.js';
import {
  addTraceHeaders,
  type RequestInstrumentationOptions,
  recordTraceHeaders,
  requestBaseUrl,
  type StartedRequest,
  startRequestSpan,
} from './request-instrumentation.js';

/**
 * Traces `fetch`: one CLIENT span per call, `traceparent` on requests `shouldPropagate` allows.
 *
 * Wraps whatever `globalThis.fetch` is now (zone.js's patch, usually), so the request still runs
 * through it, inside the span's context. Returns the function that removes the wrapper (or, if
 * something wrapped fetch after us, makes ours a pass-through).
 *
 * The span ends when the response promise settles, that is when the headers have arrived, or
 * when it rejects. The stock instrumentation instead reads a clone of the body to its end and
 * then waits 300 ms for a resource-timing entry: that holds every span (and a tee of every body)
 * in memory, delays its export, and leaves spans of streamed or never-read responses open.
 * Time spent reading the body is the caller's, not the request's.
 */
export function instrumentFetch(options: RequestInstrumentationOptions): () => void {
  const original = globalThis.fetch;
  if (typeof original !== 'function') {
    diag.debug('clicktrace: no fetch to instrument');
    return () => {};
  }
  let enabled = true;

  const tracedFetch = function fetch(this: unknown, ...args: Parameters<typeof globalThis.fetch>) {
    let started: ReturnType<typeof startFetchSpan>;
    try {
      if (enabled) started = startFetchSpan(options, args[0], args[1]);
    } catch (error) {
      diag.error('clicktrace: could not trace a fetch; it is sent untraced', error);
    }
    if (!started) return Reflect.apply(original, this, args) as Promise<Response>;
    const { span } = started;
    const sent = started.args ?? args;
    let response: Promise<Response>;
    try {
      response = contextApi.with(
        started.context,
        () => Reflect.apply(original, this, sent) as Promise<Response>,
      );
    } catch (error) {
      options.open.end(span, 0, errorTypeOf(error), String(error));
      throw error;
    }
    // The caller gets the very promise fetch returned; these handlers only observe it (and,
    // never throwing, add no unhandled rejection of their own).
    void Promise.resolve(response).then(
      (answer) => {
        if (!options.open.has(span)) return; // cut off as the page was left
        // Readable when same-origin or exposed by Access-Control-Expose-Headers; else null.
        linkServerSpan(span, answer.headers.get('server-timing'));
        if (started.propagate && answer.redirected)
          recordRedirectedTraceHeaders(span, answer.url, options.shouldPropagate);
        options.open.end(span, answer.status);
      },
      (error: unknown) => options.open.end(span, 0, errorTypeOf(error), String(error)),
    );
    return response;
  };

  try {
    globalThis.fetch = tracedFetch;
  } catch (error) {
    diag.warn('clicktrace: globalThis.fetch cannot be replaced; fetch is not traced', error);
    return () => {};
  }
  return function uninstrumentFetch() {
    enabled = false;
    if (globalThis.fetch === tracedFetch) globalThis.fetch = original;
  };
}

/**
 * Starts the span of one fetch call and, when the URL may carry trace headers, the arguments to
 * call the fetch below with: the caller's input and a copy of its init whose `headers` are the
 * request's headers plus ours. The caller's Request or init is never mutated, and the Request's
 * body stays where it is. The call keeps its `(input, init)` shape, so a wrapper below ours that
 * merges its own headers into the init (`prev(input, { ...init, headers: { ...init?.headers, x } })`)
 * still sends the request's. Throws only before anything irreversible (the caller then sends the
 * original call untraced).
 */
function startFetchSpan(
  options: RequestInstrumentationOptions,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): (StartedRequest & { args?: [RequestInfo | URL, RequestInit] }) | undefined {
  const request = input instanceof Request ? input : undefined;
  const url = new URL(request ? request.url : String(input), requestBaseUrl());
  const started = startRequestSpan(options, init?.method ?? request?.method ?? 'GET', url);
  if (!started?.propagate) return started;
  let headers: Headers;
  let copy: Record<string, unknown>;
  try {
    // A Request as the init (valid, if rare): fold it into the input, whose settings it replaces.
    if (init instanceof Request) [input, init] = [new Request(input, init), undefined];
    copy = copyInit(init);
    // A no-cors request sends only CORS-safelisted headers: the browser would drop ours unseen.
    if ((copy.mode ?? (input instanceof Request ? input.mode : undefined)) === 'no-cors') {
      recordTraceHeaders(started.span, 'no-cors');
      return started;
    }
    // Headers in an init replace a Request's own: start from whichever fetch would send.
    headers = new Headers(
      (copy.headers as HeadersInit | undefined) ?? (input instanceof Request ? input.headers : undefined),
    );
  } catch (error) {
    // Sent as called, the request fails the same way (a getter that throws, bad headers...).
    recordTraceHeaders(started.span, 'error');
    options.open.end(started.span, 0, errorTypeOf(error), String(error));
    throw error;
  }
  try {
    const ours = addTraceHeaders(options, started);
    // One trace context per request: the caller's trace headers (a traceparent set by hand,
    // its tracestate) give way to ours rather than being sent twice or mismatched.
    if (ours) {
      for (const name of propagation.fields()) headers.delete(name);
      for (const name in ours) headers.set(name, ours[name] as string);
    }
  } catch (error) {
    recordTraceHeaders(started.span, 'error');
    diag.error('clicktrace: could not add trace headers to a fetch', error);
  }
  // A plain object, not the Headers: a wrapper below may spread it, and a Headers spreads to nothing.
  copy.headers = Object.fromEntries(headers);
  return { ...started, args: [input, copy as RequestInit] };
}

/**
 * The settings of a RequestInit fetch reads, on a plain object of our own. Spreading would miss
 * what fetch still sees: settings inherited from a prototype (`Object.create(defaults)`) or
 * defined as getters of a class. Inherited enumerable ones come from `for...in`, getters from
 * the list of settings browsers know (read only where the init has them).
 */
function copyInit(init: RequestInit | undefined): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  if (init == null) return copy;
  const source = init as Record<string, unknown>;
  for (const key in source) copy[key] = source[key];
  for (const key of REQUEST_INIT_KEYS) if (!(key in copy) && key in source) copy[key] = source[key];
  return copy;
}

/** RequestInit's members in the Fetch standard (a class defining others as getters is on its own). */
const REQUEST_INIT_KEYS = [
  'method',
  'headers',
  'body',
  'referrer',
  'referrerPolicy',
  'mode',
  'credentials',
  'cache',
  'redirect',
  'integrity',
  'keepalive',
  'signal',
  'duplex',
  'priority',
  'window',
];
