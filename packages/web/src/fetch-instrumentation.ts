import { context as contextApi, diag } from '@opentelemetry/api';
import { endHttpClientSpan, errorTypeOf, linkServerSpan } from './http-client-span.js';
import {
  isTraceHeader,
  type RequestInstrumentationOptions,
  requestBaseUrl,
  type StartedRequest,
  startRequestSpan,
  traceHeaders,
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
    let started: (StartedRequest & { request?: Request }) | undefined;
    try {
      if (enabled) started = startFetchSpan(options, args[0], args[1]);
    } catch (error) {
      diag.error('clicktrace: could not trace a fetch; it is sent untraced', error);
    }
    if (!started) return Reflect.apply(original, this, args) as Promise<Response>;
    const { span, request } = started;
    let response: Promise<Response>;
    try {
      response = contextApi.with(
        started.context,
        () => Reflect.apply(original, this, request ? [request] : args) as Promise<Response>,
      );
    } catch (error) {
      endHttpClientSpan(span, 0, errorTypeOf(error), String(error));
      throw error;
    }
    // The caller gets the very promise fetch returned; these handlers only observe it (and,
    // never throwing, add no unhandled rejection of their own).
    void Promise.resolve(response).then(
      (answer) => {
        // Readable when same-origin or exposed by Access-Control-Expose-Headers; else null.
        linkServerSpan(span, answer.headers.get('server-timing'));
        endHttpClientSpan(span, answer.status);
      },
      (error: unknown) => endHttpClientSpan(span, 0, errorTypeOf(error), String(error)),
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
 * Starts the span of one fetch call and, when the URL may carry trace headers, builds the
 * Request to send instead: the caller's Request or init is never mutated, and on a Request the
 * headers cannot be passed separately, so a new Request (input, init, our headers) carries them.
 * Throws only before anything irreversible (the caller then sends the original call untraced).
 */
function startFetchSpan(
  options: RequestInstrumentationOptions,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): (StartedRequest & { request?: Request }) | undefined {
  const isRequest = input instanceof Request;
  const url = new URL(isRequest ? input.url : String(input), requestBaseUrl());
  const started = startRequestSpan(options, init?.method ?? (isRequest ? input.method : 'GET'), url);
  if (!started?.propagate) return started;
  let request: Request;
  try {
    // Absolute URL: the Request constructor resolves like fetch does, but not outside documents.
    request = new Request(isRequest ? input : url.href, init);
  } catch (error) {
    // Sent as called, the request fails the same way (credentials in the URL, a used body...).
    endHttpClientSpan(started.span, 0, errorTypeOf(error), String(error));
    throw error;
  }
  // From here on the caller's Request body belongs to `request`: send it whatever happens.
  try {
    const headers = traceHeaders(started.context);
    // One trace context per request: the caller's trace headers (a traceparent set by hand,
    // its tracestate) give way to ours rather than being sent twice or mismatched.
    if (Object.keys(headers).length > 0) {
      for (const name of [...request.headers.keys()]) if (isTraceHeader(name)) request.headers.delete(name);
    }
    for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
  } catch (error) {
    diag.error('clicktrace: could not add trace headers to a fetch', error);
  }
  return { ...started, request };
}
