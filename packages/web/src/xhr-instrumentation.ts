import { context as contextApi, diag, type Span } from '@opentelemetry/api';
import { errorTypeOf, linkServerSpan } from './http-client-span.js';
import { recordRedirectedTraceHeaders } from './redirected-trace-headers.js';
import {
  addTraceHeaders,
  isTraceHeader,
  type RequestInstrumentationOptions,
  recordTraceHeaders,
  requestBaseUrl,
  type StartedRequest,
  startRequestSpan,
} from './request-instrumentation.js';

/** What we know of one XMLHttpRequest between open() and the end of its request. */
interface XhrState {
  method: string;
  url: URL;
  /** Trace headers the caller set, held back until send() decides whether ours replace them. */
  traceHeaders: Array<[string, string]>;
  sent: boolean;
  span?: Span;
  /** Whether our trace headers were set on the request. */
  propagated?: boolean;
  /** `error`, `abort` or `timeout`, from the event that preceded loadend. */
  failure?: string;
}

/** The events a request ends with: a failure (`error`, `abort`, `timeout`), then `loadend`. */
const END_EVENTS = ['error', 'abort', 'timeout', 'loadend'];

/**
 * Traces `XMLHttpRequest`: one CLIENT span per send(), from send() to loadend, with
 * `traceparent` on requests `shouldPropagate` allows. Patches `open` (to learn method and URL),
 * `setRequestHeader` (XHR appends a header set twice, so a caller's own traceparent is held
 * back and replaced by ours) and `send` on the prototype, wrapping what is there (zone.js's
 * patches). Synchronous requests work too: their events fire inside send(), and a network
 * error is thrown from it. Returns the function that removes the patches (or makes them
 * pass-throughs if something patched after us).
 */
export function instrumentXhr(options: RequestInstrumentationOptions): () => void {
  if (typeof XMLHttpRequest !== 'function') {
    diag.debug('clicktrace: no XMLHttpRequest to instrument');
    return () => {};
  }
  const prototype = XMLHttpRequest.prototype;
  // Renamed: the wrappers below are named like the methods they replace, for stack traces.
  const { open: originalOpen, send: originalSend, setRequestHeader: originalSetRequestHeader } = prototype;
  const states = new WeakMap<XMLHttpRequest, XhrState>();
  let enabled = true;

  function finish(xhr: XMLHttpRequest, state: XhrState, errorType?: string, message?: string): void {
    const span = state.span;
    if (!span) return;
    state.span = undefined;
    for (const type of END_EVENTS) xhr.removeEventListener(type, onEvent);
    // getAllResponseHeaders lists only the readable headers, where getResponseHeader would log
    // "Refused to get unsafe header" for an unexposed one.
    if (!options.open.has(span)) return; // cut off as the page was left
    if (!errorType) {
      linkServerSpan(span, /^server-timing: (.*)$/m.exec(xhr.getAllResponseHeaders())?.[1]);
      // responseURL is the URL after redirects ('' when CORS hid the response).
      if (state.propagated && xhr.responseURL !== state.url.href)
        recordRedirectedTraceHeaders(span, xhr.responseURL, options.shouldPropagate);
    }
    options.open.end(span, errorType ? 0 : xhr.status, errorType, message);
  }

  function onEvent(this: XMLHttpRequest, event: Event): void {
    const state = states.get(this);
    if (!state?.span) return;
    if (event.type === 'loadend') finish(this, state, state.failure);
    else state.failure = event.type;
  }

  const tracedOpen = function open(this: XMLHttpRequest, ...args: unknown[]) {
    // First the real open: if it throws (bad method or URL), there is nothing to trace.
    const result: unknown = Reflect.apply(originalOpen, this, args);
    try {
      const previous = states.get(this);
      // open() during a request cancels it without firing abort or loadend.
      if (previous) finish(this, previous, 'abort');
      if (enabled) {
        states.set(this, {
          method: String(args[0]),
          url: new URL(String(args[1]), requestBaseUrl()),
          traceHeaders: [],
          sent: false,
        });
      } else states.delete(this);
    } catch (error) {
      states.delete(this);
      diag.error('clicktrace: could not trace an XMLHttpRequest; it is sent untraced', error);
    }
    return result;
  };

  const tracedSetRequestHeader = function setRequestHeader(
    this: XMLHttpRequest,
    name: string,
    value: string,
  ) {
    const state = states.get(this);
    if (state && !state.sent && isTraceHeader(String(name))) {
      state.traceHeaders.push([name, value]);
      return;
    }
    Reflect.apply(originalSetRequestHeader, this, [name, value]);
  };

  const tracedSend = function send(this: XMLHttpRequest, ...args: unknown[]) {
    const state = states.get(this);
    // Not opened through us, or a second send() (which throws InvalidStateError): untouched.
    if (!state || state.sent) return Reflect.apply(originalSend, this, args);
    state.sent = true;
    let started: StartedRequest | undefined;
    let headers: Array<[string, string]> = state.traceHeaders;
    try {
      started = enabled ? startRequestSpan(options, state.method, state.url) : undefined;
      if (started) {
        state.span = started.span;
        state.failure = undefined;
        for (const type of END_EVENTS) this.addEventListener(type, onEvent);
        const ours = started.propagate ? Object.entries(addTraceHeaders(options, started) ?? {}) : [];
        if (ours.length > 0) headers = ours;
        state.propagated = ours.length > 0;
      }
    } catch (error) {
      if (started?.propagate) recordTraceHeaders(started.span, 'error');
      diag.error('clicktrace: could not trace an XMLHttpRequest', error);
    }
    for (const [name, value] of headers) Reflect.apply(originalSetRequestHeader, this, [name, value]);
    if (!started) return Reflect.apply(originalSend, this, args);
    try {
      return contextApi.with(started.context, () => Reflect.apply(originalSend, this, args));
    } catch (error) {
      // A synchronous request throws its network error (NetworkError) from send().
      finish(this, state, errorTypeOf(error), String(error));
      throw error;
    }
  };

  try {
    prototype.open = tracedOpen as XMLHttpRequest['open'];
    prototype.setRequestHeader = tracedSetRequestHeader;
    prototype.send = tracedSend;
  } catch (error) {
    prototype.open = originalOpen;
    prototype.setRequestHeader = originalSetRequestHeader;
    prototype.send = originalSend;
    diag.warn('clicktrace: XMLHttpRequest cannot be patched; it is not traced', error);
    return () => {};
  }
  return function uninstrumentXhr() {
    enabled = false;
    if (prototype.open === tracedOpen) prototype.open = originalOpen;
    if (prototype.setRequestHeader === tracedSetRequestHeader) {
      prototype.setRequestHeader = originalSetRequestHeader;
    }
    if (prototype.send === tracedSend) prototype.send = originalSend;
  };
}
