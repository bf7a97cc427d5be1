import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  trace,
} from '@opentelemetry/api';
import { suppressTracing, TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { instrumentFetch } from '../src/fetch-instrumentation.js';
import { OpenRequestSpans } from '../src/open-request-spans.js';
import type { RequestParent } from '../src/request-instrumentation.js';
import { SyncContextManager } from './sync-context-manager.js';

const PAGE = 'http://127.0.0.1:5173/shop/cart';
const API = 'http://127.0.0.1:3001';

interface Call {
  args: unknown[];
  activeSpan: Span | undefined;
}

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('fetch-test');
let calls: Call[];
let answer: (input: unknown) => Promise<Response>;
let unpatch: () => void;
let parent: () => RequestParent;
let shouldPropagate: (url: string) => boolean;
const originalFetch = globalThis.fetch;

beforeAll(() => {
  context.setGlobalContextManager(new SyncContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});

beforeEach(() => {
  exporter.reset();
  calls = [];
  answer = () => Promise.resolve(new Response('ok'));
  parent = () => ({ context: context.active(), source: 'context' });
  shouldPropagate = (url) => new URL(url).origin === API || new URL(url).origin === new URL(PAGE).origin;
  vi.stubGlobal('location', { href: PAGE, origin: new URL(PAGE).origin });
  // Stands for the browser's (or zone.js's) fetch that ours wraps.
  globalThis.fetch = function fetch(...args: unknown[]) {
    calls.push({ args, activeSpan: trace.getActiveSpan() });
    return answer(args[0]);
  } as typeof globalThis.fetch;
  unpatch = instrumentFetch({
    tracer,
    shouldPropagate: (url) => shouldPropagate(url),
    ignore: (url) => url.endsWith('/v1/traces'),
    parent: () => parent(),
    open: new OpenRequestSpans(),
    pageOrigin: new URL(PAGE).origin,
  });
});

afterEach(() => {
  unpatch();
  globalThis.fetch = originalFetch;
  vi.unstubAllGlobals();
});

function onlySpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0] as ReadableSpan;
}

/**
 * The request the fetch below ours would send: it is called as `(input, init)`, the caller's input
 * and a copy of its init with the headers to send, a plain object (a wrapper below may spread it).
 */
function sentRequest(): Request {
  const [call] = calls as [Call];
  expect(call.args).toHaveLength(2);
  const init = call.args[1] as RequestInit;
  expect(Object.getPrototypeOf(init.headers)).toBe(Object.prototype);
  return new Request(call.args[0] as RequestInfo, init);
}

function traceparentOf(span: ReadableSpan): string {
  return `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
}

describe('instrumentFetch', () => {
  it('makes one CLIENT span named by the method, with the stable HTTP attributes', async () => {
    await fetch(`${API}/api/items?page=2`, { method: 'POST', body: '{}' });
    const span = onlySpan();
    expect(span.name).toBe('POST');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': `${API}/api/items?page=2`,
      'server.address': '127.0.0.1',
      'server.port': 3001,
      'http.response.status_code': 200,
      'clicktrace.parent.source': 'context',
      'clicktrace.request.cross_origin': true,
      'clicktrace.trace_headers.sent': true,
      'clicktrace.trace_headers.names': ['traceparent'],
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('sends traceparent (and the caller body) on an allowed origin, in a copy of the init', async () => {
    await fetch(`${API}/api/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"cart":1}',
    });
    const request = sentRequest();
    expect(request.headers.get('traceparent')).toBe(traceparentOf(onlySpan()));
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.method).toBe('POST');
    expect(await request.text()).toBe('{"cart":1}');
  });

  it('passes the call through untouched where trace headers are not allowed', async () => {
    const init = { headers: { accept: 'text/plain' } };
    await fetch('http://elsewhere.test/x', init);
    expect(calls[0]?.args).toEqual(['http://elsewhere.test/x', init]);
    expect(calls[0]?.args[1]).toBe(init);
    expect(onlySpan().attributes['server.port']).toBe(80);
  });

  it('runs the request in the span context and parents the span on parent()', async () => {
    const interaction = tracer.startSpan('click');
    parent = () => ({ context: trace.setSpan(ROOT_CONTEXT, interaction), source: 'interaction-scope' });
    await fetch('/same-origin');
    interaction.end();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'GET') as ReadableSpan;
    expect(span.parentSpanContext?.spanId).toBe(interaction.spanContext().spanId);
    expect(span.attributes['clicktrace.parent.source']).toBe('interaction-scope');
    expect(calls[0]?.activeSpan?.spanContext().spanId).toBe(span.spanContext().spanId);
  });

  it('resolves relative URLs against the page and accepts URL objects', async () => {
    await fetch('../api/cart?x=1');
    await fetch(new URL(`${API}/api/url-object`));
    const urls = exporter.getFinishedSpans().map((span) => span.attributes['url.full']);
    expect(urls).toEqual(['http://127.0.0.1:5173/api/cart?x=1', `${API}/api/url-object`]);
    // The input goes down as the caller gave it: the browser's fetch resolves it the same way.
    expect(calls.map((call) => new URL(String(call.args[0]), PAGE).href)).toEqual(urls);
  });

  it('keeps settings an init inherits or defines as getters, as fetch itself reads them', async () => {
    const inherited = Object.create({
      method: 'POST',
      body: 'inherited',
      headers: { 'x-app': '1' },
    }) as RequestInit;
    await fetch(`${API}/api/inherited`, inherited);
    class Init {
      get method() {
        return 'PUT';
      }
      get body() {
        return 'from a getter';
      }
    }
    await fetch(`${API}/api/getters`, new Init() as RequestInit);
    const [first, second] = calls.map(
      (call) => new Request(call.args[0] as RequestInfo, call.args[1] as RequestInit),
    );
    expect([first?.method, await first?.text(), first?.headers.get('x-app')]).toEqual([
      'POST',
      'inherited',
      '1',
    ]);
    expect(first?.headers.has('traceparent')).toBe(true);
    expect([second?.method, await second?.text()]).toEqual(['PUT', 'from a getter']);
  });

  it('sends a fetch whose init throws as called, leaving no span open', async () => {
    let reads = 0;
    const init = {
      // Read once for the span's method, then it throws (as a hostile getter may).
      get method(): string {
        if (++reads > 1) throw new Error('broken getter');
        return 'POST';
      },
    } as RequestInit;
    await fetch(`${API}/api/throws`, init);
    expect(calls[0]?.args).toEqual([`${API}/api/throws`, init]);
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes).toMatchObject({
      'error.type': 'Error',
      'clicktrace.trace_headers.sent': false,
      'clicktrace.trace_headers.not_sent_reason': 'error',
    });
  });

  it('keeps the headers and body of a Request, adding ours, without mutating it', async () => {
    const original = new Request(`${API}/api/orders`, {
      method: 'PUT',
      headers: { 'x-app': '1' },
      body: 'payload',
    });
    await fetch(original);
    const request = sentRequest();
    expect(request).not.toBe(original);
    expect(original.headers.has('traceparent')).toBe(false);
    expect(request.headers.get('x-app')).toBe('1');
    expect(request.headers.get('traceparent')).toBe(traceparentOf(onlySpan()));
    expect(request.method).toBe('PUT');
    expect(await request.text()).toBe('payload');
    expect(onlySpan().name).toBe('PUT');
  });

  it('lets init override a Request, as fetch(request, init) does', async () => {
    await fetch(new Request(`${API}/api/a`, { headers: { 'x-old': '1' } }), {
      method: 'DELETE',
      headers: { 'x-new': '1' },
    });
    const request = sentRequest();
    expect(request.method).toBe('DELETE');
    expect([...request.headers.keys()].sort()).toEqual(['traceparent', 'x-new']);
    expect(onlySpan().name).toBe('DELETE');
  });

  it('replaces a traceparent (and tracestate) the caller set, so there is exactly one', async () => {
    await fetch(`${API}/api/b`, {
      headers: {
        traceparent: '00-11111111111111111111111111111111-2222222222222222-01',
        tracestate: 'x=1',
      },
    });
    const request = sentRequest();
    expect(request.headers.get('traceparent')).toBe(traceparentOf(onlySpan()));
    expect(request.headers.has('tracestate')).toBe(false);
  });

  it('marks HTTP errors with the status code', async () => {
    answer = () => Promise.resolve(new Response('missing', { status: 404 }));
    const response = await fetch(`${API}/api/missing`);
    expect(response.status).toBe(404);
    expect(onlySpan().attributes).toMatchObject({ 'http.response.status_code': 404, 'error.type': '404' });
    expect(onlySpan().status.code).toBe(SpanStatusCode.ERROR);
  });

  it('marks network errors and aborts with the error name; the caller gets the same rejection', async () => {
    const networkError = new TypeError('Failed to fetch');
    answer = () => Promise.reject(networkError);
    await expect(fetch(`${API}/api/down`)).rejects.toBe(networkError);
    answer = () => Promise.reject(new DOMException('The user aborted a request.', 'AbortError'));
    await expect(fetch(`${API}/api/aborted`)).rejects.toMatchObject({ name: 'AbortError' });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.attributes['error.type'])).toEqual(['TypeError', 'AbortError']);
    expect(spans.map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
    expect(spans.some((span) => 'http.response.status_code' in span.attributes)).toBe(false);
  });

  it('returns the very promise the wrapped fetch returned', () => {
    const promise = Promise.resolve(new Response('x'));
    answer = () => promise;
    expect(fetch(`${API}/same`)).toBe(promise);
  });

  it('names unknown methods HTTP, with _OTHER and the original method', async () => {
    await fetch(`${API}/x`, { method: 'PURGE' });
    await fetch(`${API}/x`, { method: 'get' });
    const [purge, get] = exporter.getFinishedSpans() as [ReadableSpan, ReadableSpan];
    expect(purge.name).toBe('HTTP');
    expect(purge.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'PURGE',
    });
    expect(get.name).toBe('GET');
    expect(get.attributes['http.request.method_original']).toBe('get');
  });

  it('redacts credentials in url.full', async () => {
    // fetch itself refuses URLs with credentials; the span still must not show them.
    answer = () =>
      Promise.reject(new TypeError('Request cannot be constructed from a URL that includes credentials'));
    await expect(fetch('http://user:secret@elsewhere.test/x?sig=abc&q=1')).rejects.toThrow(TypeError);
    expect(onlySpan().attributes['url.full']).toBe(
      'http://REDACTED:REDACTED@elsewhere.test/x?sig=REDACTED&q=1',
    );
  });

  it('leaves ignored URLs and suppressed contexts alone', async () => {
    const init = { method: 'POST', body: '{}' };
    await fetch(`${API}/v1/traces`, init);
    await context.with(suppressTracing(context.active()), () => fetch(`${API}/api/c`, init));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(calls.map((call) => call.args)).toEqual([
      [`${API}/v1/traces`, init],
      [`${API}/api/c`, init],
    ]);
  });

  it('sends the request untraced and untouched when the instrumentation fails', async () => {
    shouldPropagate = () => {
      throw new Error('broken matcher');
    };
    const init = { headers: { a: '1' } };
    await fetch(`${API}/api/d`, init);
    expect(calls[0]?.args).toEqual([`${API}/api/d`, init]);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('unpatches', async () => {
    const wrapped = globalThis.fetch;
    unpatch();
    expect(globalThis.fetch).not.toBe(wrapped);
    await fetch(`${API}/api/e`);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('is a pass-through after unpatching when something wrapped it later', async () => {
    const ours = globalThis.fetch;
    const later = (...args: Parameters<typeof fetch>) => ours(...args);
    globalThis.fetch = later;
    unpatch();
    expect(globalThis.fetch).toBe(later);
    await fetch(`${API}/api/f`);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(calls[0]?.args).toEqual([`${API}/api/f`]);
  });

  describe('evidence of propagation on the span', () => {
    const PAGE_ORIGIN = new URL(PAGE).origin;

    function evidence(span: ReadableSpan | undefined) {
      const attributes = span?.attributes ?? {};
      return Object.fromEntries(
        Object.entries(attributes).filter(
          ([key]) => key.startsWith('clicktrace.') && key !== 'clicktrace.parent.source',
        ),
      );
    }

    /** Runs `run` with `propagator` as the global propagator, then puts the W3C one back. */
    async function withPropagator(propagator: TextMapPropagator | undefined, run: () => Promise<unknown>) {
      propagation.disable();
      if (propagator) propagation.setGlobalPropagator(propagator);
      try {
        await run();
      } finally {
        propagation.disable();
        propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      }
    }

    it('same-origin: sent, with the names of the headers added (tracestate when the context has one)', async () => {
      const remote = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: 1,
        isRemote: true,
        traceState: new TraceState('app=1'),
      });
      parent = () => ({ context: remote, source: 'context' });
      await fetch(`${PAGE_ORIGIN}/shop/api/cart`);
      expect(evidence(onlySpan())).toEqual({
        'clicktrace.request.cross_origin': false,
        'clicktrace.trace_headers.sent': true,
        'clicktrace.trace_headers.names': ['traceparent', 'tracestate'],
      });
      expect(sentRequest().headers.get('tracestate')).toBe('app=1');
    });

    it('an origin outside propagateTo: not sent, origin-not-allowed, cross-origin', async () => {
      await fetch('http://elsewhere.test/x');
      await fetch(`${PAGE_ORIGIN}/x`, { mode: 'same-origin' });
      shouldPropagate = () => false;
      await fetch(`${PAGE_ORIGIN}/y`);
      const [elsewhere, allowed, refused] = exporter.getFinishedSpans();
      expect(evidence(elsewhere)).toEqual({
        'clicktrace.request.cross_origin': true,
        'clicktrace.trace_headers.sent': false,
        'clicktrace.trace_headers.not_sent_reason': 'origin-not-allowed',
      });
      expect(evidence(allowed)).toMatchObject({
        'clicktrace.request.cross_origin': false,
        'clicktrace.trace_headers.sent': true,
      });
      // cross_origin is about the page's origin, not about propagateTo.
      expect(evidence(refused)).toMatchObject({
        'clicktrace.request.cross_origin': false,
        'clicktrace.trace_headers.not_sent_reason': 'origin-not-allowed',
      });
    });

    it('allowed, but the propagator makes no header (propagation disabled): suppressed', async () => {
      await withPropagator(undefined, () => fetch(`${API}/api/quiet`));
      expect(sentRequest().headers.has('traceparent')).toBe(false);
      expect(evidence(onlySpan())).toEqual({
        'clicktrace.request.cross_origin': true,
        'clicktrace.trace_headers.sent': false,
        'clicktrace.trace_headers.not_sent_reason': 'suppressed',
      });
    });

    it('allowed, but the propagator throws: error, and the request still goes', async () => {
      const throwing: TextMapPropagator = {
        inject() {
          throw new Error('broken propagator');
        },
        extract: (context) => context,
        fields: () => ['traceparent'],
      };
      await withPropagator(throwing, () => fetch(`${API}/api/broken`));
      expect(calls).toHaveLength(1);
      expect(evidence(onlySpan())).toMatchObject({
        'clicktrace.trace_headers.sent': false,
        'clicktrace.trace_headers.not_sent_reason': 'error',
      });
    });

    it('a no-cors fetch gets no trace headers (the browser would drop them): no-cors', async () => {
      const init: RequestInit = { mode: 'no-cors' };
      await fetch(`${API}/api/pixel`, init);
      expect(calls[0]?.args).toEqual([`${API}/api/pixel`, init]);
      expect(evidence(onlySpan())).toEqual({
        'clicktrace.request.cross_origin': true,
        'clicktrace.trace_headers.sent': false,
        'clicktrace.trace_headers.not_sent_reason': 'no-cors',
      });
    });

    it('cors.refusal_likely on a failure with no response: true only for a TypeError of a cross-origin fetch that carried trace headers', async () => {
      const cases: Array<[string, () => Promise<Response>]> = [
        [`${API}/refused`, () => Promise.reject(new TypeError('Failed to fetch'))],
        [`${API}/aborted`, () => Promise.reject(new DOMException('aborted', 'AbortError'))],
        ['http://elsewhere.test/down', () => Promise.reject(new TypeError('Failed to fetch'))],
        [`${PAGE_ORIGIN}/down`, () => Promise.reject(new TypeError('Failed to fetch'))],
        [`${API}/missing`, () => Promise.resolve(new Response('', { status: 404 }))],
        [`${API}/ok`, () => Promise.resolve(new Response('ok'))],
      ];
      for (const [url, outcome] of cases) {
        answer = outcome;
        await fetch(url).catch(() => {});
      }
      const likely = Object.fromEntries(
        exporter
          .getFinishedSpans()
          .map((span) => [span.attributes['url.full'], span.attributes['clicktrace.cors.refusal_likely']]),
      );
      expect(likely).toEqual({
        [`${API}/refused`]: true,
        [`${API}/aborted`]: false,
        'http://elsewhere.test/down': false,
        [`${PAGE_ORIGIN}/down`]: false,
        [`${API}/missing`]: undefined,
        [`${API}/ok`]: undefined,
      });
    });

    it('open_interactions: the count parent() gave with source none, absent otherwise', async () => {
      parent = () => ({ context: context.active(), source: 'none', open: 2 });
      await fetch(`${API}/api/lost`);
      parent = () => ({ context: context.active(), source: 'context' });
      await fetch(`${API}/api/kept`);
      const [lost, kept] = exporter.getFinishedSpans();
      expect(lost?.attributes['clicktrace.parent.open_interactions']).toBe(2);
      expect(kept?.attributes).not.toHaveProperty(['clicktrace.parent.open_interactions']);
    });
  });
});
