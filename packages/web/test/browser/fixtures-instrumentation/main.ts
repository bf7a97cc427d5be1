// The lean pieces wired by hand: our OTLP/JSON exporter, our fetch and XHR instrumentations, over
// zone.js and the web tracer provider. The spec drives each request shape through window.fixture.
import 'zone.js';
import { context, propagation, trace } from '@opentelemetry/api';
import { ZoneContextManager } from '@opentelemetry/context-zone-peer-dep';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { BatchExportProcessor } from '../../../src/batch-export-processor.js';
import { instrumentFetch } from '../../../src/fetch-instrumentation.js';
import { OpenRequestSpans } from '../../../src/open-request-spans.js';
import { OtlpJsonExporter } from '../../../src/otlp-json-exporter.js';
import { createOriginMatcher } from '../../../src/propagation-allowlist.js';
import type { RequestInstrumentationOptions } from '../../../src/request-instrumentation.js';
import { instrumentXhr } from '../../../src/xhr-instrumentation.js';

const params = new URLSearchParams(location.search);
const API = params.get('api') ?? '';
const OTHER = params.get('other') ?? '';
const CLOSED = params.get('closed') ?? '';
const ENDPOINT = new URL('/v1/traces', location.href).href;
const PRESET_TRACEPARENT = '00-11111111111111111111111111111111-2222222222222222-01';

// Captured before instrumenting: the exporter posts with it, so its requests are never traced.
const originalFetch = globalThis.fetch;
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'instrumentation-fixture' }),
  spanProcessors: [
    new BatchExportProcessor({
      exporter: new OtlpJsonExporter({ url: ENDPOINT, fetch: originalFetch }),
      isHidden: () => document.visibilityState === 'hidden',
      setTimer: (callback, ms) => {
        const timer = setTimeout(callback, ms);
        return () => clearTimeout(timer);
      },
    }),
  ],
});
context.setGlobalContextManager(new ZoneContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(provider);
const tracer = provider.getTracer('instrumentation-fixture');

const options: RequestInstrumentationOptions = {
  tracer,
  shouldPropagate: createOriginMatcher([API], location.origin),
  ignore: (url) => url === ENDPOINT,
  parent: () => ({ context: context.active(), source: 'context' }),
  open: new OpenRequestSpans(),
  pageOrigin: location.origin,
};
const uninstrumentFetch = instrumentFetch(options);
const uninstrumentXhr = instrumentXhr(options);

/** What a case reports back: the response as the app saw it, or the error it got. */
type Outcome = { status?: number; body?: string; error?: { name: string; message: string } };

function describeError(error: unknown): Outcome {
  const { name, message } = error as Error;
  return { error: { name, message } };
}

async function fetchOutcome(run: () => Promise<Response>): Promise<Outcome> {
  try {
    const response = await run();
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return describeError(error);
  }
}

/** One XHR to the end, with `prepare` run between open() and send(). */
function xhrOutcome(
  method: string,
  url: string,
  body?: string,
  prepare: (xhr: XMLHttpRequest) => void = () => {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    prepare(xhr);
    xhr.onloadend = () => resolve({ status: xhr.status, body: xhr.responseText });
    xhr.send(body);
  });
}

const cases: Record<string, () => Promise<Outcome> | Outcome> = {
  fetchString: () => fetchOutcome(() => fetch(`${API}/fetch-string?q=1`)),
  fetchUrl: () => fetchOutcome(() => fetch(new URL(`${API}/fetch-url`))),
  fetchRequestPostJson: () =>
    fetchOutcome(() =>
      fetch(
        new Request(`${API}/fetch-request`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-app': 'kept' },
          body: JSON.stringify({ cart: [1, 2] }),
        }),
      ),
    ),
  fetchRequestWithInit: () =>
    fetchOutcome(() =>
      fetch(new Request(`${API}/fetch-request-init`, { headers: { 'x-app': 'replaced' } }), {
        method: 'PUT',
        headers: { 'x-init': 'yes' },
        body: 'from init',
      }),
    ),
  fetchRelative: () => fetchOutcome(() => fetch('same-origin/relative')),
  fetchOtherOrigin: () => fetchOutcome(() => fetch(`${OTHER}/fetch-other`)),
  fetchPresetTraceparent: () =>
    fetchOutcome(() =>
      fetch(`${API}/fetch-preset`, { headers: { traceparent: PRESET_TRACEPARENT, tracestate: 'app=1' } }),
    ),
  fetchNotFound: () => fetchOutcome(() => fetch(`${API}/status/404`)),
  fetchClosedPort: () => fetchOutcome(() => fetch(CLOSED)),
  fetchClosedPortUntraced: () => fetchOutcome(() => originalFetch(CLOSED)),
  fetchAbort: () => {
    const controller = new AbortController();
    const outcome = fetchOutcome(() => fetch(`${API}/slow`, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    return outcome;
  },
  fetchInParent: () => {
    const parent = tracer.startSpan('parent');
    return context.with(trace.setSpan(context.active(), parent), async () => {
      const outcome = await fetchOutcome(() => fetch(`${API}/fetch-in-parent`));
      parent.end();
      return outcome;
    });
  },
  xhrGet: () => xhrOutcome('GET', `${API}/xhr-get?q=1`),
  xhrPost: () =>
    xhrOutcome('POST', `${API}/xhr-post`, '{"xhr":true}', (xhr) =>
      xhr.setRequestHeader('content-type', 'application/json'),
    ),
  xhrRelative: () => xhrOutcome('GET', 'same-origin/xhr-relative'),
  xhrOtherOrigin: () => xhrOutcome('GET', `${OTHER}/xhr-other`),
  xhrPresetTraceparent: () =>
    xhrOutcome('GET', `${API}/xhr-preset`, undefined, (xhr) => {
      xhr.setRequestHeader('traceparent', PRESET_TRACEPARENT);
      xhr.setRequestHeader('Tracestate', 'app=1');
    }),
  xhrNotFound: () => xhrOutcome('GET', `${API}/status/404`),
  xhrClosedPort: () => xhrOutcome('GET', CLOSED),
  xhrAbort: () => xhrOutcome('GET', `${API}/slow`, undefined, (xhr) => setTimeout(() => xhr.abort(), 50)),
  xhrTimeout: () =>
    xhrOutcome('GET', `${API}/slow`, undefined, (xhr) => {
      xhr.timeout = 50;
    }),
  xhrSync: () => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API}/xhr-sync`, false);
    xhr.send('sync body');
    return { status: xhr.status, body: xhr.responseText };
  },
  xhrSyncClosedPort: () => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', CLOSED, false);
    try {
      xhr.send();
      return { status: xhr.status };
    } catch (error) {
      return describeError(error);
    }
  },
  xhrReused: async () => {
    const xhr = new XMLHttpRequest();
    const once = (path: string) =>
      new Promise<number>((resolve) => {
        xhr.open('GET', `${API}/${path}`);
        xhr.onloadend = () => resolve(xhr.status);
        xhr.send();
      });
    return { body: String([await once('xhr-reuse-1'), await once('xhr-reuse-2')]) };
  },
};

Object.assign(window, {
  fixture: {
    run: (name: string) => (cases[name] as () => Promise<Outcome>)(),
    flush: () => provider.forceFlush(),
    uninstrument() {
      uninstrumentFetch();
      uninstrumentXhr();
    },
  },
});
